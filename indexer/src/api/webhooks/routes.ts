// Webhook endpoints per project (registered with a `webhooks`-scoped API key), the delivery log
// and manual redelivery.
import { randomBytes } from "node:crypto";
import { EndpointRefusedError, vetEndpoint } from "../../../lib/ssrf.ts";
import { newWebhookSecret } from "../../../lib/webhook-sign.ts";
import { requireKey, type AuthEnv } from "../auth.ts";
import { ApiError, router } from "../errors.ts";
import { getStore, quoteIdent } from "../store.ts";
import { webhookConfig as config } from "./config.ts";

const EVENT_PATTERN = /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/;

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

interface CreateBody {
  url?: unknown;
  eventTypes?: unknown;
  description?: unknown;
  fromBlock?: unknown;
  maxConcurrency?: unknown;
  ratePerSecond?: unknown;
  maxAttempts?: unknown;
}

function validate(body: CreateBody) {
  if (typeof body.url !== "string") throw new ApiError("InvalidEndpoint", 400, "`url` (string) is required.");
  const eventTypes = body.eventTypes ?? [];
  if (!Array.isArray(eventTypes) || !eventTypes.every((t) => typeof t === "string" && EVENT_PATTERN.test(t))) {
    throw new ApiError("InvalidEventTypes", 400, '`eventTypes` must be a list like ["grant.created", "attestation.*", "alert.*"] or ["*"].');
  }
  const positive = (value: unknown, name: string, fallback: number, max: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !(value > 0) || value > max) throw new ApiError("InvalidEndpoint", 400, `\`${name}\` must be a number in (0, ${max}].`);
    return value;
  };
  const description = body.description === undefined ? null : String(body.description).slice(0, 200);
  let fromBlock: bigint | undefined;
  if (body.fromBlock !== undefined) {
    if (!/^\d+$/.test(String(body.fromBlock))) throw new ApiError("InvalidEndpoint", 400, "`fromBlock` must be a block number.");
    fromBlock = BigInt(String(body.fromBlock));
  }
  return {
    url: body.url,
    eventTypes: eventTypes as string[],
    description,
    fromBlock,
    maxConcurrency: Math.floor(positive(body.maxConcurrency, "maxConcurrency", config.defaultConcurrency, 32)),
    ratePerSecond: positive(body.ratePerSecond, "ratePerSecond", config.defaultRatePerSecond, 1000),
    maxAttempts: Math.floor(positive(body.maxAttempts, "maxAttempts", config.maxAttempts, 50)),
  };
}

async function indexedBlock(): Promise<bigint> {
  const store = await getStore();
  const rows = await store.query<{ latest_checkpoint: string }>(`SELECT latest_checkpoint FROM ${quoteIdent(store.appSchema)}._ponder_checkpoint`);
  return rows.length ? BigInt(rows[0].latest_checkpoint.slice(26, 42)) : 0n;
}

async function readJson<T>(req: { json(): Promise<T> }): Promise<T> {
  try {
    return await req.json();
  } catch {
    throw new ApiError("InvalidJson", 400, "The request body is not valid JSON.");
  }
}

export const webhookRoutes = router<AuthEnv>();

webhookRoutes.post("/v1/projects/:projectId/webhooks", requireKey("webhooks"), async (c) => {
  const input = validate(await readJson<CreateBody>(c.req));
  try {
    await vetEndpoint(input.url, config.allowance);
  } catch (error) {
    if (error instanceof EndpointRefusedError) throw new ApiError("EndpointRefused", 422, error.shortMessage);
    throw error;
  }
  const store = await getStore();
  const s = quoteIdent(store.schema);
  const { projectId, keyHash } = c.get("auth");
  const [{ n }] = await store.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ${s}.webhook_endpoint WHERE project_id = $1::numeric AND active`,
    [projectId.toString()],
  );
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
      input.description,
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
  const rows = await store.query<EndpointRow>(
    `SELECT * FROM ${quoteIdent(store.schema)}.webhook_endpoint WHERE project_id = $1::numeric ORDER BY created_at`,
    [c.get("auth").projectId.toString()],
  );
  return c.json({ items: rows.map(endpointJson) });
});

async function endpointOf(projectId: bigint, endpointId: string): Promise<EndpointRow> {
  const store = await getStore();
  const [row] = await store.query<EndpointRow>(
    `SELECT * FROM ${quoteIdent(store.schema)}.webhook_endpoint WHERE id = $1 AND project_id = $2::numeric`,
    [endpointId, projectId.toString()],
  );
  if (!row) throw new ApiError("EndpointNotFound", 404, `No webhook endpoint ${endpointId} in project ${projectId}.`);
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

const STATUSES = new Set(["pending", "delivering", "delivered", "dead", "cancelled"]);

webhookRoutes.get("/v1/projects/:projectId/deliveries", requireKey("webhooks"), async (c) => {
  const { projectId } = c.get("auth");
  const status = c.req.query("status");
  const endpointId = c.req.query("endpointId");
  const eventType = c.req.query("eventType");
  const after = c.req.query("after") ?? "0";
  const limit = Math.min(500, Number(c.req.query("limit") ?? 100));
  if (status && !STATUSES.has(status)) throw new ApiError("InvalidQuery", 400, `status must be one of ${[...STATUSES].join(", ")}.`);
  if (!/^\d+$/.test(after) || !(limit > 0)) throw new ApiError("InvalidQuery", 400, "`after` is a cursor from a previous page; `limit` is 1..500.");
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
  if (!row) throw new ApiError("DeliveryNotFound", 404, `No delivery ${deliveryId} in project ${projectId}.`);
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
