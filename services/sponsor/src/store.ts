// Where the sponsor service counts what it signed: embedded PGlite by default (a directory that
// survives restarts), PostgreSQL by DATABASE_URL (shared by every replica). One row per signed
// (project, sender, nonce); the caps are sums over those rows, checked and written in one
// transaction under a per-project advisory lock, so replicas cannot both take the last slot.
import type { Address, Hex } from "viem";
import { migrate, openPglite, openPostgres, type Db, type Sql } from "@onekey/server/db";
import { BaseError } from "@onekey/sdk/errors";

export type { Sql };

/** `transaction` runs `fn` in one transaction (rolled back when it throws); `kind` is "pglite" or "postgres". */
export type Store = Db;

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
  // Two replicas creating the tables at once race on the catalog; lock 7702001 serialises them.
  return migrate(o.databaseUrl ? await openPostgres(o.databaseUrl) : await pglite(o.dir), SCHEMA, { lockKey: 7702001 });
}

async function pglite(dir: string | undefined): Promise<Db> {
  if (!dir) throw new SponsorStoreError("the sponsor service needs DATABASE_URL (PostgreSQL) or a PGlite directory (ONEKEY_SPONSOR_DB_DIR)");
  return openPglite(dir).catch((cause: unknown) => {
    throw new SponsorStoreError(
      `cannot open the PGlite database in ${dir} (is another sponsor service using it? PGlite serves one process; use PostgreSQL for replicas)`,
      cause,
    );
  });
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
