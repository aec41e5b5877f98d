// The shared database mechanism against real databases: PGlite in a temp directory, and a
// throwaway PostgreSQL cluster where the server binaries are installed. The same cases run on
// both; where the two differ by design (PGlite never interleaves transactions, PostgreSQL does
// unless an advisory lock says otherwise) each side is asserted as documented in src/db.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresUnavailableReason, startPostgres, type Postgres } from "../../../indexer/test/helpers/postgres.ts";
import { fromPglite, migrate, openPglite, openPostgres, quoteIdent, splitStatements, type Db } from "../src/db.ts";

let n = 0;
/** A table name of its own per test, so the PostgreSQL cases can share one database. */
const table = () => `t_${process.pid}_${++n}`;

const schemaOf = (t: string) => `
CREATE TABLE IF NOT EXISTS ${t} (
  id integer PRIMARY KEY,
  -- a comment inside a statement, as the services' schemas have
  v integer NOT NULL
);
CREATE INDEX IF NOT EXISTS ${t}_v ON ${t} (v);
`;

const LOCK = 990001;

/** `reopen` opens the same database again once `db` is closed (PGlite serves one handle at a time). */
type Dialect = { name: "pglite" | "postgres"; open(): Promise<Db>; reopen(db: Db): Promise<Db> };

const dirs: string[] = [];
const reopenDir = new WeakMap<Db, string>();
const pgliteDialect: Dialect = {
  name: "pglite",
  async open() {
    const dir = mkdtempSync(join(tmpdir(), "onekey-db-test-"));
    dirs.push(dir);
    const db = await openPglite(join(dir, "db"));
    reopenDir.set(db, join(dir, "db"));
    return db;
  },
  async reopen(db) {
    const dir = reopenDir.get(db) as string;
    const again = await openPglite(dir);
    reopenDir.set(again, dir);
    return again;
  },
};

let pg: Postgres | undefined;
const postgresDialect: Dialect = {
  name: "postgres",
  open: async () => openPostgres((pg as Postgres).url, { max: 12 }),
  reopen: async () => openPostgres((pg as Postgres).url, { max: 12 }),
};

const noPostgres = postgresUnavailableReason();
const dialects: Dialect[] = noPostgres ? [pgliteDialect] : [pgliteDialect, postgresDialect];
if (noPostgres) console.warn(`PostgreSQL cases skipped: ${noPostgres}`);

beforeAll(async () => {
  if (!noPostgres) pg = await startPostgres();
});
afterAll(() => {
  pg?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function tablesNamed(db: Db, t: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = $1", [t]);
  return row.n;
}

describe.each(dialects)("on $name", (dialect) => {
  it("applies migrations once: a second run, a reopen and concurrent runs change nothing", async () => {
    const t = table();
    const db = await migrate(await dialect.open(), schemaOf(t), { lockKey: LOCK });
    expect(db.kind).toBe(dialect.name);
    await db.query(`INSERT INTO ${t} (id, v) VALUES (1, 10)`);
    await migrate(db, schemaOf(t), { lockKey: LOCK });
    await db.close();
    const again = await migrate(await dialect.reopen(db), schemaOf(t), { lockKey: LOCK });
    expect(await again.query(`SELECT id, v FROM ${t}`)).toEqual([{ id: 1, v: 10 }]);
    expect(await tablesNamed(again, t)).toBe(1);
    const [index] = await again.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = $1", [`${t}_v`]);
    expect(index.n).toBe(1);
    if (dialect.name === "postgres") {
      // Replicas starting together: without the lock, concurrent CREATE ... IF NOT EXISTS can fail
      // on the catalog's unique index; with it every one of them succeeds.
      const t2 = table();
      const replicas = await Promise.all(Array.from({ length: 6 }, async () => migrate(await dialect.open(), schemaOf(t2), { lockKey: LOCK })));
      expect(await tablesNamed(again, t2)).toBe(1);
      await Promise.all(replicas.map((r) => r.close()));
    }
    await again.close();
  });

  it("a failing migration leaves nothing half-made and closes the database", async () => {
    const t = table();
    const db = await dialect.open();
    const broken = `${schemaOf(t)}; CREATE TABLE ${t}_bad (id integer REFERENCES no_such_table (id));`;
    await expect(migrate(db, broken, { lockKey: LOCK })).rejects.toThrow(/no_such_table/);
    await expect(db.query("SELECT 1")).rejects.toThrow();
    const fresh = await dialect.reopen(db);
    expect(await tablesNamed(fresh, t)).toBe(0);
    await fresh.close();
  });

  it("rolls a failing transaction back, rethrows its error and stays usable", async () => {
    const t = table();
    const db = await migrate(await dialect.open(), schemaOf(t), { lockKey: LOCK });
    const thrown = new Error("changed my mind");
    await expect(
      db.transaction(async (sql) => {
        await sql.query(`INSERT INTO ${t} (id, v) VALUES (1, 1)`);
        expect(await sql.query(`SELECT id FROM ${t}`)).toEqual([{ id: 1 }]);
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    // A statement that fails inside the transaction aborts it the same way.
    await expect(
      db.transaction(async (sql) => {
        await sql.query(`INSERT INTO ${t} (id, v) VALUES (2, 2)`);
        await sql.query(`INSERT INTO ${t} (id, v) VALUES (2, 3)`);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await db.query(`SELECT id FROM ${t}`)).toEqual([]);
    expect(await db.transaction(async (sql) => sql.query<{ id: number }>(`INSERT INTO ${t} (id, v) VALUES (3, 3) RETURNING id`))).toEqual([{ id: 3 }]);
    expect(await db.query(`SELECT id FROM ${t}`)).toEqual([{ id: 3 }]);
    await db.close();
  });

  it("serialises read-modify-write transactions that take the advisory lock", async () => {
    const t = table();
    const db = await migrate(await dialect.open(), schemaOf(t), { lockKey: LOCK });
    await db.query(`INSERT INTO ${t} (id, v) VALUES (1, 0)`);
    const writers = 10;
    await Promise.all(
      Array.from({ length: writers }, () =>
        db.transaction(async (sql) => {
          await sql.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`test:${t}`]);
          const [row] = await sql.query<{ v: number }>(`SELECT v FROM ${t} WHERE id = 1`);
          await new Promise((resolve) => setTimeout(resolve, 5)); // give another writer every chance
          await sql.query(`UPDATE ${t} SET v = $1 WHERE id = 1`, [row.v + 1]);
        }),
      ),
    );
    expect(await db.query(`SELECT v FROM ${t}`)).toEqual([{ v: writers }]);
    await db.close();
  });

  it(
    dialect.name === "pglite"
      ? "never interleaves transactions, and a bare query waits for the running one"
      : "runs transactions side by side when no lock is taken (READ COMMITTED)",
    async () => {
      const t = table();
      const db = await migrate(await dialect.open(), schemaOf(t), { lockKey: LOCK });
      const events: string[] = [];
      let bStarted!: () => void;
      const bHasStarted = new Promise<void>((resolve) => {
        bStarted = resolve;
      });
      // A waits (up to 2 s) for B to start. Only concurrent transactions see B start inside A.
      const a = db.transaction(async (sql) => {
        events.push("a:start");
        const seen = await Promise.race([bHasStarted.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 2_000))]);
        await sql.query(`INSERT INTO ${t} (id, v) VALUES (1, 1)`);
        events.push(seen ? "a:saw-b" : "a:alone");
        events.push("a:end");
      });
      const b = db.transaction(async (sql) => {
        events.push("b:start");
        bStarted();
        await sql.query("SELECT 1");
        events.push("b:end");
      });
      const bare = db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
      await Promise.all([a, b]);
      if (dialect.name === "pglite") {
        expect(events).toEqual(["a:start", "a:alone", "a:end", "b:start", "b:end"]);
        expect(await bare).toEqual([{ n: 1 }]); // queued behind A, so it sees A's row
      } else {
        expect(events.indexOf("b:start")).toBeLessThan(events.indexOf("a:end"));
        expect(events).toContain("a:saw-b");
        await bare;
      }
      await db.close();
    },
  );
});

describe("helpers", () => {
  it("splits a schema script into its statements", () => {
    expect(splitStatements(schemaOf("x"))).toHaveLength(2);
    expect(splitStatements(" ; ;\n")).toEqual([]);
  });

  it("quotes only plain lower-case identifiers", () => {
    expect(quoteIdent("onekey_offchain")).toBe('"onekey_offchain"');
    for (const bad of ['x"; DROP TABLE y; --', "Upper", "1abc", "", "a".repeat(64)]) expect(() => quoteIdent(bad)).toThrow(/invalid schema name/);
  });

  it("leaves a borrowed PGlite instance open when the store closes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-db-test-"));
    dirs.push(dir);
    const instance = await PGlite.create(dir);
    const db = fromPglite(instance);
    expect(await db.query<{ one: number }>("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await db.close();
    expect((await instance.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await instance.close();
  });
});
