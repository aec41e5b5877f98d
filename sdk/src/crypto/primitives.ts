// AES-256-GCM, HKDF-SHA256 and X25519 through WebCrypto, the same code in browsers and Node.
// X25519 falls back to @noble/curves only where the runtime's WebCrypto lacks it (older Safari
// and Firefox). No cipher is written by hand; these wrappers exist so every caller uses one
// parameter set and one error type.
import { x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bs, randomBytes, subtle } from "./webcrypto.ts";
import { DecryptionFailedError, InvalidKeyError } from "./errors.ts";

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export const randomKey = (): Uint8Array => randomBytes(KEY_BYTES);
export const randomIv = (): Uint8Array => randomBytes(IV_BYTES);

function checkKey(key: Uint8Array, what = "AES-256 key"): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new InvalidKeyError(`${what} must be ${KEY_BYTES} bytes, got ${key?.length ?? typeof key}`);
  }
}

const isCryptoKey = (k: unknown): k is CryptoKey => typeof CryptoKey !== "undefined" && k instanceof CryptoKey;

/** An AES-256-GCM key for WebCrypto, from raw bytes (imported non-extractable) or as given. */
export async function aesKey(key: Uint8Array | CryptoKey, usage: KeyUsage): Promise<CryptoKey> {
  if (isCryptoKey(key)) return key;
  checkKey(key);
  return subtle().importKey("raw", bs(key), "AES-GCM", false, [usage]);
}

/** AES-256-GCM; returns ciphertext ‖ 16-byte tag. */
export async function aesGcmEncrypt(key: Uint8Array | CryptoKey, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
  const k = await aesKey(key, "encrypt");
  if (iv.length !== IV_BYTES) throw new InvalidKeyError(`GCM IV must be ${IV_BYTES} bytes`);
  const params: AesGcmParams = { name: "AES-GCM", iv: bs(iv), tagLength: TAG_BYTES * 8 };
  if (aad) params.additionalData = bs(aad);
  return new Uint8Array(await subtle().encrypt(params, k, bs(plaintext)));
}

/** Inverse of aesGcmEncrypt; throws DecryptionFailedError on any authentication failure. */
export async function aesGcmDecrypt(
  key: Uint8Array | CryptoKey,
  iv: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array | undefined,
  what: string,
): Promise<Uint8Array> {
  const k = await aesKey(key, "decrypt");
  if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) throw new DecryptionFailedError(what);
  const params: AesGcmParams = { name: "AES-GCM", iv: bs(iv), tagLength: TAG_BYTES * 8 };
  if (aad) params.additionalData = bs(aad);
  try {
    return new Uint8Array(await subtle().decrypt(params, k, bs(sealed)));
  } catch (cause) {
    throw new DecryptionFailedError(what, cause);
  }
}

/** An HKDF base key for WebCrypto; import it once when deriving several keys from one secret. */
export const hkdfKey = (ikm: Uint8Array): Promise<CryptoKey> => subtle().importKey("raw", bs(ikm), "HKDF", false, ["deriveBits", "deriveKey"]);

/**
 * HKDF-SHA256 (RFC 5869) over raw bytes, computed in this thread by @noble/hashes. For the short
 * outputs of a key wrap this is a few HMAC blocks, far cheaper than the two WebCrypto round trips
 * (importKey + deriveBits, each a thread-pool job in Node) it replaces; the bytes are the same.
 */
export function hkdfSync(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return nobleHkdf(sha256, ikm, salt, info, length);
}

/** HKDF-SHA256 (RFC 5869) through WebCrypto (a CryptoKey base stays inside it). */
export async function hkdf(ikm: Uint8Array | CryptoKey, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const base = isCryptoKey(ikm) ? ikm : await hkdfKey(ikm);
  return new Uint8Array(await subtle().deriveBits({ name: "HKDF", hash: "SHA-256", salt: bs(salt), info: bs(info) }, base, length * 8));
}

// --- X25519 -------------------------------------------------------------------------------------

export interface X25519KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

// DER prefix for a raw 32-byte X25519 private key (RFC 8410): how WebCrypto imports raw scalars.
const PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

let webX25519: Promise<boolean> | undefined;
/** Whether this runtime's WebCrypto does X25519 (Chromium, Node, Safari 17+, Firefox 130+). */
export function hasWebCryptoX25519(): Promise<boolean> {
  return (webX25519 ??= subtle()
    .generateKey({ name: "X25519" }, false, ["deriveBits"])
    .then(
      () => true,
      () => false,
    ));
}

/**
 * An X25519 private key as the runtime uses it: a WebCrypto CryptoKey where X25519 is native,
 * else the raw scalar for @noble/curves. A CryptoKey made non-extractable (a browser key store)
 * works everywhere a private key is taken.
 */
export type X25519Private = CryptoKey | Uint8Array;

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function fromB64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Imports a raw X25519 private key (non-extractable unless asked) where WebCrypto has X25519. */
export async function importX25519PrivateKey(privateKey: Uint8Array, extractable = false): Promise<X25519Private> {
  checkKey(privateKey, "X25519 private key");
  if (!(await hasWebCryptoX25519())) return privateKey;
  const der = new Uint8Array(PKCS8_PREFIX.length + KEY_BYTES);
  der.set(PKCS8_PREFIX);
  der.set(privateKey, PKCS8_PREFIX.length);
  return subtle().importKey("pkcs8", der, { name: "X25519" }, extractable, ["deriveBits"]);
}

// Imported public keys are cached: a grant flow wraps to the same few recipients over and over,
// and an import is one more round trip per wrap. Public keys only.
const publicKeyCache = new Map<string, Promise<CryptoKey>>();
const PUBLIC_KEY_CACHE_SIZE = 256;

async function importX25519PublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  checkKey(publicKey, "X25519 public key");
  const id = b64url(publicKey);
  let key = publicKeyCache.get(id);
  if (!key) {
    key = subtle().importKey("raw", bs(publicKey.slice()), { name: "X25519" }, true, []);
    key.catch(() => publicKeyCache.delete(id));
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_SIZE) publicKeyCache.delete(publicKeyCache.keys().next().value!);
    publicKeyCache.set(id, key);
  }
  try {
    return await key;
  } catch (cause) {
    throw new InvalidKeyError(`not an X25519 public key (${(cause as Error).message})`);
  }
}

export async function generateX25519KeyPair(): Promise<X25519KeyPair> {
  if (!(await hasWebCryptoX25519())) {
    const privateKey = randomBytes(KEY_BYTES);
    return { privateKey, publicKey: nobleX25519.getPublicKey(privateKey) };
  }
  const pair = (await subtle().generateKey({ name: "X25519" }, true, ["deriveBits"])) as CryptoKeyPair;
  const jwk = await subtle().exportKey("jwk", pair.privateKey);
  return { privateKey: fromB64url(jwk.d!), publicKey: fromB64url(jwk.x!) };
}

/**
 * A fresh ephemeral key pair whose private half never leaves WebCrypto (generated
 * non-extractable): what each wrap uses. The raw public key is a promise, so a wrap can export
 * it while it derives the shared secret.
 */
export async function ephemeralX25519(): Promise<{ privateKey: X25519Private; publicKey: Promise<Uint8Array> }> {
  if (!(await hasWebCryptoX25519())) {
    const privateKey = randomBytes(KEY_BYTES);
    return { privateKey, publicKey: Promise.resolve(nobleX25519.getPublicKey(privateKey)) };
  }
  const pair = (await subtle().generateKey({ name: "X25519" }, false, ["deriveBits"])) as CryptoKeyPair;
  return {
    privateKey: pair.privateKey,
    publicKey: subtle()
      .exportKey("raw", pair.publicKey)
      .then((b) => new Uint8Array(b)),
  };
}

/** The public key of a raw X25519 private key. */
export async function x25519PublicKey(privateKey: Uint8Array): Promise<Uint8Array> {
  checkKey(privateKey, "X25519 private key");
  if (!(await hasWebCryptoX25519())) return nobleX25519.getPublicKey(privateKey);
  const key = (await importX25519PrivateKey(privateKey, true)) as CryptoKey;
  return fromB64url((await subtle().exportKey("jwk", key)).x!);
}

/** X25519(privateKey, publicKey); rejects the all-zero shared secret (small-order public keys). */
export async function x25519(privateKey: X25519Private, publicKey: Uint8Array): Promise<Uint8Array> {
  let shared: Uint8Array;
  if (privateKey instanceof Uint8Array && !(await hasWebCryptoX25519())) {
    checkKey(privateKey, "X25519 private key");
    checkKey(publicKey, "X25519 public key");
    try {
      shared = nobleX25519.getSharedSecret(privateKey, publicKey);
    } catch (cause) {
      throw new InvalidKeyError(`X25519 failed (${(cause as Error).message})`);
    }
  } else {
    const priv = privateKey instanceof Uint8Array ? ((await importX25519PrivateKey(privateKey)) as CryptoKey) : privateKey;
    const pub = await importX25519PublicKey(publicKey);
    try {
      shared = new Uint8Array(await subtle().deriveBits({ name: "X25519", public: pub } as EcdhKeyDeriveParams, priv, 256));
    } catch (cause) {
      throw new InvalidKeyError(`X25519 failed (${(cause as Error).message})`);
    }
  }
  let acc = 0;
  for (let i = 0; i < shared.length; i++) acc |= shared[i];
  if (acc === 0) throw new InvalidKeyError("X25519 produced the all-zero secret (small-order key)");
  return shared;
}
