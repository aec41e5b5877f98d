// The case database: embedded PGlite by default (a directory that survives restarts), PostgreSQL
// by DATABASE_URL (shared by every instance). It holds ids, addresses, statuses, normalised codes,
// provider names and references, claim bits and timestamps: never a granted field's value.
//
// Work is claimed row by row (`FOR UPDATE SKIP LOCKED`) into a lease with a fencing counter: the
// instance that holds a case's lease is the only one that may write its automated steps, and a
// write carrying a stale fence (the lease passed to another instance while this one was stalled)
// changes nothing.
import { migrate, openPglite, openPostgres, type Db, type Sql } from "@onekey/server/db";
import { BaseError } from "@onekey/sdk/errors";

export type { Sql };

/** `transaction` runs `fn` in one transaction (rolled back when it throws); `kind` is "pglite" or "postgres". */
export type Store = Db;

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

export type StoreOptions = { databaseUrl?: string; dir?: string };

/** Opens (and migrates) the store. */
export async function openStore(o: StoreOptions): Promise<Store> {
  // Two instances migrating at once race on the catalog; lock 1400001 serialises them.
  return migrate(o.databaseUrl ? await openPostgres(o.databaseUrl) : await pglite(o.dir), SCHEMA, { lockKey: 1400001 });
}

async function pglite(dir: string | undefined): Promise<Db> {
  if (!dir) throw new ReviewStoreError("the review service needs DATABASE_URL (PostgreSQL) or a PGlite directory (ONEKEY_REVIEW_DB_DIR)");
  return openPglite(dir).catch((cause: unknown) => {
    throw new ReviewStoreError(`cannot open the PGlite database in ${dir} (PGlite serves one process; use PostgreSQL for several instances)`, cause);
  });
}
