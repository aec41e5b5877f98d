// A real local Arweave gateway (arlocal) bound to 127.0.0.1, for tests and the local stack.
// Lives in the private devstack workspace: tests, scripts and the local stack import it; the SDK never does.
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ArLocal from "arlocal";
import { ChunkDB } from "arlocal/bin/db/chunks.js";
import { BaseError } from "@onekey/sdk/errors";

export interface LocalArweave {
  url: string;
  port: number;
  /** Gives `address` AR on arlocal (winston amount). */
  mint(address: string, winston?: bigint): Promise<void>;
  /** Mines a block: pending transactions (and bundled items) become readable. */
  mine(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartArlocalOptions {
  /** Default: a free port chosen by the OS. */
  port?: number;
  /** Keep data here across restarts (default: a temp dir removed on stop). */
  dbPath?: string;
}

type Row = { offset: number; chunk: string; data_path: string; data_root: string };
// The slice of knex that arlocal's connection offers and the chunk fix below uses.
type Query = PromiseLike<Row[]> & {
  where(w: Record<string, unknown>): Query;
  max(c: string): PromiseLike<{ m: number | null }[]>;
  select(...c: string[]): Query;
  first(): PromiseLike<Row | undefined>;
};
type Knex = ((table: string) => Query) & { raw(sql: string): Promise<unknown>; destroy(): Promise<void> };

type ArLocalInstance = {
  start(): Promise<void>;
  app: { callback(): Parameters<typeof createServer>[1]; listen: unknown };
  log: { logInFile(args: unknown): void };
  server?: Server;
  connection?: Knex;
  apollo?: { stop(): Promise<void> };
};

export class LocalArweaveError extends BaseError {
  override name = "LocalArweaveError";
}

export async function startArlocal(options: StartArlocalOptions = {}): Promise<LocalArweave> {
  patchChunkPlacement();
  const dbPath = options.dbPath ?? mkdtempSync(join(tmpdir(), "onekey-arlocal-"));
  const ArLocalClass = ((ArLocal as unknown as { default?: unknown }).default ?? ArLocal) as new (
    port: number,
    showLogs: boolean,
    dbPath: string,
    persist: boolean,
  ) => ArLocalInstance;
  // arlocal treats port 0 as 1984; the port it is given only matters to our listen below.
  const instance = new ArLocalClass(options.port || 1984, false, dbPath, options.dbPath !== undefined);
  // It appends every request to ./logs in the working directory, forever; nothing needs that file.
  instance.log.logInFile = () => {};
  // It listens on every interface; serve its Koa app on loopback only instead.
  let server: Server | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    instance.app.listen = () => {
      server = createServer(instance.app.callback());
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve((server!.address() as { port: number }).port));
      return server;
    };
  });
  const log = console.log;
  console.log = () => {}; // the start-up line from arlocal's listen callback
  let port: number;
  try {
    await instance.start();
    port = await listening;
  } finally {
    console.log = log;
  }
  // Indexes arlocal's chunk table lacks: without them every chunk post reads the whole table.
  await instance.connection?.raw("CREATE INDEX IF NOT EXISTS onekey_chunks_offset ON chunks(offset)");
  await instance.connection?.raw("CREATE INDEX IF NOT EXISTS onekey_chunks_root ON chunks(data_root)");
  const url = `http://127.0.0.1:${port}`;
  const get = async (path: string, what: string) => {
    const res = await fetch(`${url}${path}`);
    if (!res.ok) throw new LocalArweaveError(`arlocal ${what} failed: HTTP ${res.status}`);
  };
  return {
    url,
    port,
    mint: (address, winston = 10n ** 15n) => get(`/mint/${address}/${winston}`, "mint"),
    mine: () => get("/mine", "mine"),
    async stop() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await instance.apollo?.stop().catch(() => {});
      await instance.connection?.destroy().catch(() => {});
      if (options.dbPath === undefined) rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

// arlocal's chunk store, made to place chunks the way an Arweave node does. arlocal (1.1.66) gives
// each posted chunk the next offset in arrival order and serves a transaction's data in that
// order, so chunks posted concurrently (which real nodes accept: each chunk's data_path proves
// where it belongs) would read back shuffled; and it finds "the last offset" by loading every
// chunk ever stored, so each post gets slower as the store grows (an upload of 5 MB took 2 s on
// a fresh arlocal and 8 s five uploads later). Patched once per process, on its ChunkDB class:
// - a chunk's offset is its transaction's base plus the end offset its data_path proves (the
//   last 32 bytes of the path, as in arweave's merkle.ts), so the order is the proven one;
// - each transaction's base is reserved past every offset in use, one reservation at a time;
// - the last offset is one indexed MAX query instead of a full read.
let patched = false;
function patchChunkPlacement() {
  if (patched) return;
  patched = true;
  type Db = { connection: Knex };
  const reserved = new WeakMap<Knex, { chain: Promise<unknown>; top: number; bases: Map<string, Promise<number>> }>();
  const stateOf = (db: Knex) => {
    let s = reserved.get(db);
    if (!s) reserved.set(db, (s = { chain: Promise.resolve(), top: 0, bases: new Map() }));
    return s;
  };
  const lastOffset = async (db: Knex) => Number((await db("chunks").max("offset as m"))[0]?.m ?? 0);
  const baseOf = (db: Knex, dataRoot: string, dataSize: number) => {
    const s = stateOf(db);
    let base = s.bases.get(dataRoot);
    if (!base) {
      const run = s.chain.then(async () => {
        const row = await db("chunks").where({ data_root: dataRoot }).select("offset", "data_path").first();
        if (row) return Number(row.offset) - provenEnd(row.data_path);
        const b = Math.max(s.top, await lastOffset(db)) + 1;
        s.top = b + dataSize;
        return b;
      });
      s.chain = run.catch(() => undefined);
      base = run;
      s.bases.set(dataRoot, base);
      run.catch(() => s.bases.delete(dataRoot));
    }
    return base;
  };
  const proto = ChunkDB.prototype as unknown as {
    create(this: Db, c: { chunk: string; data_root: string; data_size: number; offset: number; data_path: string }): Promise<string | undefined>;
    getLastChunkOffset(this: Db): Promise<number>;
  };
  const create = proto.create;
  proto.create = async function (c) {
    const base = await baseOf(this.connection, c.data_root, Number(c.data_size));
    return create.call(this, { ...c, offset: base + provenEnd(c.data_path) });
  };
  proto.getLastChunkOffset = async function () {
    return lastOffset(this.connection);
  };
}

/** The end offset (inclusive) within its transaction that a chunk's data_path proves. */
function provenEnd(dataPath: string): number {
  const path = Buffer.from(dataPath, "base64url");
  return Number(BigInt(`0x${path.subarray(path.length - 32).toString("hex") || "0"}`)) - 1;
}
