// `npm run bench:sdk`: SDK encryption vs raw node:crypto AES-256-GCM on the same buffers, key
// wraps per second, and submitRecord (encrypt → upload → register) latency for a 10 KB record on
// a real anvil + arlocal. Prints a table; writes bench/results/sdk.json.
//
// The SDK's encrypt also computes the bundle's sha256 (the on-chain content hash) — work raw GCM
// does not do — so each row shows both ratios: vs raw GCM (the target), and vs raw GCM + sha256
// (like for like). Decryption in the read flow runs on a bundle already hashed at download.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { createPublicClient, createWalletClient, http, keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import {
  decryptRecord, encryptRecord, grantContext, generateX25519KeyPair, randomKey, unwrapKeys, wrapKeys,
} from "@onekey/sdk/crypto";
import { submitRecord } from "@onekey/sdk/flows";
import { arweaveAddress, arweaveStorage, generateArweaveWallet } from "@onekey/sdk/storage";
import { startArlocal } from "@onekey/devstack/storage/arlocal";
import { startAnvil, ANVIL_KEYS } from "../lib/anvil.ts";
import { deployOneKey } from "../lib/artifacts.ts";
import { printTable, writeResults, type Row } from "./report.ts";

const recordId = keccak256(toHex("bench"));
const grantee = `0x${"00".repeat(12)}${"ab".repeat(20)}` as const;
const metrics: Record<string, number> = {};
const rows: Row[] = [];

/**
 * Best time of each function over `runs` rounds, the functions interleaved within each round so
 * that load from other processes on this shared machine hits all of them alike. Each timed call
 * follows an untimed one on the same buffers, so every contender starts with the same (warm)
 * cache rather than whatever the previous contender left.
 */
function best(runs: number, fns: (() => unknown)[]): number[] {
  const out = fns.map(() => Infinity);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      fn();
      const t = performance.now();
      fn();
      out[k] = Math.min(out[k], performance.now() - t);
    });
  }
  return out;
}

function rawGcm(buf: Uint8Array): Buffer {
  const c = createCipheriv("aes-256-gcm", randomBytes(32), randomBytes(12));
  const out = c.update(buf);
  c.final();
  c.getAuthTag();
  return out;
}
const rawGcmAndHash = (buf: Uint8Array) => void createHash("sha256").update(rawGcm(buf)).digest();

/** Raw decryption of one sealed buffer, the baseline for the SDK's decrypt rows. */
function rawGcmSealed(buf: Uint8Array) {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([c.update(buf), c.final()]);
  const tag = c.getAuthTag();
  return {
    ciphertext: ct,
    decrypt: () => {
      const d = createDecipheriv("aes-256-gcm", key, iv);
      d.setAuthTag(tag);
      const out = d.update(ct);
      d.final();
      return out;
    },
  };
}

// --- throughput ---------------------------------------------------------------------------------
for (const [label, size, runs] of [["1 MB", 1 << 20, 40], ["64 MB", 64 << 20, 6]] as const) {
  const data = new Uint8Array(randomBytes(size));
  const rawDecrypt = rawGcmSealed(data);
  let enc = encryptRecord({ recordId, version: 1, fields: { document: data } });
  const check = decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek } }).document as Uint8Array;
  if (Buffer.compare(Buffer.from(check), Buffer.from(data)) !== 0) throw new Error("round trip failed");
  const [raw, rawHashed, sdkEnc] = best(runs, [
    () => rawGcm(data),
    () => rawGcmAndHash(data),
    () => (enc = encryptRecord({ recordId, version: 1, fields: { document: data } })),
  ]);
  const [rawDec, rawHashDec, sdkDec, sdkVerDec] = best(runs, [
    () => rawDecrypt.decrypt(),
    () => (createHash("sha256").update(rawDecrypt.ciphertext).digest(), rawDecrypt.decrypt()),
    () => decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek } }),
    () => decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek }, expectedContentHash: enc.contentHash }),
  ]);
  const mbps = (ms: number) => size / (1 << 20) / (ms / 1000);
  const key = label.replace(" ", "").toLowerCase();
  const row = (metric: string, ms: number, base: number, baseHashed?: number) => ({
    metric, "SDK MB/s": mbps(ms), "raw GCM MB/s (same direction)": mbps(base), "ratio vs GCM": base / ms,
    "ratio vs GCM+sha256": baseHashed === undefined ? undefined : baseHashed / ms, target: ">= 0.8 vs GCM",
  });
  rows.push(
    row(`encrypt ${label} (incl. content hash)`, sdkEnc, raw, rawHashed),
    row(`decrypt ${label} (bundle verified at download)`, sdkDec, rawDec),
    row(`verify hash + decrypt ${label}`, sdkVerDec, rawDec, rawHashDec),
  );
  Object.assign(metrics, {
    [`raw_gcm_encrypt_${key}_mbps`]: mbps(raw), [`raw_gcm_sha256_encrypt_${key}_mbps`]: mbps(rawHashed),
    [`raw_gcm_decrypt_${key}_mbps`]: mbps(rawDec), [`raw_sha256_gcm_decrypt_${key}_mbps`]: mbps(rawHashDec),
    [`encrypt_${key}_mbps`]: mbps(sdkEnc), [`encrypt_${key}_ratio`]: raw / sdkEnc, [`encrypt_${key}_ratio_vs_gcm_sha256`]: rawHashed / sdkEnc,
    [`decrypt_${key}_mbps`]: mbps(sdkDec), [`decrypt_${key}_ratio`]: rawDec / sdkDec,
    [`verify_decrypt_${key}_mbps`]: mbps(sdkVerDec), [`verify_decrypt_${key}_ratio`]: rawDec / sdkVerDec, [`verify_decrypt_${key}_ratio_vs_sha256_gcm`]: rawHashDec / sdkVerDec,
  });
}

// --- key wraps ----------------------------------------------------------------------------------
function perSecond(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(500, n); i++) fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return n / ((performance.now() - t) / 1000);
}
const recipient = generateX25519KeyPair();
const dek = randomKey();
const ctx = grantContext(recordId, 1, grantee);
// Raw 32-byte public key, as read from the chain: what grantAccess passes.
const wraps = perSecond(5_000, () => wrapKeys(recipient.publicKey, [dek], ctx));
const wrapped = wrapKeys(recipient.publicKey, [dek], ctx);
const unwraps = perSecond(5_000, () => unwrapKeys(recipient.privateKeyObject, recipient.publicKey, wrapped, ctx));
rows.push(
  { metric: "key wraps / s (one recipient, one 32-byte key → 80 bytes)", target: ">= 5,000", result: Math.round(wraps) },
  { metric: "key unwraps / s", result: Math.round(unwraps) },
);
metrics.key_wraps_per_second = wraps;
metrics.key_unwraps_per_second = unwraps;

// --- upload + register --------------------------------------------------------------------------
const anvil = await startAnvil();
const arlocal = await startArlocal();
try {
  const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  const owner = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[1]), chain: foundry, transport: http(anvil.rpcUrl) });
  const addresses = await deployOneKey(createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[0]), chain: foundry, transport: http(anvil.rpcUrl) }), publicClient);
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
  rows.push({ metric: `submitRecord 10 KB: encrypt + upload (arlocal) + register (anvil), ms, n=${times.length}`, p50: q(0.5), p95: q(0.95) });
  metrics.submit_10kb_p50_ms = q(0.5);
  metrics.submit_10kb_p95_ms = q(0.95);
} finally {
  await arlocal.stop();
  await anvil.stop();
}

printTable("SDK (best of N runs; ratio = SDK throughput / raw node:crypto throughput on the same buffer)", rows);
console.log(`wrote ${writeResults("sdk", metrics)}`);
