// The browser key store: X25519 private keys in IndexedDB as non-extractable CryptoKeys. Script on
// the page can use a key (unwrap through `agreement`) but never read its bytes, and nothing
// leaves the origin. Where the browser's WebCrypto lacks X25519 (the @noble/curves fallback) the
// key has to be kept as bytes; it still never leaves IndexedDB except into this code.
// No node:* import: safe for every bundle (in Node it throws KeyStoreUnavailableError when used).
import { importX25519PrivateKey, type X25519KeyPair, type X25519Private } from "../crypto/primitives.ts";
import { localKeyAgreement, type KeyAgreement } from "../crypto/wrap.ts";
import { KeyStoreUnavailableError } from "./errors.ts";
import { checkKeyId, type KeyStore } from "./index.ts";

export interface IndexedDbKeyStoreOptions {
  /** IndexedDB database name (default "onekey-keys"): one per app or per account, as suits. */
  database?: string;
}

type Entry = { id: string; publicKey: Uint8Array; privateKey: X25519Private; createdAt: number };
const STORE = "keys";

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new KeyStoreUnavailableError(r.error?.message ?? "request failed", r.error));
  });
}

/** Opens (creating on first use) the key store in IndexedDB. */
export function indexedDbKeyStore(options: IndexedDbKeyStoreOptions = {}): KeyStore & { agreement(id: string): Promise<KeyAgreement | undefined> } {
  const name = options.database ?? "onekey-keys";
  let db: Promise<IDBDatabase> | undefined;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (typeof indexedDB === "undefined") return reject(new KeyStoreUnavailableError("this runtime has no IndexedDB"));
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "id" });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new KeyStoreUnavailableError(r.error?.message ?? "open failed", r.error));
      r.onblocked = () => reject(new KeyStoreUnavailableError("another tab holds an older version of the database open"));
    }).catch((e) => {
      db = undefined;
      throw e;
    }));
  const tx = async (mode: IDBTransactionMode) => (await open()).transaction(STORE, mode).objectStore(STORE);
  const entry = async (id: string) => (await request((await tx("readonly")).get(checkKeyId(id)))) as Entry | undefined;

  return {
    // Keys are kept non-extractable, so there are no raw bytes to return: use `agreement`.
    async get(id) {
      const e = await entry(id);
      return e && e.privateKey instanceof Uint8Array ? { privateKey: e.privateKey, publicKey: e.publicKey } : undefined;
    },
    async put(id, pair: X25519KeyPair) {
      checkKeyId(id);
      // Imported before the transaction opens: an IndexedDB transaction ends at the first await
      // that is not one of its own requests.
      const privateKey = await importX25519PrivateKey(pair.privateKey, false);
      const store = await tx("readwrite");
      await request(store.put({ id, publicKey: pair.publicKey.slice(), privateKey, createdAt: Date.now() } satisfies Entry));
    },
    async delete(id) {
      await request((await tx("readwrite")).delete(checkKeyId(id)));
    },
    async list() {
      return ((await request((await tx("readonly")).getAllKeys())) as string[]).sort();
    },
    async agreement(id) {
      const e = await entry(id);
      return e && localKeyAgreement({ privateKey: e.privateKey, publicKey: e.publicKey });
    },
  };
}
