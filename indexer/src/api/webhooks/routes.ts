// Webhook endpoints per project (registered with a `webhooks`-scoped API key), the delivery log
// and manual redelivery.
import { randomBytes } from "node:crypto";
import { EndpointRefusedError, vetEndpoint } from "../../../lib/ssrf.ts";
import { newWebhookSecret } from "@onekey/server/webhooks";
import { requireKey, type AuthEnv } from "../auth.ts";
import { ApiError, router } from "../errors.ts";
import { getStore, quoteIdent } from "../store.ts";
import { ENDPOINT_LIMITS, EVENT_TYPE_PATTERN, MAX_INT8 } from "../../../lib/limits.ts";
import { clip, int8String, jsonBody, pageLimit, query, text, z } from "../validate.ts";
import { webhookConfig as config } from "./config.ts";

interface EndpointRow {
  id: string;
  project_id: string;
  url: string;
  event_types: string[];
  description: string | null;
  from_block: string;
  max_concurrency: number;
  rate_per_second: number;
  max_attempts: number;
  active: boolean;
  created_at: string;
}

function endpointJson(row: EndpointRow) {
  return {
    id: row.id,
    projectId: String(row.project_id),
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    fromBlock: String(row.from_block),
    maxConcurrency: Number(row.max_concurrency),
    ratePerSecond: Number(row.rate_per_second),
    maxAttempts: Number(row.max_attempts),
    active: row.active,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

const L = ENDPOINT_LIMITS;

/** Block numbers arrive as JSON numbers or decimal strings; both must fit the int8 column. */
const blockNumber = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d{1,19}$/, "a decimal block number")])
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_INT8, `at most ${MAX_INT8}`);

const range = (r: { min: number; max: number }, integer: boolean) => (integer ? z.number().int() : z.number()).min(r.min).max(r.max);

const createSchema = z.strictObject({
  url: text(L.urlBytes).refine((u) => Buffer.byteLength(u) <= L.urlBytes, `at most ${L.urlBytes} bytes`),
  eventTypes: z
    .array(z.string().max(L.eventTypeBytes).regex(EVENT_TYPE_PATTERN, 'a type like "grant.created", a prefix like "attestation.*", or "*"'))
    .max(L.eventTypes)
    .default([]),
  description: text(L.descriptionChars).nullable().optional(),
  fromBlock: blockNumber.optional(),
  maxConcurrency: range(L.maxConcurrency, true).default(config.defaultConcurrency),
  ratePerSecond: range(L.ratePerSecond, false).default(config.defaultRatePerSecond),
  maxAttempts: range(L.maxAttempts, true).default(config.maxAttempts),
});

async function indexedBlock(): Promise<bigint> {
  const store = await getStore();
  const rows = await store.query<{ latest_checkpoint: string }>(`SELECT latest_checkpoint FROM ${quoteIdent(store.appSchema)}._ponder_checkpoint`);
  return rows.length ? BigInt(rows[0].latest_checkpoint.slice(26, 42)) : 0n;
}

export const webhookRoutes = router<AuthEnv>();

webhookRoutes.post("/v1/projects/:projectId/webhooks", requireKey("webhooks"), async (c) => {
  const input = await jsonBody(c, createSchema);
  try {
    await vetEndpoint(input.url, config.allowance);
  } catch (error) {
    if (error instanceof EndpointRefusedError) throw new ApiError("EndpointRefused", 422, clip(error.shortMessage, 300));
    throw error;
  }
  const store = await getStore();
  const s = quoteIdent(store.schema);
  const { projectId, keyHash } = c.get("auth");
  const [{ n }] = await store.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${s}.webhook_endpoint WHERE project_id = $1::numeric AND active`, [
    projectId.toString(),
  ]);
  if (Number(n) >= config.maxEndpointsPerProject) {
    throw new ApiError("TooManyEndpoints", 409, `Project ${projectId} already has ${n} active endpoints (limit ${config.maxEndpointsPerProject}).`);
  }
  // By default an endpoint hears about events after it was registered; `fromBlock` replays.
  const fromBlock = input.fromBlock ?? (await indexedBlock());
  const secret = newWebhookSecret();
  const [row] = await store.query<EndpointRow>(
    `INSERT INTO ${s}.webhook_endpoint
       (id, project_id, url, event_types, secret, description, from_block, cursor_block, max_concurrency, rate_per_second, max_attempts,
        created_at, created_by)
     VALUES ($1, $2::numeric, $3, $4::text[], $5, $6, $7::bigint, $7::bigint, $8, $9, $10, $11::bigint, $12)
     RETURNING *`,
    [
      `ep_${randomBytes(12).toString("hex")}`,
      projectId.toString(),
      input.url,
      input.eventTypes,
      secret,
      input.description ?? null,
      fromBlock.toString(),
      input.maxConcurrency,
      input.ratePerSecond,
      input.maxAttempts,
      Date.now(),
      keyHash,
    ],
  );
  // The secret is returned once; afterwards only its holder and the worker know it.
  return c.json({ ...endpointJson(row), secret }, 201);
});

webhookRoutes.get("/v1/projects/:projectId/webhooks", requireKey("webhooks"), async (c) => {
  const store = await getStore();
  const rows = await store.query<EndpointRow>(`SELECT * FROM ${quoteIdent(store.schema)}.webhook_endpoint WHERE project_id = $1::numeric ORDER BY created_at`, [
    c.get("auth").projectId.toString(),
  ]);
  return c.json({ items: rows.map(endpointJson) });
});

async function endpointOf(projectId: bigint, endpointId: string): Promise<EndpointRow> {
  const store = await getStore();
  const [row] = await store.query<EndpointRow>(`SELECT * FROM ${quoteIdent(store.schema)}.webhook_endpoint WHERE id = $1 AND project_id = $2::numeric`, [
    endpointId,
    projectId.toString(),
  ]);
  if (!row) throw new ApiError("EndpointNotFound", 404, `No webhook endpoint ${clip(endpointId, 64)} in project ${projectId}.`);
  return row;
}

webhookRoutes.get("/v1/projects/:projectId/webhooks/:endpointId", requireKey("webhooks"), async (c) => {
  return c.json(endpointJson(await endpointOf(c.get("auth").projectId, c.req.param("endpointId"))));
});

webhookRoutes.delete("/v1/projects/:projectId/webhooks/:endpointId", requireKey("webhooks"), async (c) => {
  const row = await endpointOf(c.get("auth").projectId, c.req.param("endpointId"));
  const store = await getStore();
  const s = quoteIdent(store.schema);
  // Soft delete: the delivery log stays queryable; pending deliveries stop.
  await store.query(`UPDATE ${s}.webhook_endpoint SET active = false WHERE id = $1`, [row.id]);
  await store.query(`UPDATE ${s}.webhook_delivery SET status = 'cancelled' WHERE endpoint_id = $1 AND status = 'pending'`, [row.id]);
  return c.json({ ...endpointJson(row), active: false });
});

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  message_id: string;
  event_type: string;
  kind: string;
  block_number: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  reverted: boolean;
  seq: string;
  body?: string;
}

function deliveryJson(row: DeliveryRow) {
  const time = (ms: string | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    messageId: row.message_id,
    eventType: row.event_type,
    kind: row.kind,
    blockNumber: String(row.block_number),
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.status === "pending" ? time(row.next_attempt_at) : null,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: time(row.created_at),
    deliveredAt: time(row.delivered_at),
    reverted: row.reverted,
    cursor: String(row.seq),
  };
}

const STATUSES = ["pending", "delivering", "delivered", "dead", "cancelled"] as const;

webhookRoutes.get("/v1/projects/:projectId/deliveries", requireKey("webhooks"), async (c) => {
  const { projectId } = c.get("auth");
  const q = query(c, {
    status: z.enum([...STATUSES]).optional(),
    endpointId: text(64).optional(),
    eventType: text(L.eventTypeBytes).optional(),
    after: int8String.default("0"),
    limit: pageLimit(500).default(100),
  });
  const { status, endpointId, eventType, after, limit } = q;
  const store = await getStore();
  const rows = await store.query<DeliveryRow>(
    `SELECT id, endpoint_id, message_id, event_type, kind, block_number::text, status, attempts, next_attempt_at::text, last_status,
            last_error, created_at::text, delivered_at::text, reverted, seq::text
     FROM ${quoteIdent(store.schema)}.webhook_delivery d
     WHERE d.project_id = $1::numeric AND d.seq > $2::bigint
       AND ($3::text IS NULL OR d.status = $3) AND ($4::text IS NULL OR d.endpoint_id = $4) AND ($5::text IS NULL OR d.event_type = $5)
     ORDER BY d.seq LIMIT $6`,
    [projectId.toString(), after, status ?? null, endpointId ?? null, eventType ?? null, limit],
  );
  const items = rows.map(deliveryJson);
  return c.json({ items, nextCursor: items.length === limit ? items.at(-1)!.cursor : null });
});

async function deliveryOf(projectId: bigint, deliveryId: string): Promise<DeliveryRow> {
  const store = await getStore();
  const [row] = await store.query<DeliveryRow>(
    `SELECT id, endpoint_id, message_id, event_type, kind, block_number::text, status, attempts, next_attempt_at::text, last_status,
            last_error, created_at::text, delivered_at::text, reverted, seq::text, body
     FROM ${quoteIdent(store.schema)}.webhook_delivery WHERE id = $1 AND project_id = $2::numeric`,
    [deliveryId, projectId.toString()],
  );
  if (!row) throw new ApiError("DeliveryNotFound", 404, `No delivery ${clip(deliveryId, 200)} in project ${projectId}.`);
  return row;
}

webhookRoutes.get("/v1/projects/:projectId/deliveries/:deliveryId", requireKey("webhooks"), async (c) => {
  const row = await deliveryOf(c.get("auth").projectId, c.req.param("deliveryId"));
  const store = await getStore();
  const attempts = await store.query<{ attempt: number; started_at: string; duration_ms: number; status: number | null; error: string | null }>(
    `SELECT attempt, started_at::text, duration_ms, status, error FROM ${quoteIdent(store.schema)}.webhook_attempt
     WHERE delivery_id = $1 ORDER BY id`,
    [row.id],
  );
  return c.json({
    ...deliveryJson(row),
    body: JSON.parse(row.body!),
    attemptLog: attempts.map((a) => ({
      attempt: a.attempt,
      at: new Date(Number(a.started_at)).toISOString(),
      durationMs: a.duration_ms,
      status: a.status,
      error: a.error,
    })),
  });
});

webhookRoutes.post("/v1/projects/:projectId/deliveries/:deliveryId/redeliver", requireKey("webhooks"), async (c) => {
  const row = await deliveryOf(c.get("auth").projectId, c.req.param("deliveryId"));
  if (row.status === "pending" || row.status === "delivering") {
    throw new ApiError("DeliveryInProgress", 409, `Delivery ${row.id} is ${row.status} already.`);
  }
  const store = await getStore();
  // A fresh budget of attempts; the attempt log keeps the history.
  await store.query(
    `UPDATE ${quoteIdent(store.schema)}.webhook_delivery SET status = 'pending', attempts = 0, next_attempt_at = $2::bigint, lease_until = NULL
     WHERE id = $1`,
    [row.id, Date.now()],
  );
  return c.json({ ...deliveryJson({ ...row, status: "pending", attempts: 0, next_attempt_at: String(Date.now()) }) }, 202);
});
