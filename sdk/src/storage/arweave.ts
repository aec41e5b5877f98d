import Arweave from "arweave";
import type { JWKInterface } from "arweave/node/lib/wallet.js";
import type { Hex } from "viem";
import { StorageDownloadError, StorageIdNotFoundError, StorageUploadError } from "./errors.ts";
import { bytes32ToStorageId, storageIdToBytes32 } from "./ids.ts";
import type { StorageProvider, StorageTag, UploadResult } from "./types.ts";

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
  const url = new URL(options.url);
  const client = Arweave.init({ host: url.hostname, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)), protocol: url.protocol.replace(":", "") });
  const base = options.url.replace(/\/$/, "");
  return {
    name: `arweave(${base})`,
    async upload(data: Uint8Array, tags: StorageTag[] = []): Promise<UploadResult> {
      try {
        const tx = await client.createTransaction({ data }, options.wallet);
        tx.addTag("Content-Type", "application/octet-stream");
        for (const t of tags) tx.addTag(t.name, t.value);
        await client.transactions.sign(tx, options.wallet);
        const uploader = await client.transactions.getUploader(tx);
        while (!uploader.isComplete) await uploader.uploadChunk();
        if (uploader.lastResponseStatus >= 300) {
          throw new Error(`gateway answered ${uploader.lastResponseStatus} ${String(uploader.lastResponseError).slice(0, 200)}`);
        }
        if (options.mine) await fetch(`${base}/mine`);
        return { storageId: storageIdToBytes32(tx.id), nativeId: tx.id };
      } catch (cause) {
        throw new StorageUploadError(`arweave(${base})`, (cause as Error).message, cause);
      }
    },
    async download(storageId: Hex): Promise<Uint8Array> {
      const id = bytes32ToStorageId(storageId);
      let res: Response;
      try {
        res = await fetch(`${base}/${id}`);
      } catch (cause) {
        throw new StorageDownloadError(`arweave(${base})`, (cause as Error).message, cause);
      }
      if (res.status === 404) throw new StorageIdNotFoundError(id, `arweave(${base})`);
      if (!res.ok) throw new StorageDownloadError(`arweave(${base})`, `HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

/** A new Arweave wallet (JWK). */
export async function generateArweaveWallet(): Promise<JWKInterface> {
  return Arweave.init({}).wallets.generate();
}

export async function arweaveAddress(wallet: JWKInterface): Promise<string> {
  return Arweave.init({}).wallets.jwkToAddress(wallet);
}
