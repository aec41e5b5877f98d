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

export async function takeToken(db: Queryable, schema: string, key: string, limit: BucketLimit, now = Date.now()): Promise<TakeResult> {
  const s = quoteIdent(schema);
  // `refill` is the bucket after the elapsed time; GREATEST keeps clock skew between replicas
  // from draining or overfilling it.
  const refill = `LEAST($2::float8, b.tokens + GREATEST(0, $3::bigint - b.updated_ms) * $4::float8 / 1000.0)`;
  const [row] = await db.query<{ tokens: number | string; allowed: boolean }>(
    `INSERT INTO ${s}.rate_bucket AS b (key, tokens, updated_ms, allowed)
     VALUES ($1, $2::float8 - 1, $3::bigint, true)
     ON CONFLICT (key) DO UPDATE SET
       tokens = CASE WHEN ${refill} >= 1 THEN ${refill} - 1 ELSE ${refill} END,
       allowed = ${refill} >= 1,
       updated_ms = GREATEST(b.updated_ms, $3::bigint)
     RETURNING b.tokens, b.allowed`,
    [key, limit.burst, now, limit.rate],
  );
  const tokens = Number(row.tokens);
  return {
    allowed: row.allowed,
    tokens,
    retryAfterMs: row.allowed ? 0 : Math.ceil(((1 - tokens) / limit.rate) * 1000),
  };
}
