import type { Hex } from "viem";

export interface StorageTag {
  name: string;
  value: string;
}

export interface UploadResult {
  /** The id as the chain stores it (raw 32 bytes). */
  storageId: Hex;
  /** The provider's own form (base64url, as gateways and Irys receipts write it). */
  nativeId: string;
}

export interface UploadOptions {
  /** Bytes sent so far of this upload: called at least once, each figure once and rising, with `sent === total` last. */
  onProgress?: (sent: number, total: number) => void;
  /**
   * Called once the upload is signed and its id is fixed, before any byte is sent. The upload
   * queue persists this id so that after a crash it can ask `exists` instead of uploading twice.
   */
  onPrepared?: (result: UploadResult) => void | Promise<void>;
  /**
   * Called as the upload advances with an opaque token (no bytes of the data in it) from which
   * the provider can continue the same upload later; the queue persists it. Providers that
   * cannot continue an upload never call it.
   */
  onCheckpoint?: (token: string) => void | Promise<void>;
  /** A token from `onCheckpoint`: continue that upload (same id) instead of starting anew. */
  resumeFrom?: string;
}

export interface DownloadOptions {
  /**
   * sha256 of the expected bytes (the record's on-chain content hash). When given, bytes that do
   * not match are refused with ContentHashMismatchError and never returned.
   */
  contentHash?: Hex;
}

/** Where ciphertext bundles live. Only ciphertext and non-personal tags ever reach it. */
export interface StorageProvider {
  readonly name: string;
  upload(data: Uint8Array, tags?: StorageTag[], options?: UploadOptions): Promise<UploadResult>;
  /** The bytes stored under `storageId`; StorageIdNotFoundError when there are none. */
  download(storageId: Hex, options?: DownloadOptions): Promise<Uint8Array>;
  /** Whether the provider serves anything under `storageId`. */
  exists(storageId: Hex): Promise<boolean>;
}

/**
 * `onProgress` as the providers call it: the first report, then only forward progress. Uploaders
 * repeat figures (arweave's reports its last chunk and then completion; Irys' final receipt
 * follows its last chunk), and a caller showing progress should see each figure once.
 */
export function forwardProgress(onProgress?: (sent: number, total: number) => void): (sent: number, total: number) => void {
  let last = -1;
  return (sent, total) => {
    if (sent <= last) return;
    last = sent;
    onProgress?.(sent, total);
  };
}
