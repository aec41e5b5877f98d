// API keys: the integrator sends the raw key; we hash it exactly as it was registered on-chain
// (keccak256 of its UTF-8 bytes) and check the indexed ApiKeyAdded/ApiKeyRevoked state: known,
// not revoked, not expired, has the scope, project active. Then one token from the key's bucket
// and one from the project's (both in the database, shared by replicas).
import type { MiddlewareHandler } from "hono";
import { db } from "ponder:api";
import { apiKey, project } from "ponder:schema";
import { eq, sql } from "ponder";
import { apiKeyHash, apiKeyScopeNames, ApiKeyScopes, type ApiKeyScopeName } from "@onekey/sdk/contracts";
import { decodeHead } from "../../lib/chain-time.ts";
import { ApiError } from "./errors.ts";
import { takeTokens, type BucketLimit } from "./ratelimit.ts";
import { getStore } from "./store.ts";
import { clip } from "./validate.ts";

export interface AuthInfo {
  projectId: bigint;
  keyHash: `0x${string}`;
  scopes: number;
}

export type AuthEnv = { Variables: { auth: AuthInfo } };

function parseLimit(value: string | undefined, fallback: BucketLimit): BucketLimit {
  if (!value) return fallback;
  const [rate, burst] = value.split(",").map(Number);
  return { rate, burst: burst ?? rate };
}

export const limits = {
  key: parseLimit(process.env.ONEKEY_RATE_LIMIT_KEY, { rate: 50, burst: 100 }),
  project: parseLimit(process.env.ONEKEY_RATE_LIMIT_PROJECT, { rate: 200, burst: 400 }),
};

interface KeyRow {
  projectId: bigint;
  keyHash: `0x${string}`;
  scopes: number;
  expiry: bigint;
  revoked: boolean;
  suspended: boolean | null;
  /** The indexed head's checkpoint, read with the row: key expiry is judged at chain time. */
  checkpoint: string | null;
}

// Key rows (with their project's suspension) are cached briefly: an on-chain revocation or
// suspension takes effect within this many ms.
const CACHE_MS = Number(process.env.ONEKEY_API_KEY_CACHE_MS ?? 1000);
const cache = new Map<string, { at: number; rows: KeyRow[] }>();

async function keyRows(hash: `0x${string}`): Promise<KeyRow[]> {
  const hit = cache.get(hash);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.rows;
  const rows = await db
    .select({
      projectId: apiKey.projectId,
      keyHash: apiKey.keyHash,
      scopes: apiKey.scopes,
      expiry: apiKey.expiry,
      revoked: apiKey.revoked,
      suspended: project.suspended,
      checkpoint: sql<string | null>`(SELECT max(latest_checkpoint) FROM _ponder_checkpoint)`,
    })
    .from(apiKey)
    .leftJoin(project, eq(project.id, apiKey.projectId))
    .where(eq(apiKey.keyHash, hash));
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { at: Date.now(), rows });
  return rows;
}

function presentedKey(header: (name: string) => string | undefined): string {
  const authorization = header("authorization");
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  const key = bearer ?? header("x-api-key");
  if (!key) {
    throw new ApiError("MissingApiKey", 401, "No API key: send `Authorization: Bearer <key>` (or `x-api-key: <key>`).", {
      headers: { "www-authenticate": 'Bearer realm="onekey"' },
    });
  }
  return key.trim();
}

function parseProjectId(raw: string | undefined): bigint | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,78}$/.test(raw)) throw new ApiError("InvalidProjectId", 400, `Project id "${clip(raw, 80)}" is not a decimal number.`);
  return BigInt(raw);
}

function choose(rows: KeyRow[], hash: string, projectId: bigint | undefined, scope: ApiKeyScopeName): KeyRow {
  if (rows.length === 0) {
    throw new ApiError("UnknownApiKey", 401, `API key not recognised: its hash ${hash} is not registered on-chain (ProjectRegistry.addApiKey).`);
  }
  const inProject = projectId === undefined ? rows : rows.filter((r) => r.projectId === projectId);
  if (inProject.length === 0) {
    throw new ApiError("WrongProject", 403, `API key ${hash} is not registered for project ${projectId}.`);
  }
  // Chain time, as ProjectRegistry itself judges expiry (`expiry <= block.timestamp` is past).
  // A key row exists only once its block is indexed, so the head is known whenever a row is.
  const now = decodeHead(inProject[0].checkpoint)?.timestamp ?? 0n;
  const usable = inProject.filter((r) => !r.revoked && r.expiry > now);
  if (usable.length === 0) {
    const row = inProject[0];
    if (row.revoked) throw new ApiError("ApiKeyRevoked", 401, `API key ${hash} was revoked for project ${row.projectId}.`);
    throw new ApiError("ApiKeyExpired", 401, `API key ${hash} expired at ${new Date(Number(row.expiry) * 1000).toISOString()}.`);
  }
  const scoped = usable.find((r) => (r.scopes & ApiKeyScopes[scope]) !== 0);
  if (!scoped) {
    const has = apiKeyScopeNames(usable[0].scopes).join(", ") || "none";
    throw new ApiError("MissingScope", 403, `API key ${hash} lacks the "${scope}" scope needed here (it has: ${has}).`);
  }
  return scoped;
}

async function rateLimit(key: KeyRow): Promise<void> {
  const store = await getStore();
  const taken = await takeTokens(store, store.schema, [
    { key: `key:${key.keyHash}`, limit: limits.key },
    { key: `project:${key.projectId}`, limit: limits.project },
  ]);
  const refused = taken.findIndex((t) => !t.allowed);
  if (refused === -1) return;
  const [what, limit] = refused === 0 ? ["API key", limits.key] : ["project", limits.project];
  const seconds = Math.max(1, Math.ceil(taken[refused].retryAfterMs / 1000));
  throw new ApiError("RateLimited", 429, `Rate limit exceeded for this ${what} (${limit.rate} requests/s, burst ${limit.burst}); retry after ${seconds} s.`, {
    headers: { "retry-after": String(seconds) },
  });
}

/** Middleware: authenticates the key for `scope` (and the `:projectId` route param when present). */
export function requireKey(scope: ApiKeyScopeName): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const raw = presentedKey((name) => c.req.header(name));
    const hash = apiKeyHash(raw);
    const projectId = parseProjectId(c.req.param("projectId"));
    const row = choose(await keyRows(hash), hash, projectId, scope);
    if (row.suspended) throw new ApiError("ProjectSuspended", 403, `Project ${row.projectId} is suspended; its API keys are not honoured.`);
    await rateLimit(row);
    c.set("auth", { projectId: row.projectId, keyHash: hash, scopes: row.scopes });
    await next();
  };
}
