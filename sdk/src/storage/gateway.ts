// Reads from an Arweave-style gateway (`GET /<base64url id>`): arweave.net, gateway.irys.xyz, arlocal.
import type { Hex } from "viem";
import { InvalidUploadInputError, StorageDownloadError, StorageIdNotFoundError } from "./errors.ts";
import { bytes32ToStorageId } from "./ids.ts";
import type { DownloadOptions } from "./types.ts";
import { assertContentHash } from "./verify.ts";

export async function gatewayDownload(gateway: string, provider: string, storageId: Hex, options: DownloadOptions = {}): Promise<Uint8Array> {
  const id = bytes32ToStorageId(storageId);
  let res: Response;
  try {
    res = await fetch(`${gateway}/${id}`);
  } catch (cause) {
    throw new StorageDownloadError(provider, (cause as Error).message, cause);
  }
  if (res.status === 404) throw new StorageIdNotFoundError(id, provider);
  if (!res.ok) throw new StorageDownloadError(provider, `HTTP ${res.status} for ${id}`);
  const data = new Uint8Array(await res.arrayBuffer());
  if (options.contentHash) await assertContentHash(data, options.contentHash);
  return data;
}

export async function gatewayExists(gateway: string, provider: string, storageId: Hex): Promise<boolean> {
  const id = bytes32ToStorageId(storageId);
  let res: Response;
  try {
    res = await fetch(`${gateway}/${id}`, { method: "HEAD" });
  } catch (cause) {
    throw new StorageDownloadError(provider, (cause as Error).message, cause);
  }
  if (res.status === 404) return false;
  if (!res.ok) throw new StorageDownloadError(provider, `HTTP ${res.status} for HEAD ${id}`);
  return true;
}

export const trimSlash = (url: string): string => url.replace(/\/+$/, "");

export function checkUploadInput(data: unknown, tags: unknown): void {
  if (!(data instanceof Uint8Array)) throw new InvalidUploadInputError("data must be a Uint8Array");
  if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t?.name !== "string" || typeof t?.value !== "string" || t.name === ""))) {
    throw new InvalidUploadInputError("tags must be { name, value } strings with a non-empty name");
  }
}
