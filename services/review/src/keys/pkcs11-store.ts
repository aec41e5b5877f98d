// A KeyStore on a PKCS#11 token (SoftHSM2 in tests, any HSM in production).
//
// PKCS#11 tokens in general, and SoftHSM2 2.6 in particular, have no X25519 key agreement. So the
// token holds one AES-256 key, generated inside it as sensitive and non-extractable, and each
// X25519 private key is stored in the token as a private data object whose value is that key's
// AES-GCM encryption (done by the token, with the key id and public key as associated data). To
// agree, the service asks the token to decrypt into memory, builds a KeyObject and drops the raw
// bytes: the private key exists in plaintext only in this process, never on disk, and copying the
// token's files gives nothing without the PIN and the token's own key.
//
// `get` returns undefined (the SDK's KeyStore contract for keys held inside a device); use
// `agreement` (what unwrapping needs) and `publicKey`.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { generateX25519KeyPair, importX25519PrivateKey, localKeyAgreement, x25519PublicKey, type KeyAgreement } from "@onekey/sdk/crypto";
import type { KeyStore } from "@onekey/sdk/keys";
import type * as Pkcs11Types from "pkcs11js";
import { InvalidKeyFileError, Pkcs11Error, TokenNotFoundError, WrongPinError } from "../errors.ts";
import { assertKeyId } from "./ids.ts";

// pkcs11js is a native CommonJS addon; load it lazily so importing this module costs nothing for
// deployments that use the file store.
const require = createRequire(import.meta.url);
type Pkcs11Module = typeof Pkcs11Types;

export const SOFTHSM2_MODULE = "/usr/lib/softhsm/libsofthsm2.so";
const APPLICATION = "onekey-review-keystore";
const RECORD_FORMAT = 1;

export type Pkcs11KeyStoreOptions = {
  /** Path of the PKCS#11 module (.so). Default: Debian's SoftHSM2. */
  module?: string;
  tokenLabel: string;
  pin: string;
  /** Label of the token-held AES key that wraps the X25519 keys. */
  wrapKeyLabel?: string;
};

export type Pkcs11KeyStore = KeyStore & {
  agreement(id: string): Promise<KeyAgreement | undefined>;
  publicKey(id: string): Promise<Uint8Array | undefined>;
  /** Generates a key pair in memory, stores it wrapped, and returns only its public key. */
  generate(id: string): Promise<Uint8Array>;
  close(): void;
};

// One C_Initialize per loaded module in a process; count the stores using it.
const loaded = new Map<string, { lib: Pkcs11Types.PKCS11; users: number }>();

function wrap<T>(operation: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new Pkcs11Error(operation, e);
  }
}

export function pkcs11KeyStore(options: Pkcs11KeyStoreOptions): Pkcs11KeyStore {
  const pkcs11 = require("pkcs11js") as Pkcs11Module;
  const modulePath = options.module ?? SOFTHSM2_MODULE;
  const wrapKeyLabel = options.wrapKeyLabel ?? "onekey-review-wrap";
  let entry = loaded.get(modulePath);
  if (!entry) {
    const lib = new pkcs11.PKCS11();
    wrap("load", () => lib.load(modulePath));
    wrap("C_Initialize", () => lib.C_Initialize());
    entry = { lib, users: 0 };
    loaded.set(modulePath, entry);
  }
  entry.users += 1;
  const lib = entry.lib;
  let session: Buffer | undefined;
  try {
    const slot = wrap("C_GetSlotList", () => lib.C_GetSlotList(true)).find((s) => lib.C_GetTokenInfo(s).label.trim() === options.tokenLabel);
    if (!slot) throw new TokenNotFoundError(options.tokenLabel);
    const s = wrap("C_OpenSession", () => lib.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION | pkcs11.CKF_RW_SESSION));
    session = s;
    try {
      lib.C_Login(s, pkcs11.CKU_USER, options.pin);
    } catch (e) {
      const code = (e as { message?: string }).message ?? "";
      if (/CKR_PIN_INCORRECT|CKR_PIN_INVALID|CKR_PIN_LEN_RANGE/.test(code)) throw new WrongPinError(options.tokenLabel);
      if (!/CKR_USER_ALREADY_LOGGED_IN/.test(code)) throw new Pkcs11Error("C_Login", e);
    }
  } catch (e) {
    if (session) lib.C_CloseSession(session);
    release();
    throw e;
  }
  const s = session;

  function release() {
    const e = loaded.get(modulePath)!;
    e.users -= 1;
    if (e.users === 0) {
      loaded.delete(modulePath);
      try {
        e.lib.C_Finalize();
      } catch {
        /* already finalized */
      }
    }
  }

  function find(template: Pkcs11Types.Template, max = 1000): Buffer[] {
    return wrap("C_FindObjects", () => {
      lib.C_FindObjectsInit(s, template);
      try {
        return lib.C_FindObjects(s, max);
      } finally {
        lib.C_FindObjectsFinal(s);
      }
    });
  }

  // The wrapping key: found by label, or generated inside the token on first use.
  const wrapKey =
    find([
      { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY },
      { type: pkcs11.CKA_LABEL, value: wrapKeyLabel },
    ])[0] ??
    wrap("C_GenerateKey", () =>
      lib.C_GenerateKey(s, { mechanism: pkcs11.CKM_AES_KEY_GEN }, [
        { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY },
        { type: pkcs11.CKA_KEY_TYPE, value: pkcs11.CKK_AES },
        { type: pkcs11.CKA_VALUE_LEN, value: 32 },
        { type: pkcs11.CKA_TOKEN, value: true },
        { type: pkcs11.CKA_PRIVATE, value: true },
        { type: pkcs11.CKA_SENSITIVE, value: true },
        { type: pkcs11.CKA_EXTRACTABLE, value: false },
        { type: pkcs11.CKA_ENCRYPT, value: true },
        { type: pkcs11.CKA_DECRYPT, value: true },
        { type: pkcs11.CKA_WRAP, value: false },
        { type: pkcs11.CKA_UNWRAP, value: false },
        { type: pkcs11.CKA_LABEL, value: wrapKeyLabel },
      ]),
    );

  const gcm = (iv: Buffer, aad: Buffer) => ({
    mechanism: pkcs11.CKM_AES_GCM,
    parameter: { type: pkcs11.CK_PARAMS_AES_GCM, iv, aad, ivBits: 96, tagBits: 128 },
  });
  const aadOf = (id: string, publicKeyHex: string) => Buffer.from(`${APPLICATION}/v${RECORD_FORMAT}|${id}|${publicKeyHex}`, "utf8");
  const dataTemplate = (id?: string): Pkcs11Types.Template => [
    { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_DATA },
    { type: pkcs11.CKA_APPLICATION, value: APPLICATION },
    ...(id === undefined ? [] : [{ type: pkcs11.CKA_LABEL, value: id }]),
  ];

  type KeyRecord = { v: number; publicKey: string; iv: string; sealed: string };
  function readRecord(id: string): KeyRecord | undefined {
    const h = find(dataTemplate(assertKeyId(id)), 1)[0];
    if (!h) return undefined;
    const [attr] = wrap("C_GetAttributeValue", () => lib.C_GetAttributeValue(s, h, [{ type: pkcs11.CKA_VALUE }]));
    try {
      const r = JSON.parse((attr!.value as Buffer).toString("utf8")) as KeyRecord;
      if (r.v !== RECORD_FORMAT) throw new Error("format");
      return r;
    } catch {
      throw new InvalidKeyFileError(id, "the token object is not a OneKey key record");
    }
  }

  async function openPrivate(id: string, r: KeyRecord): Promise<Uint8Array> {
    const out = Buffer.alloc(64);
    const plain = wrap("C_Decrypt", () => {
      lib.C_DecryptInit(s, gcm(Buffer.from(r.iv, "base64"), aadOf(id, r.publicKey)), wrapKey);
      return lib.C_Decrypt(s, Buffer.from(r.sealed, "base64"), out);
    });
    const privateKey = new Uint8Array(plain);
    out.fill(0);
    if (privateKey.length !== 32 || Buffer.from(await x25519PublicKey(privateKey)).toString("hex") !== r.publicKey)
      throw new InvalidKeyFileError(id, "unwrapped key does not match its public key");
    return privateKey;
  }

  async function put(id: string, pair: { privateKey: Uint8Array }) {
    assertKeyId(id);
    const publicKeyHex = Buffer.from(await x25519PublicKey(pair.privateKey)).toString("hex");
    const iv = randomBytes(12);
    const sealed = wrap("C_Encrypt", () => {
      lib.C_EncryptInit(s, gcm(iv, aadOf(id, publicKeyHex)), wrapKey);
      return lib.C_Encrypt(s, Buffer.from(pair.privateKey), Buffer.alloc(64));
    });
    const record: KeyRecord = { v: RECORD_FORMAT, publicKey: publicKeyHex, iv: iv.toString("base64"), sealed: Buffer.from(sealed).toString("base64") };
    // Create the new object before removing the old one, so a crash in between leaves one key.
    const old = find(dataTemplate(id));
    wrap("C_CreateObject", () =>
      lib.C_CreateObject(s, [
        ...dataTemplate(id),
        { type: pkcs11.CKA_TOKEN, value: true },
        { type: pkcs11.CKA_PRIVATE, value: true },
        { type: pkcs11.CKA_MODIFIABLE, value: false },
        { type: pkcs11.CKA_VALUE, value: Buffer.from(JSON.stringify(record), "utf8") },
      ]),
    );
    for (const h of old) wrap("C_DestroyObject", () => lib.C_DestroyObject(s, h));
  }

  let closed = false;
  return {
    async get() {
      return undefined;
    },
    put,
    async delete(id) {
      for (const h of find(dataTemplate(assertKeyId(id)))) wrap("C_DestroyObject", () => lib.C_DestroyObject(s, h));
    },
    async list() {
      return find(dataTemplate()).map((h) =>
        (wrap("C_GetAttributeValue", () => lib.C_GetAttributeValue(s, h, [{ type: pkcs11.CKA_LABEL }]))[0]!.value as Buffer).toString("utf8"),
      );
    },
    async agreement(id) {
      const r = readRecord(id);
      if (!r) return undefined;
      const privateKey = await openPrivate(id, r);
      // Imported (a non-extractable CryptoKey where the runtime has X25519) before the bytes are wiped.
      const imported = await importX25519PrivateKey(privateKey);
      privateKey.fill(0);
      const agreement = localKeyAgreement({ privateKey: imported, publicKey: new Uint8Array(Buffer.from(r.publicKey, "hex")) });
      return agreement;
    },
    async publicKey(id) {
      const r = readRecord(id);
      return r && new Uint8Array(Buffer.from(r.publicKey, "hex"));
    },
    async generate(id) {
      const pair = await generateX25519KeyPair();
      try {
        await put(id, pair);
      } finally {
        pair.privateKey.fill(0);
      }
      return pair.publicKey;
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        lib.C_Logout(s);
      } catch {
        /* session may already be gone */
      }
      try {
        lib.C_CloseSession(s);
      } catch {
        /* ditto */
      }
      release();
    },
  };
}
