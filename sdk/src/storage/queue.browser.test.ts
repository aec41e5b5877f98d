// The upload queue in headless Chromium against a real arlocal: the arweave provider (fetch and
// WebCrypto, no Node), the IndexedDB store, progress events, retry with backoff while the gateway
// fails, and resume after the page is reloaded mid-upload (the reload drops the tab's Web Lock
// and every in-flight request, as a crash would).
// Skipped only when Chromium is not installed (scripts/setup.sh installs it).
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import type { JWKInterface } from "arweave/node/lib/wallet.js";
import type { Browser, Page } from "playwright-core";
import { bundleForBrowser, CHROMIUM_PATH, hasChromium, launchChromium, servePage, type PageServer } from "../../../scripts/lib/chromium.ts";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { arweaveAddress, arweaveStorage, generateArweaveWallet } from "./arweave.ts";

const here = new URL(".", import.meta.url).pathname;
// The page side: one queue over IndexedDB; every event is reported to the test.
const ENTRY = `
import { arweaveStorage, openUploadQueue, indexedDbQueueStore } from "./index.ts";
globalThis.openQueue = async ({ url, wallet }) => {
  const storage = arweaveStorage({ url, wallet, mine: true });
  const queue = await openUploadQueue({
    storage, store: indexedDbQueueStore("resume-test"), concurrency: 1,
    retry: { attempts: 20, initialDelayMs: 50, maxDelayMs: 500 },
    onEvent: (e) => globalThis.report(JSON.stringify(e.type === "failed" ? { type: e.type, contentHash: e.contentHash, error: String(e.error) } : { ...e, error: e.error && String(e.error) })),
  });
  globalThis.queue = queue;
  return queue.list();
};
globalThis.enqueueRandom = async (count, size) => {
  const hashes = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(size);
    for (let j = 0; j < size; j += 65536) crypto.getRandomValues(data.subarray(j, Math.min(size, j + 65536)));
    hashes.push((await globalThis.queue.enqueue(data, [{ name: "OneKey-Browser-Test", value: String(i) }])).contentHash);
  }
  return hashes;
};
`;
type Event = { type: string; contentHash: Hex; sent?: number; total?: number; resumed?: boolean; overall?: { sent: number; total: number } };
type Win = {
  openQueue(o: { url: string; wallet: JWKInterface }): Promise<{ contentHash: Hex; status: string; result?: { storageId: Hex } }[]>;
  enqueueRandom(count: number, size: number): Promise<Hex[]>;
  queue: { drain(): Promise<void>; list(): Promise<unknown> };
};

describe.skipIf(!hasChromium())(`upload queue in headless Chromium (${CHROMIUM_PATH})`, () => {
  let arlocal: LocalArweave;
  let wallet: JWKInterface;
  let server: PageServer;
  let browser: Browser;

  beforeAll(async () => {
    const [bundle, local, w] = await Promise.all([bundleForBrowser(ENTRY, here), startArlocal(), generateArweaveWallet()]);
    arlocal = local;
    wallet = w;
    await arlocal.mint(await arweaveAddress(wallet));
    server = await servePage({ "/bundle.js": bundle });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await arlocal?.stop();
  });

  async function openPage(page: Page, events: Event[]) {
    await page.goto(server.url);
    await page.waitForFunction(() => "openQueue" in globalThis);
    return page.evaluate((o) => (globalThis as unknown as Win).openQueue(o), { url: arlocal.url, wallet }).then((list) => ({ list, events }));
  }

  it("uploads with rising progress, and after a reload mid-upload resumes the rest without re-uploading what was stored", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const events: Event[] = [];
    await page.exposeFunction("report", (json: string) => events.push(JSON.parse(json)));
    await openPage(page, events);
    const count = 4;
    const size = 700_000; // about three arweave chunks each, so a reload lands mid-item
    const hashes = await page.evaluate(([c, s]) => (globalThis as unknown as Win).enqueueRandom(c, s), [count, size] as const);
    expect(new Set(hashes).size).toBe(count);

    // Reload once the first item is stored and the second has sent some bytes but not all.
    const midway = () =>
      events.some((e) => e.type === "done") &&
      events.some((e) => e.type === "progress" && e.contentHash !== events.find((d) => d.type === "done")!.contentHash && e.sent! > 0 && e.sent! < e.total!);
    await waitUntil(midway);
    const doneBefore = new Set(events.filter((e) => e.type === "done").map((e) => e.contentHash));
    const cut = events.findLast((e) => e.type === "progress" && !doneBefore.has(e.contentHash) && e.sent! > 0 && e.sent! < e.total!)!;
    expect(doneBefore.size).toBeLessThan(count);
    await page.reload();

    const after: Event[] = [];
    events.length = 0;
    const { list } = await openPage(page, after);
    const pendingAtOpen = list.filter((s) => s.status === "pending").map((s) => s.contentHash);
    expect(pendingAtOpen.length).toBe(count - doneBefore.size);
    for (const h of doneBefore) expect(pendingAtOpen).not.toContain(h);
    await page.evaluate(() => (globalThis as unknown as Win).queue.drain());

    // The item cut off mid-upload continues from its last stored chunk (the same transaction),
    // rather than sending its bytes again from the start.
    expect(events.find((e) => e.type === "progress" && e.contentHash === cut.contentHash)!.sent).toBeGreaterThan(0);
    const resumed = events.filter((e) => e.type === "queued").map((e) => [e.contentHash, e.resumed]);
    expect(resumed).toEqual(pendingAtOpen.map((h) => [h, true]));
    // Each resumed item reports rising progress ending at its size, once.
    for (const h of pendingAtOpen) {
      const sent = events.filter((e) => e.type === "progress" && e.contentHash === h).map((e) => e.sent!);
      expect(sent.at(-1)).toBe(size);
      expect(sent.filter((n) => n === size)).toHaveLength(1);
      expect([...sent].sort((a, b) => a - b)).toEqual(sent);
    }
    const final = (await page.evaluate(() => (globalThis as unknown as Win).queue.list())) as {
      contentHash: Hex;
      status: string;
      result: { storageId: Hex };
    }[];
    expect(final.map((s) => s.status)).toEqual(Array(count).fill("done"));
    // What the gateway holds is the bytes the page queued (checked against each content hash),
    // and items stored before the reload were not uploaded a second time.
    const storage = arweaveStorage({ url: arlocal.url, wallet });
    for (const [i, h] of hashes.entries()) {
      const state = final.find((s) => s.contentHash === h)!;
      expect((await storage.download(state.result.storageId, { contentHash: h })).length).toBe(size);
      if (doneBefore.has(h)) expect(await txCount(arlocal, String(i))).toBe(1);
    }
    await context.close();
  }, 180_000);

  it("retries with exponential backoff while the gateway fails, and finishes once it answers", async () => {
    // A real HTTP hop in front of arlocal that answers 503 until told to pass requests through.
    let failing = true;
    let refused = 0;
    const proxy: Server = createServer(async (req, res) => {
      if (failing) {
        refused++;
        res.writeHead(503, { "access-control-allow-origin": "*" }).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${arlocal.url}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        headers[name] = value;
      });
      res.writeHead(upstream.status, headers);
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const events: Event[] = [];
      await page.exposeFunction("report", (json: string) => events.push(JSON.parse(json)));
      await page.goto(server.url);
      await page.waitForFunction(() => "openQueue" in globalThis);
      await page.evaluate((o) => (globalThis as unknown as Win).openQueue(o), {
        url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
        wallet,
      });
      const [hash] = await page.evaluate(() => (globalThis as unknown as Win).enqueueRandom(1, 50_000));
      await waitUntil(() => events.filter((e) => e.type === "retry").length >= 3);
      const delays = events.filter((e) => e.type === "retry").map((e) => (e as unknown as { delayMs: number }).delayMs);
      // initialDelayMs 50, factor 2, jitter between half and all of each delay.
      for (const [i, d] of delays.slice(0, 3).entries()) {
        expect(d).toBeGreaterThanOrEqual(25 * 2 ** i);
        expect(d).toBeLessThanOrEqual(50 * 2 ** i);
      }
      expect(refused).toBeGreaterThanOrEqual(3);
      failing = false;
      await page.evaluate(() => (globalThis as unknown as Win).queue.drain());
      const done = events.find((e) => e.type === "done" && e.contentHash === hash) as unknown as { result: { storageId: Hex } };
      expect(done).toBeDefined();
      expect((await arweaveStorage({ url: arlocal.url, wallet }).download(done.result.storageId, { contentHash: hash })).length).toBe(50_000);
    } finally {
      await context.close();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  }, 120_000);

  it("a second tab cannot run the same queue while the first holds it", async () => {
    const context = await browser.newContext();
    try {
      const [a, b] = [await context.newPage(), await context.newPage()];
      await openPage(a, []);
      await b.goto(server.url);
      await b.waitForFunction(() => "openQueue" in globalThis);
      await b.exposeFunction("report", () => {});
      const error = await b.evaluate(
        (o) =>
          (globalThis as unknown as Win).openQueue(o).then(
            () => "opened",
            (e: Error) => e.name,
          ),
        { url: arlocal.url, wallet },
      );
      expect(error).toBe("UploadQueueLockedError");
    } finally {
      await context.close();
    }
  }, 60_000);
});

async function waitUntil(check: () => boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function txCount(arlocal: LocalArweave, value: string): Promise<number> {
  const res = await fetch(`${arlocal.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `{ transactions(tags: [{ name: "OneKey-Browser-Test", values: ["${value}"] }]) { edges { node { id } } } }` }),
  });
  return ((await res.json()) as { data: { transactions: { edges: unknown[] } } }).data.transactions.edges.length;
}
