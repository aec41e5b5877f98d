// Who may use the API. Two layers:
//  1. the project's API key (the same keys the indexer takes: `Authorization: Bearer <key>`),
//     checked against its hash on-chain (known, not revoked, not expired, `read` scope) for the
//     project in the path. A key of another project is refused like an unknown one.
//  2. for every change (claim, release, decide, reassign), the reviewer's own signature over the
//     request (EIP-191 personal_sign of `reviewerRequestMessage`), by an account that holds the
//     project's REVIEWER role now, within ±5 minutes, each signature used once.
import { isAddress, verifyMessage, type Address, type Hex, type PublicClient } from "viem";
import { apiKeyHash, ApiKeyScopes, getApiKey, hasActiveRole, Roles } from "@onekey/sdk/contracts";
import { REVIEWER_HEADERS, reviewerRequestMessage, SIGNATURE_WINDOW_S } from "../api/reviewer-request.ts";

// The message and headers live in src/api (browser-safe: the console signs with the same code).
export { REVIEWER_HEADERS, reviewerRequestMessage, SIGNATURE_WINDOW_S, signReviewerRequest } from "../api/reviewer-request.ts";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = code;
    this.status = status;
    this.code = code;
  }
}

export function createAuth(o: {
  publicClient: PublicClient;
  addresses: { projectRegistry: Address };
  cacheMs?: number;
  used?: (signature: string) => Promise<boolean>;
}) {
  const cache = new Map<string, { at: number; ok: true } | { at: number; error: ApiError }>();
  const cacheMs = o.cacheMs ?? 1_000;

  async function requireKey(projectId: bigint, presented: string | undefined): Promise<void> {
    if (!presented) throw new ApiError(401, "MissingApiKey", "send the project's API key as Authorization: Bearer <key>");
    if (presented.length > 512) throw new ApiError(401, "UnknownApiKey", "not a key of this project");
    const keyHash = apiKeyHash(presented);
    const id = `${projectId}:${keyHash}`;
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < cacheMs) {
      if ("error" in hit) throw hit.error;
      return;
    }
    const key = await getApiKey(o.publicClient, { projectId, keyHash, addresses: o.addresses });
    const now = BigInt(Math.floor(Date.now() / 1000));
    let error: ApiError | undefined;
    if (key.expiry === 0n) error = new ApiError(401, "UnknownApiKey", `API key ${keyHash} is not a key of project ${projectId}`);
    else if (key.revoked) error = new ApiError(401, "ApiKeyRevoked", `API key ${keyHash} was revoked`);
    else if (key.expiry <= now) error = new ApiError(401, "ApiKeyExpired", `API key ${keyHash} expired at ${key.expiry}`);
    else if ((key.scopes & ApiKeyScopes.read) === 0) error = new ApiError(403, "MissingScope", `API key ${keyHash} lacks the read scope`);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, error ? { at: Date.now(), error } : { at: Date.now(), ok: true });
    if (error) throw error;
  }

  /** Verifies the reviewer's signature over this request and the REVIEWER role; returns the reviewer (lower case). */
  async function requireReviewer(
    projectId: bigint,
    req: { method: string; path: string; body: string; headers: Record<string, string | string[] | undefined> },
    role: number = Roles.REVIEWER,
  ): Promise<{ reviewer: Address; signature: Hex }> {
    const h = (name: string) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : undefined;
    };
    const reviewer = h(REVIEWER_HEADERS.reviewer);
    const ts = h(REVIEWER_HEADERS.timestamp);
    const signature = h(REVIEWER_HEADERS.signature);
    if (!reviewer || !ts || !signature) throw new ApiError(401, "MissingReviewerSignature", `changes need ${Object.values(REVIEWER_HEADERS).join(", ")}`);
    if (!isAddress(reviewer, { strict: false })) throw new ApiError(400, "InvalidReviewer", `${REVIEWER_HEADERS.reviewer} is not an address`);
    if (!/^\d{1,12}$/.test(ts) || Math.abs(Number(ts) - Date.now() / 1000) > SIGNATURE_WINDOW_S) {
      throw new ApiError(401, "StaleReviewerSignature", `${REVIEWER_HEADERS.timestamp} must be unix seconds within ${SIGNATURE_WINDOW_S} s of now`);
    }
    if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new ApiError(401, "InvalidReviewerSignature", "the signature is not 65 bytes of hex");
    const ok = await verifyMessage({
      address: reviewer as Address,
      message: reviewerRequestMessage({ method: req.method, path: req.path, projectId, timestamp: Number(ts), body: req.body }),
      signature: signature as Hex,
    }).catch(() => false);
    if (!ok) throw new ApiError(401, "InvalidReviewerSignature", "the signature does not match this request and reviewer");
    // Early answer for a replay (the use itself is recorded atomically with the change it made).
    if (o.used && (await o.used(signature.toLowerCase()))) throw new ApiError(409, "ReplayedRequest", "this signed request was already used; sign a new one");
    if (!(await hasActiveRole(o.publicClient, { projectId, account: reviewer as Address, role, addresses: o.addresses }))) {
      throw new ApiError(
        403,
        role === Roles.ADMIN ? "NotAnAdmin" : "NotAReviewer",
        `${reviewer} does not hold the ${role === Roles.ADMIN ? "ADMIN" : "REVIEWER"} role of project ${projectId}`,
      );
    }
    return { reviewer: reviewer.toLowerCase() as Address, signature: signature.toLowerCase() as Hex };
  }

  return { requireKey, requireReviewer };
}
