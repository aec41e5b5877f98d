// A real local Arweave gateway (arlocal) bound to 127.0.0.1, for tests and the local stack.
// Lives in the private devstack workspace: tests, scripts and the local stack import it; the SDK never does.
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ArLocal from "arlocal";
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

type ArLocalInstance = {
  start(): Promise<void>;
  app: { callback(): Parameters<typeof createServer>[1]; listen: unknown };
  log: { logInFile(args: unknown): void };
  server?: Server;
  connection?: { destroy(): Promise<void> };
  apollo?: { stop(): Promise<void> };
};

export class LocalArweaveError extends BaseError {
  override name = "LocalArweaveError";
}

export async function startArlocal(options: StartArlocalOptions = {}): Promise<LocalArweave> {
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
