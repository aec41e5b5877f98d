// Read-write access to the same database Ponder indexes into, for state that is not derived from
// the chain and must survive restarts and reorgs: webhook endpoints, deliveries and their attempt
// log, rate-limit buckets. It lives in its own schema (ONEKEY_OFFCHAIN_SCHEMA) so a redeploy of
// the Ponder schema keeps integrators' endpoints and the delivery history.
//
// PGlite is one embedded database that only the `ponder start` process can open, so there the
// store borrows Ponder's own PGlite instance (queries queue behind its transactions). With
// PostgreSQL every process — `ponder start` and each `ponder serve` replica — opens a small pool
// of its own, which is what lets replicas share rate limits and webhook state.
import { fromPglite, migrate, openPostgres, quoteIdent, type Db, type PGliteLike, type Sql } from "@onekey/server/db";

export { quoteIdent };

export type Queryable = Sql;

export interface Store extends Db {
  /** Schema holding Ponder's tables (the `--schema` of this Ponder app). */
  appSchema: string;
  /** Schema holding the off-chain tables. */
  schema: string;
}

type PonderGlobals = {
  PONDER_DATABASE?: { driver: { dialect: "pglite"; instance: PGliteLike } | { dialect: "postgres" } };
  PONDER_NAMESPACE_BUILD?: { schema: string };
};

let opened: Promise<Store> | undefined;

/** The process-wide store, created (with its tables) on first use. */
export function getStore(): Promise<Store> {
  opened ??= openStore().catch((error) => {
    opened = undefined;
    throw error;
  });
  return opened;
}

async function openStore(): Promise<Store> {
  const globals = globalThis as unknown as PonderGlobals;
  const driver = globals.PONDER_DATABASE?.driver;
  const appSchema = globals.PONDER_NAMESPACE_BUILD?.schema;
  if (!driver || !appSchema) throw new Error("the OneKey API runs inside a Ponder process (ponder start / serve)");
  const schema = process.env.ONEKEY_OFFCHAIN_SCHEMA ?? "onekey_offchain";
  quoteIdent(schema);
  quoteIdent(appSchema);
  // Ponder's PGlite instance stays Ponder's: closing the store leaves it open.
  const db =
    driver.dialect === "pglite"
      ? fromPglite(driver.instance)
      : await openPostgres(process.env.DATABASE_PRIVATE_URL ?? process.env.DATABASE_URL ?? "", { max: Number(process.env.ONEKEY_OFFCHAIN_POOL_MAX ?? 6) });
  return migrate({ ...db, appSchema, schema }, statements(schema), { lockKey: 4242001 });
}

/** Idempotent DDL; concurrent replicas may all run it (IF NOT EXISTS, one transaction, one lock). */
function statements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.webhook_endpoint (
      id text PRIMARY KEY,
      project_id numeric(78,0) NOT NULL,
      url text NOT NULL,
      event_types text[] NOT NULL,
      secret text NOT NULL,
      description text,
      from_block bigint NOT NULL,
      cursor_block bigint NOT NULL,
      max_concurrency integer NOT NULL,
      rate_per_second double precision NOT NULL,
      max_attempts integer NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at bigint NOT NULL,
      created_by text NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS webhook_endpoint_project ON ${s}.webhook_endpoint (project_id)`,
    `CREATE TABLE IF NOT EXISTS ${s}.webhook_delivery (
      id text PRIMARY KEY,
      seq bigserial,
      endpoint_id text NOT NULL,
      project_id numeric(78,0) NOT NULL,
      message_id text NOT NULL,
      event_id text NOT NULL,
      event_type text NOT NULL,
      kind text NOT NULL,
      block_number bigint NOT NULL,
      block_hash text NOT NULL,
      body text NOT NULL,
      status text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at bigint NOT NULL,
      lease_until bigint,
      last_status integer,
      last_error text,
      created_at bigint NOT NULL,
      delivered_at bigint,
      reverted boolean NOT NULL DEFAULT false,
      UNIQUE (endpoint_id, message_id)
    )`,
    `CREATE INDEX IF NOT EXISTS webhook_delivery_due ON ${s}.webhook_delivery (status, next_attempt_at)`,
    `CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint ON ${s}.webhook_delivery (endpoint_id, seq)`,
    `CREATE INDEX IF NOT EXISTS webhook_delivery_endpoint_due ON ${s}.webhook_delivery (endpoint_id, status, next_attempt_at)`,
    `CREATE INDEX IF NOT EXISTS webhook_delivery_block ON ${s}.webhook_delivery (block_number) WHERE kind = 'event' AND NOT reverted`,
    `CREATE TABLE IF NOT EXISTS ${s}.webhook_attempt (
      id bigserial PRIMARY KEY,
      delivery_id text NOT NULL,
      attempt integer NOT NULL,
      started_at bigint NOT NULL,
      duration_ms integer NOT NULL,
      status integer,
      error text
    )`,
    `CREATE INDEX IF NOT EXISTS webhook_attempt_delivery ON ${s}.webhook_attempt (delivery_id, id)`,
    `CREATE TABLE IF NOT EXISTS ${s}.rate_bucket (
      key text PRIMARY KEY,
      tokens double precision NOT NULL,
      updated_ms bigint NOT NULL,
      granted double precision NOT NULL
    )`,
  ];
}
