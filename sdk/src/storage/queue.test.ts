// The upload queue against a real arlocal: concurrency, progress, retry while the gateway is down
// (then restarted), give-up and retry, idempotency, and resume after a SIGKILLed process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Hex } from "viem";
import type { JWKInterface } from "arweave/node/lib/wallet.js";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { crashTestItem } from "@onekey/devstack/storage/queue-items";
import { arweaveAddress, arweaveStorage, generateArweaveWallet } from "./arweave.ts";
import { openUploadQueue as openWithStore, type OpenUploadQueueOptions, type UploadQueue, type UploadQueueEvent } from "./queue.ts";
import { fileQueueStore } from "./queue-file.ts";

/** The queue over the Node file store, by directory (what these tests exercise). */
const openUploadQueue = (o: Omit<OpenUploadQueueOptions, "store"> & { directory: string }) => openWithStore({ ...o, store: fileQueueStore(o.directory) });
import { contentHashOf } from "./verify.ts";
import { InvalidUploadInputError, UploadFailedError, UploadQueueLockedError } from "./errors.ts";
import { ContentHashMismatchError } from "../crypto/errors.ts";
import type { StorageProvider } from "./types.ts";

/** Byte equality without vitest's element-by-element diff (slow on 100 KB+ arrays). */
const sameBytes = (actual: Uint8Array, expected: Uint8Array) =>
  expect(Buffer.from(actual).equals(Buffer.from(expected)), `${actual.length} bytes vs ${expected.length}`).toBe(true);

/** A real provider that also records calls and the peak number in flight. */
function observed(storage: StorageProvider) {
  const stats = { uploads: [] as Hex[], inFlight: 0, peak: 0 };
  const provider: StorageProvider = {
    ...storage,
    async upload(data, tags, options) {
      stats.uploads.push(await contentHashOf(data));
      stats.peak = Math.max(stats.peak, ++stats.inFlight);
      try {
        return await storage.upload(data, tags, options);
      } finally {
        stats.inFlight--;
      }
    },
  };
  return { provider, stats };
}

const bytes = (n: number) => new Uint8Array(randomBytes(n));

describe("upload queue on arlocal", () => {
  let arlocal: LocalArweave;
  let wallet: JWKInterface;
  let storage: StorageProvider;
  const dirs: string[] = [];
  const open: UploadQueue[] = [];
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), "onekey-queue-"));
    dirs.push(d);
    return d;
  };
  const openQueue: typeof openUploadQueue = async (o) => {
    const q = await openUploadQueue(o);
    open.push(q);
    return q;
  };

  beforeAll(async () => {
    arlocal = await startArlocal();
    wallet = await generateArweaveWallet();
    await arlocal.mint(await arweaveAddress(wallet));
    storage = arweaveStorage({ url: arlocal.url, wallet, mine: true });
  });
  afterEach(async () => {
    for (const q of open.splice(0)) await q.close();
  });
  afterAll(async () => {
    await arlocal?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("keeps at most `concurrency` uploads in flight and reports progress per item and overall", async () => {
    const { provider, stats } = observed(storage);
    const events: UploadQueueEvent[] = [];
    const queue = await openQueue({ storage: provider, directory: newDir(), concurrency: 2, onEvent: (e) => events.push(e) });
    const items = Array.from({ length: 4 }, () => bytes(300_000));
    const results = await Promise.all(items.map((d) => queue.add(d)));

    expect(stats.uploads).toHaveLength(4);
    expect(stats.peak).toBe(2);
    for (const [i, r] of results.entries()) {
      expect(r.deduplicated).toBe(false);
      sameBytes(await storage.download(r.storageId, { contentHash: await contentHashOf(items[i]) }), items[i]);
      const sent = events.filter((e) => e.type === "progress" && e.contentHash === r.contentHash).map((e) => (e as { sent: number }).sent);
      expect(sent.at(-1)).toBe(300_000);
      expect(sent.filter((n) => n === 300_000)).toHaveLength(1); // completion reported once
      expect(sent.length).toBeGreaterThan(2); // intermediate chunk progress, not just 0 and total
      expect([...sent].sort((a, b) => a - b)).toEqual(sent);
    }
    const overall = events.filter((e) => e.type === "progress").map((e) => (e as { overall: { sent: number; total: number } }).overall);
    expect(overall.at(-1)).toEqual({ sent: 1_200_000, total: 1_200_000 });
    expect(queue.progress()).toEqual({ sent: 1_200_000, total: 1_200_000 });
    // Stored items keep only their state, not their bytes.
    expect(readdirSync(join(queue.location, "items")).filter((f) => f.endsWith(".bin"))).toEqual([]);
  });

  it("uploads the same bytes once: concurrent adds, later adds and adds after reopening", async () => {
    const { provider, stats } = observed(storage);
    const dir = newDir();
    const data = bytes(5_000);
    const first = await openQueue({ storage: provider, directory: dir });
    const [a, b, c] = await Promise.all([first.add(data), first.add(data), first.add(new Uint8Array(data))]);
    expect(new Set([a.storageId, b.storageId, c.storageId]).size).toBe(1);
    const again = await first.add(data);
    expect(again).toMatchObject({ storageId: a.storageId, deduplicated: true });
    await first.close();

    const reopened = await openQueue({ storage: provider, directory: dir });
    expect(await reopened.add(data)).toMatchObject({ storageId: a.storageId, deduplicated: true });
    expect(stats.uploads).toEqual([await contentHashOf(data)]);
    expect(await reopened.add(bytes(10))).toMatchObject({ deduplicated: false });
  });

  it("retries with exponential backoff while the gateway is down and finishes once it is back", async () => {
    const port = await freePort();
    const dbPath = newDir();
    let gateway = await startArlocal({ port, dbPath });
    try {
      await gateway.mint(await arweaveAddress(wallet));
      const provider = arweaveStorage({ url: gateway.url, wallet, mine: true });
      const events: UploadQueueEvent[] = [];
      const queue = await openQueue({
        storage: provider,
        directory: newDir(),
        onEvent: (e) => events.push(e),
        retry: { attempts: 30, initialDelayMs: 100, maxDelayMs: 800, jitter: false },
      });
      const before = bytes(2_000);
      const stored = await queue.add(before);

      await gateway.stop(); // the gateway goes away...
      const during = bytes(2_000);
      const pending = await queue.enqueue(during);
      await waitUntil(() => events.filter((e) => e.type === "retry").length >= 4);
      const delays = events.filter((e) => e.type === "retry").map((e) => (e as { delayMs: number }).delayMs);
      expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800]);

      // ...and comes back with its data. arlocal caches database handles per file name at module
      // level, so an in-process restart must open a copy of the directory.
      const restartedDb = newDir();
      cpSync(dbPath, restartedDb, { recursive: true });
      gateway = await startArlocal({ port, dbPath: restartedDb });
      const done = await pending.done;
      expect(done.deduplicated).toBe(false);
      sameBytes(await provider.download(done.storageId, { contentHash: await contentHashOf(during) }), during);
      sameBytes(await provider.download(stored.storageId, { contentHash: await contentHashOf(before) }), before);
      expect(queue.get(pending.contentHash)).toMatchObject({ status: "done" });
      expect(queue.get(pending.contentHash)!.attempts).toBeGreaterThan(4);
    } finally {
      await gateway.stop();
    }
  });

  it("sends chunks concurrently, and after one chunk is refused the retry re-sends only that chunk", async () => {
    // A real HTTP hop in front of arlocal that refuses the fourth chunk post once and records the
    // place (the end offset its data_path proves) of every chunk it sees.
    const posts: { at: number; accepted: boolean }[] = [];
    let inFlight = 0;
    let peak = 0;
    let chunkPosts = 0;
    const proxy = createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      const body = Buffer.concat(parts);
      const isChunk = req.method === "POST" && req.url === "/chunk";
      let at = -1;
      if (isChunk) {
        const path = Buffer.from((JSON.parse(body.toString()) as { data_path: string }).data_path, "base64url");
        at = Number(BigInt(`0x${path.subarray(path.length - 32).toString("hex")}`));
        peak = Math.max(peak, ++inFlight);
        if (++chunkPosts === 4) {
          posts.push({ at, accepted: false });
          inFlight--;
          res.writeHead(503).end(JSON.stringify({ error: "refused once by the test" }));
          return;
        }
      }
      try {
        const upstream = await fetch(`${arlocal.url}${req.url}`, {
          method: req.method,
          headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          body: body.length ? body : undefined,
        });
        const answer = Buffer.from(await upstream.arrayBuffer());
        if (isChunk) posts.push({ at, accepted: upstream.status === 200 });
        res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/octet-stream" }).end(answer);
      } finally {
        if (isChunk) inFlight--;
      }
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
      const provider = arweaveStorage({ url, wallet, mine: true, chunkConcurrency: 4 });
      const events: UploadQueueEvent[] = [];
      const queue = await openQueue({ storage: provider, directory: newDir(), onEvent: (e) => events.push(e), retry: { attempts: 3, initialDelayMs: 20 } });
      const size = 10 * 256 * 1024 + 1234; // eleven chunks
      const data = bytes(size);
      const result = await queue.add(data);

      expect(events.filter((e) => e.type === "retry")).toHaveLength(1);
      const refused = posts.filter((p) => !p.accepted);
      expect(refused).toHaveLength(1);
      const accepted = posts.filter((p) => p.accepted).map((p) => p.at);
      // Every chunk stored exactly once: the refused one on the retry, none of the others again.
      expect(accepted).toHaveLength(11);
      expect(new Set(accepted).size).toBe(11);
      expect(accepted).toContain(refused[0].at);
      expect(accepted.indexOf(refused[0].at)).toBeGreaterThanOrEqual(3);
      expect(peak).toBe(4);
      // Progress over both attempts: rising, never back to zero, ending at the size, once.
      const sent = events.filter((e) => e.type === "progress").map((e) => (e as { sent: number }).sent);
      expect([...sent].sort((a, b) => a - b)).toEqual(sent);
      expect(sent.at(-1)).toBe(size);
      expect(sent.filter((n) => n === size)).toHaveLength(1);
      expect(sent.length).toBeGreaterThan(5);
      // The gateway serves the bytes in their order, whatever order the chunks arrived in.
      sameBytes(await storage.download(result.storageId, { contentHash: await contentHashOf(data) }), data);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it("gives up after the last attempt, keeps the bytes, and retryFailed() finishes the item later", async () => {
    const dir = newDir();
    const dead = arweaveStorage({ url: `http://127.0.0.1:${await freePort()}`, wallet });
    const data = bytes(1_000);
    const q1 = await openQueue({ storage: dead, directory: dir, retry: { attempts: 2, initialDelayMs: 10 } });
    const error = await q1.add(data).catch((e) => e);
    expect(error).toBeInstanceOf(UploadFailedError);
    expect(error.attempts).toBe(2);
    expect(q1.get(await contentHashOf(data))).toMatchObject({ status: "failed", attempts: 2 });
    expect(existsSync(join(dir, "items", `${await contentHashOf(data)}.bin`))).toBe(true);
    await q1.close();

    const { provider, stats } = observed(storage);
    const q2 = await openQueue({ storage: provider, directory: dir });
    await q2.drain();
    expect(stats.uploads).toEqual([]); // failed items wait for an explicit retry
    expect(await q2.retryFailed()).toBe(1);
    const result = await q2.wait(await contentHashOf(data));
    sameBytes(await storage.download(result.storageId, { contentHash: await contentHashOf(data) }), data);
  });

  it("resumes a SIGKILLed process's pending items without uploading stored ones again", async () => {
    const dir = newDir();
    const walletPath = join(newDir(), "wallet.json");
    writeFileSync(walletPath, JSON.stringify(wallet));
    const seed = randomBytes(6).toString("hex");
    const count = 6;
    // The child runs the SDK's sources, as this suite does, not the last build in dist/.
    const childScript = createRequire(import.meta.url).resolve("@onekey/devstack/storage/queue-crash-child");
    const child = spawn(process.execPath, ["--conditions=@onekey/source", childScript, dir, arlocal.url, walletPath, String(count), seed], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const doneInChild = new Set<string>();
    const exited = new Promise((resolve) => child.once("exit", resolve));
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line.startsWith("done ")) doneInChild.add(line.slice(5));
      if (doneInChild.size === 2) {
        child.kill("SIGKILL"); // mid-queue: no close(), the lock file stays behind
        break;
      }
    }
    await exited;
    expect(existsSync(join(dir, "lock"))).toBe(true);

    const { provider, stats } = observed(storage);
    const queue = await openQueue({ storage: provider, directory: dir, concurrency: 2 });
    const pendingAtOpen = queue.list().filter((s) => s.status === "pending").length;
    expect(pendingAtOpen).toBeGreaterThan(0);
    await queue.drain();

    const expected = Array.from({ length: count }, (_, i) => crashTestItem(seed, i));
    expect(queue.list().map((s) => s.status)).toEqual(Array(count).fill("done"));
    for (const [i, item] of expected.entries()) {
      const state = queue.get(await contentHashOf(item.data))!;
      sameBytes(await storage.download(state.result!.storageId, { contentHash: state.contentHash }), item.data);
      if (doneInChild.has(state.contentHash)) {
        expect(stats.uploads).not.toContain(state.contentHash);
        expect(await txCount(arlocal, `${seed}/${i}`)).toBe(1);
      }
    }
    // Only what the child had not finished is uploaded here, each at most once.
    expect(new Set(stats.uploads).size).toBe(stats.uploads.length);
    expect(stats.uploads.length).toBeLessThanOrEqual(count - doneInChild.size);
  });

  it("one process per directory; a dead process's lock is taken over", async () => {
    const dir = newDir();
    const q = await openQueue({ storage, directory: dir });
    await expect(openUploadQueue({ storage, directory: dir })).rejects.toThrow(UploadQueueLockedError);
    await q.close();
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.once("exit", r));
    writeFileSync(join(dir, "lock"), String(dead.pid));
    await expect(openQueue({ storage, directory: dir })).resolves.toBeDefined();
  });

  it("refuses bad input and fails a corrupted item by name without touching the others", async () => {
    const dir = newDir();
    const dead = arweaveStorage({ url: `http://127.0.0.1:${await freePort()}`, wallet });
    const q1 = await openQueue({ storage: dead, directory: dir, retry: { attempts: 50, initialDelayMs: 60_000 } });
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    await expect(q1.enqueue("not bytes")).rejects.toThrow(InvalidUploadInputError);
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    await expect(q1.enqueue(bytes(5), [{ name: 5 }])).rejects.toThrow(InvalidUploadInputError);
    expect(readdirSync(join(dir, "items"))).toEqual([]);
    const good = bytes(1_000);
    const bad = bytes(1_000);
    await q1.enqueue(good);
    await q1.enqueue(bad);
    await q1.close(); // both stay pending

    writeFileSync(join(dir, "items", `${await contentHashOf(bad)}.bin`), bytes(1_000)); // disk corruption
    const q2 = await openQueue({ storage, directory: dir });
    const error = await q2.wait(await contentHashOf(bad)).catch((e) => e);
    expect(error).toBeInstanceOf(UploadFailedError);
    expect(error.cause).toBeInstanceOf(ContentHashMismatchError);
    const ok = await q2.wait(await contentHashOf(good));
    sameBytes(await storage.download(ok.storageId, { contentHash: await contentHashOf(good) }), good);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function txCount(arlocal: LocalArweave, value: string): Promise<number> {
  const res = await fetch(`${arlocal.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `{ transactions(tags: [{ name: "OneKey-Crash-Test", values: ["${value}"] }]) { edges { node { id } } } }` }),
  });
  return ((await res.json()) as { data: { transactions: { edges: unknown[] } } }).data.transactions.edges.length;
}
