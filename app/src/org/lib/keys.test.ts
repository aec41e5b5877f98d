// @vitest-environment node
import { describe, expect, it } from "vitest";
import { toHex } from "viem";
import { localKeyAgreement, unwrapKeysWith, wrapKeys } from "@onekey/sdk/crypto";
import { KeyBackupError } from "./errors.ts";
import { backupKey, createProjectKey, importProjectKey, memoryKeyStore, projectKeyAgreement, projectKeyId, restoreKey } from "./keys.ts";

const P = { kind: "review" as const, chainId: 31337, projectId: 7n, passphrase: "correct horse battery", iterations: 100_000 };

describe("project keys made in the browser", () => {
  it("creates a key, keeps it in the store, and its encrypted backup restores the same key elsewhere", async () => {
    const here = memoryKeyStore();
    const made = await createProjectKey(here, P);
    expect(made.id).toBe(projectKeyId("review", 31337, 7n, made.publicKey));
    // The backup holds no plaintext private key: only the store (and the passphrase) open it.
    const stored = (await here.get(made.id))!;
    const text = JSON.stringify(made.backup);
    expect(text).not.toContain(toHex(stored.privateKey).slice(2));

    const elsewhere = memoryKeyStore();
    const imported = await importProjectKey(elsewhere, text, P.passphrase, { chainId: 31337, projectId: 7n });
    expect(imported).toMatchObject({ id: made.id, kind: "review", publicKey: made.publicKey });
    expect((await elsewhere.get(made.id))!.privateKey).toEqual(stored.privateKey);

    // What matters: a wrap to the registered public key opens with the key found by the chain's public key.
    const agreement = (await projectKeyAgreement(elsewhere, { kind: "review", chainId: 31337, projectId: 7n, publicKey: made.publicKey }))!;
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const context = new TextEncoder().encode("ctx");
    const wrapped = await wrapKeys(stored.publicKey, [secret], context);
    const ka = "agree" in agreement ? agreement : localKeyAgreement(agreement);
    expect((await unwrapKeysWith(ka, wrapped, context))[0]).toEqual(secret);
  });

  it("refuses a wrong passphrase, an altered file, another project's backup and a short passphrase", async () => {
    const store = memoryKeyStore();
    const { backup } = await createProjectKey(store, P);
    await expect(restoreKey(JSON.stringify(backup), "wrong passphrase!!")).rejects.toThrow(KeyBackupError);
    // The header is authenticated: relabelling the project breaks the backup.
    await expect(restoreKey(JSON.stringify({ ...backup, projectId: "8" }), P.passphrase)).rejects.toThrow(/Wrong passphrase|altered/);
    await expect(importProjectKey(store, JSON.stringify(backup), P.passphrase, { chainId: 31337, projectId: 8n })).rejects.toThrow(/not project 8/);
    await expect(restoreKey("[]", P.passphrase)).rejects.toThrow(/not a OneKey key backup/);
    await expect(restoreKey(JSON.stringify({ ...backup, kdf: { ...backup.kdf, iterations: 1 } }), P.passphrase)).rejects.toThrow(/out of range/);
    const pair = { privateKey: new Uint8Array(32).fill(1), publicKey: new Uint8Array(32) };
    await expect(backupKey(pair, { ...P, passphrase: "short" })).rejects.toThrow(/at least 12/);
  });

  it("has no key for a project whose key is unset or held elsewhere", async () => {
    const store = memoryKeyStore();
    expect(await projectKeyAgreement(store, { kind: "escrow", chainId: 1, projectId: 1n, publicKey: `0x${"00".repeat(32)}` })).toBeUndefined();
    expect(await projectKeyAgreement(store, { kind: "escrow", chainId: 1, projectId: 1n, publicKey: `0x${"12".repeat(32)}` })).toBeUndefined();
  });
});
