// Token buckets kept in the database, so every API replica draws from the same bucket. The
// database row is the authority; a process leases a few tokens at a time (at most ~50 ms worth of
// refill) and spends them locally, so a busy replica writes once per lease, not once per request.
// A lease is taken out of the shared bucket before it is spent, so replicas together never admit
// more than the bucket allows; unspent leases simply lapse (a bounded, conservative error). With
// low limits a lease is one token and every request is one atomic database update.
import { quoteIdent, type Queryable } from "./store.ts";

export interface BucketLimit {
  /** Tokens added per second. */
  rate: number;
  /** Bucket size (the largest burst). */
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Milliseconds until a whole token is back (0 when allowed). */
  retryAfterMs: number;
}

const LEASE_MS = 250;
const leases = new Map<string, { tokens: number; expires: number }>();

/** Tokens leased per database round trip: ~50 ms of refill, at most a quarter of the burst. */
export function leaseSize(limit: BucketLimit): number {
  return Math.max(1, Math.min(50, Math.floor(limit.rate * 0.05), Math.floor(limit.burst / 4)));
}

function local(key: string): number {
  const lease = leases.get(key);
  return lease && lease.expires > Date.now() ? lease.tokens : 0;
}

/**
 * Leases tokens for several buckets in one statement (one round trip, one transaction): each
 * bucket refills by elapsed time, then grants up to its lease size of whole tokens.
 */
async function lease(
  db: Queryable,
  schema: string,
  buckets: { key: string; limit: BucketLimit }[],
  now: number,
): Promise<Map<string, { granted: number; tokens: number }>> {
  const s = quoteIdent(schema);
  // GREATEST keeps clock skew between replicas from draining or overfilling a bucket.
  const refill = `LEAST(v.burst, b.tokens + GREATEST(0, v.now - b.updated_ms) * v.rate / 1000.0)`;
  const values = buckets
    .map((_, i) => `($${i * 4 + 2}::text, $${i * 4 + 3}::float8, $${i * 4 + 4}::float8, $${i * 4 + 5}::float8, $1::bigint)`)
    .join(", ");
  const params: unknown[] = [now, ...buckets.flatMap((b) => [b.key, b.limit.burst, b.limit.rate, leaseSize(b.limit)])];
  const rows = await db.query<{ key: string; tokens: number | string; granted: number | string }>(
    `WITH v(key, burst, rate, chunk, now) AS (VALUES ${values})
     INSERT INTO ${s}.rate_bucket AS b (key, tokens, updated_ms, granted)
     SELECT key, burst - LEAST(chunk, floor(burst)), now, LEAST(chunk, floor(burst)) FROM v
     ON CONFLICT (key) DO UPDATE SET
       tokens = (SELECT ${refill} - LEAST(v.chunk, floor(${refill})) FROM v WHERE v.key = b.key),
       granted = (SELECT LEAST(v.chunk, floor(${refill})) FROM v WHERE v.key = b.key),
       updated_ms = GREATEST(b.updated_ms, excluded.updated_ms)
     RETURNING b.key, b.tokens, b.granted`,
    params,
  );
  return new Map(rows.map((r) => [r.key, { granted: Number(r.granted), tokens: Number(r.tokens) }]));
}

/** One token from every bucket, or a refusal naming the first bucket that had none. */
export async function takeTokens(
  db: Queryable,
  schema: string,
  buckets: { key: string; limit: BucketLimit }[],
  now = Date.now(),
): Promise<TakeResult[]> {
  const missing = buckets.filter((b) => local(b.key) < 1);
  const leased = missing.length ? await lease(db, schema, missing, now) : new Map();
  // The lease runs from its arrival, so a slow round trip does not shorten it.
  for (const [key, { granted }] of leased) {
    if (granted > 0) leases.set(key, { tokens: local(key) + granted, expires: Date.now() + LEASE_MS });
  }
  const results = buckets.map((b) => {
    if (local(b.key) >= 1) return { allowed: true, retryAfterMs: 0 };
    const tokens = leased.get(b.key)?.tokens ?? 0;
    return { allowed: false, retryAfterMs: Math.ceil(((1 - tokens) / b.limit.rate) * 1000) };
  });
  // Spend only when every bucket can pay, so a refusal costs the caller nothing locally.
  if (results.every((r) => r.allowed)) for (const b of buckets) leases.get(b.key)!.tokens -= 1;
  return results;
}

export async function takeToken(db: Queryable, schema: string, key: string, limit: BucketLimit, now = Date.now()): Promise<TakeResult> {
  const [result] = await takeTokens(db, schema, [{ key, limit }], now);
  return result;
}
