// A durable upload queue: bytes and state live in a store (a directory in Node, IndexedDB in the
// browser), so a new process or a reloaded page resumes what a crashed one left pending. Items
// are keyed by the sha256 of their bytes, so the same bytes are uploaded once however often (and
// from however many processes or tabs, one at a time) they are added. No node:* import: the
// stores live in ./queue-file.ts (Node-only) and ./queue-idb.ts (browser).
import type { Hex } from "viem";
import { ContentHashMismatchError } from "../crypto/errors.ts";
import { InvalidUploadInputError, StorageInsufficientBalanceError, UploadFailedError, UploadQueueClosedError, UploadQueueIOError } from "./errors.ts";
import type { StorageProvider, StorageTag, UploadResult } from "./types.ts";
import { assertContentHash, contentHashOf } from "./verify.ts";

export type QueueItemStatus = "pending" | "done" | "failed";

/** What the queue keeps on disk per item (no bytes: those are in `<hash>.bin`). */
export interface QueueItemState {
  contentHash: Hex;
  size: number;
  tags: StorageTag[];
  status: QueueItemStatus;
  attempts: number;
  /** The id fixed when the last attempt was signed; checked on resume before uploading again. */
  prepared?: UploadResult;
  /** The provider's token for continuing that upload where it stopped (see UploadOptions). */
  checkpoint?: string;
  result?: UploadResult;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

export type QueuedUploadResult = UploadResult & {
  contentHash: Hex;
  size: number;
  /** True when no upload happened for this call: the bytes were already stored. */
  deduplicated: boolean;
};

export type Progress = { sent: number; total: number };

export type UploadQueueEvent =
  | { type: "queued"; contentHash: Hex; size: number; resumed: boolean }
  | { type: "progress"; contentHash: Hex; sent: number; total: number; overall: Progress }
  | { type: "retry"; contentHash: Hex; attempt: number; delayMs: number; error: unknown }
  | { type: "done"; contentHash: Hex; result: UploadResult; deduplicated: boolean; overall: Progress }
  | { type: "failed"; contentHash: Hex; error: UploadFailedError };

export interface RetryPolicy {
  /** Attempts per item before it is marked failed (default 5). */
  attempts?: number;
  /** Delay before the second attempt (default 250 ms); doubles (`factor`) each time. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Randomise each delay between half and all of it, so retries do not march in step (default true). */
  jitter?: boolean;
}

/**
 * Where a queue keeps its bytes and state: `fileQueueStore(directory)` in Node,
 * `indexedDbQueueStore(name)` in the browser. Writes must be atomic per call (a reader or a crash
 * sees the old state or the new one, never half).
 */
export interface UploadQueueStore {
  /** A name for messages (a directory, an IndexedDB database). */
  readonly location: string;
  /** Takes the store for this process or tab; the release function gives it back. */
  lock(): Promise<() => void | Promise<void>>;
  /** Every item's state, oldest first; bytes without a state (an add that never returned) are dropped. */
  load(): Promise<QueueItemState[]>;
  /** Stores the bytes and then the state that points at them. */
  add(state: QueueItemState, data: Uint8Array): Promise<void>;
  saveState(state: QueueItemState): Promise<void>;
  loadData(contentHash: Hex): Promise<Uint8Array>;
  deleteData(contentHash: Hex): Promise<void>;
}

export interface OpenUploadQueueOptions {
  storage: StorageProvider;
  /** Where bytes and state are kept. One process (or tab) at a time. */
  store: UploadQueueStore;
  /** Uploads in flight at once (default 3). */
  concurrency?: number;
  retry?: RetryPolicy;
  onEvent?: (event: UploadQueueEvent) => void;
  /** Keep each item's bytes after it is stored (default false: only its state is kept). */
  keepData?: boolean;
}

export interface UploadQueue {
  /** The store's location (directory or database name). */
  readonly location: string;
  /** Adds bytes and waits until they are stored. */
  add(data: Uint8Array, tags?: StorageTag[]): Promise<QueuedUploadResult>;
  /** Adds bytes; the item is on disk when this returns. `done` settles when it is stored or failed. */
  enqueue(data: Uint8Array, tags?: StorageTag[]): Promise<{ contentHash: Hex; done: Promise<QueuedUploadResult> }>;
  /** Settles when the item is stored or failed (items resumed from an earlier process included). */
  wait(contentHash: Hex): Promise<QueuedUploadResult>;
  get(contentHash: Hex): QueueItemState | undefined;
  list(): QueueItemState[];
  /** This session's bytes: sent so far and total queued. */
  progress(): Progress;
  /** Resolves when nothing is pending or in flight (failed items do not hold it up). */
  drain(): Promise<void>;
  /** Puts failed items back in the queue with fresh attempts; returns how many. */
  retryFailed(): Promise<number>;
  subscribe(listener: (event: UploadQueueEvent) => void): () => void;
  /** Stops starting uploads, waits for those in flight, releases the directory. Pending items stay. */
  close(): Promise<void>;
}

type Item = {
  state: QueueItemState;
  sent: number;
  done?: Promise<QueuedUploadResult>;
  settle?: { resolve(r: QueuedUploadResult): void; reject(e: unknown): void };
};

export async function openUploadQueue(options: OpenUploadQueueOptions): Promise<UploadQueue> {
  const store = options.store;
  const dir = store.location;
  const releaseLock = await store.lock();
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const r = options.retry ?? {};
  const retry: Required<RetryPolicy> = {
    attempts: Math.max(1, r.attempts ?? 5),
    initialDelayMs: r.initialDelayMs ?? 250,
    maxDelayMs: r.maxDelayMs ?? 30_000,
    factor: r.factor ?? 2,
    jitter: r.jitter ?? true,
  };
  const items = new Map<Hex, Item>();
  const ready: Item[] = [];
  const listeners = new Set<(e: UploadQueueEvent) => void>(options.onEvent ? [options.onEvent] : []);
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<Promise<void>>();
  const idleWaiters: (() => void)[] = [];
  let session = { total: 0, sentDone: 0 };
  let closed = false;

  const overall = (): Progress => {
    let sent = session.sentDone;
    for (const item of items.values()) if (item.state.status === "pending") sent += item.sent;
    return { sent, total: session.total };
  };
  const emit = (event: UploadQueueEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not stop uploads.
      }
    }
  };
  const persist = async (item: Item) => {
    item.state.updatedAt = Date.now();
    await store.saveState(item.state);
  };
  const resultOf = (s: QueueItemState, deduplicated: boolean): QueuedUploadResult => ({
    ...s.result!,
    contentHash: s.contentHash,
    size: s.size,
    deduplicated,
  });
  const track = (item: Item) => {
    item.done = new Promise<QueuedUploadResult>((resolve, reject) => (item.settle = { resolve, reject }));
    item.done.catch(() => {}); // callers who never wait must not see an unhandled rejection
    session.total += item.state.size;
    item.sent = 0;
  };

  function pump() {
    if (closed) return;
    while (inFlight.size < concurrency && ready.length) {
      const item = ready.shift()!;
      const run = attempt(item).finally(() => {
        inFlight.delete(run);
        pump();
        notifyIdle();
      });
      inFlight.add(run);
    }
  }

  function notifyIdle() {
    if (inFlight.size || ready.length || timers.size) return;
    for (const w of idleWaiters.splice(0)) w();
  }

  async function attempt(item: Item) {
    const s = item.state;
    s.attempts += 1;
    await persist(item);
    try {
      // An earlier attempt may have reached the provider before the crash: if what it stored is
      // complete and hashes right, that is the upload.
      if (s.prepared && (await storedIntact(s.prepared, s.contentHash))) return finish(item, s.prepared, true);
      const data = await store.loadData(s.contentHash);
      await assertContentHash(data, s.contentHash);
      const result = await options.storage.upload(data, s.tags, {
        resumeFrom: s.prepared && s.checkpoint,
        onPrepared: async (prepared) => {
          if (prepared.storageId !== s.prepared?.storageId) s.checkpoint = undefined;
          s.prepared = prepared;
          await persist(item);
        },
        onCheckpoint: async (token) => {
          s.checkpoint = token;
          await persist(item);
        },
        onProgress: (sent) => {
          item.sent = Math.min(sent, s.size);
          emit({ type: "progress", contentHash: s.contentHash, sent: item.sent, total: s.size, overall: overall() });
        },
      });
      await finish(item, result, false);
    } catch (error) {
      await fail(item, error);
    }
  }

  async function storedIntact(prepared: UploadResult, contentHash: Hex) {
    try {
      await options.storage.download(prepared.storageId, { contentHash });
      return true;
    } catch {
      return false;
    }
  }

  async function finish(item: Item, result: UploadResult, deduplicated: boolean) {
    const s = item.state;
    // The provider's last progress event may already have reported every byte; report it once.
    const reportedAll = item.sent === s.size;
    // Counted as done in the same step that stops counting it as pending, so the overall figure
    // other items report meanwhile never dips.
    Object.assign(s, { status: "done", result, lastError: undefined, checkpoint: undefined });
    session.sentDone += s.size;
    item.sent = 0;
    await persist(item);
    if (!options.keepData) await store.deleteData(s.contentHash);
    if (!reportedAll) emit({ type: "progress", contentHash: s.contentHash, sent: s.size, total: s.size, overall: overall() });
    emit({ type: "done", contentHash: s.contentHash, result, deduplicated, overall: overall() });
    item.settle?.resolve(resultOf(s, deduplicated));
  }

  async function fail(item: Item, error: unknown) {
    const s = item.state;
    s.lastError = error instanceof Error ? `${error.name}: ${(error as { shortMessage?: string }).shortMessage ?? error.message}` : String(error);
    item.sent = 0;
    const permanent = error instanceof InvalidUploadInputError || error instanceof StorageInsufficientBalanceError || error instanceof ContentHashMismatchError;
    if (closed || permanent || s.attempts >= retry.attempts) {
      if (closed && !permanent && s.attempts < retry.attempts) {
        await persist(item); // stays pending for the next open
        item.settle?.reject(new UploadQueueClosedError());
        return;
      }
      s.status = "failed";
      await persist(item);
      const failed = new UploadFailedError(s.contentHash, s.attempts, error);
      emit({ type: "failed", contentHash: s.contentHash, error: failed });
      item.settle?.reject(failed);
      return;
    }
    await persist(item);
    const delayMs = backoff(retry, s.attempts);
    emit({ type: "retry", contentHash: s.contentHash, attempt: s.attempts, delayMs, error });
    const timer = setTimeout(() => {
      timers.delete(timer);
      ready.push(item);
      pump();
      notifyIdle();
    }, delayMs);
    timers.add(timer);
  }

  function schedule(item: Item, resumed: boolean) {
    track(item);
    emit({ type: "queued", contentHash: item.state.contentHash, size: item.state.size, resumed });
    ready.push(item);
  }

  // Resume: every item the last process left pending goes back in the queue.
  for (const state of await store.load()) {
    const item: Item = { state, sent: 0 };
    items.set(state.contentHash, item);
    if (state.status === "pending") schedule(item, true);
  }
  pump();

  const queue: UploadQueue = {
    location: dir,
    async add(data, tags) {
      return (await queue.enqueue(data, tags)).done;
    },
    async enqueue(data, tags = []) {
      if (closed) throw new UploadQueueClosedError();
      if (!(data instanceof Uint8Array)) throw new InvalidUploadInputError("data must be a Uint8Array");
      if (!Array.isArray(tags) || tags.some((t) => typeof t?.name !== "string" || typeof t?.value !== "string" || !t.name)) {
        throw new InvalidUploadInputError("tags must be { name, value } strings with a non-empty name");
      }
      const contentHash = await contentHashOf(data);
      if (closed) throw new UploadQueueClosedError();
      // From here to the registration below there is no await: a concurrent add of the same
      // bytes sees this item.
      const existing = items.get(contentHash);
      if (existing?.state.status === "done") return { contentHash, done: Promise.resolve(resultOf(existing.state, true)) };
      if (existing?.state.status === "pending" && existing.done) return { contentHash, done: existing.done };
      // New bytes, or failed ones added again. The item is registered before any await, so a
      // concurrent add of the same bytes joins it instead of starting a second upload.
      const now = Date.now();
      const item: Item = existing ?? {
        state: { contentHash, size: data.length, tags, status: "pending", attempts: 0, createdAt: now, updatedAt: now },
        sent: 0,
      };
      Object.assign(item.state, { status: "pending", attempts: 0, lastError: undefined });
      items.set(contentHash, item);
      track(item);
      try {
        item.state.updatedAt = Date.now();
        await store.add(item.state, data);
      } catch (error) {
        if (!existing) items.delete(contentHash);
        const failure = new UploadQueueIOError(dir, error);
        item.settle?.reject(failure);
        throw failure;
      }
      emit({ type: "queued", contentHash, size: data.length, resumed: false });
      ready.push(item);
      pump();
      return { contentHash, done: item.done! };
    },
    wait(contentHash) {
      const item = items.get(contentHash);
      if (!item) return Promise.reject(new InvalidUploadInputError(`${contentHash} is not in this queue`));
      if (item.state.status === "done") return Promise.resolve(resultOf(item.state, true));
      if (item.state.status === "failed") return Promise.reject(new UploadFailedError(contentHash, item.state.attempts, item.state.lastError));
      return item.done!;
    },
    get: (contentHash) => structuredClone(items.get(contentHash)?.state),
    list: () => [...items.values()].map((i) => structuredClone(i.state)),
    progress: overall,
    drain() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        notifyIdle();
      });
    },
    async retryFailed() {
      const failed = [...items.values()].filter((i) => i.state.status === "failed");
      for (const item of failed) {
        Object.assign(item.state, { status: "pending", attempts: 0 });
        await persist(item);
        schedule(item, false);
      }
      pump();
      return failed.length;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...inFlight]);
      for (const item of ready.splice(0)) item.settle?.reject(new UploadQueueClosedError());
      for (const item of items.values()) if (item.state.status === "pending") item.settle?.reject(new UploadQueueClosedError());
      notifyIdle();
      session = { total: 0, sentDone: 0 };
      await releaseLock();
    },
  };
  return queue;
}

function backoff(retry: Required<RetryPolicy>, attempt: number): number {
  const full = Math.min(retry.maxDelayMs, retry.initialDelayMs * retry.factor ** (attempt - 1));
  return Math.round(retry.jitter ? full / 2 + (Math.random() * full) / 2 : full);
}
