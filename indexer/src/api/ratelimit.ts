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
  const values = buckets.map((_, i) => `($${i * 4 + 2}::text, $${i * 4 + 3}::float8, $${i * 4 + 4}::float8, $${i * 4 + 5}::float8, $1::bigint)`).join(", ");
  const params: unknown[] = [now, ...buckets.flatMap((b) => [b.key, b.limit.burst, b.limit.rate, chunk(b)])];
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

// One lease in flight per bucket: concurrent requests wait for it instead of each draining the
// shared bucket into this process. Resolves to the bucket's state after the lease.
const pending = new Map<string, Promise<{ granted: number; tokens: number }>>();
// Requests of this process currently waiting for a bucket: the next lease asks for that many.
const demand = new Map<string, number>();

function chunk(b: { key: string; limit: BucketLimit }): number {
  return Math.min(Math.max(leaseSize(b.limit), demand.get(b.key) ?? 0), Math.max(1, Math.floor(b.limit.burst)));
}

function leaseOnce(db: Queryable, schema: string, buckets: { key: string; limit: BucketLimit }[]) {
  const fresh = buckets.filter((b) => !pending.has(b.key));
  if (fresh.length) {
    const request = lease(db, schema, fresh, Date.now()).then((rows) => {
      for (const [key, { granted }] of rows) {
        if (granted > 0) leases.set(key, { tokens: local(key) + granted, expires: Date.now() + LEASE_MS });
      }
      return rows;
    });
    for (const b of fresh) {
      const one = request.then((rows) => rows.get(b.key) ?? { granted: 0, tokens: 0 });
      pending.set(b.key, one);
      one.finally(() => pending.delete(b.key)).catch(() => {});
    }
  }
  return Promise.all(buckets.map((b) => pending.get(b.key)!));
}

/**
 * One token from every bucket, or a refusal naming the bucket the database found empty. Local
 * tokens are taken synchronously (no other request can spend them in between); buckets without
 * any are leased — one lease per bucket at a time, sized to the waiting requests — and retried,
 * since a concurrent request may spend a fresh lease first. Tokens taken from other buckets are returned on refusal.
 */
export async function takeTokens(db: Queryable, schema: string, buckets: { key: string; limit: BucketLimit }[]): Promise<TakeResult[]> {
  const held = new Set<string>();
  const takeLocal = () => {
    for (const b of buckets) {
      if (held.has(b.key) || local(b.key) < 1) continue;
      leases.get(b.key)!.tokens -= 1;
      held.add(b.key);
    }
    return buckets.filter((b) => !held.has(b.key));
  };
  let missing = takeLocal();
  // Refill ahead: when a lease runs low and none is in flight, lease the next one now, in the
  // background, so a steady stream of requests does not stop to wait for the database every
  // lease (a commit under load can take tens of ms). Bounded like any lease: it lapses unspent.
  for (const b of buckets) {
    // Only for buckets whose lease is several tokens: with low limits every token stays exact.
    const size = leaseSize(b.limit);
    if (size >= 4 && !missing.includes(b) && !pending.has(b.key) && local(b.key) < size / 2) {
      void leaseOnce(db, schema, [b]).catch(() => {});
    }
  }
  // Each round grants at least one token to some waiting request, or finds the bucket empty.
  for (let round = 0; missing.length > 0 && round < 50; round++) {
    const asked = missing;
    for (const b of asked) demand.set(b.key, (demand.get(b.key) ?? 0) + 1);
    const states = await leaseOnce(db, schema, asked).finally(() => {
      for (const b of asked) {
        const left = demand.get(b.key)! - 1;
        if (left > 0) demand.set(b.key, left);
        else demand.delete(b.key);
      }
    });
    missing = takeLocal();
    for (const b of missing) {
      const state = states[asked.indexOf(b)];
      // The database itself had no whole token: a real refusal. (Otherwise a concurrent request
      // spent the fresh lease first; go round again.)
      if (state && state.granted <= 0) return refuse(buckets, held, b, state.tokens);
    }
  }
  if (missing.length === 0) return buckets.map(() => ({ allowed: true, retryAfterMs: 0 }));
  return refuse(buckets, held, missing[0], 0);
}

/** Gives back what was taken and refuses, with the wait until the bucket holds a whole token. */
function refuse(buckets: { key: string; limit: BucketLimit }[], held: Set<string>, refused: { key: string; limit: BucketLimit }, tokens: number): TakeResult[] {
  for (const key of held) {
    const lease = leases.get(key);
    if (lease && lease.expires > Date.now()) lease.tokens += 1;
  }
  return buckets.map((b) =>
    b === refused
      ? { allowed: false, retryAfterMs: Math.max(1, Math.ceil(((1 - Math.max(0, Math.min(tokens, 1))) / b.limit.rate) * 1000)) }
      : { allowed: true, retryAfterMs: 0 },
  );
}

export async function takeToken(db: Queryable, schema: string, key: string, limit: BucketLimit): Promise<TakeResult> {
  const [result] = await takeTokens(db, schema, [{ key, limit }]);
  return result;
}
