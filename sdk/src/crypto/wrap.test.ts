import { describe, expect, it } from "vitest";
import { keccak256, toHex as viemHex } from "viem";
import { concat } from "./bytes.ts";
import { generateX25519KeyPair, importX25519PrivateKey, randomKey } from "./primitives.ts";
import { grantContext, reviewKeyContext, splitProjectWrap, unwrapKeys, wrapKeys, wrappedLength } from "./wrap.ts";
import { DecryptionFailedError, InvalidKeyError, MalformedWrappedKeyError } from "./errors.ts";

const recordId = keccak256(viemHex("r"));
const grantee = `0x${"00".repeat(12)}${"ab".repeat(20)}` as const;

describe("envelope wrap", async () => {
  const bob = await generateX25519KeyPair();
  const ctx = grantContext(recordId, 1, grantee);

  it("wraps one key to exactly 80 bytes and n keys to 48 + 32n", async () => {
    expect((await wrapKeys(bob.publicKey, [randomKey()], ctx)).length).toBe(80);
    expect((await wrapKeys(bob.publicKey, [randomKey(), randomKey(), randomKey()], ctx)).length).toBe(wrappedLength(3));
    expect(wrappedLength(3)).toBe(144);
  });

  it("round-trips with the recipient's private key (raw or a non-extractable CryptoKey)", async () => {
    const keys = [randomKey(), randomKey()];
    const wrapped = await wrapKeys(bob.publicKey, keys, ctx);
    expect(await unwrapKeys(bob.privateKey, bob.publicKey, wrapped, ctx)).toEqual(keys);
    expect(await unwrapKeys(await importX25519PrivateKey(bob.privateKey), bob.publicKey, wrapped, ctx)).toEqual(keys);
  });

  it("is randomised: two wraps of the same key differ", async () => {
    const k = randomKey();
    expect(await wrapKeys(bob.publicKey, [k], ctx)).not.toEqual(await wrapKeys(bob.publicKey, [k], ctx));
  });

  it("refuses the wrong recipient, another context, and any altered byte", async () => {
    const wrapped = await wrapKeys(bob.publicKey, [randomKey()], ctx);
    const eve = await generateX25519KeyPair();
    await expect(unwrapKeys(eve.privateKey, eve.publicKey, wrapped, ctx)).rejects.toThrow(DecryptionFailedError);
    await expect(unwrapKeys(bob.privateKey, bob.publicKey, wrapped, grantContext(recordId, 2, grantee))).rejects.toThrow(DecryptionFailedError);
    await expect(unwrapKeys(bob.privateKey, bob.publicKey, wrapped, grantContext(recordId, 1, grantee, "escrow"))).rejects.toThrow(DecryptionFailedError);
    for (const i of [0, 40, 79]) {
      const bad = wrapped.slice();
      bad[i] ^= 0x80;
      await expect(unwrapKeys(bob.privateKey, bob.publicKey, bad, ctx)).rejects.toThrow(/decrypt|Invalid key|X25519/);
    }
  });

  it("names malformed wraps and keys", async () => {
    await expect(unwrapKeys(bob.privateKey, bob.publicKey, new Uint8Array(79), ctx)).rejects.toThrow(MalformedWrappedKeyError);
    await expect(unwrapKeys(bob.privateKey, bob.publicKey, new Uint8Array(81), ctx)).rejects.toThrow(MalformedWrappedKeyError);
    await expect(wrapKeys(bob.publicKey, [], ctx)).rejects.toThrow(MalformedWrappedKeyError);
    await expect(wrapKeys(bob.publicKey, [new Uint8Array(31)], ctx)).rejects.toThrow(MalformedWrappedKeyError);
    await expect(wrapKeys(new Uint8Array(31), [randomKey()], ctx)).rejects.toThrow(InvalidKeyError);
  });

  it("a project grant is two equal wraps (review, escrow) split at the midpoint", async () => {
    const review = await generateX25519KeyPair();
    const escrow = await generateX25519KeyPair();
    const keys = [randomKey(), randomKey()];
    const blob = concat(
      ...[
        await wrapKeys(review.publicKey, keys, grantContext(recordId, 1, grantee)),
        await wrapKeys(escrow.publicKey, keys, grantContext(recordId, 1, grantee, "escrow")),
      ],
    );
    const parts = splitProjectWrap(blob);
    expect(await unwrapKeys(review.privateKey, review.publicKey, parts.review, grantContext(recordId, 1, grantee))).toEqual(keys);
    expect(await unwrapKeys(escrow.privateKey, escrow.publicKey, parts.escrow, grantContext(recordId, 1, grantee, "escrow"))).toEqual(keys);
    expect(() => splitProjectWrap(blob.subarray(1))).toThrow(MalformedWrappedKeyError);
  });

  it("review-key contexts differ per project, version and reviewer", () => {
    expect(reviewKeyContext(1n, 1, grantee)).not.toEqual(reviewKeyContext(2n, 1, grantee));
    expect(reviewKeyContext(1n, 1, grantee)).not.toEqual(reviewKeyContext(1n, 2, grantee));
  });
});
