import { createHash } from "node:crypto";
import type { Hex } from "viem";
import { ContentHashMismatchError } from "../crypto/errors.ts";
import type { StorageProvider } from "./types.ts";

export const contentHashOf = (data: Uint8Array): Hex => `0x${createHash("sha256").update(data).digest("hex")}`;

/** Throws ContentHashMismatchError unless sha256(data) is `contentHash`. */
export function assertContentHash(data: Uint8Array, contentHash: Hex): void {
  const actual = contentHashOf(data);
  if (actual !== contentHash.toLowerCase()) throw new ContentHashMismatchError(contentHash, actual);
}

/** Downloads and checks the bytes against the on-chain content hash before anyone decrypts them. */
export async function downloadVerified(storage: StorageProvider, storageId: Hex, contentHash: Hex): Promise<Uint8Array> {
  // Checked here rather than trusted to the provider, so any StorageProvider gets the guarantee.
  const data = await storage.download(storageId);
  assertContentHash(data, contentHash);
  return data;
}
