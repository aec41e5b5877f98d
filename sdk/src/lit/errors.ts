import { BaseError } from "../errors.ts";

/** The Lit nodes evaluated the conditions and refused: no live access (or no audit access). */
export class LitAccessDeniedError extends BaseError {
  override name = "LitAccessDeniedError";
  constructor(recordId: string, who: string, cause?: unknown) {
    super(`The Lit network refused to release the key of record ${recordId} to ${who}: the on-chain conditions do not hold.`, {
      cause,
      docsPath: "sdk.md#lit",
    });
  }
}

/** The Lit nodes rejected the caller's session or wallet signature. */
export class LitAuthError extends BaseError {
  override name = "LitAuthError";
  constructor(cause?: unknown) {
    super("The Lit network rejected the session signature.", { cause, docsPath: "sdk.md#lit" });
  }
}

/** Any other failure talking to the Lit network (unreachable, too few nodes, bad response). */
export class LitNetworkError extends BaseError {
  override name = "LitNetworkError";
  constructor(what: string, cause?: unknown) {
    super(`Lit network error while ${what}.`, { cause, docsPath: "sdk.md#lit" });
  }
}

/** A ciphertext bound to one Lit network was offered to a client of another. */
export class LitNetworkMismatchError extends BaseError {
  override name = "LitNetworkMismatchError";
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super(`This key was sealed on Lit network "${expected}" but the client is connected to "${actual}".`, {
      details: "A Lit ciphertext opens only on the network that sealed it; the owner re-seals it for a new network (rewrapKeys).",
      docsPath: "sdk.md#lit",
    });
    this.expected = expected;
    this.actual = actual;
  }
}

/** The blob names another registry or chain than this key release serves. */
export class LitConditionMismatchError extends BaseError {
  override name = "LitConditionMismatchError";
  constructor(details: string) {
    super("The Lit key-release blob's conditions do not match this record.", { details });
  }
}
