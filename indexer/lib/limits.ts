// Every size and range the HTTP API accepts, in one place: the routes validate against these, the
// fuzz test checks stored values against them, and docs/indexer.md ("Limits") lists them. Sizes
// come from the environment so an operator can tighten them; ranges are part of the API contract.

const bytes = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a byte count, got "${raw}"`);
  return value;
};

export const BODY_LIMITS = {
  /** JSON bodies of REST routes (webhook registration and the like). */
  json: bytes("ONEKEY_API_MAX_BODY_BYTES", 16 * 1024),
  /** POST /graphql: the raw body, whitespace included (the token limit only counts tokens). */
  graphql: bytes("ONEKEY_GRAPHQL_MAX_BODY_BYTES", 64 * 1024),
  /** POST …/audit/verify takes a whole export back. */
  auditExport: bytes("ONEKEY_API_MAX_AUDIT_BODY_BYTES", 64 * 1024 * 1024),
  /** Routes that take no body: anything beyond this is refused unread. */
  none: 1024,
} as const;

/** Longest request target (path + query string) accepted; Node itself stops at 16 KiB of headers. */
export const MAX_URL_BYTES = 8 * 1024;

/** Webhook endpoint settings: what the delivery worker can act on (docs/indexer.md, "Webhooks"). */
export const ENDPOINT_LIMITS = {
  urlBytes: 2048,
  eventTypes: 64,
  eventTypeBytes: 64,
  descriptionChars: 200,
  maxConcurrency: { min: 1, max: 32 },
  maxAttempts: { min: 1, max: 50 },
  ratePerSecond: { min: 0.1, max: 1000 },
} as const;

/** Block numbers and sequence cursors live in `bigint` (int8) columns. */
export const MAX_INT8 = 2n ** 63n - 1n;

/** `eventTypes` entries: an exact type, a prefix like `grant.*`, or `*`. */
export const EVENT_TYPE_PATTERN = /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/;

/** Page sizes of list routes. */
export const PAGE_LIMIT_MAX = 1000;

/**
 * Why the worker could not use a stored endpoint as it is, or null when it can. The fuzz test
 * runs this over every endpoint the API stored; registration refuses anything it would flag.
 */
export function endpointDefect(e: {
  url: unknown;
  eventTypes: unknown;
  fromBlock: unknown;
  maxConcurrency: unknown;
  maxAttempts: unknown;
  ratePerSecond: unknown;
  description?: unknown;
}): string | null {
  const L = ENDPOINT_LIMITS;
  const inRange = (v: unknown, r: { min: number; max: number }, integer: boolean) =>
    typeof v === "number" && Number.isFinite(v) && v >= r.min && v <= r.max && (!integer || Number.isInteger(v));
  if (typeof e.url !== "string" || Buffer.byteLength(e.url) > L.urlBytes) return "url missing or too long";
  try {
    const u = new URL(e.url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return "url is not http(s)";
  } catch {
    return "url does not parse";
  }
  if (!Array.isArray(e.eventTypes) || e.eventTypes.length > L.eventTypes) return "eventTypes not a list or too long";
  if (!e.eventTypes.every((t) => typeof t === "string" && t.length <= L.eventTypeBytes && EVENT_TYPE_PATTERN.test(t))) return "eventTypes entry malformed";
  if (typeof e.fromBlock !== "string" || !/^\d{1,19}$/.test(e.fromBlock) || BigInt(e.fromBlock) > MAX_INT8) return "fromBlock not an int8 block number";
  if (!inRange(e.maxConcurrency, L.maxConcurrency, true)) return "maxConcurrency out of range";
  if (!inRange(e.maxAttempts, L.maxAttempts, true)) return "maxAttempts out of range";
  if (!inRange(e.ratePerSecond, L.ratePerSecond, false)) return "ratePerSecond out of range";
  if (e.description !== undefined && e.description !== null && (typeof e.description !== "string" || e.description.length > L.descriptionChars)) {
    return "description too long";
  }
  return null;
}
