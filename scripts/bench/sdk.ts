// `npm run bench:sdk`: SDK encryption vs raw node:crypto AES-256-GCM on the same buffers, and key
// wraps per second. Prints a table; writes bench/results/sdk.json.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { keccak256, toHex } from "viem";
import { decryptRecord, encryptRecord, grantContext, generateX25519KeyPair, randomKey, wrapKeys } from "../../sdk/src/crypto/index.ts";
import { printTable, writeResults, type Row } from "./report.ts";

const recordId = keccak256(toHex("bench"));
const grantee = `0x${"00".repeat(12)}${"ab".repeat(20)}` as const;

function best(runs: number, fn: () => void): number {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    bestMs = Math.min(bestMs, performance.now() - t);
  }
  return bestMs;
}

function rawGcm(buf: Uint8Array): Buffer {
  const c = createCipheriv("aes-256-gcm", randomBytes(32), randomBytes(12));
  const out = c.update(buf);
  c.final();
  c.getAuthTag();
  return out;
}

/** The same work the SDK must do: GCM plus the sha256 content hash the chain stores. */
function rawGcmAndHash(buf: Uint8Array): void {
  createHash("sha256").update(rawGcm(buf)).digest();
}

const rows: Row[] = [];
// ratio = raw time / SDK time = SDK throughput as a fraction of raw GCM on the same buffer.
const metrics: Record<string, number> = {};
for (const [label, size, runs] of [["1 MB", 1 << 20, 20], ["64 MB", 64 << 20, 3]] as const) {
  const data = new Uint8Array(randomBytes(size));
  const raw = best(runs, () => rawGcm(data));
  const rawHashed = best(runs, () => rawGcmAndHash(data));
  let enc!: ReturnType<typeof encryptRecord>;
  const sdkEnc = best(runs, () => (enc = encryptRecord({ recordId, version: 1, fields: { document: data } })));
  const sdkDec = best(runs, () => decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek }, expectedContentHash: enc.contentHash }));
  const mbps = (ms: number) => size / (1 << 20) / (ms / 1000);
  const key = label.replace(" ", "").toLowerCase();
  rows.push(
    { metric: `encrypt ${label}`, "SDK MB/s": mbps(sdkEnc), "raw GCM MB/s": mbps(raw), ratio: raw / sdkEnc, "raw GCM+sha256 MB/s": mbps(rawHashed), "ratio vs GCM+sha256": rawHashed / sdkEnc, target: ">= 0.8" },
    { metric: `decrypt ${label} (hash-checked)`, "SDK MB/s": mbps(sdkDec), "raw GCM MB/s": mbps(raw), ratio: raw / sdkDec, "raw GCM+sha256 MB/s": mbps(rawHashed), "ratio vs GCM+sha256": rawHashed / sdkDec, target: ">= 0.8" },
  );
  metrics[`encrypt_${key}_mbps`] = mbps(sdkEnc);
  metrics[`decrypt_${key}_mbps`] = mbps(sdkDec);
  metrics[`raw_gcm_${key}_mbps`] = mbps(raw);
  metrics[`raw_gcm_sha256_${key}_mbps`] = mbps(rawHashed);
  metrics[`encrypt_${key}_ratio`] = raw / sdkEnc;
  metrics[`decrypt_${key}_ratio`] = raw / sdkDec;
}

const recipient = generateX25519KeyPair();
const dek = randomKey();
const ctx = grantContext(recordId, 1, grantee);
for (let i = 0; i < 500; i++) wrapKeys(recipient.publicKeyObject, [dek], ctx);
const n = 5_000;
const t = performance.now();
for (let i = 0; i < n; i++) wrapKeys(recipient.publicKeyObject, [dek], ctx);
const wrapsPerSecond = n / ((performance.now() - t) / 1000);
rows.push({ metric: "key wraps / s (one recipient)", "SDK MB/s": undefined, "raw GCM MB/s": undefined, ratio: undefined, target: ">= 5,000", result: Math.round(wrapsPerSecond) });
metrics.key_wraps_per_second = wrapsPerSecond;

printTable("SDK crypto (best of N runs; ratio = SDK throughput / raw node:crypto GCM)", rows);
console.log(`wrote ${writeResults("sdk", metrics)}`);
