import type { Hex } from "viem";
import { sha256Hex } from "../crypto/bytes.ts";
import { ContentHashMismatchError } from "../crypto/errors.ts";
import type { StorageProvider } from "./types.ts";

/** Downloads and checks the bytes against the on-chain content hash before anyone decrypts them. */
export async function downloadVerified(storage: StorageProvider, storageId: Hex, contentHash: Hex): Promise<Uint8Array> {
  const data = await storage.download(storageId);
  const actual = sha256Hex(data);
  if (actual !== contentHash.toLowerCase()) throw new ContentHashMismatchError(contentHash, actual);
  return data;
}
