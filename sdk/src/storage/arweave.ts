import ArweaveModule from "arweave";
import type { JWKInterface } from "arweave/node/lib/wallet.js";
import type { Hex } from "viem";
import { StorageUploadError } from "./errors.ts";
import { checkUploadInput, gatewayDownload, gatewayExists, trimSlash } from "./gateway.ts";
import { storageIdToBytes32 } from "./ids.ts";
import { forwardProgress, type DownloadOptions, type StorageProvider, type StorageTag, type UploadOptions, type UploadResult } from "./types.ts";

// `arweave` is CommonJS with an `exports.default`: Node's ESM loader hands over that default
// directly, a browser bundler (Node semantics for "type": "module" importers) the exports object.
const Arweave = ((ArweaveModule as unknown as { default?: typeof ArweaveModule }).default ?? ArweaveModule) as typeof ArweaveModule;
type Arweave = ArweaveModule;

export interface ArweaveStorageOptions {
  /** Gateway URL, e.g. https://arweave.net or a local arlocal http://127.0.0.1:1984. */
  url: string;
  /** The uploading wallet (pays AR). */
  wallet: JWKInterface;
  /** arlocal only: mine a block after each upload so the data is served at once. */
  mine?: boolean;
  /**
   * Chunks (256 KiB each) in flight at once for data over one chunk (default 4). Arweave nodes
   * place each chunk by the offset its merkle proof carries, so order does not matter.
   */
  chunkConcurrency?: number;
}

const DEFAULT_CHUNK_CONCURRENCY = 4;

/** Arweave through the `arweave` client (L1 transactions; arlocal locally). */
export function arweaveStorage(options: ArweaveStorageOptions): StorageProvider {
  const base = trimSlash(options.url);
  const url = new URL(base);
  const client = Arweave.init({
    host: url.hostname,
    port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
    protocol: url.protocol.replace(":", ""),
  });
  const name = `arweave(${base})`;
  const concurrency = Math.max(1, Math.floor(options.chunkConcurrency ?? DEFAULT_CHUNK_CONCURRENCY));
  return {
    name,
    async upload(data: Uint8Array, tags: StorageTag[] = [], opts: UploadOptions = {}): Promise<UploadResult> {
      checkUploadInput(data, tags);
      let result: UploadResult;
      try {
        let uploader: Uploader | undefined;
        let done: number[] = [];
        const resumed = opts.resumeFrom ? await resumeUploader(client, opts.resumeFrom, data) : undefined;
        if (resumed) {
          uploader = resumed.uploader;
          done = resumed.done;
          result = { storageId: storageIdToBytes32(resumed.id), nativeId: resumed.id };
        } else {
          const tx = await client.createTransaction({ data }, options.wallet);
          if (!tags.some((t) => t.name.toLowerCase() === "content-type")) tx.addTag("Content-Type", "application/octet-stream");
          for (const t of tags) tx.addTag(t.name, t.value);
          await client.transactions.sign(tx, options.wallet);
          result = { storageId: storageIdToBytes32(tx.id), nativeId: tx.id };
          uploader = await client.transactions.getUploader(tx);
        }
        await opts.onPrepared?.(result);
        await sendChunks({ client, uploader, data, done, concurrency, name, onProgress: forwardProgress(opts.onProgress), onCheckpoint: opts.onCheckpoint });
      } catch (cause) {
        if (cause instanceof StorageUploadError) throw cause;
        throw new StorageUploadError(name, (cause as Error).message, cause);
      }
      if (options.mine) await mine(base, name);
      return result;
    },
    download: (storageId: Hex, opts?: DownloadOptions) => gatewayDownload(base, name, storageId, opts),
    exists: (storageId: Hex) => gatewayExists(base, name, storageId),
  };
}

type Uploader = Awaited<ReturnType<Arweave["transactions"]["getUploader"]>>;
// What `uploader.toJSON()` gives (the client's own serialised form); the checkpoint token is that,
// without the data, plus `doneChunks`: chunks past `chunkIndex` that were stored out of order.
type SerializedUploader = Extract<Parameters<Arweave["transactions"]["getUploader"]>[0], { transaction: unknown }>;
type Checkpoint = SerializedUploader & { doneChunks?: number[] };
// The uploader's private fields this file reads or sets (present in arweave 1.15's class).
type UploaderState = { chunkIndex: number; txPosted: boolean; transaction: { chunks?: { chunks: { minByteRange: number; maxByteRange: number }[] } } };
const stateOf = (u: Uploader) => u as unknown as UploaderState;

/** The uploader a checkpoint describes, or undefined when it does not fit these bytes (start anew). */
async function resumeUploader(client: Arweave, token: string, data: Uint8Array): Promise<{ uploader: Uploader; id: string; done: number[] } | undefined> {
  try {
    const state = JSON.parse(token) as Checkpoint;
    const uploader = await client.transactions.getUploader(state, data);
    const done = Array.isArray(state.doneChunks) ? state.doneChunks.filter((i) => Number.isSafeInteger(i)) : [];
    return { uploader, id: state.transaction.id, done };
  } catch {
    return undefined;
  }
}

type SendChunks = {
  client: Arweave;
  /** Posts the transaction header (and, for data of one chunk, the data with it). */
  uploader: Uploader;
  data: Uint8Array;
  /** Chunk indexes stored by an earlier attempt, beyond the uploader's own `chunkIndex`. */
  done: number[];
  concurrency: number;
  name: string;
  onProgress?: (sent: number, total: number) => void;
  onCheckpoint?: (token: string) => void | Promise<void>;
};

/**
 * Posts the header, then the chunks not yet stored, up to `concurrency` at a time. Each chunk goes
 * through the arweave client's own TransactionUploader (one per chunk, rebuilt from the main one's
 * state at that chunk's index): it builds the chunk with its proof, checks the proof against the
 * data root and posts it. On the first refused chunk no new chunk starts; those in flight finish,
 * the checkpoint records every stored chunk, and the error goes to the caller (the upload queue
 * retries, and the retry sends only what is missing).
 */
async function sendChunks({ client, uploader, data, done: resumedDone, concurrency, name, onProgress, onCheckpoint }: SendChunks) {
  const total = data.length;
  const refused = (u: Uploader) =>
    // The arweave uploader waits 40 s and retries on an error answer, up to 100 times. Fail now
    // instead: the upload queue owns retries and backoff.
    new StorageUploadError(name, `gateway answered ${u.lastResponseStatus} ${String(u.lastResponseError).slice(0, 200)}`);
  if (!stateOf(uploader).txPosted) {
    await uploader.uploadChunk();
    if (uploader.lastResponseStatus >= 300 || uploader.lastResponseError) throw refused(uploader);
  }
  const chunks = stateOf(uploader).transaction.chunks?.chunks ?? [];
  const sizeOf = (i: number) => chunks[i].maxByteRange - chunks[i].minByteRange;
  const stored = new Set<number>();
  for (let i = 0; i < stateOf(uploader).chunkIndex; i++) stored.add(i);
  for (const i of resumedDone) if (i >= 0 && i < chunks.length) stored.add(i);
  let sent = 0;
  for (const i of stored) sent += sizeOf(i);
  onProgress?.(Math.min(sent, total), total);
  if (uploader.isComplete || stored.size === chunks.length) return onProgress?.(total, total);

  // The checkpoint after each stored chunk, written one at a time and always the latest state
  // (a slow write is followed by one more with everything stored meanwhile).
  const base = uploader.toJSON();
  const transaction = { ...base.transaction.toJSON(), data: "" };
  let writing: Promise<void> | undefined;
  let dirty = false;
  let checkpointError: unknown;
  const token = () => {
    let prefix = 0;
    while (stored.has(prefix)) prefix++;
    const doneChunks = [...stored].filter((i) => i > prefix).sort((a, b) => a - b);
    return JSON.stringify({ ...base, chunkIndex: prefix, lastResponseError: "", lastResponseStatus: 0, transaction, doneChunks });
  };
  const checkpoint = () => {
    if (!onCheckpoint) return;
    if (writing) {
      dirty = true;
      return;
    }
    writing = (async () => {
      do {
        dirty = false;
        await onCheckpoint(token());
      } while (dirty);
    })()
      .catch((e) => {
        checkpointError ??= e;
      })
      .finally(() => {
        writing = undefined;
      });
  };

  const todo = chunks.map((_, i) => i).filter((i) => !stored.has(i));
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && checkpointError === undefined && todo.length) {
      const i = todo.shift()!;
      try {
        const one = await client.transactions.getUploader({ ...base, chunkIndex: i, txPosted: true, lastResponseError: "", lastResponseStatus: 0 }, data);
        await one.uploadChunk();
        if (one.lastResponseStatus !== 200 || one.lastResponseError) throw refused(one);
      } catch (e) {
        failure ??= e;
        return;
      }
      stored.add(i);
      sent += sizeOf(i);
      if (stored.size < chunks.length) checkpoint();
      onProgress?.(Math.min(sent, total), total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  while (writing) await writing;
  if (failure !== undefined) throw failure;
  if (checkpointError !== undefined) throw checkpointError;
  onProgress?.(total, total);
}

async function mine(base: string, name: string) {
  const res = await fetch(`${base}/mine`).catch((cause) => {
    throw new StorageUploadError(name, `mining on arlocal failed: ${(cause as Error).message}`, cause);
  });
  if (!res.ok) throw new StorageUploadError(name, `mining on arlocal failed: HTTP ${res.status}`);
}

/** A new Arweave wallet (JWK). */
export async function generateArweaveWallet(): Promise<JWKInterface> {
  return Arweave.init({}).wallets.generate();
}

export async function arweaveAddress(wallet: JWKInterface): Promise<string> {
  return Arweave.init({}).wallets.jwkToAddress(wallet);
}
