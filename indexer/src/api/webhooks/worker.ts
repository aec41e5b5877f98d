// The delivery worker: turns outbox rows (written by handlers) into deliveries per endpoint, sends
// them signed, retries with backoff, dead-letters, and compensates reorgs with `*.reverted`.
// Every piece of its state is a row in the store (the same database), so a restart — or a crash
// mid-delivery — loses nothing: a claimed delivery whose lease runs out is sent again with the
// same `webhook-id`, which is the receiver's idempotency key.
import { publicClients } from "ponder:api";
import { webhookHeaders } from "@onekey/server/webhooks";
import { log } from "../log.ts";
import { takeToken } from "../ratelimit.ts";
import { getStore, quoteIdent, type Store } from "../store.ts";
import { backoffMs, webhookConfig as config } from "./config.ts";
import { sendWebhook } from "./send.ts";

interface Checkpoints {
  indexed: bigint;
  finalized: bigint;
  /** Whether any endpoint is active (nothing to do otherwise). */
  active: boolean;
}

interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  message_id: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
  rate_per_second: number;
  max_attempts: number;
}

// Ponder checkpoints are fixed-width decimal strings; the block number is 16 digits at offset 26
// (after the 10-digit timestamp and the 16-digit chain id).
function checkpointBlock(checkpoint: string): bigint {
  return BigInt(checkpoint.slice(26, 42));
}

async function checkpoints(store: Store): Promise<Checkpoints | undefined> {
  const rows = await store.query<{ latest_checkpoint: string; finalized_checkpoint: string; active: boolean }>(
    `SELECT latest_checkpoint, finalized_checkpoint,
            EXISTS (SELECT 1 FROM ${quoteIdent(store.schema)}.webhook_endpoint WHERE active) AS active
     FROM ${quoteIdent(store.appSchema)}._ponder_checkpoint`,
  );
  if (rows.length === 0) return undefined;
  return {
    indexed: checkpointBlock(rows[0].latest_checkpoint),
    finalized: checkpointBlock(rows[0].finalized_checkpoint),
    active: rows[0].active,
  };
}

function client() {
  const clients = Object.values(
    publicClients as Record<string, { getBlockNumber(): Promise<bigint>; getBlock(a: { blockNumber: bigint }): Promise<{ hash: string | null }> }>,
  );
  return clients[0];
}

/** The highest block whose events may be sent now (confirmation depth applied). */
async function sendableThrough(cp: Checkpoints): Promise<bigint> {
  if (config.confirmations <= 0) return cp.indexed;
  const head = await client().getBlockNumber();
  const confirmed = head - BigInt(config.confirmations);
  return confirmed < cp.indexed ? confirmed : cp.indexed;
}

/** Fans new outbox rows out to every matching endpoint (idempotent: unique per endpoint+message). */
async function enqueue(store: Store, cp: Checkpoints, through: bigint, now: number): Promise<number> {
  const s = quoteIdent(store.schema);
  const app = quoteIdent(store.appSchema);
  const rows = await store.query(
    `INSERT INTO ${s}.webhook_delivery
       (id, endpoint_id, project_id, message_id, event_id, event_type, kind, block_number, block_hash, body, status, next_attempt_at, created_at)
     SELECT e.id || ':' || o.id, e.id, e.project_id, o.id, o.event_id, o.event_type, 'event', o.block_number, o.block_hash, o.body,
            'pending', $3::bigint, $3::bigint
     FROM ${app}.outbox o
     JOIN ${s}.webhook_endpoint e ON e.project_id = o.project_id
     WHERE e.active
       AND o.block_number > e.from_block
       -- rows at or below min(cursor, finalized) were seen and cannot change; above the finalized
       -- block a reorg may have replaced them, so that stretch is scanned again
       AND o.block_number > LEAST(e.cursor_block, $1::bigint)
       AND o.block_number <= $2::bigint
       AND (cardinality(e.event_types) = 0 OR EXISTS (
         SELECT 1 FROM unnest(e.event_types) p
         WHERE p = '*' OR p = o.event_type OR (right(p, 2) = '.*' AND starts_with(o.event_type, left(p, -1)))))
       AND NOT EXISTS (SELECT 1 FROM ${s}.webhook_delivery d WHERE d.endpoint_id = e.id AND d.message_id = o.id)
     ORDER BY o.event_id
     ON CONFLICT (endpoint_id, message_id) DO NOTHING
     RETURNING id`,
    [cp.finalized.toString(), through.toString(), now],
  );
  await store.query(`UPDATE ${s}.webhook_endpoint SET cursor_block = GREATEST(cursor_block, $1::bigint) WHERE active`, [through.toString()]);
  return rows.length;
}

/**
 * Deliveries whose outbox row disappeared and whose block the chain no longer has: reorged out.
 * Ones that may have reached the receiver get a compensating `<type>.reverted`; unsent ones are
 * cancelled. A row that is only missing because Ponder is re-indexing after a restart (its block
 * is still canonical) is left alone.
 */
async function compensateReorgs(store: Store, cp: Checkpoints, now: number): Promise<number> {
  const s = quoteIdent(store.schema);
  const app = quoteIdent(store.appSchema);
  const gone = await store.query<{
    id: string;
    endpoint_id: string;
    project_id: string;
    message_id: string;
    event_id: string;
    event_type: string;
    block_number: string;
    block_hash: string;
    body: string;
    status: string;
    attempts: number;
  }>(
    `SELECT d.id, d.endpoint_id, d.project_id::text, d.message_id, d.event_id, d.event_type, d.block_number::text, d.block_hash,
            d.body, d.status, d.attempts
     FROM ${s}.webhook_delivery d
     WHERE d.kind = 'event' AND NOT d.reverted AND d.block_number > $1::bigint AND d.block_number <= $2::bigint
       AND NOT EXISTS (SELECT 1 FROM ${app}.outbox o WHERE o.id = d.message_id)`,
    [cp.finalized.toString(), cp.indexed.toString()],
  );
  if (gone.length === 0) return 0;
  const canonical = new Map<string, string | null>();
  for (const number of new Set(gone.map((d) => d.block_number))) {
    const block = await client()
      .getBlock({ blockNumber: BigInt(number) })
      .catch(() => null);
    canonical.set(number, block?.hash?.toLowerCase() ?? null);
  }
  let compensated = 0;
  for (const d of gone) {
    if (canonical.get(d.block_number) === d.block_hash.toLowerCase()) continue;
    const mayHaveArrived = d.status === "delivered" || d.attempts > 0;
    await store.transaction(async (tx) => {
      await tx.query(
        `UPDATE ${s}.webhook_delivery SET reverted = true,
           status = CASE WHEN status IN ('pending', 'delivering') THEN 'cancelled' ELSE status END
         WHERE id = $1`,
        [d.id],
      );
      if (!mayHaveArrived) return;
      const original = JSON.parse(d.body) as { type: string; data: Record<string, string> };
      const messageId = `${d.message_id}_reverted`;
      const body = JSON.stringify({
        id: messageId,
        type: `${original.type}.reverted`,
        timestamp: new Date(now).toISOString(),
        data: { ...original.data, revertedMessageId: d.message_id },
      });
      await tx.query(
        `INSERT INTO ${s}.webhook_delivery
           (id, endpoint_id, project_id, message_id, event_id, event_type, kind, block_number, block_hash, body, status, next_attempt_at, created_at)
         VALUES ($1, $2, $3::numeric, $4, $5, $6, 'reverted', $7::bigint, $8, $9, 'pending', $10::bigint, $10::bigint)
         ON CONFLICT (endpoint_id, message_id) DO NOTHING`,
        [
          `${d.endpoint_id}:${messageId}`,
          d.endpoint_id,
          d.project_id,
          messageId,
          d.event_id,
          `${d.event_type}.reverted`,
          d.block_number,
          d.block_hash,
          body,
          now,
        ],
      );
      compensated++;
    });
  }
  if (compensated) log.info({ msg: "Queued compensating webhooks for reorged events", count: compensated });
  return compensated;
}

/**
 * Claims due deliveries (pending and due, or delivering with an expired lease): per active
 * endpoint, at most its free concurrency, oldest first, through the (endpoint, status, due) index —
 * so a backlog on one endpoint neither slows the query nor starves the others. The UPDATE re-checks
 * the due condition, so two workers racing for the same row cannot both claim it.
 */
async function claim(store: Store, limit: number, now: number): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const s = quoteIdent(store.schema);
  const due = `((d.status = 'pending' AND d.next_attempt_at <= $1::bigint) OR (d.status = 'delivering' AND d.lease_until <= $1::bigint))`;
  return store.query<ClaimedDelivery>(
    `WITH in_flight AS (
       SELECT endpoint_id, count(*) AS n FROM ${s}.webhook_delivery
       WHERE status = 'delivering' AND lease_until > $1::bigint GROUP BY endpoint_id
     ), chosen AS (
       SELECT x.id FROM ${s}.webhook_endpoint e
       LEFT JOIN in_flight f ON f.endpoint_id = e.id
       CROSS JOIN LATERAL (
         SELECT d.id, d.next_attempt_at, d.seq FROM ${s}.webhook_delivery d
         WHERE d.endpoint_id = e.id AND ${due}
         ORDER BY d.next_attempt_at, d.seq
         LIMIT GREATEST(0, e.max_concurrency - coalesce(f.n, 0))
       ) x
       WHERE e.active
       ORDER BY x.next_attempt_at, x.seq LIMIT $3
     )
     UPDATE ${s}.webhook_delivery d
     SET status = 'delivering', lease_until = $2::bigint, attempts = d.attempts + 1
     FROM chosen, ${s}.webhook_endpoint e
     WHERE d.id = chosen.id AND e.id = d.endpoint_id AND ${due}
     RETURNING d.id, d.endpoint_id, d.message_id, d.body, d.attempts, e.url, e.secret, e.rate_per_second, e.max_attempts`,
    [now, now + config.leaseMs, limit],
  );
}

/** Logs the attempt and moves the delivery on, in one statement. */
async function finish(store: Store, d: ClaimedDelivery, result: Awaited<ReturnType<typeof sendWebhook>>, started: number) {
  const s = quoteIdent(store.schema);
  const now = Date.now();
  const dead = !result.ok && d.attempts >= Number(d.max_attempts);
  const status = result.ok ? "delivered" : dead ? "dead" : "pending";
  const wait = result.ok ? 0 : Math.max(backoffMs(d.attempts), (result.retryAfterSeconds ?? 0) * 1000);
  const error = result.error?.slice(0, 500) ?? null;
  // Only a row still in `delivering` moves on: a reorg may have cancelled it meanwhile.
  await store.query(
    `WITH attempt AS (
       INSERT INTO ${s}.webhook_attempt (delivery_id, attempt, started_at, duration_ms, status, error)
       VALUES ($1, $2, $3::bigint, $4, $5, $6)
     )
     UPDATE ${s}.webhook_delivery SET status = $7, next_attempt_at = $8::bigint, last_status = $5, last_error = $6,
       lease_until = NULL, delivered_at = CASE WHEN $7 = 'delivered' THEN $9::bigint ELSE delivered_at END
     WHERE id = $1 AND status = 'delivering'`,
    [d.id, d.attempts, started, result.durationMs, result.status ?? null, error, status, now + wait, now],
  );
  if (dead) log.warn({ msg: "Webhook dead-lettered", delivery: d.id, attempts: d.attempts, reason: result.error });
}

/** Gives the claim back untouched (the endpoint's rate limit said wait). */
async function release(store: Store, d: ClaimedDelivery, waitMs: number) {
  await store.query(
    `UPDATE ${quoteIdent(store.schema)}.webhook_delivery SET status = 'pending', attempts = attempts - 1, lease_until = NULL,
       next_attempt_at = $2::bigint WHERE id = $1 AND status = 'delivering'`,
    [d.id, Date.now() + waitMs],
  );
}

async function deliver(store: Store, d: ClaimedDelivery): Promise<void> {
  const rate = Number(d.rate_per_second);
  const token = await takeToken(store, store.schema, `endpoint:${d.endpoint_id}`, { rate, burst: Math.max(1, rate) });
  if (!token.allowed) return release(store, d, token.retryAfterMs);
  const started = Date.now();
  const result = await sendWebhook(d.url, webhookHeaders(d.secret, d.message_id, d.body), d.body, {
    timeoutMs: config.timeoutMs,
    allowance: config.allowance,
  });
  await finish(store, d, result, started);
}

export interface Worker {
  stop(): void;
  /** Runs one pass now (tests and the benchmark use it to avoid waiting for the timer). */
  tick(): Promise<void>;
}

let running: Worker | undefined;

/** Starts the process's single worker loop (idempotent across module reloads in `ponder dev`). */
export function startWorker(): Worker {
  if (running) return running;
  let stopped = false;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let claiming = false;
  let claimAgain = false;

  /** Claims as much as there is room for and sends it; re-runs when a delivery finishes. */
  async function claimAndSend(store: Store): Promise<void> {
    if (claiming) return void (claimAgain = true);
    claiming = true;
    try {
      do {
        claimAgain = false;
        const claimed = await claim(store, config.maxInFlight - inFlight, Date.now());
        for (const d of claimed) {
          inFlight++;
          deliver(store, d)
            .catch((error) => log.error({ msg: "Webhook delivery failed unexpectedly", delivery: d.id, error }))
            .finally(() => {
              inFlight--;
              if (!stopped) claimAndSend(store).catch(() => {});
            });
        }
      } while (claimAgain && !stopped);
    } finally {
      claiming = false;
    }
  }

  async function tick(): Promise<void> {
    const store = await getStore();
    const cp = await checkpoints(store);
    // Deleting an endpoint cancels its pending deliveries, so no active endpoint = no work.
    if (!cp?.active) return;
    const now = Date.now();
    await enqueue(store, cp, await sendableThrough(cp), now);
    await compensateReorgs(store, cp, now);
    await claimAndSend(store);
  }

  async function loop() {
    if (stopped) return;
    try {
      await tick();
    } catch (error) {
      log.warn({ msg: "Webhook worker pass failed; retrying", reason: (error as Error).message });
    }
    if (!stopped) schedule();
  }

  function schedule() {
    timer = setTimeout(loop, config.pollMs);
    timer.unref();
  }

  schedule();
  running = {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    tick,
  };
  return running;
}
