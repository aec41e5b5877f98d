// Published test vectors through our own wrappers, so a misused primitive shows.
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "./bytes.ts";
import { aesGcmDecrypt, aesGcmEncrypt, hkdf, hkdfSync, x25519, x25519PublicKey } from "./primitives.ts";
import { DecryptionFailedError, InvalidKeyError } from "./errors.ts";

const h = (s: string) => fromHex(s.replace(/\s+/g, ""));

describe("AES-256-GCM (McGrew & Viega, GCM spec test cases 13, 14, 16)", () => {
  const zeroKey = new Uint8Array(32);
  const zeroIv = new Uint8Array(12);

  it("TC13: empty plaintext", async () => {
    expect(toHex(await aesGcmEncrypt(zeroKey, zeroIv, new Uint8Array(0)))).toBe("0x530f8afbc74536b9a963b4f1c4cb738b");
  });

  it("TC14: one zero block", async () => {
    const sealed = await aesGcmEncrypt(zeroKey, zeroIv, new Uint8Array(16));
    expect(toHex(sealed)).toBe("0xcea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
    expect(await aesGcmDecrypt(zeroKey, zeroIv, sealed, undefined, "tc14")).toEqual(new Uint8Array(16));
  });

  it("TC16: 60-byte plaintext with associated data, and its tag rejects any change", async () => {
    const key = h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    const iv = h("cafebabefacedbaddecaf888");
    const pt = h(`d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
      1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39`);
    const aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    const sealed = await aesGcmEncrypt(key, iv, pt, aad);
    expect(toHex(sealed)).toBe(
      "0x522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" +
        "76fc6ece0f4e1768cddf8853bb2d551b",
    );
    expect(await aesGcmDecrypt(key, iv, sealed, aad, "tc16")).toEqual(pt);
    const flipped = sealed.slice();
    flipped[flipped.length - 1] ^= 1;
    await expect(aesGcmDecrypt(key, iv, flipped, aad, "tc16")).rejects.toThrow(DecryptionFailedError);
    await expect(aesGcmDecrypt(key, iv, sealed, aad.subarray(1), "tc16")).rejects.toThrow(DecryptionFailedError);
  });

  it("refuses keys that are not 32 bytes", async () => {
    await expect(aesGcmEncrypt(new Uint8Array(16), new Uint8Array(12), new Uint8Array(1))).rejects.toThrow(InvalidKeyError);
  });
});

describe("X25519 (RFC 7748)", () => {
  it("§5.2 scalar multiplication vector", async () => {
    const scalar = h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    const u = h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    expect(toHex(await x25519(scalar, u))).toBe("0xc3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
  });

  it("§6.1 Diffie-Hellman: public keys and the shared secret", async () => {
    const alice = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const bob = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const alicePub = await x25519PublicKey(alice);
    const bobPub = await x25519PublicKey(bob);
    expect(toHex(alicePub)).toBe("0x8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    expect(toHex(bobPub)).toBe("0xde9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const shared = "0x4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    expect(toHex(await x25519(alice, bobPub))).toBe(shared);
    expect(toHex(await x25519(bob, alicePub))).toBe(shared);
  });

  it("rejects a small-order public key (all-zero shared secret)", async () => {
    const alice = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    await expect(x25519(alice, new Uint8Array(32))).rejects.toThrow(InvalidKeyError);
  });
});

describe("HKDF-SHA256 (RFC 5869)", () => {
  it("test case 1", async () => {
    const okm = await hkdf(new Uint8Array(22).fill(0x0b), h("000102030405060708090a0b0c"), h("f0f1f2f3f4f5f6f7f8f9"), 42);
    expect(toHex(okm)).toBe("0x3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });
  it("test case 1 through hkdfSync (the key wrap's HKDF)", () => {
    const okm = hkdfSync(new Uint8Array(22).fill(0x0b), h("000102030405060708090a0b0c"), h("f0f1f2f3f4f5f6f7f8f9"), 42);
    expect(toHex(okm)).toBe("0x3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });
});
