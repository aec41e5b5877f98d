// The one database mechanism of the server side (indexer, sponsor service, review service):
// embedded PGlite (one process, a directory or an instance someone else opened) or a PostgreSQL
// pool (DATABASE_URL, shared by replicas), behind the same `query` / `transaction` / `close`.
// Each user keeps its own tables, lock key, pool size and error messages; only the mechanism
// lives here.
//
// Concurrency, which callers rely on:
//  - PGlite has one connection and runs one transaction at a time: a `transaction` waits for the
//    running one, and so does a bare `query`. Transactions never interleave.
//  - PostgreSQL runs transactions side by side (READ COMMITTED), each on its own pool client.
//    Work that must not interleave takes `pg_advisory_xact_lock(key)` first; on PGlite the same
//    statement is granted at once, so one code path serves both.
//  - Inside `transaction(fn)` use only the `sql` handed to `fn`: the store's own `query` runs
//    outside the transaction on PostgreSQL and waits for it forever on PGlite.
import { mkdirSync } from "node:fs";

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Sql {
  /** Runs `fn` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Ends the pool or closes the PGlite database this module opened (no-op for a borrowed one). */
  close(): Promise<void>;
  /** "pglite" or "postgres", for logs and /health. */
  kind: "pglite" | "postgres";
}

/** What this module needs of a PGlite instance (PGlite itself, or the one Ponder opened). */
export interface PGliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  // undefined only after the callback's own `tx.rollback()`, which this module never hands out
  transaction<T>(fn: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T | undefined>;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes a schema or table name taken from configuration (anything else is refused). */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name)) throw new Error(`invalid schema name "${name}" (lower-case letters, digits, _)`);
  return `"${name}"`;
}

/** A schema script split into statements (PGlite's `query` takes one statement at a time). */
export function splitStatements(script: string): string[] {
  return script
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Wraps a PGlite instance; `close` is what closing it means for the caller (default: nothing). */
export function fromPglite(instance: PGliteLike, o: { close?: () => Promise<void> } = {}): Db {
  const rowsOf =
    (q: PGliteLike["query"]) =>
    async <T>(text: string, params?: unknown[]) =>
      (await q<T>(text, params)).rows;
  return {
    kind: "pglite",
    query: rowsOf(instance.query.bind(instance)),
    transaction: async <T>(fn: (sql: Sql) => Promise<T>) => (await instance.transaction((tx) => fn({ query: rowsOf(tx.query.bind(tx)) }))) as T,
    close: o.close ?? (async () => {}),
  };
}

/** Opens (creating the directory when missing) an embedded PGlite database; one process at a time. */
export async function openPglite(dir: string): Promise<Db> {
  mkdirSync(dir, { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(dir);
  return fromPglite(db, { close: () => db.close() });
}

/** A pool on PostgreSQL (connections are made on first use). */
export async function openPostgres(connectionString: string, o: { max?: number } = {}): Promise<Db> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString, max: o.max ?? 10 });
  pool.on("error", () => {}); // an idle client's error surfaces on its next query instead
  return {
    kind: "postgres",
    query: async <T>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as T[],
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await fn({ query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[] });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((e: Error) => {
          broken = e;
        });
        throw error;
      } finally {
        // A client whose ROLLBACK failed is in an unknown state: destroyed, not pooled again.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Brings the tables up to date: idempotent DDL (`CREATE ... IF NOT EXISTS`), all of it in one
 * transaction under `pg_advisory_xact_lock(lockKey)`, so replicas starting together take turns
 * (catalog races) and a failing statement leaves nothing half-made. Run at every open: a second
 * run changes nothing. Returns `db`; closes it when the migration fails.
 */
export async function migrate<D extends Db>(db: D, schema: string | readonly string[], o: { lockKey: number }): Promise<D> {
  const statements = typeof schema === "string" ? splitStatements(schema) : schema;
  try {
    await db.transaction(async (sql) => {
      await sql.query("SELECT pg_advisory_xact_lock($1)", [o.lockKey]);
      for (const statement of statements) await sql.query(statement);
    });
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}
