// The refusal log an organisation reads: one row per refused request for a project this service
// works for (its key holds the project's SPONSOR role), plus hourly counts per reason. The rows are
// capped per project and by age, so a flood of refusals cannot fill the disk; the counts are one
// row per (project, hour, reason) and keep counting after the rows are pruned.
//
// What a row holds is what the chain would show of the operation anyway: the sender, its nonce and
// the registry function called. No calldata, no ticket, no API key, nothing about the person.
// Additive to the store (its own tables, created here), so store.ts can change beneath it.
import type { Address } from "viem";
import type { SponsorRefusal } from "@onekey/sdk/aa";
import type { Sql, Store } from "./store.ts";

export const REFUSAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS sponsor_refusal (
  id bigserial PRIMARY KEY,
  project_id numeric(78) NOT NULL,
  -- wall-clock ms at the service
  at bigint NOT NULL,
  reason text NOT NULL,
  -- the operation's sender and nonce as the request gave them (null when malformed)
  sender text,
  nonce numeric(78),
  -- "Registry.function" of the calls, when they decoded
  method text
);
CREATE INDEX IF NOT EXISTS sponsor_refusal_project_id ON sponsor_refusal (project_id, id);
CREATE INDEX IF NOT EXISTS sponsor_refusal_project_reason ON sponsor_refusal (project_id, reason, id);
CREATE TABLE IF NOT EXISTS sponsor_refusal_count (
  project_id numeric(78) NOT NULL,
  -- start of the UTC hour, ms
  hour bigint NOT NULL,
  reason text NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (project_id, hour, reason)
);
`;

export interface RefusalLimits {
  /** Rows kept per project (the newest); older rows are deleted. Counts are not. */
  maxRowsPerProject: number;
  /** How long rows and hourly counts are kept (ms). */
  retentionMs: number;
}

export const REFUSAL_LIMITS: RefusalLimits = { maxRowsPerProject: 1_000, retentionMs: 30 * 86_400_000 };

export interface RefusalEntry {
  projectId: bigint;
  reason: SponsorRefusal;
  sender?: Address;
  nonce?: bigint;
  method?: string;
  /** Wall-clock ms. */
  now: number;
}

export interface Refusal {
  id: string;
  time: string;
  reason: SponsorRefusal;
  sender: Address | null;
  nonce: string | null;
  method: string | null;
}

const HOUR = 3_600_000;

/** Creates the refusal tables (idempotent; replicas serialise on one advisory lock). */
export async function ensureRefusalSchema(store: Store): Promise<void> {
  await store.transaction(async (sql) => {
    await sql.query("SELECT pg_advisory_xact_lock(7702002)");
    for (const statement of REFUSAL_SCHEMA.split(";")
      .map((s) => s.trim())
      .filter(Boolean))
      await sql.query(statement);
  });
}

/** Logs one refusal, counts it, and prunes the project's rows beyond the cap and the retention. */
export async function recordRefusal(store: Store, r: RefusalEntry, limits: RefusalLimits = REFUSAL_LIMITS): Promise<void> {
  const project = r.projectId.toString();
  await store.transaction(async (sql: Sql) => {
    await sql.query("INSERT INTO sponsor_refusal (project_id, at, reason, sender, nonce, method) VALUES ($1, $2, $3, $4, $5, $6)", [
      project,
      r.now,
      r.reason,
      r.sender?.toLowerCase() ?? null,
      r.nonce?.toString() ?? null,
      r.method?.slice(0, 200) ?? null,
    ]);
    await sql.query(
      `INSERT INTO sponsor_refusal_count (project_id, hour, reason, count) VALUES ($1, $2, $3, 1)
       ON CONFLICT (project_id, hour, reason) DO UPDATE SET count = sponsor_refusal_count.count + 1`,
      [project, Math.floor(r.now / HOUR) * HOUR, r.reason],
    );
    // The cap: everything older than the newest maxRowsPerProject rows of this project goes.
    await sql.query(
      `DELETE FROM sponsor_refusal WHERE project_id = $1 AND (at < $3 OR id <= (
         SELECT id FROM sponsor_refusal WHERE project_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1))`,
      [project, limits.maxRowsPerProject, r.now - limits.retentionMs],
    );
    await sql.query("DELETE FROM sponsor_refusal_count WHERE project_id = $1 AND hour < $2", [project, r.now - limits.retentionMs - HOUR]);
  });
}

export interface ListRefusalsParameters {
  projectId: bigint;
  limit: number;
  /** Only rows with a smaller id (the `next` cursor of the previous page). */
  before?: bigint;
  reason?: SponsorRefusal;
}

/** The project's refusals, newest first; `next` is the cursor of the following page. */
export async function listRefusals(store: Store, p: ListRefusalsParameters): Promise<{ items: Refusal[]; next: string | null }> {
  const params: unknown[] = [p.projectId.toString(), p.limit + 1];
  let where = "project_id = $1";
  if (p.before !== undefined) where += ` AND id < $${params.push(p.before.toString())}`;
  if (p.reason) where += ` AND reason = $${params.push(p.reason)}`;
  const rows = await store.query<{ id: string; at: string; reason: SponsorRefusal; sender: Address | null; nonce: string | null; method: string | null }>(
    `SELECT id::text, at::text, reason, sender, nonce::text, method FROM sponsor_refusal WHERE ${where} ORDER BY id DESC LIMIT $2`,
    params,
  );
  const page = rows.slice(0, p.limit);
  return {
    items: page.map((row) => ({
      id: row.id,
      time: new Date(Number(row.at)).toISOString(),
      reason: row.reason,
      sender: row.sender,
      nonce: row.nonce,
      method: row.method,
    })),
    next: rows.length > p.limit ? page[page.length - 1].id : null,
  };
}

export interface RefusalCounts {
  /** Every refusal counted in the window (rows pruned by the cap included). */
  total: number;
  byReason: Partial<Record<SponsorRefusal, number>>;
  /** Per UTC hour (ISO start) and reason, oldest first. */
  hours: { hour: string; reason: SponsorRefusal; count: number }[];
}

/** Counts per hour and reason since `since` (ms), from the counters (not the capped rows). */
export async function refusalCounts(store: Store, p: { projectId: bigint; since: number }): Promise<RefusalCounts> {
  const rows = await store.query<{ hour: string; reason: SponsorRefusal; count: string }>(
    "SELECT hour::text, reason, count::text FROM sponsor_refusal_count WHERE project_id = $1 AND hour >= $2 ORDER BY hour, reason LIMIT 50000",
    [p.projectId.toString(), Math.floor(p.since / HOUR) * HOUR],
  );
  const byReason: Partial<Record<SponsorRefusal, number>> = {};
  let total = 0;
  const hours = rows.map((r) => {
    const count = Number(r.count);
    total += count;
    byReason[r.reason] = (byReason[r.reason] ?? 0) + count;
    return { hour: new Date(Number(r.hour)).toISOString(), reason: r.reason, count };
  });
  return { total, byReason, hours };
}
