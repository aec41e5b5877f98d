import { describe, expect, it } from "vitest";
import { keccak256, toHex as viemHex } from "viem";
import { generateX25519KeyPair, randomKey } from "./primitives.ts";
import { grantContext, reviewKeyContext, splitProjectWrap, unwrapKeys, wrapKeys, wrappedLength } from "./wrap.ts";
import { DecryptionFailedError, InvalidKeyError, MalformedWrappedKeyError } from "./errors.ts";

const recordId = keccak256(viemHex("r"));
const grantee = `0x${"00".repeat(12)}${"ab".repeat(20)}` as const;

describe("envelope wrap", () => {
  const bob = generateX25519KeyPair();
  const ctx = grantContext(recordId, 1, grantee);

  it("wraps one key to exactly 80 bytes and n keys to 48 + 32n", () => {
    expect(wrapKeys(bob.publicKey, [randomKey()], ctx).length).toBe(80);
    expect(wrapKeys(bob.publicKey, [randomKey(), randomKey(), randomKey()], ctx).length).toBe(wrappedLength(3));
    expect(wrappedLength(3)).toBe(144);
  });

  it("round-trips with the recipient's private key (raw or KeyObject)", () => {
    const keys = [randomKey(), randomKey()];
    const wrapped = wrapKeys(bob.publicKey, keys, ctx);
    expect(unwrapKeys(bob.privateKey, bob.publicKey, wrapped, ctx)).toEqual(keys);
    expect(unwrapKeys(bob.privateKeyObject, bob.publicKey, wrapped, ctx)).toEqual(keys);
  });

  it("is randomised: two wraps of the same key differ", () => {
    const k = randomKey();
    expect(wrapKeys(bob.publicKey, [k], ctx)).not.toEqual(wrapKeys(bob.publicKey, [k], ctx));
  });

  it("refuses the wrong recipient, another context, and any altered byte", () => {
    const wrapped = wrapKeys(bob.publicKey, [randomKey()], ctx);
    const eve = generateX25519KeyPair();
    expect(() => unwrapKeys(eve.privateKey, eve.publicKey, wrapped, ctx)).toThrow(DecryptionFailedError);
    expect(() => unwrapKeys(bob.privateKey, bob.publicKey, wrapped, grantContext(recordId, 2, grantee))).toThrow(DecryptionFailedError);
    expect(() => unwrapKeys(bob.privateKey, bob.publicKey, wrapped, grantContext(recordId, 1, grantee, "escrow"))).toThrow(DecryptionFailedError);
    for (const i of [0, 40, 79]) {
      const bad = wrapped.slice();
      bad[i] ^= 0x80;
      expect(() => unwrapKeys(bob.privateKey, bob.publicKey, bad, ctx)).toThrow(/decrypt|Invalid key|X25519/);
    }
  });

  it("names malformed wraps and keys", () => {
    expect(() => unwrapKeys(bob.privateKey, bob.publicKey, new Uint8Array(79), ctx)).toThrow(MalformedWrappedKeyError);
    expect(() => unwrapKeys(bob.privateKey, bob.publicKey, new Uint8Array(81), ctx)).toThrow(MalformedWrappedKeyError);
    expect(() => wrapKeys(bob.publicKey, [], ctx)).toThrow(MalformedWrappedKeyError);
    expect(() => wrapKeys(bob.publicKey, [new Uint8Array(31)], ctx)).toThrow(MalformedWrappedKeyError);
    expect(() => wrapKeys(new Uint8Array(31), [randomKey()], ctx)).toThrow(InvalidKeyError);
  });

  it("a project grant is two equal wraps (review, escrow) split at the midpoint", () => {
    const review = generateX25519KeyPair();
    const escrow = generateX25519KeyPair();
    const keys = [randomKey(), randomKey()];
    const blob = new Uint8Array(Buffer.concat([
      wrapKeys(review.publicKey, keys, grantContext(recordId, 1, grantee)),
      wrapKeys(escrow.publicKey, keys, grantContext(recordId, 1, grantee, "escrow")),
    ]));
    const parts = splitProjectWrap(blob);
    expect(unwrapKeys(review.privateKey, review.publicKey, parts.review, grantContext(recordId, 1, grantee))).toEqual(keys);
    expect(unwrapKeys(escrow.privateKey, escrow.publicKey, parts.escrow, grantContext(recordId, 1, grantee, "escrow"))).toEqual(keys);
    expect(() => splitProjectWrap(blob.subarray(1))).toThrow(MalformedWrappedKeyError);
  });

  it("review-key contexts differ per project, version and reviewer", () => {
    expect(reviewKeyContext(1n, 1, grantee)).not.toEqual(reviewKeyContext(2n, 1, grantee));
    expect(reviewKeyContext(1n, 1, grantee)).not.toEqual(reviewKeyContext(1n, 2, grantee));
  });
});
