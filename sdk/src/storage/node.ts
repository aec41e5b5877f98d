// NODE-ONLY entry of @onekey/sdk/storage: everything in ./index.ts plus what needs Node — the
// Irys client (@irys/upload is a Node library) and the file-based upload-queue store.
export * from "./index.ts";
export { irysStorage, type IrysStorageOptions } from "./irys.ts";
export { fileQueueStore } from "./queue-file.ts";
