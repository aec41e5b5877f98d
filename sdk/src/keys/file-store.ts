// NODE-ONLY. The Node key store: one encrypted file per key in a directory, never a private key
// in clear on disk. Imported as its own module (not from ./index.ts) so a browser bundle never
// pulls node:fs.
//
// <dir>/keystore.json   { format, kdf: scrypt(N, r, p, salt), check }   mode 0600
// <dir>/<id>.json       { format, id, publicKey, iv, ciphertext }        mode 0600, dir 0700
// The store key is scrypt(passphrase) (OpenSSL's, through node:crypto), derived once per open;
// each private key is AES-256-GCM under it with a fresh IV and (format, id, public key) as
// associated data, so a file renamed to another id or given another public key fails to open.
// `check` is a GCM seal of a constant: a wrong passphrase fails there, before any key is read.
import { scrypt as scryptCallback, type ScryptOptions } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "viem";
import { fromHex, toHex, utf8 } from "../crypto/bytes.ts";
import { DecryptionFailedError } from "../crypto/errors.ts";
import { aesGcmDecrypt, aesGcmEncrypt, randomIv, x25519PublicKey, type X25519KeyPair } from "../crypto/primitives.ts";
import { randomBytes } from "../crypto/webcrypto.ts";
import { localKeyAgreement, type KeyAgreement } from "../crypto/wrap.ts";
import { CorruptKeyStoreError, WrongPassphraseError } from "./errors.ts";
import { checkKeyId, type KeyStore } from "./index.ts";

const FORMAT = "onekey/keystore/v1";
const HEADER = "keystore.json";
const CHECK = utf8("onekey/keystore/v1/check");

export interface ScryptParameters {
  /** CPU/memory cost, a power of two (default 2^17: ~128 MiB and a few hundred ms, OWASP's figure). */
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT: ScryptParameters = { N: 2 ** 17, r: 8, p: 1 };

export interface OpenFileKeyStoreOptions {
  directory: string;
  /** Opens the store; keep it out of the repo and out of argv (an env var or a secret manager). */
  passphrase: string | Uint8Array;
  /** For a new store only; an existing store keeps the parameters in its header. */
  scrypt?: ScryptParameters;
}

type Header = { format: string; kdf: { name: "scrypt"; salt: Hex } & ScryptParameters; check: { iv: Hex; ciphertext: Hex } };
type KeyFile = { format: string; id: string; publicKey: Hex; iv: Hex; ciphertext: Hex };

function scrypt(passphrase: Uint8Array, salt: Uint8Array, k: ScryptParameters): Promise<Uint8Array> {
  const options: ScryptOptions = { N: k.N, r: k.r, p: k.p, maxmem: 256 * k.N * k.r + (1 << 20) };
  return new Promise((resolve, reject) => scryptCallback(passphrase, salt, 32, options, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))));
}

async function writeAtomic(path: string, data: string) {
  const tmp = `${path}.${process.pid}.${toHex(randomBytes(4)).slice(2)}.tmp`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}

const keyAad = (id: string, publicKey: Hex) => utf8(`${FORMAT}|${id}|${publicKey.toLowerCase()}`);

/**
 * Opens (or creates) an encrypted key store. A wrong passphrase is WrongPassphraseError; a key
 * file left in clear by an earlier SDK version is encrypted in place on open.
 */
export async function openFileKeyStore(options: OpenFileKeyStoreOptions): Promise<KeyStore & { agreement(id: string): Promise<KeyAgreement | undefined> }> {
  const dir = options.directory;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const passphrase = typeof options.passphrase === "string" ? utf8(options.passphrase) : options.passphrase;
  const headerPath = join(dir, HEADER);
  let header: Header | undefined;
  try {
    header = JSON.parse(await readFile(headerPath, "utf8")) as Header;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new CorruptKeyStoreError(HEADER, "not JSON", error);
  }
  let storeKey: CryptoKey;
  if (header) {
    if (header.format !== FORMAT || header.kdf?.name !== "scrypt") throw new CorruptKeyStoreError(HEADER, `unknown format ${String(header.format)}`);
    const { N, r, p, salt } = header.kdf;
    const raw = await scrypt(passphrase, fromHex(salt), { N, r, p });
    storeKey = await importStoreKey(raw);
    try {
      await aesGcmDecrypt(storeKey, fromHex(header.check.iv), fromHex(header.check.ciphertext), CHECK, "key store check");
    } catch (error) {
      if (error instanceof DecryptionFailedError) throw new WrongPassphraseError(dir);
      throw error;
    }
  } else {
    const kdf = options.scrypt ?? DEFAULT_SCRYPT;
    const salt = randomBytes(16);
    storeKey = await importStoreKey(await scrypt(passphrase, salt, kdf));
    const iv = randomIv();
    const check = await aesGcmEncrypt(storeKey, iv, new Uint8Array(0), CHECK);
    header = { format: FORMAT, kdf: { name: "scrypt", ...kdf, salt: toHex(salt) }, check: { iv: toHex(iv), ciphertext: toHex(check) } };
    await writeAtomic(headerPath, JSON.stringify(header));
  }

  const path = (id: string) => join(dir, `${checkKeyId(id)}.json`);
  const seal = async (id: string, pair: X25519KeyPair): Promise<string> => {
    const publicKey = toHex(pair.publicKey);
    const iv = randomIv();
    const ciphertext = await aesGcmEncrypt(storeKey, iv, pair.privateKey, keyAad(id, publicKey));
    return JSON.stringify({ format: FORMAT, id, publicKey, iv: toHex(iv), ciphertext: toHex(ciphertext) } satisfies KeyFile);
  };

  const store = {
    async get(id: string): Promise<X25519KeyPair | undefined> {
      let text: string;
      try {
        text = await readFile(path(id), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      let file: KeyFile;
      try {
        file = JSON.parse(text) as KeyFile;
      } catch (error) {
        throw new CorruptKeyStoreError(id, "not JSON", error);
      }
      if (file.format !== FORMAT || file.id !== id) throw new CorruptKeyStoreError(id, "wrong format or id");
      let privateKey: Uint8Array;
      try {
        privateKey = await aesGcmDecrypt(storeKey, fromHex(file.iv), fromHex(file.ciphertext), keyAad(id, file.publicKey), `key ${id}`);
      } catch (error) {
        throw new CorruptKeyStoreError(id, "does not decrypt under this store's key", error);
      }
      return { privateKey, publicKey: fromHex(file.publicKey, 32) };
    },
    async put(id: string, pair: X25519KeyPair): Promise<void> {
      await writeAtomic(path(id), await seal(id, pair));
    },
    async delete(id: string): Promise<void> {
      await rm(path(id), { force: true });
    },
    async list(): Promise<string[]> {
      return (await readdir(dir))
        .filter((f) => f.endsWith(".json") && f !== HEADER)
        .map((f) => f.slice(0, -5))
        .sort();
    },
    async agreement(id: string): Promise<KeyAgreement | undefined> {
      const pair = await store.get(id);
      return pair && localKeyAgreement(pair);
    },
  };

  // Files an earlier SDK wrote in clear ({ privateKey, publicKey }): encrypt them now.
  for (const id of await store.list()) {
    let file: { privateKey?: Hex };
    try {
      file = JSON.parse(await readFile(path(id), "utf8"));
    } catch {
      continue; // get() names it when asked
    }
    if (typeof file.privateKey === "string") {
      const privateKey = fromHex(file.privateKey, 32);
      await store.put(id, { privateKey, publicKey: await x25519PublicKey(privateKey) });
    }
  }
  return store;
}

function importStoreKey(raw: Uint8Array): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt", "decrypt"]);
}
