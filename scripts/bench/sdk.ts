// `npm run bench:sdk`: the SDK's encryption, decryption and key wraps against raw WebCrypto
// (AES-GCM + SHA-256) on the same buffers, in Node and in headless Chromium (the same measuring
// code, scripts/bench/sdk-measure.ts, bundled into the page), and submitRecord (encrypt → upload
// → register) latency for a 10 KB record on a real anvil + arlocal. Prints a table; writes
// bench/results/sdk.json.
//
// The SDK's encrypt also computes the bundle's sha256 (the on-chain content hash), so its
// baseline is raw GCM + SHA-256; decryption in the read flow runs on a bundle already hashed at
// download, so "decrypt" compares with raw GCM alone and "verify hash + decrypt" with both.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { submitRecord } from "@onekey/sdk/flows";
import { arweaveAddress, arweaveStorage, generateArweaveWallet } from "@onekey/sdk/storage";
import { startArlocal } from "@onekey/devstack/storage/arlocal";
import { startAnvil, ANVIL_KEYS } from "../lib/anvil.ts";
import { deployOneKey } from "../lib/artifacts.ts";
import { bundleForBrowser, CHROMIUM_PATH, hasChromium, launchChromium, servePage } from "../lib/chromium.ts";
import { printTable, writeResults, type Row } from "./report.ts";
import { measureSdkCrypto, type Measured } from "./sdk-measure.ts";

const metrics: Record<string, number> = {};
const rows: Row[] = [];
const plan = {
  sizes: [
    ["1 MB", 1 << 20, 30],
    ["16 MB", 16 << 20, 6],
  ] as [string, number, number][],
  wraps: 5_000,
};

// --- Node -----------------------------------------------------------------------------------------
const node = await measureSdkCrypto("node", plan);
rows.push(...(node.rows as Row[]));
Object.assign(metrics, node.metrics);
// For comparison with earlier runs, which measured against node:crypto (OpenSSL, streaming).
{
  const data = new Uint8Array(randomBytes(1 << 20));
  let bestMs = Infinity;
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const c = createCipheriv("aes-256-gcm", randomBytes(32), randomBytes(12));
    createHash("sha256").update(c.update(data)).digest();
    c.final();
    bestMs = Math.min(bestMs, performance.now() - t);
  }
  metrics.node_1mb_raw_nodecrypto_gcm_sha256_encrypt_mbps = 1 / (bestMs / 1000);
  rows.push({ runtime: "node", metric: "reference: node:crypto GCM + sha256, 1 MB", "raw MB/s": metrics.node_1mb_raw_nodecrypto_gcm_sha256_encrypt_mbps });
}

// --- Chromium ---------------------------------------------------------------------------------------
if (hasChromium()) {
  const bundle = await bundleForBrowser(
    'import { measureSdkCrypto } from "./sdk-measure.ts"; globalThis.measureSdkCrypto = measureSdkCrypto;',
    new URL(".", import.meta.url).pathname,
  );
  const server = await servePage({ "/bundle.js": bundle });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "measureSdkCrypto" in globalThis);
    const chromium = (await page.evaluate((p) => (globalThis as unknown as { measureSdkCrypto: typeof measureSdkCrypto }).measureSdkCrypto("chromium", p), {
      ...plan,
      wraps: 2_000,
    })) as Measured;
    rows.push(...(chromium.rows as Row[]));
    Object.assign(metrics, chromium.metrics, { chromium_version_major: Number(browser.version().split(".")[0]) });
  } finally {
    await browser.close();
    await server.stop();
  }
} else {
  rows.push({ runtime: "chromium", metric: `skipped: no Chromium at ${CHROMIUM_PATH} (npm run setup installs it)` });
}

// --- upload + register --------------------------------------------------------------------------
const anvil = await startAnvil();
const arlocal = await startArlocal();
try {
  const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  const owner = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[1]), chain: foundry, transport: http(anvil.rpcUrl) });
  const addresses = await deployOneKey(
    createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[0]), chain: foundry, transport: http(anvil.rpcUrl) }),
    publicClient,
  );
  const wallet = await generateArweaveWallet();
  await arlocal.mint(await arweaveAddress(wallet));
  const storage = arweaveStorage({ url: arlocal.url, wallet, mine: true });
  const fields = { document: new Uint8Array(randomBytes(10 * 1024)) };
  const times: number[] = [];
  for (let i = 0; i < 23; i++) {
    const t = performance.now();
    await submitRecord(owner, { addresses, storage, fields });
    if (i >= 3) times.push(performance.now() - t); // the first runs warm the clients
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  rows.push({ runtime: "node", metric: `submitRecord 10 KB: encrypt + upload (arlocal) + register (anvil), ms, n=${times.length}`, p50: q(0.5), p95: q(0.95) });
  metrics.submit_10kb_p50_ms = q(0.5);
  metrics.submit_10kb_p95_ms = q(0.95);
} finally {
  await arlocal.stop();
  await anvil.stop();
}

printTable("SDK (best of N interleaved runs; ratio = SDK throughput / raw WebCrypto throughput on the same buffer, same runtime)", rows);
console.log(`wrote ${writeResults("sdk", metrics)}`);
