import { describe, expect, it } from "vitest";
import { keccak256, toHex as viemHex, type Hex } from "viem";
import { encryptRecord, decryptRecord, parseBundle, fieldMaskOf, fieldKeysFor, fieldsOfMask } from "./record.ts";
import { sha256Hex } from "./bytes.ts";
import {
  ContentHashMismatchError,
  DecryptionFailedError,
  FieldNotGrantedError,
  InvalidRecordInputError,
  MalformedBundleError,
  UnknownFieldError,
  UnknownSchemeError,
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
  it("round-trips every field with the DEK, strings as strings and bytes as bytes", async () => {
    const enc = await encryptRecord({ recordId, version: 1, fields });
    expect(enc.contentHash).toBe(await sha256Hex(enc.bundle));
    const out = await decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek }, expectedContentHash: enc.contentHash });
    expect(out).toEqual(fields);
  });

  it("never puts plaintext in the bundle, and pads lengths to 64-byte buckets", async () => {
    const enc = await encryptRecord({ recordId, version: 1, fields });
    expect(Buffer.from(enc.bundle).includes(Buffer.from(CANARY))).toBe(false);
    expect(Buffer.from(enc.bundle).includes(Buffer.from("Lovelace"))).toBe(false);
    for (const f of enc.manifest.fields) expect((f.length - 16) % 64).toBe(0);
    const shortAndLong = await encryptRecord({ recordId, version: 1, fields: { a: "x", b: "y".repeat(50) } });
    expect(shortAndLong.manifest.fields[0].length).toBe(shortAndLong.manifest.fields[1].length);
  });

  it("uses a fresh DEK and IVs each time", async () => {
    const a = await encryptRecord({ recordId, version: 1, fields });
    const b = await encryptRecord({ recordId, version: 1, fields });
    expect(a.dek).not.toEqual(b.dek);
    expect(a.contentHash).not.toBe(b.contentHash);
    expect(a.manifest.fields[0].iv).not.toBe(b.manifest.fields[0].iv);
  });

  it("selective disclosure: field keys of a mask open exactly those fields", async () => {
    const enc = await encryptRecord({ recordId, version: 1, fields });
    const mask = fieldMaskOf(enc.manifest, ["full_name", "document_number"]);
    expect(mask).toBe(0b101n);
    expect(fieldsOfMask(enc.manifest, mask).map((f) => f.name)).toEqual(["full_name", "document_number"]);
    const keys = await fieldKeysFor(enc.dek, enc.manifest, mask);
    const out = await decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { fieldKeys: keys } });
    expect(Object.keys(out)).toEqual(["full_name", "document_number"]);
    await expect(decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { fieldKeys: keys }, fields: ["date_of_birth"] })).rejects.toThrow(
      FieldNotGrantedError,
    );
    expect(() => fieldMaskOf(enc.manifest, ["nope"])).toThrow(UnknownFieldError);
  });

  it("binds record id and version: a bundle decrypts only as what it is", async () => {
    const enc = await encryptRecord({ recordId, version: 2, fields });
    await expect(decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek: enc.dek } })).rejects.toThrow(MalformedBundleError);
    const other = keccak256(viemHex("record-2"));
    await expect(decryptRecord({ bundle: enc.bundle, recordId: other, version: 2, keys: { dek: enc.dek } })).rejects.toThrow(MalformedBundleError);
  });

  describe("bad input: a named error, nothing decrypted", async () => {
    const enc = await encryptRecord({ recordId, version: 1, fields });
    const body = (b: Uint8Array) => ({ bundle: b, recordId, version: 1, keys: { dek: enc.dek } });

    it("content-hash mismatch is caught before parsing", async () => {
      const wrong: Hex = `0x${"00".repeat(32)}`;
      await expect(decryptRecord({ ...body(enc.bundle), expectedContentHash: wrong })).rejects.toThrow(ContentHashMismatchError);
    });

    it("a flipped ciphertext bit fails the GCM tag; the content hash catches it first", async () => {
      const tampered = enc.bundle.slice();
      tampered[tampered.length - 20] ^= 0x01;
      await expect(decryptRecord(body(tampered))).rejects.toThrow(DecryptionFailedError);
      await expect(decryptRecord({ ...body(tampered), expectedContentHash: enc.contentHash })).rejects.toThrow(ContentHashMismatchError);
    });

    it("a flipped tag bit or IV fails authentication, even with the right key", async () => {
      const { manifest } = parseBundle(enc.bundle);
      const last = manifest.fields.at(-1)!;
      const tagged = enc.bundle.slice();
      tagged[tagged.length - 1] ^= 0x80; // the last field's tag ends the bundle
      await expect(decryptRecord({ ...body(tagged), fields: [last.name] })).rejects.toThrow(DecryptionFailedError);
      const ivText = Buffer.from(last.iv.slice(2), "hex");
      ivText[0] ^= 1;
      const at = Buffer.from(enc.bundle).indexOf(Buffer.from(last.iv.slice(2)));
      const ivFlipped = enc.bundle.slice();
      ivFlipped.set(Buffer.from(ivText.toString("hex")), at);
      await expect(decryptRecord({ ...body(ivFlipped), fields: [last.name] })).rejects.toThrow(DecryptionFailedError);
    });

    it("an edited manifest (swapped IVs) fails authentication", async () => {
      const { manifest } = parseBundle(enc.bundle);
      const swapped = { ...manifest, fields: manifest.fields.map((f, i, all) => ({ ...f, iv: all[(i + 1) % all.length].iv })) };
      const bytes = new TextEncoder().encode(JSON.stringify(swapped));
      const oldLength = new DataView(enc.bundle.buffer, enc.bundle.byteOffset).getUint32(5);
      const header = enc.bundle.slice(0, 9);
      new DataView(header.buffer).setUint32(5, bytes.length);
      const rebuilt = new Uint8Array(Buffer.concat([header, bytes, enc.bundle.subarray(9 + oldLength)]));
      await expect(decryptRecord(body(rebuilt))).rejects.toThrow(DecryptionFailedError);
    });

    it("the wrong key fails authentication", async () => {
      await expect(decryptRecord({ ...body(enc.bundle), keys: { dek: new Uint8Array(32).fill(7) } })).rejects.toThrow(DecryptionFailedError);
    });

    it("unknown scheme, missing header, truncated bundle", async () => {
      const scheme9 = enc.bundle.slice();
      scheme9[4] = 9;
      await expect(decryptRecord(body(scheme9))).rejects.toThrow(UnknownSchemeError);
      await expect(decryptRecord(body(new Uint8Array([1, 2, 3])))).rejects.toThrow(MalformedBundleError);
      await expect(decryptRecord(body(enc.bundle.subarray(0, enc.bundle.length - 1)))).rejects.toThrow(MalformedBundleError);
    });

    it("errors never echo field values", async () => {
      try {
        await decryptRecord({ ...body(enc.bundle), keys: { dek: new Uint8Array(32) } });
        expect.unreachable();
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(CANARY);
      }
    });

    it("refuses bad records to encrypt", async () => {
      await expect(encryptRecord({ recordId, version: 1, fields: {} })).rejects.toThrow(InvalidRecordInputError);
      await expect(encryptRecord({ recordId, version: 0, fields })).rejects.toThrow(InvalidRecordInputError);
      await expect(encryptRecord({ recordId: "0x12", version: 1, fields })).rejects.toThrow(InvalidRecordInputError);
      await expect(encryptRecord({ recordId, version: 1, fields: { "bad name": "x" } })).rejects.toThrow(InvalidRecordInputError);
      const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`f${i}`, "x"]));
      await expect(encryptRecord({ recordId, version: 1, fields: many })).rejects.toThrow(InvalidRecordInputError);
    });
  });
});
