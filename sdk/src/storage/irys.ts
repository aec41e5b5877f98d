import { Uploader } from "@irys/upload";
import { BaseEth, Ethereum } from "@irys/upload-ethereum";
import type { Hex } from "viem";
import { InvalidUploadInputError, StorageInsufficientBalanceError, StorageUploadError } from "./errors.ts";
import { checkUploadInput, gatewayDownload, gatewayExists, trimSlash } from "./gateway.ts";
import { base58Encode } from "./ids.ts";
import { forwardProgress, type DownloadOptions, type StorageProvider, type StorageTag, type UploadOptions, type UploadResult } from "./types.ts";

export interface IrysStorageOptions {
  /** EVM private key that signs the data items (and pays, above the free size). */
  privateKey: Hex;
  /**
   * The bundler: "mainnet" (default), "devnet", or a URL — e.g. the local bundler from
   * `startLocalIrysBundler` in tests and the local stack.
   */
  bundler?: "mainnet" | "devnet" | string;
  /** Payment token; OneKey pays in ETH on Base. */
  token?: "base-eth" | "ethereum";
  /** EVM RPC for funding; Irys requires one for devnet. */
  rpcUrl?: string;
  /** Where data is read back (default https://gateway.irys.xyz; an arlocal URL locally). */
  gatewayUrl?: string;
  /**
   * Items of at least this many bytes go through Irys' chunked uploader, which reports progress
   * per chunk; smaller ones are one request. Default 50 MB, the client's own threshold.
   */
  chunkThreshold?: number;
  /** Chunk size for chunked uploads (default 5 MB). */
  chunkSize?: number;
}

type IrysClient = Awaited<ReturnType<ReturnType<typeof Uploader>["build"]>>;
type SignedItem = ReturnType<IrysClient["createTransaction"]>;

/** Irys through the real `@irys/upload` client with an Ethereum-key signer. */
export function irysStorage(options: IrysStorageOptions): StorageProvider {
  if (!/^0x[0-9a-fA-F]{64}$/.test(options.privateKey)) throw new InvalidUploadInputError("privateKey must be 32 bytes of 0x-hex");
  const bundler = options.bundler ?? "mainnet";
  const gateway = trimSlash(options.gatewayUrl ?? "https://gateway.irys.xyz");
  const name = `irys(${bundler})`;
  const chunkThreshold = options.chunkThreshold ?? 50_000_000;
  let client: Promise<IrysClient> | undefined;
  const irys = () =>
    (client ??= buildClient(options, bundler).catch((e) => {
      client = undefined;
      throw new StorageUploadError(name, `could not set up the Irys client: ${(e as Error).message}`, e);
    }));

  return {
    name,
    async upload(data: Uint8Array, tags: StorageTag[] = [], opts: UploadOptions = {}): Promise<UploadResult> {
      checkUploadInput(data, tags);
      const client = await irys();
      try {
        const allTags = tags.some((t) => t.name.toLowerCase() === "content-type")
          ? tags
          : [{ name: "Content-Type", value: "application/octet-stream" }, ...tags];
        const item = client.createTransaction(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { tags: allTags });
        await item.sign();
        // The id is sha256 of the signature: fixed now, before anything is sent.
        const result: UploadResult = { storageId: `0x${item.rawId.toString("hex")}`, nativeId: item.rawId.toString("base64url") };
        await opts.onPrepared?.(result);
        const onProgress = forwardProgress(opts.onProgress);
        onProgress(0, data.length);
        const receiptId = item.size >= chunkThreshold ? await sendChunked(client, item, options.chunkSize, data.length, onProgress) : (await item.upload()).id;
        // Receipts have carried base64url ids; accept base58 too, but never a different item.
        if (receiptId !== result.nativeId && receiptId !== base58Encode(item.rawId)) {
          throw new StorageUploadError(name, `bundler receipt names ${receiptId}, not the signed item ${result.nativeId}`);
        }
        onProgress(data.length, data.length);
        return result;
      } catch (cause) {
        if (cause instanceof StorageUploadError) throw cause;
        const message = (cause as Error)?.message ?? String(cause);
        if (message.startsWith("402")) throw new StorageInsufficientBalanceError(name, data.length, cause);
        throw new StorageUploadError(name, message, cause);
      }
    },
    download: (storageId: Hex, opts?: DownloadOptions) => gatewayDownload(gateway, name, storageId, opts),
    exists: (storageId: Hex) => gatewayExists(gateway, name, storageId),
  };
}

async function buildClient(options: IrysStorageOptions, bundler: string): Promise<IrysClient> {
  let builder = Uploader(options.token === "ethereum" ? Ethereum : BaseEth).withWallet(options.privateKey.slice(2));
  if (bundler === "mainnet") builder = builder.mainnet();
  else if (bundler === "devnet") builder = builder.devnet();
  else builder = builder.bundlerUrl(bundler);
  if (options.rpcUrl) builder = builder.withRpc(options.rpcUrl);
  return builder.build();
}

async function sendChunked(
  client: IrysClient,
  item: SignedItem,
  chunkSize: number | undefined,
  total: number,
  onProgress?: (sent: number, total: number) => void,
) {
  const uploader = client.uploader.chunkedUploader;
  uploader.setChunkSize(chunkSize ?? 5_000_000);
  const raw = item.size;
  uploader.on("chunkUpload", ({ totalUploaded }) => onProgress?.(Math.min(total, Math.round((totalUploaded / raw) * total)), total));
  const res = await uploader.uploadTransaction(item);
  return res.data.id;
}
