// The one check of a project's API key in this service, for both of its doors: the ERC-7677
// requests (sponsor scope) and the refusal log (read scope). As the review service does it: the
// raw key hashed with the SDK's apiKeyHash, then ProjectRegistry's own record of that hash for
// that project (the SDK's getApiKey), judged live, unrevoked, unexpired and holding the scope.
// Another project's key is simply not a key of this project.
import type { Address, Hex, PublicClient } from "viem";
import { apiKeyHash, getApiKey } from "@onekey/sdk/contracts";

export type ApiKeyProblem = "UnknownApiKey" | "ApiKeyRevoked" | "ApiKeyExpired" | "MissingScope";

export interface ApiKeyVerdict {
  keyHash: Hex;
  /** Undefined: the key is live and holds the scope. */
  problem?: ApiKeyProblem;
}

/**
 * `check(projectId, rawKey, scopeBit)`. Verdicts are cached for `cacheMs` (bounded), so a flood of
 * requests with one key costs one chain read per period; a revocation takes effect within it.
 */
export function createApiKeyCheck(o: { client: PublicClient; projectRegistry: Address; cacheMs?: number }) {
  const cacheMs = o.cacheMs ?? 1_000;
  const cache = new Map<string, { at: number; scopes: number; problem?: ApiKeyProblem }>();
  return async function check(projectId: bigint, rawKey: string, scope: number): Promise<ApiKeyVerdict> {
    const keyHash = apiKeyHash(rawKey);
    const id = `${projectId}:${keyHash}`;
    let hit = cache.get(id);
    if (!hit || Date.now() - hit.at >= cacheMs) {
      const key = await getApiKey(o.client, { projectId, keyHash, addresses: { projectRegistry: o.projectRegistry } });
      const now = BigInt(Math.floor(Date.now() / 1000));
      const problem: ApiKeyProblem | undefined =
        key.expiry === 0n ? "UnknownApiKey" : key.revoked ? "ApiKeyRevoked" : key.expiry <= now ? "ApiKeyExpired" : undefined;
      if (cache.size > 10_000) cache.clear();
      hit = { at: Date.now(), scopes: key.scopes, problem };
      cache.set(id, hit);
    }
    return { keyHash, problem: hit.problem ?? ((hit.scopes & scope) === 0 ? "MissingScope" : undefined) };
  };
}

export type ApiKeyCheck = ReturnType<typeof createApiKeyCheck>;
