// API keys: made in this browser, shown once, and only keccak256 of the key goes on-chain
// (ProjectRegistry.addApiKey). Scope bits and the hash come from the SDK, as the indexer and the
// sponsor service read them.
import { addApiKey, apiKeyHash, apiKeyScopeNames, ApiKeyScopes, revokeApiKey, type ApiKeyScopeName } from "@onekey/sdk/contracts";
import type { Hex } from "viem";
import type { OneKeyHandle } from "../../shell/handle.ts";
import { InvalidInputError } from "./errors.ts";

export const SCOPE_NAMES = Object.keys(ApiKeyScopes) as ApiKeyScopeName[];
export const SCOPE_HELP: Record<ApiKeyScopeName, string> = {
  read: "GraphQL, SQL, the project's events and grants",
  analytics: "the analytics API",
  audit: "the audit log: export, head, verify",
  webhooks: "webhook endpoints, messages, deliveries",
  sponsor: "ask the sponsor service to pay for users' operations",
};

/** 32 random bytes, base64url, with a prefix so a leaked key is recognisable in a scan. */
export function newApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return `onekey_${btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
}

export function scopesMask(names: Iterable<ApiKeyScopeName>): number {
  let mask = 0;
  for (const n of names) {
    if (!(n in ApiKeyScopes)) throw new InvalidInputError("scopes", `Unknown scope "${String(n)}".`);
    mask |= ApiKeyScopes[n];
  }
  if (mask === 0) throw new InvalidInputError("scopes", "Choose at least one scope.");
  return mask;
}

export { apiKeyScopeNames };

/** Expiry in unix seconds from a date input ("YYYY-MM-DD", end of that day UTC); must be in the future. */
export function expiryFromDate(date: string, now = Date.now()): bigint {
  const t = Date.parse(`${date}T23:59:59Z`);
  if (!Number.isFinite(t)) throw new InvalidInputError("expiry", "Enter an expiry date.");
  if (t <= now) throw new InvalidInputError("expiry", "The expiry must be in the future.");
  return BigInt(Math.floor(t / 1000));
}

export type CreateApiKeyParameters = { projectId: bigint; scopes: ApiKeyScopeName[]; expiry: bigint; account?: never };
/** Registers a new key's hash on-chain; returns the raw key, which the caller shows once and forgets. */
export async function createApiKey(
  h: OneKeyHandle,
  p: CreateApiKeyParameters,
): Promise<{ key: string; keyHash: Hex; scopes: number; expiry: bigint; transactionHash?: Hex }> {
  const key = newApiKey();
  const keyHash = apiKeyHash(key);
  const scopes = scopesMask(p.scopes);
  const r = await addApiKey(h.client, { ...h.on, projectId: p.projectId, keyHash, scopes, expiry: p.expiry });
  return { key, keyHash, scopes, expiry: p.expiry, transactionHash: r.hash };
}

export const revokeKey = (h: OneKeyHandle, p: { projectId: bigint; keyHash: Hex }) => revokeApiKey(h.client, { ...h.on, ...p });
