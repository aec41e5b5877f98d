// The case database: embedded PGlite by default (a directory that survives restarts), PostgreSQL
// by DATABASE_URL (shared by every instance). It holds ids, addresses, statuses, normalised codes,
// provider names and references, claim bits and timestamps: never a granted field's value.
//
// Work is claimed row by row (`FOR UPDATE SKIP LOCKED`) into a lease with a fencing counter: the
// instance that holds a case's lease is the only one that may write its automated steps, and a
// write carrying a stale fence (the lease passed to another instance while this one was stalled)
// changes nothing.
import { mkdirSync } from "node:fs";
import { BaseError } from "@onekey/sdk/errors";

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Store extends Sql {
  /** Runs `fn` in one transaction (rolled back when it throws). */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** "pglite" or "postgres", for logs and /health. */
  kind: "pglite" | "postgres";
}

export class ReviewStoreError extends BaseError {
  override name = "ReviewStoreError";
  constructor(message: string, cause?: unknown) {
    super(message, { cause, docsPath: "review-service.md#the-case-database" });
  }
}

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS review_case (
  id text PRIMARY KEY,
  project_id numeric(78) NOT NULL,
  record_id text NOT NULL,
  record_version integer NOT NULL,
  -- the grant's block time: with the record and version it names one grant, so a grant seen twice
  -- (webhook and poll) opens one case, and a re-grant after a decision opens a new one
  granted_at bigint NOT NULL,
  subject text NOT NULL,
  status text NOT NULL,
  outcome text,
  provider text,
  provider_ref text,
  -- the state machine's case: steps, attempts, timestamps, reason codes, reviewer addresses
  state jsonb NOT NULL,
  -- claim bits derived in memory from the granted fields: exactly what goes on-chain
  claims bigint,
  document_type text,
  -- the chain head when the case opened: where the search for its attestation starts
  opened_block numeric(78) NOT NULL,
  -- a cancellation asked for by the indexer trigger, applied by the lease holder
  cancel text,
  sla_flags jsonb NOT NULL DEFAULT '[]',
  due_at bigint NOT NULL,
  lease_owner text,
  lease_until bigint,
  fence bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (project_id, record_id, record_version, granted_at)
);
CREATE INDEX IF NOT EXISTS review_case_due ON review_case (due_at) WHERE status <> 'closed';
CREATE INDEX IF NOT EXISTS review_case_project ON review_case (project_id, status, created_at);
CREATE INDEX IF NOT EXISTS review_case_record ON review_case (project_id, record_id);
CREATE INDEX IF NOT EXISTS review_case_check ON review_case (provider, provider_ref);
CREATE TABLE IF NOT EXISTS case_transition (
  case_id text NOT NULL,
  seq integer NOT NULL,
  at bigint NOT NULL,
  event text NOT NULL,
  actor text,
  from_status text NOT NULL,
  to_status text NOT NULL,
  PRIMARY KEY (case_id, seq)
);
-- a provider's verdict as normalised codes, keyed by its check (the lease holder applies it)
CREATE TABLE IF NOT EXISTS provider_result (
  provider text NOT NULL,
  check_id text NOT NULL,
  status text NOT NULL,
  reasons jsonb NOT NULL,
  risk_labels jsonb NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (provider, check_id)
);
-- ids of callbacks, indexer webhooks and signed reviewer requests already seen (replays are no-ops)
CREATE TABLE IF NOT EXISTS seen_event (
  source text NOT NULL,
  event_id text NOT NULL,
  seen_at bigint NOT NULL,
  PRIMARY KEY (source, event_id)
);
-- the webhooks this service sends, one row per transition, delivered at least once
CREATE TABLE IF NOT EXISTS outbox (
  id text PRIMARY KEY,
  project_id numeric(78) NOT NULL,
  case_id text NOT NULL,
  type text NOT NULL,
  body text NOT NULL,
  created_at bigint NOT NULL,
  next_at bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'pending',
  last_error text,
  lease_until bigint
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_case ON outbox (case_id);
-- the endpoint this service registered at the indexer for each project (its signing secret)
CREATE TABLE IF NOT EXISTS indexer_endpoint (
  project_id numeric(78) PRIMARY KEY,
  endpoint_id text NOT NULL,
  secret text NOT NULL
);
`;

const statements = () =>
  SCHEMA.split(";")
    .map((s) => s.trim())
    .filter(Boolean);

export type StoreOptions = { databaseUrl?: string; dir?: string };

/** Opens (and migrates) the store. */
export async function openStore(o: StoreOptions): Promise<Store> {
  return o.databaseUrl ? openPostgres(o.databaseUrl) : openPglite(o.dir);
}

async function openPostgres(url: string): Promise<Store> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => {}); // an idle client's error surfaces on its next query instead
  // Two instances migrating at once race on the catalog; one lock serialises them.
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(1400001)");
    for (const s of statements()) await client.query(s);
    await client.query("SELECT pg_advisory_unlock(1400001)");
  } finally {
    client.release();
  }
  return {
    kind: "postgres",
    query: async <T>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[],
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query("BEGIN");
        const result = await fn({ query: async (text, params) => (await c.query(text, params)).rows });
        await c.query("COMMIT");
        return result;
      } catch (error) {
        await c.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dir: string | undefined): Promise<Store> {
  if (!dir) throw new ReviewStoreError("the review service needs DATABASE_URL (PostgreSQL) or a PGlite directory (ONEKEY_REVIEW_DB_DIR)");
  mkdirSync(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(dir).catch((cause: unknown) => {
    throw new ReviewStoreError(`cannot open the PGlite database in ${dir} (PGlite serves one process; use PostgreSQL for several instances)`, cause);
  });
  for (const s of statements()) await db.query(s);
  return {
    kind: "pglite",
    query: async (text, params) => (await db.query(text, params)).rows as never,
    transaction: async <T>(fn: (sql: Sql) => Promise<T>) =>
      (await db.transaction((tx) => fn({ query: async (text, params) => (await tx.query(text, params)).rows as never }))) as T,
    close: () => db.close(),
  };
}
