// The upload queue's store in the browser: IndexedDB, one database per queue, states and bytes in
// two object stores written in one transaction (so an add is atomic), and a Web Lock so that one
// tab at a time runs the queue. A reloaded or crashed tab's lock is released by the browser, and
// the next page that opens the queue resumes its pending items.
import type { Hex } from "viem";
import { UploadQueueIOError, UploadQueueLockedError } from "./errors.ts";
import type { QueueItemState, UploadQueueStore } from "./queue.ts";

const STATES = "states";
const DATA = "data";

function done<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("transaction aborted"));
  });
}

/** A queue store in the IndexedDB database `name` (default "onekey-upload-queue"). */
export function indexedDbQueueStore(name = "onekey-upload-queue"): UploadQueueStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (typeof indexedDB === "undefined") return reject(new UploadQueueIOError(name, new Error("this runtime has no IndexedDB")));
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore(STATES, { keyPath: "contentHash" });
        r.result.createObjectStore(DATA);
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new UploadQueueIOError(name, r.error));
    }));
  const write = async (fn: (tx: IDBTransaction) => void) => {
    const tx = (await open()).transaction([STATES, DATA], "readwrite");
    fn(tx);
    await committed(tx);
  };
  return {
    location: `indexeddb:${name}`,
    async lock() {
      await open();
      const locks = (globalThis.navigator as Navigator | undefined)?.locks;
      if (!locks) return () => {}; // no Web Locks: one tab is the caller's promise
      return new Promise<() => void>((resolve, reject) => {
        locks
          .request(`onekey-upload-queue:${name}`, { ifAvailable: true }, (lock) => {
            if (!lock) {
              reject(new UploadQueueLockedError(`indexeddb:${name}`, "another tab"));
              return undefined;
            }
            // The lock is held until this promise settles, i.e. until close() or the page goes.
            return new Promise<void>((release) => resolve(release));
          })
          .catch(reject);
      });
    },
    async load() {
      const tx = (await open()).transaction([STATES, DATA], "readwrite");
      const states = (await done(tx.objectStore(STATES).getAll())) as QueueItemState[];
      const known = new Set(states.map((s) => s.contentHash));
      for (const key of (await done(tx.objectStore(DATA).getAllKeys())) as Hex[]) if (!known.has(key)) tx.objectStore(DATA).delete(key);
      await committed(tx);
      return states.sort((a, b) => a.createdAt - b.createdAt);
    },
    add: (state, data) =>
      write((tx) => {
        // A view is stored with its whole ArrayBuffer: copy a view of a larger buffer first.
        tx.objectStore(DATA).put(data.byteLength === data.buffer.byteLength ? data : data.slice(), state.contentHash);
        tx.objectStore(STATES).put(state);
      }),
    saveState: (state) => write((tx) => tx.objectStore(STATES).put(structuredClone(state))),
    async loadData(hash) {
      const data = (await done((await open()).transaction(DATA, "readonly").objectStore(DATA).get(hash))) as Uint8Array | undefined;
      if (!data) throw new UploadQueueIOError(`indexeddb:${name}`, new Error(`no bytes for ${hash}`));
      return data;
    },
    deleteData: (hash) => write((tx) => tx.objectStore(DATA).delete(hash)),
  };
}
