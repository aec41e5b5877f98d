// @onekey/sdk/storage — ciphertext storage on Irys and Arweave, and a durable upload queue.
// Local test servers (arlocal, the Irys-compatible bundler) live in the private devstack workspace.
export * from "./types.ts";
export * from "./errors.ts";
export { storageIdToBytes32, bytes32ToStorageId, base58Encode, base58Decode, type StorageIdEncoding } from "./ids.ts";
export { arweaveStorage, generateArweaveWallet, arweaveAddress, type ArweaveStorageOptions } from "./arweave.ts";
export { irysStorage, type IrysStorageOptions } from "./irys.ts";
export { downloadVerified, assertContentHash, contentHashOf } from "./verify.ts";
export {
  openUploadQueue, type UploadQueue, type OpenUploadQueueOptions, type UploadQueueEvent, type QueueItemState, type QueueItemStatus,
  type QueuedUploadResult, type RetryPolicy, type Progress,
} from "./queue.ts";
export { ContentHashMismatchError } from "../crypto/errors.ts";
