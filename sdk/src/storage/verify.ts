import type { Hex } from "viem";
import { sha256Hex } from "../crypto/bytes.ts";
import { ContentHashMismatchError } from "../crypto/errors.ts";
import type { StorageProvider } from "./types.ts";

/** sha256 of the bytes (WebCrypto): the record's on-chain content hash. */
export const contentHashOf = (data: Uint8Array): Promise<Hex> => sha256Hex(data);

/** Throws ContentHashMismatchError unless sha256(data) is `contentHash`. */
export async function assertContentHash(data: Uint8Array, contentHash: Hex): Promise<void> {
  const actual = await contentHashOf(data);
  if (actual !== contentHash.toLowerCase()) throw new ContentHashMismatchError(contentHash, actual);
}

/** Downloads and checks the bytes against the on-chain content hash before anyone decrypts them. */
export async function downloadVerified(storage: StorageProvider, storageId: Hex, contentHash: Hex): Promise<Uint8Array> {
  // Checked here rather than trusted to the provider, so any StorageProvider gets the guarantee.
  const data = await storage.download(storageId);
  await assertContentHash(data, contentHash);
  return data;
}
