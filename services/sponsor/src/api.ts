// The organisation's read door: the project's refusal log over REST, with one of its API keys
// (read scope) checked against the chain.
//
//   GET /v1/projects/:projectId/refusals?limit=50&before=<cursor>&reason=NOT_AUTHORISED
//   GET /v1/projects/:projectId/refusals/counts?since=<unix ms>
//
// Every bad request gets a 4xx with a named error ({ error, message }), never a stack trace.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SponsorRefusal } from "@onekey/sdk/aa";
import { ApiKeyScopes } from "@onekey/sdk/contracts";
import { BaseError } from "@onekey/sdk/errors";
import type { ApiKeyCheck } from "./api-key.ts";
import { listRefusals, refusalCounts, type RefusalLimits } from "./refusals.ts";
import type { Store } from "./store.ts";

/** Every reason the service refuses with (exhaustive over the SDK's SponsorRefusal). */
export const REFUSAL_REASONS: Record<SponsorRefusal, true> = {
  INVALID_REQUEST: true,
  UNSUPPORTED_ENTRY_POINT: true,
  WRONG_CHAIN: true,
  PROJECT_NOT_SPONSORED: true,
  SIGNER_NOT_SPONSOR: true,
  CALL_NOT_SPONSORED: true,
  METHOD_NOT_ALLOWED: true,
  FOREIGN_PROJECT: true,
  GAS_LIMITS_CHANGED: true,
  OVER_GAS_LIMIT: true,
  FEE_TOO_HIGH: true,
  OVER_MAX_COST: true,
  PROJECT_BALANCE_TOO_LOW: true,
  INTERNAL: true,
  NOT_AUTHORISED: true,
  API_KEY_REJECTED: true,
  API_KEY_MISSING_SCOPE: true,
  INVALID_TICKET: true,
  TICKET_EXPIRED: true,
  TICKET_WRONG_PROJECT: true,
  TICKET_WRONG_SUBJECT: true,
  TICKET_SIGNER_NOT_SPONSOR: true,
  TICKET_USED_UP: true,
  PROJECT_OPS_CAP_REACHED: true,
  PROJECT_SPEND_CAP_REACHED: true,
  SUBJECT_OPS_CAP_REACHED: true,
  SUBJECT_SPEND_CAP_REACHED: true,
};

export const MAX_PAGE = 200;
const MAX_URL = 2_048;
const DEFAULT_WINDOW_MS = 7 * 86_400_000;

/** A refused read: HTTP status and the error's name (its `error` field). */
class ApiError extends BaseError {
  override name = "SponsorApiError";
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message, { docsPath: "paymaster.md#refusal-log" });
    this.name = code;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const clip = (s: string, n = 64) => (s.length > n ? `${s.slice(0, n)}…` : s);

export interface ReadApiOptions {
  store: Store;
  checkKey: ApiKeyCheck;
  limits: RefusalLimits;
  /** Origins the browser may call from (the app's); undefined = any (bearer keys, no cookies). */
  corsOrigins?: string[];
}

/** CORS headers for a request to the read door. */
export function readCors(o: Pick<ReadApiOptions, "corsOrigins">, origin: string | undefined): Record<string, string> {
  const base = { "access-control-allow-headers": "authorization, x-api-key", "access-control-allow-methods": "GET, OPTIONS", vary: "origin" };
  if (!o.corsOrigins) return { ...base, "access-control-allow-origin": "*" };
  return origin && o.corsOrigins.includes(origin) ? { ...base, "access-control-allow-origin": origin } : base;
}

function presentedKey(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const header = req.headers["x-api-key"];
  const key = bearer ?? (typeof header === "string" ? header.trim() : undefined);
  return key || undefined;
}

function parseQuery(search: URLSearchParams, allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of search) {
    if (!allowed.includes(k)) throw new ApiError(400, "UnknownParameter", `unknown query parameter "${clip(k)}"; allowed: ${allowed.join(", ")}`);
    if (out.has(k)) throw new ApiError(400, "DuplicateParameter", `query parameter "${k}" given twice`);
    out.set(k, v);
  }
  return out;
}

/** Handles GET /v1/...; answers every request it is given. */
export async function handleReadApi(o: ReadApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const cors = readCors(o, typeof req.headers.origin === "string" ? req.headers.origin : undefined);
  const send = (status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...cors, ...headers, "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  try {
    const raw = req.url ?? "/";
    if (raw.length > MAX_URL) throw new ApiError(414, "UrlTooLong", `URLs are limited to ${MAX_URL} characters`);
    if (req.method !== "GET") throw new ApiError(405, "MethodNotAllowed", "the refusal log is read with GET");
    let url: URL;
    try {
      url = new URL(raw, "http://sponsor.invalid");
    } catch {
      throw new ApiError(400, "InvalidUrl", "the URL does not parse");
    }
    const route = /^\/v1\/projects\/([^/]+)\/refusals(\/counts)?\/?$/.exec(url.pathname);
    if (!route) throw new ApiError(404, "NotFound", "no such route; try GET /v1/projects/:projectId/refusals");
    if (!/^\d{1,78}$/.test(route[1]) || BigInt(route[1]) >= 2n ** 256n)
      throw new ApiError(400, "InvalidProjectId", `project id "${clip(route[1])}" is not a decimal number`);
    const projectId = BigInt(route[1]);

    const key = presentedKey(req);
    if (!key)
      throw new ApiError(401, "MissingApiKey", "send the project's API key as Authorization: Bearer <key>", { "www-authenticate": 'Bearer realm="onekey"' });
    // A key longer than any key is no key of this project; it is not hashed.
    const verdict = key.length > 512 ? { problem: "UnknownApiKey" as const, keyHash: "(too long)" } : await o.checkKey(projectId, key, ApiKeyScopes.read);
    if (verdict.problem === "UnknownApiKey") throw new ApiError(401, "UnknownApiKey", `API key ${verdict.keyHash} is not a key of project ${projectId}`);
    if (verdict.problem === "ApiKeyRevoked") throw new ApiError(401, "ApiKeyRevoked", `API key ${verdict.keyHash} was revoked`);
    if (verdict.problem === "ApiKeyExpired") throw new ApiError(401, "ApiKeyExpired", `API key ${verdict.keyHash} has expired`);
    if (verdict.problem === "MissingScope") throw new ApiError(403, "MissingScope", `API key ${verdict.keyHash} lacks the read scope (${ApiKeyScopes.read})`);

    if (route[2]) {
      const q = parseQuery(url.searchParams, ["since"]);
      const now = Date.now();
      const sinceRaw = q.get("since");
      if (sinceRaw !== undefined && !/^\d{1,15}$/.test(sinceRaw)) throw new ApiError(400, "InvalidSince", "since must be unix milliseconds");
      // Nothing older than the retention exists; an older `since` is the retention.
      const since = Math.max(sinceRaw === undefined ? now - DEFAULT_WINDOW_MS : Number(sinceRaw), now - o.limits.retentionMs);
      return send(200, { projectId: projectId.toString(), since: new Date(since).toISOString(), ...(await refusalCounts(o.store, { projectId, since })) });
    }
    const q = parseQuery(url.searchParams, ["limit", "before", "reason"]);
    const limitRaw = q.get("limit") ?? "50";
    if (!/^\d{1,4}$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > MAX_PAGE)
      throw new ApiError(400, "InvalidLimit", `limit must be a whole number from 1 to ${MAX_PAGE}`);
    const before = q.get("before");
    if (before !== undefined && !/^\d{1,18}$/.test(before)) throw new ApiError(400, "InvalidCursor", "before must be the `next` cursor of a previous page");
    const reason = q.get("reason");
    if (reason !== undefined && !Object.hasOwn(REFUSAL_REASONS, reason)) throw new ApiError(400, "UnknownReason", `"${clip(reason)}" is not a refusal reason`);
    const page = await listRefusals(o.store, {
      projectId,
      limit: Number(limitRaw),
      before: before === undefined ? undefined : BigInt(before),
      reason: reason as SponsorRefusal | undefined,
    });
    return send(200, { projectId: projectId.toString(), ...page });
  } catch (error) {
    if (error instanceof ApiError) return send(error.status, { error: error.code, message: error.shortMessage }, error.headers);
    console.error("sponsor service: refusal log read failed", error);
    return send(503, { error: "Unavailable", message: "the refusal log could not be read; try again" });
  }
}
