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
