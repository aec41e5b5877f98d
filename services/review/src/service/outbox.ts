// Delivers the service's own webhooks: one per case transition, signed as the indexer signs its
// own (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature), at least once, with
// exponential backoff and a dead state after `maxAttempts`. Rows are claimed with a lease, so
// several instances deliver each message once (barring a crash mid-POST: at-least-once).
import { webhookHeaders } from "@onekey/server/webhooks";
import type { Store } from "../db/store.ts";
import type { ReviewLogLine, ReviewProject } from "./config.ts";

type Row = { id: string; project_id: string; body: string; attempts: number };

export function createOutbox(o: {
  store: Store;
  projects: Map<string, ReviewProject>;
  log: (l: ReviewLogLine) => void;
  maxAttempts?: number;
  timeoutMs?: number;
}) {
  const maxAttempts = o.maxAttempts ?? 10;
  async function deliverDue(limit = 32): Promise<number> {
    const now = Date.now();
    const rows = await o.store.query<Row>(
      `UPDATE outbox SET lease_until = $1 WHERE id IN (
         SELECT id FROM outbox WHERE status = 'pending' AND next_at <= $2 AND (lease_until IS NULL OR lease_until < $2)
         ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id, project_id, body, attempts`,
      [now + 30_000, now, limit],
    );
    await Promise.all(
      rows.map(async (row) => {
        const endpoint = o.projects.get(row.project_id)?.webhook;
        if (!endpoint) return o.store.query("UPDATE outbox SET status = 'no_endpoint', lease_until = NULL WHERE id = $1", [row.id]);
        const headers = webhookHeaders(endpoint.secret, row.id, row.body, Date.now(), "OneKey-Review/1");
        let error: string | undefined;
        try {
          const res = await fetch(endpoint.url, {
            method: "POST",
            headers,
            body: row.body,
            redirect: "manual",
            signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
          });
          await res.arrayBuffer().catch(() => {});
          if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
        } catch (e) {
          error = (e as Error).name;
        }
        const attempts = row.attempts + 1;
        if (!error)
          await o.store.query("UPDATE outbox SET status = 'delivered', attempts = $2, lease_until = NULL, last_error = NULL WHERE id = $1", [row.id, attempts]);
        else {
          const wait = Math.min(3_600_000, 1_000 * 2 ** (attempts - 1));
          await o.store.query("UPDATE outbox SET status = $2, attempts = $3, next_at = $4, lease_until = NULL, last_error = $5 WHERE id = $1", [
            row.id,
            attempts >= maxAttempts ? "dead" : "pending",
            attempts,
            Date.now() + wait,
            error,
          ]);
          o.log({ event: "webhook.failed", messageId: row.id, attempts, error });
        }
      }),
    );
    return rows.length;
  }
  return { deliverDue };
}
