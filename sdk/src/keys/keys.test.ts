import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, statSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { deriveEncryptionKey, keyPairFromSignature, getOrCreateKey, CorruptKeyStoreError, InvalidKeyIdError, WrongPassphraseError } from "./index.ts";
import { DEFAULT_SCRYPT, openFileKeyStore } from "./file-store.ts";
import { generateX25519KeyPair, x25519PublicKey } from "../crypto/primitives.ts";
import { toHex } from "../crypto/bytes.ts";

// Signing is local (viem's private-key account); the transport is never called.
const wallet = (key: `0x${string}`) => createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport: http("http://127.0.0.1:1") });
const KEY_A = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const KEY_B = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

describe("keys derived from a wallet signature", () => {
  it("are recoverable: the same wallet derives the same key, another wallet another", async () => {
    const a1 = await deriveEncryptionKey(wallet(KEY_A));
    const a2 = await deriveEncryptionKey(wallet(KEY_A));
    const b = await deriveEncryptionKey(wallet(KEY_B));
    expect(a1.privateKey).toEqual(a2.privateKey);
    expect(a1.publicKey).toEqual(await x25519PublicKey(a1.privateKey));
    expect(b.publicKey).not.toEqual(a1.publicKey);
  });

  it("differ per key version (rotation) and per signature", async () => {
    const v1 = await deriveEncryptionKey(wallet(KEY_A));
    const v2 = await deriveEncryptionKey(wallet(KEY_A), { keyVersion: 2 });
    expect(v2.publicKey).not.toEqual(v1.publicKey);
    expect((await keyPairFromSignature(`0x${"11".repeat(65)}`)).publicKey).not.toEqual((await keyPairFromSignature(`0x${"12".repeat(65)}`)).publicKey);
  });
});

describe("file key store (Node): encrypted at rest", () => {
  const fast = { N: 2 ** 12, r: 8, p: 1 }; // the default (2^17) is exercised once below
  const open = (directory: string, passphrase = "correct horse", scrypt = fast) => openFileKeyStore({ directory, passphrase, scrypt });

  it("stores keys encrypted in 0600 files in a 0700 directory, reloads them, lists and deletes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-keys-"));
    try {
      const store = await open(join(dir, "keys"));
      const k = await getOrCreateKey(store, "reviewer:project-1");
      expect(await getOrCreateKey(store, "reviewer:project-1")).toEqual(k);
      const file = join(dir, "keys", "reviewer:project-1.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "keys", "keystore.json")).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, "keys")).mode & 0o777).toBe(0o700);
      // Neither the private key's hex nor its bytes are anywhere on disk.
      for (const name of readdirSync(join(dir, "keys"))) {
        const bytes = readFileSync(join(dir, "keys", name));
        expect(bytes.includes(Buffer.from(toHex(k.privateKey).slice(2)))).toBe(false);
        expect(bytes.includes(Buffer.from(k.privateKey))).toBe(false);
      }
      const reopened = await open(join(dir, "keys"));
      expect(await reopened.get("reviewer:project-1")).toEqual(k);
      expect(await reopened.list()).toEqual(["reviewer:project-1"]);
      await reopened.delete("reviewer:project-1");
      expect(await reopened.get("reviewer:project-1")).toBeUndefined();
      await expect(store.get("../escape")).rejects.toThrow(InvalidKeyIdError);
      await expect(store.put("a/b", k)).rejects.toThrow(InvalidKeyIdError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a wrong passphrase is WrongPassphraseError, before any key is read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-keys-"));
    try {
      const store = await open(dir, "right");
      await getOrCreateKey(store, "k1");
      await expect(open(dir, "wrong")).rejects.toThrow(WrongPassphraseError);
      await expect(open(dir, "")).rejects.toThrow(WrongPassphraseError);
      expect((await (await open(dir, "right")).get("k1"))?.publicKey).toHaveLength(32);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a key file moved to another id, or edited, does not open (named error)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-keys-"));
    try {
      const store = await open(dir);
      await getOrCreateKey(store, "a");
      const text = readFileSync(join(dir, "a.json"), "utf8");
      writeFileSync(join(dir, "b.json"), text.replace('"id":"a"', '"id":"b"'));
      await expect(store.get("b")).rejects.toThrow(CorruptKeyStoreError);
      const edited = JSON.parse(text);
      edited.ciphertext = `${edited.ciphertext.slice(0, -2)}${edited.ciphertext.endsWith("00") ? "01" : "00"}`;
      writeFileSync(join(dir, "a.json"), JSON.stringify(edited));
      await expect(store.get("a")).rejects.toThrow(CorruptKeyStoreError);
      writeFileSync(join(dir, "a.json"), "not json");
      await expect(store.get("a")).rejects.toThrow(CorruptKeyStoreError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("encrypts a plaintext key file left by an earlier SDK on open, with the default scrypt cost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-keys-"));
    try {
      const legacy = await generateX25519KeyPair();
      writeFileSync(join(dir, "old.json"), JSON.stringify({ privateKey: toHex(legacy.privateKey), publicKey: toHex(legacy.publicKey) }), { mode: 0o600 });
      const store = await openFileKeyStore({ directory: dir, passphrase: "p" });
      expect(JSON.parse(readFileSync(join(dir, "keystore.json"), "utf8")).kdf).toMatchObject(DEFAULT_SCRYPT);
      expect(readFileSync(join(dir, "old.json"), "utf8")).not.toContain(toHex(legacy.privateKey).slice(2));
      expect(await store.get("old")).toEqual(legacy);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("prepareRotation", async () => {
  const { prepareRotation } = await import("./rotation.ts");
  const { encryptRecord, decryptRecord, fieldMaskOf, grantContext, unwrapKeys, wrapKeys, generateX25519KeyPair, granteeKeyOf, DecryptionFailedError } =
    await import("../crypto/index.ts");
  const recordId = `0x${"ab".repeat(32)}` as const;
  const alice = await generateX25519KeyPair();
  // A real key release over the envelope wrap, with the recipient key given instead of read from a chain.
  const release = {
    mode: "envelope" as const,
    seal: async (p: { recordId: `0x${string}`; version: number; grantee: { account: `0x${string}` } | { projectId: bigint }; keys: Uint8Array[] }) =>
      await wrapKeys(alice.publicKey, p.keys, grantContext(p.recordId, p.version, granteeKeyOf(p.grantee))),
    open: async () => [],
  };

  it("re-encrypts under a new DEK and version, re-seals live grants only, and keeps masks on the same field names", async () => {
    const v1 = await encryptRecord({ recordId, version: 1, fields: { a: "1", b: "2", c: "3" } });
    const live = { account: "0x00000000000000000000000000000000000000a1" as const };
    const dead = { account: "0x00000000000000000000000000000000000000d1" as const };
    const plan = await prepareRotation({
      recordId,
      version: 1,
      dek: v1.dek,
      bundle: v1.bundle,
      keyRelease: release,
      updates: { d: "4", b: "2b" },
      grants: [
        { grantee: live, fieldMask: fieldMaskOf(v1.manifest, ["a", "c"]), live: true },
        { grantee: dead, fieldMask: 0b111n, live: false },
      ],
    });
    expect(plan.version).toBe(2);
    expect(plan.encrypted.manifest.fields.map((f) => f.name)).toEqual(["a", "b", "c", "d"]);
    expect(plan.dropped).toEqual([dead]);
    expect(plan.rewraps).toHaveLength(1);
    expect(plan.rewraps[0].fieldMask).toBe(fieldMaskOf(plan.encrypted.manifest, ["a", "c"]));
    const keys = await unwrapKeys(alice.privateKey, alice.publicKey, plan.rewraps[0].wrappedKey, grantContext(recordId, 2, granteeKeyOf(live)));
    const fieldKeys = new Map([
      ["a", keys[0]],
      ["c", keys[1]],
    ]);
    expect(await decryptRecord({ bundle: plan.encrypted.bundle, recordId, version: 2, keys: { fieldKeys } })).toEqual({ a: "1", c: "3" });
    expect(await decryptRecord({ bundle: plan.encrypted.bundle, recordId, version: 2, keys: { dek: plan.encrypted.dek } })).toEqual({
      a: "1",
      b: "2b",
      c: "3",
      d: "4",
    });
    // The old DEK opens nothing of the new version.
    await expect(decryptRecord({ bundle: plan.encrypted.bundle, recordId, version: 2, keys: { dek: v1.dek } })).rejects.toThrow(DecryptionFailedError);
  });
});

describe("KeyStore agreement (the KMS/HSM shape)", () => {
  it("unwraps through the store without the caller ever holding the private key", async () => {
    const { wrapKeys, unwrapKeysWith, grantContext, randomKey, DecryptionFailedError } = await import("../crypto/index.ts");
    const dir = mkdtempSync(join(tmpdir(), "onekey-keys-"));
    try {
      const store = await openFileKeyStore({ directory: dir, passphrase: "p", scrypt: { N: 2 ** 12, r: 8, p: 1 } });
      const { publicKey } = await getOrCreateKey(store, "escrow:project-1");
      const ctx = grantContext(`0x${"cd".repeat(32)}`, 1, `0x${"00".repeat(31)}01`, "escrow");
      const keys = [randomKey(), randomKey()];
      const wrapped = await wrapKeys(publicKey, keys, ctx);
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
