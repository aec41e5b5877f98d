// @onekey/sdk/storage — ciphertext storage on Arweave (and arlocal locally).
export * from "./types.ts";
export * from "./errors.ts";
export { storageIdToBytes32, bytes32ToStorageId } from "./ids.ts";
export { arweaveStorage, generateArweaveWallet, arweaveAddress, type ArweaveStorageOptions } from "./arweave.ts";
export { downloadVerified } from "./verify.ts";
