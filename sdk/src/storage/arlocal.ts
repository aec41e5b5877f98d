// A real local Arweave gateway (arlocal) bound to 127.0.0.1, for tests and the local stack.
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ArLocal from "arlocal";

export interface LocalArweave {
  url: string;
  port: number;
  /** Gives `address` AR on arlocal (winston amount). */
  mint(address: string, winston?: bigint): Promise<void>;
  stop(): Promise<void>;
}

export interface StartArlocalOptions {
  port: number;
  /** Keep data here across restarts (default: a temp dir removed on stop). */
  dbPath?: string;
}

export async function startArlocal(options: StartArlocalOptions): Promise<LocalArweave> {
  const dbPath = options.dbPath ?? mkdtempSync(join(tmpdir(), "onekey-arlocal-"));
  const ArLocalClass = ((ArLocal as unknown as { default?: unknown }).default ?? ArLocal) as new (port: number, showLogs: boolean, dbPath: string, persist: boolean) => { start(): Promise<void> };
  const instance = new ArLocalClass(options.port, false, dbPath, options.dbPath !== undefined);
  // arlocal listens on every interface; serve its Koa app on loopback only instead.
  const app = (instance as unknown as { app: { callback(): Parameters<typeof createServer>[1]; listen: unknown } }).app;
  app.listen = (port: number, cb?: () => void) => createServer(app.callback()).listen(port, "127.0.0.1", cb);
  const log = console.log;
  console.log = () => {}; // arlocal prints a start-up line from its listen callback
  try {
    await instance.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    console.log = log;
  }
  const url = `http://127.0.0.1:${options.port}`;
  return {
    url,
    port: options.port,
    async mint(address, winston = 10n ** 15n) {
      const res = await fetch(`${url}/mint/${address}/${winston}`);
      if (!res.ok) throw new Error(`arlocal mint failed: HTTP ${res.status}`);
    },
    async stop() {
      const server = (instance as unknown as { server?: { close(cb: () => void): void } }).server;
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      (instance as unknown as { connection?: { destroy(): Promise<void> } }).connection?.destroy?.();
      if (options.dbPath === undefined) rmSync(dbPath, { recursive: true, force: true });
    },
  };
}
