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
}

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
  return {
    name,
    async upload(data: Uint8Array, tags: StorageTag[] = [], opts: UploadOptions = {}): Promise<UploadResult> {
      checkUploadInput(data, tags);
      let result: UploadResult;
      try {
        let uploader: Uploader | undefined;
        const resumed = opts.resumeFrom ? await resumeUploader(client, opts.resumeFrom, data) : undefined;
        if (resumed) {
          uploader = resumed.uploader;
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
        await sendChunks(uploader, name, data.length, forwardProgress(opts.onProgress), opts.onCheckpoint);
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
// What `uploader.toJSON()` wrote into the checkpoint token (the client's own serialised form).
type SerializedUploader = Extract<Parameters<Arweave["transactions"]["getUploader"]>[0], { transaction: unknown }>;

/** The uploader a checkpoint describes, or undefined when it does not fit these bytes (start anew). */
async function resumeUploader(client: Arweave, token: string, data: Uint8Array): Promise<{ uploader: Uploader; id: string } | undefined> {
  try {
    const state = JSON.parse(token) as SerializedUploader;
    return { uploader: await client.transactions.getUploader(state, data), id: state.transaction.id };
  } catch {
    return undefined;
  }
}

async function sendChunks(
  uploader: Uploader,
  name: string,
  total: number,
  onProgress?: (sent: number, total: number) => void,
  onCheckpoint?: (token: string) => void | Promise<void>,
) {
  onProgress?.(Math.min(total, Math.round((uploader.pctComplete / 100) * total)), total);
  while (!uploader.isComplete) {
    await uploader.uploadChunk();
    // The arweave uploader waits 40 s and retries on an error answer, up to 100 times. Fail now
    // instead: the upload queue owns retries and backoff.
    if (uploader.lastResponseStatus >= 300 || uploader.lastResponseError) {
      throw new StorageUploadError(name, `gateway answered ${uploader.lastResponseStatus} ${String(uploader.lastResponseError).slice(0, 200)}`);
    }
    // The uploader's state after each accepted chunk, without the data (it is re-supplied on resume).
    if (onCheckpoint && !uploader.isComplete) {
      const state = uploader.toJSON();
      await onCheckpoint(JSON.stringify({ ...state, transaction: { ...state.transaction.toJSON(), data: "" } }));
    }
    onProgress?.(Math.min(total, Math.round((uploader.pctComplete / 100) * total)), total);
  }
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
