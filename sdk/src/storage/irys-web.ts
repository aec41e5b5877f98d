// Irys from any runtime with fetch and WebCrypto (a browser tab, Node >= 20): data items signed
// here (./ans104.ts) with a viem account and posted to the bundler's HTTP API, the same routes
// the official client uses (@irys/upload-core 0.0.10): `POST /tx/:token` for one item, the
// chunked upload (`GET /chunks/:token/-1/-1`, `POST /chunks/:token/:id/:offset`, finish with
// `POST /chunks/:token/:id/-1`) for large ones, `x-irys-paid-by` to spend an approved balance.
import type { Hex } from "viem";
import { createSignedDataItem, type DataItemSigner } from "./ans104.ts";
import { InvalidUploadInputError, StorageInsufficientBalanceError, StorageUploadError } from "./errors.ts";
import { checkUploadInput, gatewayDownload, gatewayExists, trimSlash } from "./gateway.ts";
import { base58Encode, bytes32ToStorageId } from "./ids.ts";
import { toHex } from "../crypto/bytes.ts";
import { forwardProgress, type DownloadOptions, type StorageProvider, type StorageTag, type UploadOptions, type UploadResult } from "./types.ts";

export interface IrysWebStorageOptions {
  /** The bundler's URL: https://uploader.irys.xyz (mainnet), https://devnet.irys.xyz, or a local one. */
  bundlerUrl: string;
  /** Signs the data items: a throwaway `privateKeyToAccount(generatePrivateKey())` or a wallet account. */
  account: DataItemSigner;
  /** Payment token as Irys names it (default "base-eth"). */
  token?: string;
  /**
   * The address whose Irys balance pays, when it has approved `account` to spend it (an Irys
   * balance approval; see `createIrysApproval`). Without it the signer's own balance pays, and
   * only items up to Irys' free size (100 KiB) go through unpaid.
   */
  paidBy?: Hex;
  /** Where data is read back (default https://gateway.irys.xyz; an arlocal URL locally). */
  gatewayUrl?: string;
  /** Items of at least this many bytes go through the chunked upload, with progress per chunk (default 1 MiB). */
  chunkThreshold?: number;
  /** Chunk size of chunked uploads (default 512 KiB; the bundler announces its min and max). */
  chunkSize?: number;
  /** Chunks in flight at once (default 4). */
  chunkConcurrency?: number;
}

const IRYS_HEADERS = { "x-chunking-version": "2" };

/** Irys through its HTTP API with items signed in this runtime (fetch + WebCrypto; no Node). */
export function irysWebStorage(options: IrysWebStorageOptions): StorageProvider {
  if (!options.account || typeof options.account.signMessage !== "function")
    throw new InvalidUploadInputError("account must be a viem account that can signMessage");
  if (options.paidBy !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(options.paidBy)) throw new InvalidUploadInputError("paidBy must be an EVM address");
  const bundler = trimSlash(options.bundlerUrl);
  const token = options.token ?? "base-eth";
  const gateway = trimSlash(options.gatewayUrl ?? "https://gateway.irys.xyz");
  const name = `irys(${bundler})`;
  const chunkThreshold = options.chunkThreshold ?? 1024 * 1024;
  const chunkSize = options.chunkSize ?? 512 * 1024;
  const concurrency = Math.max(1, Math.floor(options.chunkConcurrency ?? 4));
  const payer: Record<string, string> = options.paidBy ? { "x-irys-paid-by": options.paidBy } : {};

  const post = async (path: string, body: Uint8Array | null, headers: Record<string, string>) => {
    try {
      return await fetch(`${bundler}${path}`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream", ...IRYS_HEADERS, ...headers },
        body: body as BodyInit | null,
      });
    } catch (cause) {
      throw new StorageUploadError(name, `bundler unreachable: ${(cause as Error).message}`, cause);
    }
  };
  const refuse = async (res: Response, bytes: number, what: string): Promise<never> => {
    const text = (await res.text().catch(() => "")).slice(0, 200);
    if (res.status === 402) throw new StorageInsufficientBalanceError(name, bytes, new Error(text));
    throw new StorageUploadError(name, `${what}: bundler answered ${res.status} ${text}`);
  };

  return {
    name,
    async upload(data: Uint8Array, tags: StorageTag[] = [], opts: UploadOptions = {}): Promise<UploadResult> {
      checkUploadInput(data, tags);
      const allTags = tags.some((t) => t.name.toLowerCase() === "content-type") ? tags : [{ name: "Content-Type", value: "application/octet-stream" }, ...tags];
      let item: Awaited<ReturnType<typeof createSignedDataItem>>;
      try {
        item = await createSignedDataItem(data, allTags, options.account);
      } catch (cause) {
        if (cause instanceof InvalidUploadInputError) throw cause;
        throw new StorageUploadError(name, `signing the data item failed: ${(cause as Error).message}`, cause);
      }
      const storageId = toHex(item.id);
      const result: UploadResult = { storageId, nativeId: bytes32ToStorageId(storageId) };
      await opts.onPrepared?.(result);
      const onProgress = forwardProgress(opts.onProgress);
      onProgress(0, data.length);
      // Progress counts the item's bytes, scaled to the data's (the header and tags are small).
      const scale = (sent: number) => Math.min(data.length, Math.floor((sent / item.raw.length) * data.length));
      let res: Response;
      if (item.raw.length < chunkThreshold) {
        res = await post(`/tx/${token}`, item.raw, payer);
      } else {
        const session = await openChunkSession(item.raw.length);
        let sent = 0;
        const offsets: number[] = [];
        for (let o = 0; o < item.raw.length; o += chunkSize) offsets.push(o);
        let failure: unknown;
        const worker = async () => {
          while (failure === undefined && offsets.length) {
            const o = offsets.shift()!;
            const chunk = item.raw.subarray(o, Math.min(item.raw.length, o + chunkSize));
            try {
              const r = await post(`/chunks/${token}/${session}/${o}`, chunk, {});
              if (!r.ok) await refuse(r, data.length, `chunk at ${o}`);
            } catch (e) {
              failure ??= e;
              return;
            }
            sent += chunk.length;
            if (sent < item.raw.length) onProgress(scale(sent), data.length);
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));
        if (failure !== undefined) throw failure;
        res = await post(`/chunks/${token}/${session}/-1`, null, payer);
      }
      // 201: the bundler already has this very item (same signature, so same id): it is stored.
      if (res.status === 201) {
        await res.body?.cancel();
      } else {
        if (!res.ok) await refuse(res, data.length, "upload");
        const receipt = (await res.json().catch(() => ({}))) as { id?: string };
        // Receipts carry base64url ids; accept base58 too, but never a different item.
        if (receipt.id !== result.nativeId && receipt.id !== base58Encode(item.id)) {
          throw new StorageUploadError(name, `bundler receipt names ${String(receipt.id)}, not the signed item ${result.nativeId}`);
        }
      }
      onProgress(data.length, data.length);
      return result;
    },
    download: (storageId: Hex, opts?: DownloadOptions) => gatewayDownload(gateway, name, storageId, opts),
    exists: (storageId: Hex) => gatewayExists(gateway, name, storageId),
  };

  async function openChunkSession(size: number): Promise<string> {
    let res: Response;
    try {
      res = await fetch(`${bundler}/chunks/${token}/-1/-1`, { headers: IRYS_HEADERS });
    } catch (cause) {
      throw new StorageUploadError(name, `bundler unreachable: ${(cause as Error).message}`, cause);
    }
    if (!res.ok) await refuse(res, size, "opening a chunked upload");
    const info = (await res.json()) as { id?: string; min?: number | string; max?: number | string };
    if (typeof info.id !== "string") throw new StorageUploadError(name, "the bundler gave no chunked-upload id");
    if (chunkSize < Number(info.min ?? 0) || chunkSize > Number(info.max ?? Number.MAX_SAFE_INTEGER)) {
      throw new InvalidUploadInputError(`chunkSize ${chunkSize} is outside the bundler's ${info.min}-${info.max}`);
    }
    return info.id;
  }
}

export interface CreateIrysApprovalOptions {
  bundlerUrl: string;
  /** The payer (the organisation's or sponsor's key) that lets `approvedAddress` spend its balance. */
  account: DataItemSigner;
  approvedAddress: Hex;
  /** Most it may spend, in the token's atomic units (wei for base-eth). */
  amount: bigint;
  expiresInSeconds?: number;
  token?: string;
}

/**
 * An Irys balance approval: the payer uploads an empty data item tagged
 * `x-irys-approve-payment: <approved address>` and `x-amount` (optionally `x-expire-seconds`), as
 * the official client's `approval.createApproval` does. Uploads by the approved address that
 * carry `paidBy: <payer>` are then charged to the payer, up to the amount.
 */
export async function createIrysApproval(o: CreateIrysApprovalOptions): Promise<UploadResult> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(o.approvedAddress)) throw new InvalidUploadInputError("approvedAddress must be an EVM address");
  if (typeof o.amount !== "bigint" || o.amount <= 0n) throw new InvalidUploadInputError("amount must be a positive bigint");
  const tags = [
    { name: "x-irys-approve-payment", value: o.approvedAddress },
    { name: "x-amount", value: o.amount.toString() },
  ];
  if (o.expiresInSeconds !== undefined) tags.push({ name: "x-expire-seconds", value: String(Math.floor(o.expiresInSeconds)) });
  return irysWebStorage({ bundlerUrl: o.bundlerUrl, account: o.account, token: o.token }).upload(new Uint8Array(0), tags);
}
