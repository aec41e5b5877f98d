// Envelope key release: keys wrapped to a recipient's X25519 public key.
//
// wrap = ephemeral public key (32) | AES-256-GCM(keys…) (32·n) | tag (16)
// with key ‖ IV = HKDF-SHA256(X25519(eph, recipient), salt = eph ‖ recipient, info, 44 bytes).
// A fresh ephemeral key per wrap makes the derived IV single-use, so no IV is carried: one
// 32-byte key wraps to exactly 80 bytes. The context (record id, version, grantee) is the
// associated data, so a wrap cannot be replayed into another grant.
import type { Hex } from "viem";
import { concat, utf8 } from "./bytes.ts";
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  ephemeralX25519,
  hkdfSync,
  importX25519PrivateKey,
  x25519,
  IV_BYTES,
  KEY_BYTES,
  TAG_BYTES,
  type X25519Private,
} from "./primitives.ts";
import { MalformedWrappedKeyError } from "./errors.ts";

const WRAP_INFO = utf8("onekey/wrap/v1");
const OVERHEAD = KEY_BYTES + TAG_BYTES;

/** Bytes a wrap of `n` keys takes. */
export const wrappedLength = (n: number): number => OVERHEAD + KEY_BYTES * n;

/** A recipient's raw 32-byte X25519 public key (as `encryptionKeyOf` returns it). */
export type PublicKeyInput = Uint8Array;
/** A raw private key, or a CryptoKey that never leaves WebCrypto (e.g. from the browser key store). */
export type PrivateKeyInput = X25519Private;

// The wrap's HKDF runs in this thread (hkdfSync): two WebCrypto round trips fewer per wrap.
function wrapKeyAndIv(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array) {
  const okm = hkdfSync(shared, concat(ephemeral, recipient), WRAP_INFO, KEY_BYTES + IV_BYTES);
  return { key: okm.subarray(0, KEY_BYTES), iv: okm.subarray(KEY_BYTES) };
}

/** Wraps 32-byte keys to a recipient's X25519 public key, bound to `context`. */
export async function wrapKeys(recipient: PublicKeyInput, keys: Uint8Array[], context: Uint8Array): Promise<Uint8Array> {
  if (keys.length === 0 || keys.some((k) => !(k instanceof Uint8Array) || k.length !== KEY_BYTES)) {
    throw new MalformedWrappedKeyError(`wrap takes one or more ${KEY_BYTES}-byte keys`);
  }
  // The ephemeral private key is generated non-extractable and never leaves WebCrypto.
  const eph = await ephemeralX25519();
  const [ephPublic, shared] = await Promise.all([eph.publicKey, x25519(eph.privateKey, recipient)]);
  const { key, iv } = wrapKeyAndIv(shared, ephPublic, recipient);
  const sealed = await aesGcmEncrypt(key, iv, keys.length === 1 ? keys[0] : concat(...keys), context);
  const out = new Uint8Array(KEY_BYTES + sealed.length);
  out.set(ephPublic);
  out.set(sealed, KEY_BYTES);
  return out;
}

function ephemeralOf(wrapped: Uint8Array): Uint8Array {
  if (!(wrapped instanceof Uint8Array) || wrapped.length < wrappedLength(1) || (wrapped.length - OVERHEAD) % KEY_BYTES !== 0) {
    throw new MalformedWrappedKeyError(`a wrap is ${OVERHEAD} + 32·n bytes; got ${wrapped?.length}`);
  }
  return wrapped.subarray(0, KEY_BYTES);
}

async function openWithShared(shared: Uint8Array, recipientPublic: Uint8Array, wrapped: Uint8Array, context: Uint8Array): Promise<Uint8Array[]> {
  const ephemeral = wrapped.subarray(0, KEY_BYTES);
  const { key, iv } = wrapKeyAndIv(shared, ephemeral, recipientPublic);
  const plain = await aesGcmDecrypt(key, iv, wrapped.subarray(KEY_BYTES), context, "wrapped key");
  const out: Uint8Array[] = [];
  for (let i = 0; i < plain.length; i += KEY_BYTES) out.push(plain.slice(i, i + KEY_BYTES));
  return out;
}

/** Unwraps with the recipient's private key; throws on any tampering or wrong key. */
export async function unwrapKeys(
  recipientPrivate: PrivateKeyInput,
  recipientPublic: Uint8Array,
  wrapped: Uint8Array,
  context: Uint8Array,
): Promise<Uint8Array[]> {
  const ephemeral = ephemeralOf(wrapped);
  return openWithShared(await x25519(recipientPrivate, ephemeral), recipientPublic, wrapped, context);
}

/**
 * The one private-key operation an unwrap needs, X25519 with the wrap's ephemeral key. A KMS or
 * HSM that never exports the key implements `agree`; only the shared secret leaves it.
 */
export interface KeyAgreement {
  publicKey: Uint8Array;
  agree(peerPublicKey: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/**
 * A KeyAgreement over a private key held in this process: raw bytes (imported once, as a
 * non-extractable CryptoKey) or a CryptoKey as a browser key store keeps it.
 */
export function localKeyAgreement(pair: { privateKey: PrivateKeyInput; publicKey: Uint8Array }): KeyAgreement {
  const privateKey = pair.privateKey instanceof Uint8Array ? importX25519PrivateKey(pair.privateKey) : Promise.resolve(pair.privateKey);
  privateKey.catch(() => {}); // surfaced by agree()
  return { publicKey: pair.publicKey, agree: async (peer) => x25519(await privateKey, peer) };
}

/** Unwraps through a KeyAgreement (local key, KMS or HSM). */
export async function unwrapKeysWith(agreement: KeyAgreement, wrapped: Uint8Array, context: Uint8Array): Promise<Uint8Array[]> {
  const shared = await agreement.agree(ephemeralOf(wrapped));
  return openWithShared(shared, agreement.publicKey, wrapped, context);
}

/** Associated data binding a grant's wrap to one record version and one grantee. */
export function grantContext(recordId: Hex, version: number, grantee: Hex, role: "grantee" | "escrow" = "grantee"): Uint8Array {
  return utf8(`onekey/grant/v1|${role}|${recordId.toLowerCase()}|${version}|${grantee.toLowerCase()}`);
}

/** Associated data for handing a project's review private key to one reviewer. */
export function reviewKeyContext(projectId: bigint, keyVersion: number, reviewer: Hex): Uint8Array {
  return utf8(`onekey/review-key/v1|${projectId}|${keyVersion}|${reviewer.toLowerCase()}`);
}

/**
 * A grant to a project carries two wraps of the same keys — to the review key and to the
 * audit-escrow key — concatenated; both have the same length, so the split is the midpoint.
 */
export function splitProjectWrap(wrappedKey: Uint8Array): { review: Uint8Array; escrow: Uint8Array } {
  const half = wrappedKey.length / 2;
  if (!Number.isInteger(half) || half < wrappedLength(1) || (half - OVERHEAD) % KEY_BYTES !== 0) {
    throw new MalformedWrappedKeyError(`a project grant's key is two equal wraps; got ${wrappedKey.length} bytes`);
  }
  return { review: wrappedKey.subarray(0, half), escrow: wrappedKey.subarray(half) };
}
