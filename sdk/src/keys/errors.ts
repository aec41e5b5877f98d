import { BaseError } from "../errors.ts";

export class NonDeterministicSignatureError extends BaseError {
  override name = "NonDeterministicSignatureError";
  constructor() {
    super("The wallet signed the key-derivation message twice with different results.", {
      details: "Deriving keys needs deterministic (RFC 6979) signatures; use a generated key in a KeyStore instead.",
      docsPath: "sdk.md#keys",
    });
  }
}

export class InvalidKeyIdError extends BaseError {
  override name = "InvalidKeyIdError";
  constructor(id: string) {
    super(`Key id "${String(id).slice(0, 80)}" must match /^[A-Za-z0-9_.:-]{1,128}$/.`, { docsPath: "sdk.md#keys" });
  }
}

/** The passphrase does not open this key store (checked before any key is read). */
export class WrongPassphraseError extends BaseError {
  override name = "WrongPassphraseError";
  constructor(directory: string) {
    super(`The passphrase does not open the key store in ${directory}.`, { docsPath: "sdk.md#key-stores" });
  }
}

/** A key file or the store's header is not in a form this SDK reads (or was altered). */
export class CorruptKeyStoreError extends BaseError {
  override name = "CorruptKeyStoreError";
  constructor(what: string, details: string, cause?: unknown) {
    super(`Key store entry ${what} is unreadable or was altered.`, { details, cause, docsPath: "sdk.md#key-stores" });
  }
}

/** The store keeps this key inside (non-extractable); use `agreement(id)` instead of the raw key. */
export class KeyNotExportableError extends BaseError {
  override name = "KeyNotExportableError";
  constructor(id: string) {
    super(`Key "${id}" never leaves its store; use store.agreement("${id}") to unwrap with it.`, { docsPath: "sdk.md#key-stores" });
  }
}

/** IndexedDB is missing (not a browser) or refused (private mode, storage blocked). */
export class KeyStoreUnavailableError extends BaseError {
  override name = "KeyStoreUnavailableError";
  constructor(details: string, cause?: unknown) {
    super("The browser key store (IndexedDB) is unavailable.", { details, cause, docsPath: "sdk.md#key-stores" });
  }
}
