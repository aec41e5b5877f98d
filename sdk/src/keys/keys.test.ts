import { describe, expect, it } from "vitest";
import { mkdtempSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { deriveEncryptionKey, keyPairFromSignature, FileKeyStore, getOrCreateKey, InvalidKeyIdError } from "./index.ts";
import { x25519PublicKey } from "../crypto/primitives.ts";

// Signing is local (viem's private-key account); the transport is never called.
const wallet = (key: `0x${string}`) =>
  createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport: http("http://127.0.0.1:1") });
const KEY_A = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const KEY_B = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

describe("keys derived from a wallet signature", () => {
  it("are recoverable: the same wallet derives the same key, another wallet another", async () => {
    const a1 = await deriveEncryptionKey(wallet(KEY_A));
    const a2 = await deriveEncryptionKey(wallet(KEY_A));
    const b = await deriveEncryptionKey(wallet(KEY_B));
    expect(a1.privateKey).toEqual(a2.privateKey);
    expect(a1.publicKey).toEqual(x25519PublicKey(a1.privateKey));
    expect(b.publicKey).not.toEqual(a1.publicKey);
  });

  it("differ per key version (rotation) and per signature", async () => {
    const v1 = await deriveEncryptionKey(wallet(KEY_A));
    const v2 = await deriveEncryptionKey(wallet(KEY_A), { keyVersion: 2 });
    expect(v2.publicKey).not.toEqual(v1.publicKey);
    expect(keyPairFromSignature(`0x${"11".repeat(65)}`).publicKey).not.toEqual(keyPairFromSignature(`0x${"12".repeat(65)}`).publicKey);
  });
});

describe("FileKeyStore", () => {
  it("stores keys in 0600 files, reloads them, lists and deletes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-keys-"));
    try {
      const store = new FileKeyStore(join(dir, "keys"));
      const k = await getOrCreateKey(store, "reviewer:project-1");
      expect(await getOrCreateKey(store, "reviewer:project-1")).toEqual(k);
      expect(statSync(join(dir, "keys", "reviewer:project-1.json")).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "keys")).mode & 0o777).toBe(0o700);
      const reopened = new FileKeyStore(join(dir, "keys"));
      expect(await reopened.get("reviewer:project-1")).toEqual(k);
      expect(await reopened.list()).toEqual(["reviewer:project-1"]);
      await reopened.delete("reviewer:project-1");
      expect(await reopened.get("reviewer:project-1")).toBeUndefined();
      await expect(store.get("../escape")).rejects.toThrow(InvalidKeyIdError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("prepareRotation", async () => {
  const { prepareRotation } = await import("./rotation.ts");
  const { encryptRecord, decryptRecord, fieldMaskOf, grantContext, unwrapKeys, wrapKeys, generateX25519KeyPair, granteeKeyOf, DecryptionFailedError } = await import("../crypto/index.ts");
  const recordId = `0x${"ab".repeat(32)}` as const;
  const alice = generateX25519KeyPair();
  // A real key release over the envelope wrap, with the recipient key given instead of read from a chain.
  const release = {
    mode: "envelope" as const,
    seal: async (p: { recordId: `0x${string}`; version: number; grantee: { account: `0x${string}` } | { projectId: bigint }; keys: Uint8Array[] }) =>
      wrapKeys(alice.publicKey, p.keys, grantContext(p.recordId, p.version, granteeKeyOf(p.grantee))),
    open: async () => [],
  };

  it("re-encrypts under a new DEK and version, re-seals live grants only, and keeps masks on the same field names", async () => {
    const v1 = encryptRecord({ recordId, version: 1, fields: { a: "1", b: "2", c: "3" } });
    const live = { account: "0x00000000000000000000000000000000000000a1" as const };
    const dead = { account: "0x00000000000000000000000000000000000000d1" as const };
    const plan = await prepareRotation({
      recordId, version: 1, dek: v1.dek, bundle: v1.bundle, keyRelease: release, updates: { d: "4", b: "2b" },
      grants: [{ grantee: live, fieldMask: fieldMaskOf(v1.manifest, ["a", "c"]), live: true }, { grantee: dead, fieldMask: 0b111n, live: false }],
    });
    expect(plan.version).toBe(2);
    expect(plan.encrypted.manifest.fields.map((f) => f.name)).toEqual(["a", "b", "c", "d"]);
    expect(plan.dropped).toEqual([dead]);
    expect(plan.rewraps).toHaveLength(1);
    expect(plan.rewraps[0].fieldMask).toBe(fieldMaskOf(plan.encrypted.manifest, ["a", "c"]));
    const keys = unwrapKeys(alice.privateKey, alice.publicKey, plan.rewraps[0].wrappedKey, grantContext(recordId, 2, granteeKeyOf(live)));
    const fieldKeys = new Map([["a", keys[0]], ["c", keys[1]]]);
    expect(decryptRecord({ bundle: plan.encrypted.bundle, recordId, version: 2, keys: { fieldKeys } })).toEqual({ a: "1", c: "3" });
    expect(decryptRecord({ bundle: plan.encrypted.bundle, recordId, version: 2, keys: { dek: plan.encrypted.dek } })).toEqual({ a: "1", b: "2b", c: "3", d: "4" });
    // The old DEK opens nothing of the new version.
    expect(() => decryptRecord({ bundle: plan.encrypted.bundle, recordId, version: 2, keys: { dek: v1.dek } })).toThrow(DecryptionFailedError);
  });
});

describe("KeyStore agreement (the KMS/HSM shape)", () => {
  it("unwraps through the store without the caller ever holding the private key", async () => {
    const { wrapKeys, unwrapKeysWith, grantContext, randomKey, DecryptionFailedError } = await import("../crypto/index.ts");
    const dir = mkdtempSync(join(tmpdir(), "onekey-keys-"));
    try {
      const store = new FileKeyStore(dir);
      const { publicKey } = await getOrCreateKey(store, "escrow:project-1");
      const ctx = grantContext(`0x${"cd".repeat(32)}`, 1, `0x${"00".repeat(31)}01`, "escrow");
      const keys = [randomKey(), randomKey()];
      const wrapped = wrapKeys(publicKey, keys, ctx);
      const agreement = (await store.agreement("escrow:project-1"))!;
      expect(agreement.publicKey).toEqual(publicKey);
      expect(await unwrapKeysWith(agreement, wrapped, ctx)).toEqual(keys);
      await expect(unwrapKeysWith(agreement, wrapped, ctx.subarray(1))).rejects.toThrow(DecryptionFailedError);
      expect(await store.agreement("missing")).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
