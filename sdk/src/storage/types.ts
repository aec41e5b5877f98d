import type { Hex } from "viem";

export interface StorageTag {
  name: string;
  value: string;
}

export interface UploadResult {
  /** The id as the chain stores it (raw 32 bytes). */
  storageId: Hex;
  /** The provider's own form (base64url). */
  nativeId: string;
}

/** Where ciphertext bundles live. Only ciphertext and non-personal tags ever reach it. */
export interface StorageProvider {
  readonly name: string;
  upload(data: Uint8Array, tags?: StorageTag[]): Promise<UploadResult>;
  /** The bytes stored under `storageId`; StorageIdNotFoundError when there are none. */
  download(storageId: Hex): Promise<Uint8Array>;
}
