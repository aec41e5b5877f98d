// A KeyStore over passphrase-encrypted files: scrypt(passphrase, per-file salt) -> AES-256-GCM,
// bound by associated data to the key id and public key, so a file renamed to another id or
// given another public key does not open. Files are written atomically with mode 0600 in a 0700
// directory; no private key is ever written in plaintext. The SDK's KeyStore seam, so
// envelopeKeyRelease can use it unchanged.
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { importX25519PrivateKey, localKeyAgreement, x25519PublicKey, type KeyAgreement, type X25519KeyPair } from "@onekey/sdk/crypto";
import type { KeyStore } from "@onekey/sdk/keys";
import { InvalidKeyFileError, WeakPassphraseError, WrongPassphraseError } from "../errors.ts";
import { assertKeyId } from "./ids.ts";

export type ScryptParams = { N: number; r: number; p: number };
/** OWASP's N=2^17, r=8, p=1: 1.6 s per derivation measured on the shared 2-core dev machine. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };
// A file's own parameters are used to read it, within these bounds (a hostile file must not make
// us allocate gigabytes or spin for minutes).
const MAX_N = 2 ** 20;
const MIN_N = 2 ** 10;
const MIN_PASSPHRASE = 12;
const FORMAT = "onekey/review-keystore/v1";

type KeyFile = { format: typeof FORMAT; id: string; publicKey: string; kdf: { name: "scrypt"; salt: string } & ScryptParams; cipher: "aes-256-gcm"; iv: string; ciphertext: string };

export type EncryptedFileKeyStoreOptions = {
  dir: string;
  passphrase: string;
  /** Parameters for newly written files (tests lower N to stay fast). */
  scrypt?: ScryptParams;
};

export type EncryptedFileKeyStore = KeyStore & {
  agreement(id: string): Promise<KeyAgreement | undefined>;
  publicKey(id: string): Promise<Uint8Array | undefined>;
};

function deriveKey(passphrase: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(passphrase, salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (e, k) => (e ? reject(e) : resolve(k))));
}

const aad = (id: string, publicKeyHex: string) => Buffer.from(`${FORMAT}|${id}|${publicKeyHex}`, "utf8");

export async function encryptedFileKeyStore(options: EncryptedFileKeyStoreOptions): Promise<EncryptedFileKeyStore> {
  if (typeof options.passphrase !== "string" || options.passphrase.length < MIN_PASSPHRASE) throw new WeakPassphraseError(MIN_PASSPHRASE);
  const { dir, passphrase } = options;
  const params = options.scrypt ?? DEFAULT_SCRYPT;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const pathOf = (id: string) => join(dir, `${assertKeyId(id)}.key.json`);

  async function readKeyFile(id: string): Promise<KeyFile | undefined> {
    let text: string;
    try {
      text = await readFile(pathOf(id), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    let f: KeyFile;
    try {
      f = JSON.parse(text);
    } catch {
      throw new InvalidKeyFileError(id, "not JSON");
    }
    if (f.format !== FORMAT || f.id !== id || f.cipher !== "aes-256-gcm" || f.kdf?.name !== "scrypt") throw new InvalidKeyFileError(id, "not a OneKey review key file for this id");
    const { N, r, p } = f.kdf;
    if (!Number.isInteger(N) || N < MIN_N || N > MAX_N || (N & (N - 1)) !== 0 || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) throw new InvalidKeyFileError(id, "scrypt parameters out of bounds");
    return f;
  }

  async function open(id: string): Promise<X25519KeyPair | undefined> {
    const f = await readKeyFile(id);
    if (!f) return undefined;
    const key = await deriveKey(passphrase, Buffer.from(f.kdf.salt, "base64"), f.kdf);
    const sealed = Buffer.from(f.ciphertext, "base64");
    if (sealed.length !== 32 + 16) throw new InvalidKeyFileError(id, "ciphertext length");
    let privateKey: Uint8Array;
    try {
      const d = createDecipheriv("aes-256-gcm", key, Buffer.from(f.iv, "base64"));
      d.setAAD(aad(id, f.publicKey));
      d.setAuthTag(sealed.subarray(32));
      privateKey = new Uint8Array(Buffer.concat([d.update(sealed.subarray(0, 32)), d.final()]));
    } catch {
      throw new WrongPassphraseError(id);
    } finally {
      key.fill(0);
    }
    const publicKey = await x25519PublicKey(privateKey);
    if (Buffer.from(publicKey).toString("hex") !== f.publicKey) throw new InvalidKeyFileError(id, "public key does not match the private key");
    return { privateKey, publicKey };
  }

  return {
    get: open,

    async put(id, pair) {
      const path = pathOf(id);
      const publicKeyHex = Buffer.from(await x25519PublicKey(pair.privateKey)).toString("hex");
      const salt = randomBytes(16);
      const iv = randomBytes(12);
      const key = await deriveKey(passphrase, salt, params);
      try {
        const c = createCipheriv("aes-256-gcm", key, iv);
        c.setAAD(aad(id, publicKeyHex));
        const ciphertext = Buffer.concat([c.update(pair.privateKey), c.final(), c.getAuthTag()]);
        const file: KeyFile = { format: FORMAT, id, publicKey: publicKeyHex, kdf: { name: "scrypt", salt: salt.toString("base64"), ...params }, cipher: "aes-256-gcm", iv: iv.toString("base64"), ciphertext: ciphertext.toString("base64") };
        const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
        await writeFile(tmp, JSON.stringify(file), { mode: 0o600, flag: "wx" });
        await rename(tmp, path);
      } finally {
        key.fill(0);
      }
    },

    async delete(id) {
      await rm(pathOf(id), { force: true });
    },

    async list() {
      return (await readdir(dir)).filter((f) => f.endsWith(".key.json")).map((f) => f.slice(0, -".key.json".length));
    },

    async agreement(id) {
      const pair = await open(id);
      if (!pair) return undefined;
      // Imported (a non-extractable CryptoKey where the runtime has X25519) before the bytes are wiped.
      const privateKey = await importX25519PrivateKey(pair.privateKey);
      pair.privateKey.fill(0);
      const agreement = localKeyAgreement({ privateKey, publicKey: pair.publicKey });
      return agreement;
    },

    async publicKey(id) {
      const f = await readKeyFile(id);
      return f && new Uint8Array(Buffer.from(f.publicKey, "hex"));
    },
  };
}
