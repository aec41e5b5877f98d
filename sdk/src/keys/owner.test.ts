import { createWalletClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { describe, expect, it } from "vitest";
import { decryptRecord, encryptRecord } from "../crypto/record.ts";
import { deriveOwnerKeys, ownerSecretFromSignature, recordDek } from "./owner.ts";
import { keyPairFromSignature } from "./index.ts";

// A wallet client that signs locally: signTypedData never reaches the (unused) transport.
const wallet = (key = generatePrivateKey()) => createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport: http("http://127.0.0.1:9") });
const recordId = `0x${"11".repeat(32)}` as const;

describe("owner keys from one wallet signature", () => {
  it("the same wallet derives the same encryption key and the same DEKs on another device", async () => {
    const key = generatePrivateKey();
    const [a, b] = [await deriveOwnerKeys(wallet(key)), await deriveOwnerKeys(wallet(key))];
    expect(a.keyPair.publicKey).toEqual(b.keyPair.publicKey);
    expect(await recordDek(a.ownerSecret, recordId, 1)).toEqual(await recordDek(b.ownerSecret, recordId, 1));
    // A record encrypted on one device opens with the DEK the other derives.
    const enc = await encryptRecord({ recordId, version: 1, fields: { full_name: "Ada" }, dek: await recordDek(a.ownerSecret, recordId, 1) });
    const opened = await decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: await recordDek(b.ownerSecret, recordId, 1) } });
    expect(opened.full_name).toBe("Ada");
  });

  it("DEKs differ per record, per version and per wallet", async () => {
    const a = await deriveOwnerKeys(wallet());
    const other = await deriveOwnerKeys(wallet());
    const d = await recordDek(a.ownerSecret, recordId, 1);
    expect(await recordDek(a.ownerSecret, recordId, 2)).not.toEqual(d);
    expect(await recordDek(a.ownerSecret, `0x${"22".repeat(32)}`, 1)).not.toEqual(d);
    expect(await recordDek(other.ownerSecret, recordId, 1)).not.toEqual(d);
    await expect(recordDek(a.ownerSecret, recordId, 0)).rejects.toThrow(RangeError);
  });

  it("the owner secret is independent of the encryption key and cannot be exported", async () => {
    const sig = `0x${"ab".repeat(65)}` as const;
    const secret = await ownerSecretFromSignature(sig);
    expect(secret.extractable).toBe(false);
    await expect(crypto.subtle.exportKey("raw", secret)).rejects.toThrow();
    const pair = await keyPairFromSignature(sig);
    expect(await recordDek(secret, recordId, 1)).not.toEqual(pair.privateKey);
  });
});
