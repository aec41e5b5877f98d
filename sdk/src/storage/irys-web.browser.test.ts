// Irys from a browser tab: irysWebStorage in headless Chromium against the devstack Irys bundler
// (which checks every data item's ANS-104 signature with @irys/bundles) and arlocal behind it.
// Items signed in the page are checked here in Node with @irys/bundles' own DataItem; a tampered
// item is refused; small items go through POST /tx, large ones through the chunked upload with
// progress; above the free size the sponsor's balance pays through an Irys balance approval.
// Skipped only when Chromium is not installed (scripts/setup.sh installs it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Browser, Page } from "playwright-core";
import { DataItem } from "@irys/bundles";
import { bundleForBrowser, CHROMIUM_PATH, hasChromium, launchChromium, servePage, type PageServer } from "../../../scripts/lib/chromium.ts";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { startLocalIrysBundler, type LocalIrysBundler } from "@onekey/devstack/storage/irys-bundler";
import { createIrysApproval } from "./irys-web.ts";
import { contentHashOf } from "./verify.ts";

const here = new URL(".", import.meta.url).pathname;
// The page side. Each tab has its own throwaway key, as the app's does.
const ENTRY = `
import { irysWebStorage, createSignedDataItem } from "./index.ts";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
const account = privateKeyToAccount(generatePrivateKey());
const random = (n) => { const d = new Uint8Array(n); for (let j = 0; j < n; j += 65536) crypto.getRandomValues(d.subarray(j, Math.min(n, j + 65536))); return d; };
const hex = (b) => "0x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const sha256 = async (b) => hex(new Uint8Array(await crypto.subtle.digest("SHA-256", b)));
globalThis.t = {
  address: account.address,
  async upload({ bundlerUrl, gatewayUrl, size, paidBy, chunkThreshold }) {
    const storage = irysWebStorage({ bundlerUrl, gatewayUrl, account, paidBy, chunkThreshold, chunkSize: 128 * 1024 });
    const data = random(size);
    const progress = [];
    let prepared;
    try {
      const r = await storage.upload(data, [{ name: "OneKey-Test", value: "irys-web" }], {
        onPrepared: (p) => { prepared = p.storageId; },
        onProgress: (sent, total) => progress.push([sent, total]),
      });
      const back = await storage.download(r.storageId, { contentHash: await sha256(data) });
      return { ok: true, storageId: r.storageId, nativeId: r.nativeId, prepared, progress, contentHash: await sha256(data), backLength: back.length };
    } catch (e) {
      return { ok: false, error: e.name, message: String(e.message), progress };
    }
  },
  async signedItem(size) {
    const item = await createSignedDataItem(random(size), [{ name: "Content-Type", value: "application/octet-stream" }, { name: "Ünïcode-Tag", value: "välue ✓" }], account);
    return { raw: hex(item.raw), id: hex(item.id) };
  },
  async postRaw(bundlerUrl, rawHex) {
    const raw = new Uint8Array(rawHex.slice(2).match(/../g).map((h) => parseInt(h, 16)));
    const res = await fetch(bundlerUrl + "/tx/base-eth", { method: "POST", headers: { "content-type": "application/octet-stream" }, body: raw });
    return { status: res.status, body: await res.text() };
  },
};
`;
type Upload = {
  ok: boolean;
  storageId: Hex;
  nativeId: string;
  prepared: Hex;
  progress: [number, number][];
  contentHash: Hex;
  backLength: number;
  error?: string;
  message?: string;
};
type T = {
  address: Hex;
  upload(o: { bundlerUrl: string; gatewayUrl: string; size: number; paidBy?: Hex; chunkThreshold?: number }): Promise<Upload>;
  signedItem(size: number): Promise<{ raw: Hex; id: Hex }>;
  postRaw(bundlerUrl: string, raw: Hex): Promise<{ status: number; body: string }>;
};

describe.skipIf(!hasChromium())(`Irys from headless Chromium (${CHROMIUM_PATH})`, () => {
  let arlocal: LocalArweave;
  let bundler: LocalIrysBundler;
  let server: PageServer;
  let browser: Browser;
  let page: Page;
  let urls: { bundlerUrl: string; gatewayUrl: string };
  // Calls one of the page's helpers (globalThis.t) with JSON arguments.
  const call = <K extends keyof T>(method: K, ...args: unknown[]) =>
    page.evaluate(
      ([m, a]) => {
        const t = (globalThis as unknown as { t: Record<string, unknown> }).t;
        const f = t[m as string];
        return typeof f === "function" ? f(...(a as unknown[])) : f;
      },
      [method, args] as const,
    ) as Promise<T[K] extends (...a: never[]) => Promise<infer R> ? R : T[K]>;

  beforeAll(async () => {
    const [bundle, local] = await Promise.all([bundleForBrowser(ENTRY, here), startArlocal()]);
    arlocal = local;
    bundler = await startLocalIrysBundler({ arweaveUrl: arlocal.url });
    urls = { bundlerUrl: bundler.url, gatewayUrl: arlocal.url };
    server = await servePage({ "/bundle.js": bundle });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "t" in globalThis);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await bundler?.stop();
    await arlocal?.stop();
  });

  it("signs ANS-104 items that @irys/bundles verifies, with the same id and tags", async () => {
    const item = await call("signedItem", 3_000);
    const raw = Buffer.from(item.raw.slice(2), "hex");
    expect(await DataItem.verify(raw)).toBe(true);
    const parsed = new DataItem(raw);
    expect(`0x${parsed.rawId.toString("hex")}`).toBe(item.id);
    expect(parsed.signatureType).toBe(3);
    expect(parsed.tags).toEqual([
      { name: "Content-Type", value: "application/octet-stream" },
      { name: "Ünïcode-Tag", value: "välue ✓" },
    ]);
    expect(parsed.rawData.length).toBe(3_000);
  });

  it("uploads a small item with POST /tx and reads it back through the gateway", async () => {
    const r = await call("upload", { ...urls, size: 60_000 });
    expect(r.ok, r.message).toBe(true);
    expect(r.prepared).toBe(r.storageId);
    expect(r.backLength).toBe(60_000);
    expect(bundler.received.has(r.nativeId)).toBe(true);
    expect(r.progress.at(-1)).toEqual([60_000, 60_000]);
    // And from Node, through the same gateway, against the content hash the page computed.
    const res = await fetch(`${arlocal.url}/${r.nativeId}`);
    expect(await contentHashOf(new Uint8Array(await res.arrayBuffer()))).toBe(r.contentHash);
  });

  it("a tampered item is refused by signature (400), and nothing is stored", async () => {
    const item = await call("signedItem", 2_000);
    const flipped = Buffer.from(item.raw.slice(2), "hex");
    flipped[flipped.length - 1] ^= 1; // one bit of the data: the signature no longer covers it
    const before = bundler.received.size;
    const res = await call("postRaw", bundler.url, `0x${flipped.toString("hex")}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/signature/);
    expect(bundler.received.size).toBe(before);
    // The untouched item goes through.
    expect((await call("postRaw", bundler.url, item.raw)).status).toBe(200);
  });

  it("over 100 KiB: refused by name without a balance; paid by the sponsor through an approval, chunked, with progress", async () => {
    const size = 700_000;
    const refused = await call("upload", { ...urls, size, chunkThreshold: 256 * 1024 });
    expect(refused).toMatchObject({ ok: false, error: "StorageInsufficientBalanceError" });

    // The sponsor (an organisation's key, held by its backend) funds its own Irys balance and
    // approves the tab's throwaway address to spend part of it.
    const sponsor = privateKeyToAccount(generatePrivateKey());
    bundler.credit("base-eth", sponsor.address, 10n ** 18n);
    const tab = (await call("address")) as Hex;
    const paidBy = sponsor.address;
    // Naming a payer that approved nothing is refused too.
    expect(await call("upload", { ...urls, size, paidBy, chunkThreshold: 256 * 1024 })).toMatchObject({ ok: false, error: "StorageInsufficientBalanceError" });
    await createIrysApproval({ bundlerUrl: bundler.url, account: sponsor, approvedAddress: tab, amount: 10n ** 15n });
    const approval = await (await fetch(`${bundler.url}/account/approval?payingAddress=${paidBy}&approvedAddress=${tab}&token=base-eth`)).json();
    expect(approval.amount).toBe((10n ** 15n).toString());

    const r = await call("upload", { ...urls, size, paidBy, chunkThreshold: 256 * 1024 });
    expect(r.ok, r.message).toBe(true);
    expect(r.backLength).toBe(size);
    // Progress per 128 KiB chunk: rising, each figure once, ending at the size.
    const sent = r.progress.map(([s]) => s);
    expect(sent.length).toBeGreaterThanOrEqual(6);
    expect([...sent].sort((a, b) => a - b)).toEqual(sent);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.at(-1)).toBe(size);
    // The sponsor paid (its balance and the approval went down); the tab's own balance is untouched.
    const left = await (await fetch(`${bundler.url}/account/approval?payingAddress=${paidBy}&approvedAddress=${tab}&token=base-eth`)).json();
    expect(BigInt(left.amount)).toBeLessThan(10n ** 15n);
    const balance = await (await fetch(`${bundler.url}/account/balance/base-eth?address=${paidBy}`)).json();
    expect(BigInt(balance.balance)).toBe(10n ** 18n - (10n ** 15n - BigInt(left.amount)));
  }, 60_000);
});
