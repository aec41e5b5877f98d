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
import { createCipheriv, createHash, type Hash } from "node:crypto";
import { fromHex, fromUtf8, sha256Hex, toHex, utf8 } from "./bytes.ts";
import { aesGcmDecrypt, hkdf, randomIv, randomKey, IV_BYTES, KEY_BYTES, TAG_BYTES } from "./primitives.ts";
import {
  ContentHashMismatchError, FieldNotGrantedError, InvalidKeyError, InvalidRecordInputError, MalformedBundleError,
  UnknownFieldError, UnknownSchemeError,
} from "./errors.ts";

export const SCHEME_ENVELOPE_V1 = 1;
const MAGIC = utf8("OKEY");
const HEADER_BYTES = MAGIC.length + 1 + 4;
const PAD_TO = 64;
const MAX_FIELDS = 64;
const FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export type FieldValue = string | Uint8Array;
export type KeyReleaseMode = "envelope" | "lit";

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
export function deriveFieldKey(dek: Uint8Array, recordId: Hex, version: number, name: string): Uint8Array {
  if (dek.length !== KEY_BYTES) throw new InvalidKeyError(`DEK must be ${KEY_BYTES} bytes`);
  return hkdf(dek, fromHex(recordId, 32), fieldInfo(recordId, version, name), KEY_BYTES);
}

const CHUNK = 1 << 20;

function framedSize(value: FieldValue): number {
  const length = typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.length;
  return Math.ceil((5 + length) / PAD_TO) * PAD_TO;
}

/**
 * Seals one field straight into the bundle: header, value (in 1 MiB chunks) and padding stream
 * through GCM, and each ciphertext chunk is hashed while it is still in cache. No copy of the
 * value is made.
 */
function sealFieldInto(
  out: Buffer, at: number, hash: Hash, key: Uint8Array, iv: Uint8Array, value: FieldValue, aad: Uint8Array,
): number {
  const isText = typeof value === "string";
  const body = isText ? Buffer.from(value, "utf8") : value;
  const header = Buffer.alloc(5);
  header[0] = isText ? 1 : 0;
  header.writeUInt32BE(body.length, 1);
  const padding = Buffer.alloc(framedSize(value) - 5 - body.length);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  let pos = at;
  const emit = (chunk: Buffer) => {
    chunk.copy(out, pos);
    hash.update(chunk);
    pos += chunk.length;
  };
  emit(cipher.update(header));
  for (let i = 0; i < body.length; i += CHUNK) emit(cipher.update(body.subarray(i, i + CHUNK)));
  emit(cipher.update(padding));
  emit(cipher.final());
  emit(cipher.getAuthTag());
  return pos - at;
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
export function encryptRecord(p: EncryptRecordParameters): EncryptedRecord {
  const names = validateInput(p);
  const dek = p.dek ?? randomKey();
  // Sizes and IVs are known up front, so the manifest is written first and the bundle is
  // allocated once.
  let offset = 0;
  const fields: ManifestField[] = names.map((name, index) => {
    const length = framedSize(p.fields[name]) + TAG_BYTES;
    const field = { name, index, iv: toHex(randomIv()), offset, length };
    offset += length;
    return field;
  });
  const manifest: Manifest = {
    scheme: SCHEME_ENVELOPE_V1,
    recordId: p.recordId.toLowerCase() as Hex,
    version: p.version,
    keyRelease: p.keyRelease ?? "envelope",
    ...(p.litNetwork ? { litNetwork: p.litNetwork } : {}),
    fields,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest), "utf8");
  const bundle = Buffer.allocUnsafe(HEADER_BYTES + manifestBytes.length + offset);
  bundle.set(MAGIC, 0);
  bundle[4] = SCHEME_ENVELOPE_V1;
  bundle.writeUInt32BE(manifestBytes.length, 5);
  manifestBytes.copy(bundle, HEADER_BYTES);
  const hash = createHash("sha256").update(bundle.subarray(0, HEADER_BYTES + manifestBytes.length));
  let at = HEADER_BYTES + manifestBytes.length;
  for (const f of fields) {
    const key = deriveFieldKey(dek, p.recordId, p.version, f.name);
    at += sealFieldInto(bundle, at, hash, key, fromHex(f.iv, IV_BYTES), p.fields[f.name], fieldInfo(p.recordId, p.version, f.name));
  }
  return {
    dek,
    bundle: new Uint8Array(bundle.buffer, bundle.byteOffset, bundle.byteLength),
    manifest,
    contentHash: toHex(new Uint8Array(hash.digest())),
    manifestHash: sha256Hex(manifestBytes),
  };
}

export interface ParsedBundle {
  manifest: Manifest;
  /** sha256 of the manifest bytes (computed on first read). */
  readonly manifestHash: Hex;
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
  let manifestHash: Hex | undefined;
  return {
    manifest,
    get manifestHash() {
      return (manifestHash ??= sha256Hex(manifestBytes));
    },
    body,
  };
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
export function fieldKeysFor(dek: Uint8Array, manifest: Manifest, mask: bigint): Map<string, Uint8Array> {
  return new Map(fieldsOfMask(manifest, mask).map((f) => [f.name, deriveFieldKey(dek, manifest.recordId, manifest.version, f.name)]));
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
export function decryptRecord(p: DecryptRecordParameters): Record<string, FieldValue> {
  if (p.expectedContentHash) {
    const actual = sha256Hex(p.bundle);
    if (actual !== p.expectedContentHash.toLowerCase()) throw new ContentHashMismatchError(p.expectedContentHash, actual);
  }
  const { manifest, body } = parseBundle(p.bundle);
  if (manifest.recordId !== p.recordId.toLowerCase() || manifest.version !== p.version) {
    throw new MalformedBundleError(`bundle is for ${manifest.recordId} v${manifest.version}, not ${p.recordId} v${p.version}`);
  }
  // Each field key is derived (or looked up) once.
  const keys = new Map<string, Uint8Array>();
  for (const f of manifest.fields) {
    const key = "dek" in p.keys ? (p.fields && !p.fields.includes(f.name) ? undefined : deriveFieldKey(p.keys.dek, manifest.recordId, manifest.version, f.name)) : p.keys.fieldKeys.get(f.name);
    if (key) keys.set(f.name, key);
  }
  const wanted = p.fields ?? manifest.fields.filter((f) => keys.has(f.name)).map((f) => f.name);
  const plan = wanted.map((name) => {
    const f = manifest.fields.find((x) => x.name === name);
    if (!f) throw new UnknownFieldError(name);
    const key = keys.get(name);
    if (!key) throw new FieldNotGrantedError(name);
    return { f, key };
  });
  const out: Record<string, FieldValue> = {};
  for (const { f, key } of plan) {
    const framed = aesGcmDecrypt(key, fromHex(f.iv, IV_BYTES), body.subarray(f.offset, f.offset + f.length), fieldInfo(manifest.recordId, manifest.version, f.name), `field ${f.name}`);
    out[f.name] = unframe(framed, f.name);
  }
  return out;
}
