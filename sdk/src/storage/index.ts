// @onekey/sdk/storage — ciphertext storage on Arweave and Irys and a durable upload queue.
// This entry runs in browsers and Node alike (fetch, WebCrypto, IndexedDB; no node:* import).
// The Node-only pieces (the @irys/upload client and the file-based queue store) are in ./node.ts, the
// entry Node resolves; local test servers live in the private devstack workspace.
export * from "./types.ts";
export * from "./errors.ts";
export { storageIdToBytes32, bytes32ToStorageId, base58Encode, base58Decode, type StorageIdEncoding } from "./ids.ts";
export { arweaveStorage, generateArweaveWallet, arweaveAddress, type ArweaveStorageOptions } from "./arweave.ts";
export { irysWebStorage, createIrysApproval, type IrysWebStorageOptions, type CreateIrysApprovalOptions } from "./irys-web.ts";
export { createSignedDataItem, type DataItemSigner, type SignedDataItem } from "./ans104.ts";
export { downloadVerified, assertContentHash, contentHashOf } from "./verify.ts";
export {
  openUploadQueue,
  type UploadQueue,
  type UploadQueueStore,
  type OpenUploadQueueOptions,
  type UploadQueueEvent,
  type QueueItemState,
  type QueueItemStatus,
  type QueuedUploadResult,
  type RetryPolicy,
  type Progress,
} from "./queue.ts";
export { indexedDbQueueStore } from "./queue-idb.ts";
export { ContentHashMismatchError } from "../crypto/errors.ts";
