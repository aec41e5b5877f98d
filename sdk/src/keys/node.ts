// NODE-ONLY entry of @onekey/sdk/keys: everything in ./index.ts plus the encrypted file key store.
export * from "./index.ts";
export { openFileKeyStore, DEFAULT_SCRYPT, type OpenFileKeyStoreOptions, type ScryptParameters } from "./file-store.ts";
