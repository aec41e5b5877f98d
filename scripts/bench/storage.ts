// Storage benchmark on local servers: upload and verified-download latency of a 10 KB ciphertext
// on both providers (arweave -> arlocal; irys -> the real Irys client -> local bundler -> arlocal),
// and upload-queue throughput by concurrency. Prints a table, writes bench/results/storage.json.
// Run: npm run bench:storage (also part of `npm run bench`).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startArlocal } from "@onekey/devstack/storage/arlocal";
import { startLocalIrysBundler } from "@onekey/devstack/storage/irys-bundler";
import {
  arweaveAddress,
  arweaveStorage,
  contentHashOf,
  fileQueueStore,
  generateArweaveWallet,
  irysStorage,
  irysWebStorage,
  openUploadQueue,
  type StorageProvider,
} from "@onekey/sdk/storage";
import { printTable, writeResults, type Row } from "./report.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const QUEUE_ITEMS = Number(process.env.BENCH_QUEUE_ITEMS ?? 40);
const SIZE = 10_000;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function latency(storage: StorageProvider) {
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const data = new Uint8Array(randomBytes(SIZE));
    let t = performance.now();
    const { storageId } = await storage.upload(data);
    up.push(performance.now() - t);
    const contentHash = await contentHashOf(data);
    t = performance.now();
    await storage.download(storageId, { contentHash });
    down.push(performance.now() - t);
  }
  return { up, down };
}

async function queueThroughput(storage: StorageProvider, concurrency: number) {
  const dir = mkdtempSync(join(tmpdir(), "onekey-bench-queue-"));
  const queue = await openUploadQueue({ storage, store: fileQueueStore(dir), concurrency });
  try {
    const items = Array.from({ length: QUEUE_ITEMS }, () => new Uint8Array(randomBytes(SIZE)));
    const t = performance.now();
    await Promise.all(items.map((d) => queue.add(d)));
    return QUEUE_ITEMS / ((performance.now() - t) / 1000);
  } finally {
    await queue.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const arlocal = await startArlocal();
const bundler = await startLocalIrysBundler({ arweaveUrl: arlocal.url });
try {
  const wallet = await generateArweaveWallet();
  await arlocal.mint(await arweaveAddress(wallet));
  const providers: Record<string, StorageProvider> = {
    arweave: arweaveStorage({ url: arlocal.url, wallet, mine: true }),
    irys: irysStorage({ privateKey: `0x${randomBytes(32).toString("hex")}` as Hex, bundler: bundler.url, gatewayUrl: arlocal.url }),
    // The fetch-based client the browser uses (here in Node: same code, same bundler).
    "irys-web": irysWebStorage({ bundlerUrl: bundler.url, account: privateKeyToAccount(generatePrivateKey()), gatewayUrl: arlocal.url }),
  };
  const rows: Row[] = [];
  const metrics: Record<string, number> = {};
  for (const [name, storage] of Object.entries(providers)) {
    await storage.upload(new Uint8Array(randomBytes(SIZE))); // warm-up (client build, connections)
    const { up, down } = await latency(storage);
    const q1 = await queueThroughput(storage, 1);
    const q4 = await queueThroughput(storage, 4);
    rows.push({
      provider: name,
      "upload p50 ms": quantile(up, 0.5),
      "upload p95 ms": quantile(up, 0.95),
      "download+verify p50 ms": quantile(down, 0.5),
      "queue items/s c=1": q1,
      "queue items/s c=4": q4,
    });
    Object.assign(metrics, {
      [`${name}_upload_10kb_p50_ms`]: quantile(up, 0.5),
      [`${name}_upload_10kb_p95_ms`]: quantile(up, 0.95),
      [`${name}_download_verify_10kb_p50_ms`]: quantile(down, 0.5),
      [`${name}_queue_items_per_s_c1`]: q1,
      [`${name}_queue_items_per_s_c4`]: q4,
    });
  }
  printTable(`Storage, ${SIZE}-byte items, ${RUNS} runs, ${QUEUE_ITEMS} queued items (local arlocal; mining after each upload)`, rows);
  console.log(`wrote ${writeResults("storage", metrics)}`);
} finally {
  await bundler.stop();
  await arlocal.stop();
}
