// Token buckets kept in the database, so every API replica draws from the same bucket. One
// statement per take: refill by elapsed time, take a token if one is whole, report the result.
import { quoteIdent, type Queryable } from "./store.ts";

export interface BucketLimit {
  /** Tokens added per second. */
  rate: number;
  /** Bucket size (the largest burst). */
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** Tokens left after this take (fractional). */
  tokens: number;
  /** Milliseconds until one whole token is back (0 when allowed). */
  retryAfterMs: number;
}

/**
 * Takes one token from each bucket in one statement (one round trip, one transaction). Every
 * bucket is charged even when another refuses; the refusal names the first bucket that did.
 */
export async function takeTokens(
  db: Queryable,
  schema: string,
  buckets: { key: string; limit: BucketLimit }[],
  now = Date.now(),
): Promise<TakeResult[]> {
  const s = quoteIdent(schema);
  // Per row: $key, $burst, $rate; `refill` is the bucket after the elapsed time, GREATEST keeps
  // clock skew between replicas from draining or overfilling it.
  const refill = `LEAST(v.burst, b.tokens + GREATEST(0, v.now - b.updated_ms) * v.rate / 1000.0)`;
  const values = buckets.map((_, i) => `($${i * 3 + 2}::text, $${i * 3 + 3}::float8, $${i * 3 + 4}::float8, $1::bigint)`).join(", ");
  const params: unknown[] = [now, ...buckets.flatMap((b) => [b.key, b.limit.burst, b.limit.rate])];
  const rows = await db.query<{ key: string; tokens: number | string; allowed: boolean }>(
    `WITH v(key, burst, rate, now) AS (VALUES ${values})
     INSERT INTO ${s}.rate_bucket AS b (key, tokens, updated_ms, allowed)
     SELECT key, burst - 1, now, true FROM v
     ON CONFLICT (key) DO UPDATE SET
       tokens = (SELECT CASE WHEN ${refill} >= 1 THEN ${refill} - 1 ELSE ${refill} END FROM v WHERE v.key = b.key),
       allowed = (SELECT ${refill} >= 1 FROM v WHERE v.key = b.key),
       updated_ms = GREATEST(b.updated_ms, excluded.updated_ms)
     RETURNING b.key, b.tokens, b.allowed`,
    params,
  );
  return buckets.map((bucket) => {
    const row = rows.find((r) => r.key === bucket.key)!;
    const tokens = Number(row.tokens);
    return { allowed: row.allowed, tokens, retryAfterMs: row.allowed ? 0 : Math.ceil(((1 - tokens) / bucket.limit.rate) * 1000) };
  });
}

export async function takeToken(db: Queryable, schema: string, key: string, limit: BucketLimit, now = Date.now()): Promise<TakeResult> {
  const [result] = await takeTokens(db, schema, [{ key, limit }], now);
  return result;
}
