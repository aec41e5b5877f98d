// A response cache in front of Ponder's GraphQL. GraphQL serves only public chain data, which
// changes only when the indexer commits, so an answer is a function of (document, variables,
// operation, indexed head). The cache key is exactly that, plus the key's project and scopes so a
// future per-tenant field could never be served across tenants. The head is read from the
// database for every request (one primary-key read, far cheaper than executing the query; reads
// are shared only among requests that arrived before the read began, see freshHead):
//   - the latest checkpoint, which Ponder moves in the same transaction as each block's rows;
//   - the global event-log head (seq and hash, which commits to the block hash), because a reorg
//     rewrites rows without moving the checkpoint, and a replacement block can carry the same
//     checkpoint (same height and timestamp) as the block it replaced.
// An answer is stored only when the head read after executing equals the one read before, so an
// entry never holds rows from a later head than its key says. Entries of older heads are dropped
// as soon as a newer head is seen. Concurrent misses on one key share one execution.
import { getStore, quoteIdent } from "./store.ts";

const num = (key: string, fallback: number) => (process.env[key] ? Number(process.env[key]) : fallback);

export const cacheConfig = {
  enabled: process.env.ONEKEY_GRAPHQL_CACHE !== "0",
  maxBytes: num("ONEKEY_GRAPHQL_CACHE_BYTES", 64 * 1024 * 1024),
  maxEntryBytes: num("ONEKEY_GRAPHQL_CACHE_ENTRY_BYTES", 1024 * 1024),
};

export interface CachedAnswer {
  status: number;
  body: string;
  contentType: string;
  /** False for refusals and answers carrying errors (they may be transient). */
  cacheable: boolean;
}

export type CacheOutcome = "hit" | "shared" | "miss" | "off";

let currentHead = "";
let currentOrder = 0;
let entries = new Map<string, CachedAnswer>();
let bytes = 0;
const inFlight = new Map<string, Promise<CachedAnswer>>();

export async function indexedHead(): Promise<string> {
  const store = await getStore();
  const app = quoteIdent(store.appSchema);
  const [row] = await store.query<{ head: string }>(
    `SELECT coalesce((SELECT string_agg(latest_checkpoint, ',' ORDER BY chain_id) FROM ${app}._ponder_checkpoint), '')
            || '/' || coalesce((SELECT seq::text || ':' || hash FROM ${app}.event_log_head WHERE id = 0), '') AS head`,
  );
  return row.head;
}

// Head reads are coalesced without going stale: a request shares a read only if that read started
// after the request arrived. One read in flight; requests arriving meanwhile share the next one,
// which starts when it returns. Under load that is one round trip per read latency, not per request.
let reading: Promise<Head> | undefined;
let queued: Promise<Head> | undefined;
let reads = 0;

interface Head {
  head: string;
  /** Order in which the read began: a slower, older read must not displace a newer head. */
  order: number;
}

function startRead(): Promise<Head> {
  const order = ++reads;
  const read = indexedHead()
    .then((head) => ({ head, order }))
    .finally(() => {
      if (reading === read) reading = undefined;
    });
  reading = read;
  return read;
}

/** The indexed head as of some moment after this call. */
export function freshHead(): Promise<Head> {
  if (!reading) return startRead();
  queued ??= reading
    .catch(() => undefined)
    .then(() => {
      queued = undefined;
      return startRead();
    });
  return queued;
}

function remember(head: string, key: string, answer: CachedAnswer): void {
  if (head !== currentHead) return;
  const size = answer.body.length + key.length;
  if (size > cacheConfig.maxEntryBytes) return;
  // Simple and bounded: when full, start over (entries live one head long anyway).
  if (bytes + size > cacheConfig.maxBytes) {
    entries = new Map();
    bytes = 0;
  }
  entries.set(key, answer);
  bytes += size;
}

/**
 * The answer for `key` at the current head: cached, joined to an identical in-flight execution,
 * or produced by `execute` (and cached when it is a success and the head held still).
 */
export async function cached(scope: string, request: string, execute: () => Promise<CachedAnswer>): Promise<{ answer: CachedAnswer; outcome: CacheOutcome }> {
  if (!cacheConfig.enabled) return { answer: await execute(), outcome: "off" };
  const { head, order } = await freshHead();
  if (head !== currentHead && order > currentOrder) {
    // A newer read saw another head: whatever was cached belongs to an older one.
    currentHead = head;
    currentOrder = order;
    entries = new Map();
    bytes = 0;
  }
  const key = `${head}\n${scope}\n${request}`;
  const hit = entries.get(key);
  if (hit) return { answer: hit, outcome: "hit" };
  const running = inFlight.get(key);
  if (running) return { answer: await running, outcome: "shared" };
  const run = execute();
  inFlight.set(key, run);
  // Answer at once; storing waits for the second head read (off the response path), and the
  // in-flight entry stays until then so identical requests keep sharing this execution.
  void run
    .then(async (answer) => {
      if (answer.cacheable && (await freshHead()).head === head) remember(head, key, answer);
    })
    .catch(() => {})
    .finally(() => {
      if (inFlight.get(key) === run) inFlight.delete(key);
    });
  return { answer: await run, outcome: "miss" };
}

/** Stable request identity: JSON with object keys sorted, so `{a,b}` and `{b,a}` share an entry. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
