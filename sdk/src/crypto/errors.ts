import { BaseError } from "../errors.ts";

/** GCM authentication failed: the ciphertext, tag, IV, associated data or key is wrong. */
export class DecryptionFailedError extends BaseError {
  override name = "DecryptionFailedError";
  constructor(what: string, cause?: unknown) {
    super(`Could not decrypt ${what}: the data was altered or the key is wrong.`, { cause, docsPath: "sdk.md#errors-you-can-branch-on" });
  }
}

/** A bundle's bytes do not hash to the content hash registered on-chain. */
export class ContentHashMismatchError extends BaseError {
  override name = "ContentHashMismatchError";
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super("Ciphertext bundle does not match its on-chain content hash; refusing to decrypt.", {
      metaMessages: [`expected ${expected}`, `actual   ${actual}`],
      docsPath: "sdk.md#errors-you-can-branch-on",
    });
    this.expected = expected;
    this.actual = actual;
  }
}

/** A field was asked for that the available keys (the grant's field mask) do not cover. */
export class FieldNotGrantedError extends BaseError {
  override name = "FieldNotGrantedError";
  readonly field: string;
  constructor(field: string) {
    super(`Field "${field}" is not disclosed by this grant.`, { docsPath: "sdk.md#selective-disclosure" });
    this.field = field;
  }
}

/** A field name that is not in the record's manifest. */
export class UnknownFieldError extends BaseError {
  override name = "UnknownFieldError";
  readonly field: string;
  constructor(field: string) {
    super(`Field "${field}" is not in the record's manifest.`);
    this.field = field;
  }
}

/** Bytes that do not parse as a OneKey bundle (wrong magic, lengths or manifest). */
export class MalformedBundleError extends BaseError {
  override name = "MalformedBundleError";
  constructor(details: string) {
    super("Not a well-formed OneKey ciphertext bundle.", { details });
  }
}

/** A bundle scheme this SDK does not implement. */
export class UnknownSchemeError extends BaseError {
  override name = "UnknownSchemeError";
  readonly scheme: number;
  constructor(scheme: number) {
    super(`Unknown ciphertext scheme ${scheme}; this SDK reads scheme 1.`);
    this.scheme = scheme;
  }
}

/** Wrapped-key bytes of the wrong size or shape. */
export class MalformedWrappedKeyError extends BaseError {
  override name = "MalformedWrappedKeyError";
  constructor(details: string) {
    super("Malformed wrapped key.", { details });
  }
}

/** A key of the wrong length or form. */
export class InvalidKeyError extends BaseError {
  override name = "InvalidKeyError";
  constructor(details: string) {
    super("Invalid key.", { details });
  }
}

/** Bad input to encryption (no fields, an empty or over-long name, a bad record id). */
export class InvalidRecordInputError extends BaseError {
  override name = "InvalidRecordInputError";
  constructor(details: string) {
    super("Invalid record input.", { details });
  }
}

/** A key-release mode (an on-chain `keyRelease` value or a name) this SDK does not implement. */
export class UnknownKeyReleaseModeError extends BaseError {
  override name = "UnknownKeyReleaseModeError";
  readonly mode: number | string;
  constructor(mode: number | string) {
    super(`Unknown key-release mode ${JSON.stringify(mode)}; this SDK implements envelope (0) and lit (1).`, { docsPath: "sdk.md#key-release" });
    this.mode = mode;
  }
}

/** The record's key-release mode differs from the key release the caller passed. */
export class KeyReleaseModeMismatchError extends BaseError {
  override name = "KeyReleaseModeMismatchError";
  constructor(onChain: string, given: string) {
    super(`The record releases keys by "${onChain}" but a "${given}" key release was given.`, { docsPath: "sdk.md#key-release" });
  }
}

/** The grantee has no X25519 public key on-chain, so nothing can be wrapped to it. */
export class GranteeKeyNotSetError extends BaseError {
  override name = "GranteeKeyNotSetError";
  constructor(what: string) {
    super(`${what} has no X25519 public key registered on-chain; it cannot receive a grant yet.`);
  }
}

/** The escrow path was asked for without a current audit-access entry on-chain. */
export class AuditAccessNotRecordedError extends BaseError {
  override name = "AuditAccessNotRecordedError";
  constructor(recordId: string, projectId: bigint, auditor: string) {
    super(`No current audit access by ${auditor} for record ${recordId} in project ${projectId} is on-chain; the escrow key stays closed.`, {
      details: "Call recordAuditAccess(recordId, projectId, authorisationHash) first.",
      docsPath: "sdk.md#audit-escrow",
    });
  }
}
