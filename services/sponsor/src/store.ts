// Where the sponsor service counts what it signed: embedded PGlite by default (a directory that
// survives restarts), PostgreSQL by DATABASE_URL (shared by every replica). One row per signed
// (project, sender, nonce); the caps are sums over those rows, checked and written in one
// transaction under a per-project advisory lock, so replicas cannot both take the last slot.
import { mkdirSync } from "node:fs";
import type { Address, Hex } from "viem";
import { BaseError } from "@onekey/sdk/errors";

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Store extends Sql {
  /** Runs `fn` in one transaction (rolled back when it throws). */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** "pglite" or "postgres", for logs and /health. */
  kind: string;
}

export interface StoreOptions {
  /** postgres://… : PostgreSQL (shared by replicas). Otherwise PGlite in `dir`. */
  databaseUrl?: string;
  /** PGlite's data directory (created when missing). */
  dir?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sponsored_op (
  project_id numeric(78) NOT NULL,
  sender text NOT NULL,
  nonce numeric(78) NOT NULL,
  -- the EIP-712 digest of the ticket that authorised it (null: an API key or the open policy)
  ticket text,
  -- the most this operation can cost the project (wei): what the spend caps count
  max_charge numeric(78) NOT NULL,
  signed_at bigint NOT NULL,
  PRIMARY KEY (project_id, sender, nonce)
);
CREATE INDEX IF NOT EXISTS sponsored_op_project_time ON sponsored_op (project_id, signed_at);
CREATE INDEX IF NOT EXISTS sponsored_op_sender_time ON sponsored_op (project_id, sender, signed_at);
CREATE INDEX IF NOT EXISTS sponsored_op_ticket ON sponsored_op (ticket);
`;

export class SponsorStoreError extends BaseError {
  override name = "SponsorStoreError";
  constructor(message: string, cause?: unknown) {
    super(message, { cause, docsPath: "paymaster.md#caps-and-their-database" });
  }
}

/** Opens (and migrates) the store. */
export async function openStore(o: StoreOptions): Promise<Store> {
  return o.databaseUrl ? openPostgres(o.databaseUrl) : openPglite(o.dir);
}

async function openPostgres(url: string): Promise<Store> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => {}); // an idle client's error surfaces on its next query instead
  const query = async <T>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[];
  // Two replicas creating the tables at once race on the catalog; one lock serialises them.
  await pool.query("SELECT pg_advisory_lock(7702001)");
  try {
    for (const statement of SCHEMA.split(";")
      .map((s) => s.trim())
      .filter(Boolean))
      await pool.query(statement);
  } finally {
    await pool.query("SELECT pg_advisory_unlock(7702001)");
  }
  return {
    kind: "postgres",
    query,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn({ query: async (text, params) => (await client.query(text, params)).rows });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dir: string | undefined): Promise<Store> {
  if (!dir) throw new SponsorStoreError("the sponsor service needs DATABASE_URL (PostgreSQL) or a PGlite directory (ONEKEY_SPONSOR_DB_DIR)");
  mkdirSync(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(dir).catch((cause: unknown) => {
    throw new SponsorStoreError(
      `cannot open the PGlite database in ${dir} (is another sponsor service using it? PGlite serves one process; use PostgreSQL for replicas)`,
      cause,
    );
  });
  for (const statement of SCHEMA.split(";")
    .map((s) => s.trim())
    .filter(Boolean))
    await db.query(statement);
  return {
    kind: "pglite",
    query: async <T>(text: string, params?: unknown[]) => (await db.query<T>(text, params)).rows,
    // PGlite runs one transaction at a time, which is also what the advisory lock asks of PostgreSQL.
    transaction: async <T>(fn: (sql: Sql) => Promise<T>) =>
      (await db.transaction((tx) => fn({ query: async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows }))) as T,
    close: () => db.close(),
  };
}

export interface Caps {
  /** Sliding period the per-project and per-subject caps count over (seconds). */
  periodSeconds: number;
  /** 0 = no cap. */
  maxOpsPerProject: number;
  maxWeiPerProject?: bigint;
  maxOpsPerSubject: number;
  maxWeiPerSubject?: bigint;
}

export type CapRefusal = "PROJECT_OPS_CAP_REACHED" | "PROJECT_SPEND_CAP_REACHED" | "SUBJECT_OPS_CAP_REACHED" | "SUBJECT_SPEND_CAP_REACHED" | "TICKET_USED_UP";

export interface Take {
  projectId: bigint;
  sender: Address;
  nonce: bigint;
  maxCharge: bigint;
  caps: Caps;
  /** The ticket's digest and how many operations it allows in all. */
  ticket?: { digest: Hex; maxOps: number };
  /** Wall-clock ms (a parameter so tests and replicas agree on one definition of "now"). */
  now: number;
}

type Usage = { ops: number; wei: string };

/**
 * Checks every cap for one more operation and, when `commit`, records it. A second signature for
 * the same (project, sender, nonce) is free: only one operation per nonce can ever run.
 * Returns the refusal (with a message) or undefined.
 */
export async function takeCapacity(store: Store, t: Take, commit: boolean): Promise<{ reason: CapRefusal; message: string } | undefined> {
  return store.transaction(async (sql) => {
    // hashtext gives an int4 key per project; collisions only serialise two projects needlessly.
    await sql.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`onekey-sponsor:${t.projectId}`]);
    const sender = t.sender.toLowerCase();
    const [again] = await sql.query<{ max_charge: string }>("SELECT max_charge::text FROM sponsored_op WHERE project_id = $1 AND sender = $2 AND nonce = $3", [
      t.projectId.toString(),
      sender,
      t.nonce.toString(),
    ]);
    if (again) {
      if (commit && BigInt(again.max_charge) < t.maxCharge) {
        await sql.query("UPDATE sponsored_op SET max_charge = $4 WHERE project_id = $1 AND sender = $2 AND nonce = $3", [
          t.projectId.toString(),
          sender,
          t.nonce.toString(),
          t.maxCharge.toString(),
        ]);
      }
      return undefined;
    }
    const since = t.now - t.caps.periodSeconds * 1000;
    const per = `per ${t.caps.periodSeconds} s`;
    const usage = async (where: string, params: unknown[]) =>
      (await sql.query<Usage>(`SELECT count(*)::int AS ops, coalesce(sum(max_charge), 0)::text AS wei FROM sponsored_op WHERE ${where}`, params))[0];
    const project = await usage("project_id = $1 AND signed_at > $2", [t.projectId.toString(), since]);
    const { caps } = t;
    if (caps.maxOpsPerProject > 0 && project.ops >= caps.maxOpsPerProject) {
      return { reason: "PROJECT_OPS_CAP_REACHED", message: `project ${t.projectId} reached its cap of ${caps.maxOpsPerProject} sponsored operations ${per}` };
    }
    if (caps.maxWeiPerProject !== undefined && BigInt(project.wei) + t.maxCharge > caps.maxWeiPerProject) {
      return {
        reason: "PROJECT_SPEND_CAP_REACHED",
        message: `project ${t.projectId} would pass its cap of ${caps.maxWeiPerProject} wei ${per} (${project.wei} signed, this operation up to ${t.maxCharge})`,
      };
    }
    const subject = await usage("project_id = $1 AND sender = $2 AND signed_at > $3", [t.projectId.toString(), sender, since]);
    if (caps.maxOpsPerSubject > 0 && subject.ops >= caps.maxOpsPerSubject) {
      return { reason: "SUBJECT_OPS_CAP_REACHED", message: `subject ${t.sender} reached ${caps.maxOpsPerSubject} sponsored operations ${per}` };
    }
    if (caps.maxWeiPerSubject !== undefined && BigInt(subject.wei) + t.maxCharge > caps.maxWeiPerSubject) {
      return { reason: "SUBJECT_SPEND_CAP_REACHED", message: `subject ${t.sender} would pass ${caps.maxWeiPerSubject} wei ${per}` };
    }
    if (t.ticket) {
      const used = await usage("ticket = $1", [t.ticket.digest]);
      if (used.ops >= t.ticket.maxOps) return { reason: "TICKET_USED_UP", message: `the ticket allowed ${t.ticket.maxOps} operations; all are used` };
    }
    if (commit) {
      await sql.query("INSERT INTO sponsored_op (project_id, sender, nonce, ticket, max_charge, signed_at) VALUES ($1, $2, $3, $4, $5, $6)", [
        t.projectId.toString(),
        sender,
        t.nonce.toString(),
        t.ticket?.digest ?? null,
        t.maxCharge.toString(),
        t.now,
      ]);
    }
    return undefined;
  });
}
