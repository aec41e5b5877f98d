// Thin wrappers over node:crypto (OpenSSL): AES-256-GCM, HKDF-SHA256 and X25519. No cipher is
// written by hand; these exist so every caller uses one parameter set and one error type.
import {
  createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync,
  hkdfSync, randomBytes, type KeyObject,
} from "node:crypto";
import { DecryptionFailedError, InvalidKeyError } from "./errors.ts";

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export const randomKey = (): Uint8Array => new Uint8Array(randomBytes(KEY_BYTES));
export const randomIv = (): Uint8Array => new Uint8Array(randomBytes(IV_BYTES));

function checkKey(key: Uint8Array, what = "AES-256 key"): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new InvalidKeyError(`${what} must be ${KEY_BYTES} bytes, got ${key?.length ?? typeof key}`);
  }
}

/** AES-256-GCM; returns ciphertext ‖ 16-byte tag. */
export function aesGcmEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  checkKey(key);
  if (iv.length !== IV_BYTES) throw new InvalidKeyError(`GCM IV must be ${IV_BYTES} bytes`);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  if (aad) cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const out = new Uint8Array(head.length + tail.length + TAG_BYTES);
  out.set(head, 0);
  out.set(tail, head.length);
  out.set(cipher.getAuthTag(), head.length + tail.length);
  return out;
}

/** Inverse of aesGcmEncrypt; throws DecryptionFailedError on any authentication failure. */
export function aesGcmDecrypt(
  key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array | undefined, what: string,
): Uint8Array {
  checkKey(key);
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) throw new DecryptionFailedError(what);
  const body = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    if (aad) decipher.setAAD(aad);
    const head = decipher.update(body);
    const tail = decipher.final();
    if (tail.length === 0) return new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
    return new Uint8Array(Buffer.concat([head, tail]));
  } catch (cause) {
    throw new DecryptionFailedError(what, cause);
  }
}

/** HKDF-SHA256 (RFC 5869). */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, length));
}

// DER prefix for a raw 32-byte X25519 private key (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

export interface X25519KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export function x25519PrivateKeyObject(privateKey: Uint8Array): KeyObject {
  checkKey(privateKey, "X25519 private key");
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, privateKey]), format: "der", type: "pkcs8" });
}

// Imported public keys are cached: a grant flow wraps to the same few recipients over and over,
// and importing costs about as much as the AES-GCM of the wrap itself. Public keys only.
const publicKeyCache = new Map<string, KeyObject>();
const PUBLIC_KEY_CACHE_SIZE = 256;

export function x25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  checkKey(publicKey, "X25519 public key");
  const x = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString("base64url");
  let key = publicKeyCache.get(x);
  if (key) return key;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "X25519", x }, format: "jwk" });
  } catch (cause) {
    throw new InvalidKeyError(`not an X25519 public key (${(cause as Error).message})`);
  }
  if (publicKeyCache.size >= PUBLIC_KEY_CACHE_SIZE) publicKeyCache.delete(publicKeyCache.keys().next().value!);
  publicKeyCache.set(x, key);
  return key;
}

// JWK export is ~30x cheaper than DER export in Node 22 (the DER path re-encodes ASN.1), and a
// wrap exports one public key, so this is most of the difference between ~5k and ~10k wraps/s.
export function rawPublicKey(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(key.export({ format: "jwk" }).x!, "base64url"));
}

function rawPrivateKey(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(key.export({ format: "jwk" }).d!, "base64url"));
}

export function generateX25519KeyPair(): X25519KeyPair & { privateKeyObject: KeyObject; publicKeyObject: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  return { privateKey: rawPrivateKey(privateKey), publicKey: rawPublicKey(publicKey), privateKeyObject: privateKey, publicKeyObject: publicKey };
}

/** The public key of a raw X25519 private key. */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  return rawPublicKey(createPublicKey(x25519PrivateKeyObject(privateKey)));
}

/** X25519(privateKey, publicKey); rejects the all-zero shared secret (small-order public keys). */
export function x25519(privateKey: KeyObject | Uint8Array, publicKey: KeyObject | Uint8Array): Uint8Array {
  const priv = privateKey instanceof Uint8Array ? x25519PrivateKeyObject(privateKey) : privateKey;
  const pub = publicKey instanceof Uint8Array ? x25519PublicKeyObject(publicKey) : publicKey;
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: priv, publicKey: pub });
  } catch (cause) {
    throw new InvalidKeyError(`X25519 failed (${(cause as Error).message})`);
  }
  if (shared.every((b) => b === 0)) throw new InvalidKeyError("X25519 produced the all-zero secret (small-order key)");
  return new Uint8Array(shared);
}
