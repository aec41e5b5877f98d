import { describe, expect, it } from "vitest";
import { keccak256, toHex as viemHex, type Hex } from "viem";
import { encryptRecord, decryptRecord, parseBundle, fieldMaskOf, fieldKeysFor, fieldsOfMask } from "./record.ts";
import { sha256Hex } from "./bytes.ts";
import {
  ContentHashMismatchError, DecryptionFailedError, FieldNotGrantedError, InvalidRecordInputError, MalformedBundleError,
  UnknownFieldError, UnknownSchemeError,
} from "./errors.ts";

const recordId = keccak256(viemHex("record-1"));
const CANARY = "canary-7f3a9c";
const fields = {
  full_name: `Ada Lovelace ${CANARY}`,
  date_of_birth: `1815-12-10 ${CANARY}`,
  document_number: `P1234567 ${CANARY}`,
  portrait: new Uint8Array([1, 2, 3, 4, 5]),
};

describe("encryptRecord / decryptRecord", () => {
  it("round-trips every field with the DEK, strings as strings and bytes as bytes", () => {
    const enc = encryptRecord({ recordId, version: 1, fields });
    expect(enc.contentHash).toBe(sha256Hex(enc.bundle));
    const out = decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek }, expectedContentHash: enc.contentHash });
    expect(out).toEqual(fields);
  });

  it("never puts plaintext in the bundle, and pads lengths to 64-byte buckets", () => {
    const enc = encryptRecord({ recordId, version: 1, fields });
    expect(Buffer.from(enc.bundle).includes(Buffer.from(CANARY))).toBe(false);
    expect(Buffer.from(enc.bundle).includes(Buffer.from("Lovelace"))).toBe(false);
    for (const f of enc.manifest.fields) expect((f.length - 16) % 64).toBe(0);
    const shortAndLong = encryptRecord({ recordId, version: 1, fields: { a: "x", b: "y".repeat(50) } });
    expect(shortAndLong.manifest.fields[0].length).toBe(shortAndLong.manifest.fields[1].length);
  });

  it("uses a fresh DEK and IVs each time", () => {
    const a = encryptRecord({ recordId, version: 1, fields });
    const b = encryptRecord({ recordId, version: 1, fields });
    expect(a.dek).not.toEqual(b.dek);
    expect(a.contentHash).not.toBe(b.contentHash);
    expect(a.manifest.fields[0].iv).not.toBe(b.manifest.fields[0].iv);
  });

  it("selective disclosure: field keys of a mask open exactly those fields", () => {
    const enc = encryptRecord({ recordId, version: 1, fields });
    const mask = fieldMaskOf(enc.manifest, ["full_name", "document_number"]);
    expect(mask).toBe(0b101n);
    expect(fieldsOfMask(enc.manifest, mask).map((f) => f.name)).toEqual(["full_name", "document_number"]);
    const keys = fieldKeysFor(enc.dek, enc.manifest, mask);
    const out = decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { fieldKeys: keys } });
    expect(Object.keys(out)).toEqual(["full_name", "document_number"]);
    expect(() => decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { fieldKeys: keys }, fields: ["date_of_birth"] })).toThrow(FieldNotGrantedError);
    expect(() => fieldMaskOf(enc.manifest, ["nope"])).toThrow(UnknownFieldError);
  });

  it("binds record id and version: a bundle decrypts only as what it is", () => {
    const enc = encryptRecord({ recordId, version: 2, fields });
    expect(() => decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek } })).toThrow(MalformedBundleError);
    const other = keccak256(viemHex("record-2"));
    expect(() => decryptRecord({ bundle: enc.bundle, recordId: other, version: 2, keys: { dek: enc.dek } })).toThrow(MalformedBundleError);
  });

  describe("bad input: a named error, nothing decrypted", () => {
    const enc = encryptRecord({ recordId, version: 1, fields });
    const body = (b: Uint8Array) => ({ bundle: b, recordId, version: 1, keys: { dek: enc.dek } });

    it("content-hash mismatch is caught before parsing", () => {
      const wrong: Hex = `0x${"00".repeat(32)}`;
      expect(() => decryptRecord({ ...body(enc.bundle), expectedContentHash: wrong })).toThrow(ContentHashMismatchError);
    });

    it("a flipped ciphertext bit fails the GCM tag; the content hash catches it first", () => {
      const tampered = enc.bundle.slice();
      tampered[tampered.length - 20] ^= 0x01;
      expect(() => decryptRecord(body(tampered))).toThrow(DecryptionFailedError);
      expect(() => decryptRecord({ ...body(tampered), expectedContentHash: enc.contentHash })).toThrow(ContentHashMismatchError);
    });

    it("a flipped tag bit or IV fails authentication, even with the right key", () => {
      const { manifest } = parseBundle(enc.bundle);
      const last = manifest.fields.at(-1)!;
      const tagged = enc.bundle.slice();
      tagged[tagged.length - 1] ^= 0x80; // the last field's tag ends the bundle
      expect(() => decryptRecord({ ...body(tagged), fields: [last.name] })).toThrow(DecryptionFailedError);
      const ivText = Buffer.from(last.iv.slice(2), "hex");
      ivText[0] ^= 1;
      const at = Buffer.from(enc.bundle).indexOf(Buffer.from(last.iv.slice(2)));
      const ivFlipped = enc.bundle.slice();
      ivFlipped.set(Buffer.from(ivText.toString("hex")), at);
      expect(() => decryptRecord({ ...body(ivFlipped), fields: [last.name] })).toThrow(DecryptionFailedError);
    });

    it("an edited manifest (swapped IVs) fails authentication", () => {
      const { manifest } = parseBundle(enc.bundle);
      const swapped = { ...manifest, fields: manifest.fields.map((f, i, all) => ({ ...f, iv: all[(i + 1) % all.length].iv })) };
      const bytes = new TextEncoder().encode(JSON.stringify(swapped));
      const oldLength = new DataView(enc.bundle.buffer, enc.bundle.byteOffset).getUint32(5);
      const header = enc.bundle.slice(0, 9);
      new DataView(header.buffer).setUint32(5, bytes.length);
      const rebuilt = new Uint8Array(Buffer.concat([header, bytes, enc.bundle.subarray(9 + oldLength)]));
      expect(() => decryptRecord(body(rebuilt))).toThrow(DecryptionFailedError);
    });

    it("the wrong key fails authentication", () => {
      expect(() => decryptRecord({ ...body(enc.bundle), keys: { dek: new Uint8Array(32).fill(7) } })).toThrow(DecryptionFailedError);
    });

    it("unknown scheme, missing header, truncated bundle", () => {
      const scheme9 = enc.bundle.slice();
      scheme9[4] = 9;
      expect(() => decryptRecord(body(scheme9))).toThrow(UnknownSchemeError);
      expect(() => decryptRecord(body(new Uint8Array([1, 2, 3])))).toThrow(MalformedBundleError);
      expect(() => decryptRecord(body(enc.bundle.subarray(0, enc.bundle.length - 1)))).toThrow(MalformedBundleError);
    });

    it("errors never echo field values", () => {
      try {
        decryptRecord({ ...body(enc.bundle), keys: { dek: new Uint8Array(32) } });
        expect.unreachable();
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(CANARY);
      }
    });

    it("refuses bad records to encrypt", () => {
      expect(() => encryptRecord({ recordId, version: 1, fields: {} })).toThrow(InvalidRecordInputError);
      expect(() => encryptRecord({ recordId, version: 0, fields })).toThrow(InvalidRecordInputError);
      expect(() => encryptRecord({ recordId: "0x12", version: 1, fields })).toThrow(InvalidRecordInputError);
      expect(() => encryptRecord({ recordId, version: 1, fields: { "bad name": "x" } })).toThrow(InvalidRecordInputError);
      const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, "x"]));
      expect(() => encryptRecord({ recordId, version: 1, fields: many })).toThrow(InvalidRecordInputError);
    });
  });
});
