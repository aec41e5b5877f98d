// Tenant data over authenticated REST: a project's own hash-chained event log and the webhook
// messages (outbox rows, alerts included) the handlers derived for it. GraphQL and /sql carry only
// public chain data (public.ts); these rows are served here, scoped by the key's project.
// `GET /v1/events` is the global chain (scope 0): every OneKey event, public chain data.
import type { Context } from "hono";
import { EVENT_TYPE_PATTERN, ENDPOINT_LIMITS } from "../../lib/limits.ts";
import { requireKey, type AuthEnv } from "./auth.ts";
import { router } from "./errors.ts";
import { getStore, quoteIdent } from "./store.ts";
import { int8String, pageLimit, query, z } from "./validate.ts";

const eventType = z.string().max(ENDPOINT_LIMITS.eventTypeBytes).regex(EVENT_TYPE_PATTERN, 'a type like "grant.created" or a prefix like "alert.*"');

/** `grant.*` matches by prefix, `*` everything, anything else exactly (the webhook rule). */
function typeFilter(column: string, param: string): string {
  return `($${param}::text IS NULL OR $${param} = '*' OR ${column} = $${param}
           OR (right($${param}, 2) = '.*' AND starts_with(${column}, left($${param}, -1))))`;
}

async function eventLogPage(c: Context, scope: bigint) {
  const q = query(c, { after: int8String.default("0"), limit: pageLimit().default(100), eventType: eventType.optional(), fromBlock: int8String.optional() });
  const store = await getStore();
  const rows = await store.query<Record<string, string>>(
    `SELECT seq::text AS seq, event_id AS "eventId", event_type AS "eventType", chain_id::text AS "chainId",
            block_number::text AS "blockNumber", block_hash AS "blockHash", transaction_hash AS "transactionHash",
            log_index::text AS "logIndex", timestamp::text AS timestamp, payload, prev_hash AS "prevHash", hash
     FROM ${quoteIdent(store.appSchema)}.event_log
     WHERE project_id = $1::numeric AND seq > $2::bigint AND ${typeFilter("event_type", "3")}
       AND ($4::bigint IS NULL OR block_number > $4::bigint)
     ORDER BY event_log.seq LIMIT $5`,
    [scope.toString(), q.after, q.eventType ?? null, q.fromBlock ?? null, q.limit],
  );
  return c.json({ projectId: scope.toString(), items: rows, nextCursor: rows.length === q.limit ? rows.at(-1)!.seq : null });
}

export const eventRoutes = router<AuthEnv>();

eventRoutes.get("/v1/events", requireKey("read"), (c) => eventLogPage(c, 0n));
eventRoutes.get("/v1/projects/:projectId/events", requireKey("read"), (c) => eventLogPage(c, c.get("auth").projectId));

eventRoutes.get("/v1/projects/:projectId/messages", requireKey("webhooks"), async (c) => {
  const q = query(c, {
    after: z
      .string()
      .regex(/^\d{1,100}:[\w:-]{1,200}$/, "a cursor from a previous page")
      .optional(),
    limit: pageLimit().default(100),
    eventType: eventType.optional(),
    fromBlock: int8String.optional(),
  });
  // The cursor is the last row's "eventId:id" (an alert shares its event's id).
  const after = q.after ? [q.after.slice(0, q.after.indexOf(":")), q.after.slice(q.after.indexOf(":") + 1)] : ["", ""];
  const store = await getStore();
  const rows = await store.query<{ id: string; eventId: string; eventType: string; blockNumber: string; blockHash: string; timestamp: string; body: string }>(
    `SELECT id, event_id AS "eventId", event_type AS "eventType", block_number::text AS "blockNumber", block_hash AS "blockHash",
            timestamp::text AS timestamp, body
     FROM ${quoteIdent(store.appSchema)}.outbox
     WHERE project_id = $1::numeric AND (event_id, id) > ($2, $6) AND ${typeFilter("event_type", "3")}
       AND ($4::bigint IS NULL OR block_number > $4::bigint)
     ORDER BY event_id, id LIMIT $5`,
    [c.get("auth").projectId.toString(), after[0], q.eventType ?? null, q.fromBlock ?? null, q.limit, after[1]],
  );
  const items = rows.map((r) => ({ ...r, body: JSON.parse(r.body) as unknown }));
  return c.json({ items, nextCursor: rows.length === q.limit ? `${rows.at(-1)!.eventId}:${rows.at(-1)!.id}` : null });
});
