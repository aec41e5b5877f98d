// The indexer's tenant REST API (indexer/src/api/surface.ts), as plain functions taking a
// connection first: the indexer's URL, one of the project's API keys and the project id. The key
// goes in the Authorization header to the indexer only; it is never stored by this module.
import type { AuditExport, AuditRow, VerifyResult } from "@onekey/sdk/audit";
import { IndexerApiError } from "./errors.ts";

export interface IndexerConnection {
  url: string;
  apiKey: string;
  projectId: bigint;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | bigint | undefined | null>;

function search(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** One request; a refusal becomes an IndexerApiError carrying the indexer's error name. */
export async function request(
  c: IndexerConnection,
  method: "GET" | "POST" | "DELETE",
  path: string,
  init: { query?: Query; json?: unknown; body?: string; contentType?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${c.apiKey}` };
  let body: string | undefined;
  if (init.json !== undefined) (headers["content-type"] = "application/json"), (body = JSON.stringify(init.json));
  else if (init.body !== undefined) (headers["content-type"] = init.contentType ?? "text/plain"), (body = init.body);
  const url = `${c.url.replace(/\/$/, "")}${path}${search(init.query)}`;
  let response: Response;
  try {
    response = await (c.fetch ?? fetch)(url, { method, headers, body });
  } catch (cause) {
    throw new IndexerApiError("NetworkError", 0, `The indexer at ${c.url} cannot be reached.`, cause);
  }
  if (!response.ok && response.status !== 422) {
    let code = "BadResponse";
    let message = `The indexer answered ${response.status}.`;
    try {
      const j = (await response.json()) as { error?: string; message?: string };
      if (j.error) code = j.error;
      if (j.message) message = j.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new IndexerApiError(code, response.status, message);
  }
  return response;
}

const json = async <T>(c: IndexerConnection, method: "GET" | "POST" | "DELETE", path: string, init?: Parameters<typeof request>[3]) =>
  (await (await request(c, method, path, init)).json()) as T;

const P = (c: IndexerConnection) => `/v1/projects/${c.projectId}`;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every page of a paged route, up to `max` items (the console's tables are bounded). */
export async function allPages<T>(next: (after?: string) => Promise<Page<T>>, max = 5000): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  do {
    const page = await next(after);
    items.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after && items.length < max);
  return items.slice(0, max);
}

// --- events and messages -------------------------------------------------------------------------

export type EventRow = Omit<AuditRow, "projectId">;
export const listEvents = (c: IndexerConnection, q: { after?: string; limit?: number; eventType?: string; fromBlock?: bigint } = {}) =>
  json<Page<EventRow> & { projectId: string }>(c, "GET", `${P(c)}/events`, { query: q });

export interface Message {
  id: string;
  eventId: string;
  eventType: string;
  blockNumber: string;
  blockHash: string;
  timestamp: string;
  body: unknown;
}
/** Webhook messages (the outbox), `alert.*` included. */
export const listMessages = (c: IndexerConnection, q: { after?: string; limit?: number; eventType?: string } = {}) =>
  json<Page<Message>>(c, "GET", `${P(c)}/messages`, { query: q });

// --- grants --------------------------------------------------------------------------------------

export type GrantState = "live" | "expired" | "revoked" | "superseded";
export interface GrantRow {
  id: string;
  recordId: `0x${string}`;
  grantee: `0x${string}`;
  owner: `0x${string}`;
  recordVersion: string;
  purpose: string;
  expiry: string;
  fieldMask: string;
  grantedAt: string;
  revokedAt: string | null;
  state: GrantState;
}
export const listGrants = (c: IndexerConnection, q: { state?: GrantState; after?: string; limit?: number } = {}) =>
  json<Page<GrantRow> & { indexedHead: { blockNumber: string; timestamp: string } | null }>(c, "GET", `${P(c)}/grants`, { query: q });

// --- analytics -----------------------------------------------------------------------------------

export interface Analytics {
  projectId: string;
  from: string;
  to: string | null;
  bucket: "hour" | "day";
  totals: {
    records: number;
    grants: number;
    grantsByPurpose: Record<string, number>;
    grantRevocations: number;
    attestations: number;
    attestationsByLevel: Record<string, number>;
    attestationRevocations: number;
    auditAccesses: number;
    sponsoredOperations: number;
    gasSponsoredWei: string;
    costChargedWei: string;
  };
  series: { start: string; grants: number; attestations: number; auditAccesses: number; revocations: number; sponsoredOperations: number }[];
}
export const getAnalytics = (c: IndexerConnection, q: { from?: string | number; to?: string | number; bucket?: "hour" | "day" } = {}) =>
  json<Analytics>(c, "GET", `${P(c)}/analytics`, { query: q });

// --- audit ---------------------------------------------------------------------------------------

export const getAuditExport = (c: IndexerConnection) => json<AuditExport>(c, "GET", `${P(c)}/audit/export`, { query: { format: "json" } });
export const getAuditExportCsv = async (c: IndexerConnection) => (await request(c, "GET", `${P(c)}/audit/export`, { query: { format: "csv" } })).text();
export const getAuditHead = (c: IndexerConnection) => json<{ seq: string; hash: string }>(c, "GET", `${P(c)}/audit/head`);
/** The indexer's own check of its stored chain (the console also verifies in the browser). */
export const verifyStoredAudit = (c: IndexerConnection) => json<VerifyResult | ({ error: string } & VerifyResult)>(c, "GET", `${P(c)}/audit/verify`);

// --- webhooks ------------------------------------------------------------------------------------

export interface Endpoint {
  id: string;
  projectId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  fromBlock: string;
  maxConcurrency: number;
  ratePerSecond: number;
  maxAttempts: number;
  active: boolean;
  createdAt: string;
}
export type CreateEndpointParameters = { url: string; eventTypes?: string[]; description?: string; fromBlock?: string; maxAttempts?: number };
/** The answer carries the signing secret: the only time it is ever shown. */
export const createEndpoint = (c: IndexerConnection, p: CreateEndpointParameters) =>
  json<Endpoint & { secret: string }>(c, "POST", `${P(c)}/webhooks`, { json: p });
export const listEndpoints = (c: IndexerConnection) => json<{ items: Endpoint[] }>(c, "GET", `${P(c)}/webhooks`);
export const deleteEndpoint = (c: IndexerConnection, id: string) => json<Endpoint>(c, "DELETE", `${P(c)}/webhooks/${encodeURIComponent(id)}`);

export type DeliveryStatus = "pending" | "delivering" | "delivered" | "dead" | "cancelled";
export interface Delivery {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  kind: string;
  blockNumber: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string | null;
  deliveredAt: string | null;
  reverted: boolean;
  cursor: string;
}
export interface DeliveryDetail extends Delivery {
  body: unknown;
  attemptLog: { attempt: number; at: string; durationMs: number; status: number | null; error: string | null }[];
}
export const listDeliveries = (
  c: IndexerConnection,
  q: { status?: DeliveryStatus; endpointId?: string; eventType?: string; after?: string; limit?: number } = {},
) => json<Page<Delivery>>(c, "GET", `${P(c)}/deliveries`, { query: q });
export const getDelivery = (c: IndexerConnection, id: string) => json<DeliveryDetail>(c, "GET", `${P(c)}/deliveries/${encodeURIComponent(id)}`);
export const redeliver = (c: IndexerConnection, id: string) => json<Delivery>(c, "POST", `${P(c)}/deliveries/${encodeURIComponent(id)}/redeliver`);

// --- GraphQL -------------------------------------------------------------------------------------

/** A GraphQL request with the project's key (GraphQL carries public chain data only). */
export async function graphql<T = unknown>(c: Omit<IndexerConnection, "projectId">, query: string, variables?: Record<string, unknown>): Promise<T> {
  const r = await request({ ...c, projectId: 0n }, "POST", "/graphql", { json: { query, variables } });
  const j = (await r.json()) as { data?: T; errors?: { message: string }[] };
  if (j.errors?.length) throw new IndexerApiError("GraphQLError", 200, j.errors[0].message);
  return j.data as T;
}
