// The record envelope: one random DEK per record version, one key per field derived from it by
// HKDF, each field sealed with AES-256-GCM under a fresh IV with (record id, version, field name)
// as associated data, and a manifest, all in one bundle whose sha256 is the on-chain content hash.
//
// Bundle (scheme 1):  "OKEY" | scheme u8 | manifest length u32be | manifest (JSON) | ciphertexts
// Field plaintext:    type u8 (0 bytes, 1 utf-8) | length u32be | value | zero padding to 64 bytes
// The padding hides exact value lengths (to 64-byte buckets); the manifest holds field names
// (schema, not personal data), IVs and offsets. GCM authenticates each field; the bundle's
// sha256 (checked against the chain before decrypting) binds the whole.
import type { Hex } from "viem";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { fromHex, fromUtf8, sha256Hex, toHex, utf8 } from "./bytes.ts";
import { aesGcmDecrypt, aesKey, hkdf, hkdfKey, hkdfSync, randomIv, randomKey, IV_BYTES, KEY_BYTES, TAG_BYTES } from "./primitives.ts";
import { bs, subtle } from "./webcrypto.ts";
import {
  ContentHashMismatchError,
  FieldNotGrantedError,
  InvalidKeyError,
  InvalidRecordInputError,
  MalformedBundleError,
  UnknownFieldError,
  UnknownSchemeError,
} from "./errors.ts";

export const SCHEME_ENVELOPE_V1 = 1;
const MAGIC = utf8("OKEY");
const HEADER_BYTES = MAGIC.length + 1 + 4;
const PAD_TO = 64;
const MAX_FIELDS = 64;
const FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export type FieldValue = string | Uint8Array;
/** A key-release mode by name: the generated constant's keys (contracts/libraries/Common.sol). */
export type { KeyReleaseMode } from "../constants.ts";
import type { KeyReleaseMode } from "../constants.ts";

export interface ManifestField {
  name: string;
  /** Bit `index` of a grant's field mask discloses this field. */
  index: number;
  iv: Hex;
  /** Byte offset of the field's ciphertext ‖ tag after the manifest. */
  offset: number;
  length: number;
}

export interface Manifest {
  scheme: number;
  recordId: Hex;
  version: number;
  keyRelease: KeyReleaseMode;
  /** Lit network a `lit` record's DEK is bound to (e.g. "datil"). */
  litNetwork?: string;
  fields: ManifestField[];
}

export interface EncryptRecordParameters {
  recordId: Hex;
  version: number;
  fields: Record<string, FieldValue>;
  /** Defaults to a fresh random key: pass one only to re-encrypt deterministically in tests. */
  dek?: Uint8Array;
  keyRelease?: KeyReleaseMode;
  litNetwork?: string;
}

export interface EncryptedRecord {
  dek: Uint8Array;
  bundle: Uint8Array;
  manifest: Manifest;
  /** sha256(bundle): what `registerRecord` stores. */
  contentHash: Hex;
  /** sha256(manifest bytes). */
  manifestHash: Hex;
}

function fieldInfo(recordId: Hex, version: number, name: string): Uint8Array {
  return utf8(`onekey/field/v1|${recordId.toLowerCase()}|${version}|${name}`);
}

/** The per-field key: HKDF-SHA256(DEK, salt = record id, info = version and field name). */
export async function deriveFieldKey(dek: Uint8Array | CryptoKey, recordId: Hex, version: number, name: string): Promise<Uint8Array> {
  return hkdf(await dekKey(dek), fromHex(recordId, 32), fieldInfo(recordId, version, name), KEY_BYTES);
}

async function dekKey(dek: Uint8Array | CryptoKey): Promise<CryptoKey> {
  if (dek instanceof Uint8Array) {
    if (dek.length !== KEY_BYTES) throw new InvalidKeyError(`DEK must be ${KEY_BYTES} bytes`);
    return hkdfKey(dek);
  }
  return dek;
}

/**
 * The same field key as deriveFieldKey, straight into a non-extractable AES-GCM CryptoKey. A raw
 * DEK (the caller holds its bytes anyway) is expanded in this thread, as the key wrap does: one
 * WebCrypto round trip (the import) instead of three; a CryptoKey DEK stays inside WebCrypto.
 */
async function fieldAesKey(dek: Uint8Array | CryptoKey, recordId: Hex, version: number, name: string, usage: KeyUsage): Promise<CryptoKey> {
  if (dek instanceof Uint8Array) {
    if (dek.length !== KEY_BYTES) throw new InvalidKeyError(`DEK must be ${KEY_BYTES} bytes`);
    return aesKey(hkdfSync(dek, fromHex(recordId, 32), fieldInfo(recordId, version, name), KEY_BYTES), usage);
  }
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: bs(fromHex(recordId, 32)), info: bs(fieldInfo(recordId, version, name)) },
    dek,
    { name: "AES-GCM", length: KEY_BYTES * 8 },
    false,
    [usage],
  );
}

const framedSize = (length: number): number => Math.ceil((5 + length) / PAD_TO) * PAD_TO;

/** type u8 | length u32be | value | zero padding, written into `slot` (framedSize bytes, zeroed). */
function frameInto(slot: Uint8Array, body: Uint8Array, isText: boolean): void {
  slot[0] = isText ? 1 : 0;
  new DataView(slot.buffer, slot.byteOffset).setUint32(1, body.length);
  slot.set(body, 5);
}

function unframe(framed: Uint8Array, name: string): FieldValue {
  if (framed.length < 5) throw new MalformedBundleError(`field ${name}: short plaintext`);
  const length = new DataView(framed.buffer, framed.byteOffset).getUint32(1);
  if (5 + length > framed.length || framed[0] > 1) throw new MalformedBundleError(`field ${name}: bad framing`);
  const body = framed.subarray(5, 5 + length);
  return framed[0] === 1 ? fromUtf8(body) : body;
}

function validateInput(p: EncryptRecordParameters): string[] {
  if (!/^0x[0-9a-fA-F]{64}$/.test(p.recordId)) throw new InvalidRecordInputError("recordId must be 32 bytes hex");
  if (!Number.isInteger(p.version) || p.version < 1 || p.version > 0xffffffff) {
    throw new InvalidRecordInputError("version must be an integer from 1 to 2^32-1");
  }
  const names = Object.keys(p.fields);
  if (names.length === 0) throw new InvalidRecordInputError("a record needs at least one field");
  if (names.length > MAX_FIELDS) throw new InvalidRecordInputError(`at most ${MAX_FIELDS} fields (a grant's mask is 64 bits)`);
  for (const name of names) {
    // Names only, never values, appear in errors.
    if (!FIELD_NAME.test(name)) throw new InvalidRecordInputError(`field name "${name.slice(0, 64)}" must match ${FIELD_NAME}`);
    const v = p.fields[name];
    if (typeof v !== "string" && !(v instanceof Uint8Array)) {
      throw new InvalidRecordInputError(`field "${name}" must be a string or Uint8Array`);
    }
  }
  return names;
}

/** Encrypts every field of a record version into one bundle. */
export async function encryptRecord(p: EncryptRecordParameters): Promise<EncryptedRecord> {
  const names = validateInput(p);
  const dek = p.dek ?? randomKey();
  if (!(dek instanceof Uint8Array) || dek.length !== KEY_BYTES) throw new InvalidKeyError(`DEK must be ${KEY_BYTES} bytes`);
  const bodies = names.map((name) => {
    const v = p.fields[name];
    return typeof v === "string" ? { body: utf8(v), isText: true } : { body: v, isText: false };
  });
  // Sizes and IVs are known up front, so the manifest is written first and the bundle is
  // allocated once.
  let offset = 0;
  const fields: ManifestField[] = names.map((name, index) => {
    const length = framedSize(bodies[index].body.length) + TAG_BYTES;
    const field = { name, index, iv: toHex(randomIv()), offset, length };
    offset += length;
    return field;
  });
  // WebCrypto calls run off the main thread (Node's thread pool, the browser's crypto thread):
  // each field key is imported while this thread frames the values.
  const keys = fields.map((f) => fieldAesKey(dek, p.recordId, p.version, f.name, "encrypt"));
  for (const k of keys) k.catch(() => {}); // awaited below; a failure surfaces there
  const manifest: Manifest = {
    scheme: SCHEME_ENVELOPE_V1,
    recordId: p.recordId.toLowerCase() as Hex,
    version: p.version,
    keyRelease: p.keyRelease ?? "envelope",
    ...(p.litNetwork ? { litNetwork: p.litNetwork } : {}),
    fields,
  };
  const manifestBytes = utf8(JSON.stringify(manifest));
  // A few hundred bytes: hashed in this thread (@noble/hashes), not a WebCrypto round trip.
  const manifestHash = toHex(nobleSha256(manifestBytes));
  const start = HEADER_BYTES + manifestBytes.length;
  const bundle = new Uint8Array(start + offset);
  bundle.set(MAGIC, 0);
  bundle[4] = SCHEME_ENVELOPE_V1;
  new DataView(bundle.buffer).setUint32(5, manifestBytes.length);
  bundle.set(manifestBytes, HEADER_BYTES);
  // Each field is framed in its own slot of the bundle (the slot is the framed size plus the
  // tag), sealed from there, and its ciphertext written over the plaintext: no second buffer
  // of the document's size, which for a large file costs as much as the cipher itself. A
  // failure zeroes the bundle, so no plaintext outlives the call.
  try {
    await Promise.all(
      fields.map(async (f, i) => {
        const slot = bundle.subarray(start + f.offset, start + f.offset + f.length - TAG_BYTES);
        frameInto(slot, bodies[i].body, bodies[i].isText);
        const params = {
          name: "AES-GCM",
          iv: bs(fromHex(f.iv, IV_BYTES)),
          additionalData: bs(fieldInfo(p.recordId, p.version, f.name)),
          tagLength: TAG_BYTES * 8,
        };
        bundle.set(new Uint8Array(await subtle().encrypt(params, await keys[i], bs(slot))), start + f.offset);
      }),
    );
  } catch (e) {
    bundle.fill(0);
    throw e;
  }
  return { dek, bundle, manifest, contentHash: await sha256Hex(bundle), manifestHash };
}

export interface ParsedBundle {
  manifest: Manifest;
  /** The manifest as stored; its sha256 is the on-chain manifest hash. */
  manifestBytes: Uint8Array;
  body: Uint8Array;
}

/** Parses a bundle's header and manifest and checks every field lies inside it. */
export function parseBundle(bundle: Uint8Array): ParsedBundle {
  if (bundle.length < HEADER_BYTES || !MAGIC.every((b, i) => bundle[i] === b)) {
    throw new MalformedBundleError("missing OKEY header");
  }
  if (bundle[4] !== SCHEME_ENVELOPE_V1) throw new UnknownSchemeError(bundle[4]);
  const manifestLength = new DataView(bundle.buffer, bundle.byteOffset).getUint32(5);
  if (HEADER_BYTES + manifestLength > bundle.length) throw new MalformedBundleError("manifest overruns the bundle");
  const manifestBytes = bundle.subarray(HEADER_BYTES, HEADER_BYTES + manifestLength);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fromUtf8(manifestBytes));
  } catch {
    throw new MalformedBundleError("manifest is not JSON");
  }
  if (manifest.scheme !== SCHEME_ENVELOPE_V1 || !Array.isArray(manifest.fields)) throw new MalformedBundleError("bad manifest");
  const body = bundle.subarray(HEADER_BYTES + manifestLength);
  for (const f of manifest.fields) {
    if (!Number.isInteger(f.offset) || !Number.isInteger(f.length) || f.offset < 0 || f.length < TAG_BYTES || f.offset + f.length > body.length) {
      throw new MalformedBundleError(`field ${f.name} overruns the bundle`);
    }
  }
  return { manifest, manifestBytes, body };
}

/** Field mask with the bits of the named fields set. */
export function fieldMaskOf(manifest: Manifest, names: string[]): bigint {
  let mask = 0n;
  for (const name of names) {
    const f = manifest.fields.find((x) => x.name === name);
    if (!f) throw new UnknownFieldError(name);
    mask |= 1n << BigInt(f.index);
  }
  return mask;
}

/** Fields a mask discloses, in manifest order. */
export function fieldsOfMask(manifest: Manifest, mask: bigint): ManifestField[] {
  return manifest.fields.filter((f) => (mask >> BigInt(f.index)) & 1n);
}

/** The field keys a grant with `mask` carries, in manifest order. */
export async function fieldKeysFor(dek: Uint8Array, manifest: Manifest, mask: bigint): Promise<Map<string, Uint8Array>> {
  const base = await dekKey(dek);
  const fields = fieldsOfMask(manifest, mask);
  const keys = await Promise.all(fields.map((f) => deriveFieldKey(base, manifest.recordId, manifest.version, f.name)));
  return new Map(fields.map((f, i) => [f.name, keys[i]]));
}

export interface DecryptRecordParameters {
  bundle: Uint8Array;
  /** The record id and version the caller expects (from the chain); a bundle for another is refused. */
  recordId: Hex;
  version: number;
  /** The whole DEK (owner), or the field keys a grant released. */
  keys: { dek: Uint8Array } | { fieldKeys: Map<string, Uint8Array> };
  /** Fields to decrypt; default: every field the keys cover. */
  fields?: string[];
  /** The on-chain content hash; when given, checked before anything is decrypted. */
  expectedContentHash?: Hex;
}

/** Decrypts the requested fields; nothing is decrypted unless every check passes first. */
export async function decryptRecord(p: DecryptRecordParameters): Promise<Record<string, FieldValue>> {
  if (p.expectedContentHash) {
    const actual = await sha256Hex(p.bundle);
    if (actual !== p.expectedContentHash.toLowerCase()) throw new ContentHashMismatchError(p.expectedContentHash, actual);
  }
  const { manifest, body } = parseBundle(p.bundle);
  if (manifest.recordId !== p.recordId.toLowerCase() || manifest.version !== p.version) {
    throw new MalformedBundleError(`bundle is for ${manifest.recordId} v${manifest.version}, not ${p.recordId} v${p.version}`);
  }
  const keys = p.keys;
  const covered = (name: string) => ("dek" in keys ? true : keys.fieldKeys.has(name));
  const wanted = p.fields ?? manifest.fields.filter((f) => covered(f.name)).map((f) => f.name);
  // Every requested field is checked before any is decrypted.
  const plan = wanted.map((name) => {
    const f = manifest.fields.find((x) => x.name === name);
    if (!f) throw new UnknownFieldError(name);
    if (!covered(name)) throw new FieldNotGrantedError(name);
    return f;
  });
  const base = "dek" in keys ? keys.dek : undefined;
  const given = "fieldKeys" in keys ? keys.fieldKeys : undefined;
  const values = await Promise.all(
    plan.map(async (f) => {
      const key = base ? await fieldAesKey(base, manifest.recordId, manifest.version, f.name, "decrypt") : await aesKey(given!.get(f.name)!, "decrypt");
      const framed = await aesGcmDecrypt(
        key,
        fromHex(f.iv, IV_BYTES),
        body.subarray(f.offset, f.offset + f.length),
        fieldInfo(manifest.recordId, manifest.version, f.name),
        `field ${f.name}`,
      );
      return unframe(framed, f.name);
    }),
  );
  const out: Record<string, FieldValue> = {};
  for (const [i, f] of plan.entries()) out[f.name] = values[i];
  return out;
}
