// Every error the review service throws is a named subclass of the SDK's BaseError. Messages carry
// provider names, ids, HTTP statuses and field NAMES only: never a granted value (they end up in
// logs and case rows).
import { BaseError } from "@onekey/sdk/errors";

export type ProviderName = "sumsub" | "onfido" | "veriff";

/** The provider did not answer within the adapter's timeout: the orchestrator falls back. */
export class ProviderTimeoutError extends BaseError {
  override name = "ProviderTimeoutError";
  readonly provider: ProviderName;
  constructor(provider: ProviderName, operation: string, timeoutMs: number, cause?: unknown) {
    super(`${provider} did not answer "${operation}" within ${timeoutMs} ms.`, { cause, docsPath: "review-service.md#fallback" });
    this.provider = provider;
  }
}

/** The provider answered 5xx (or the connection failed): the orchestrator falls back. */
export class ProviderUnavailableError extends BaseError {
  override name = "ProviderUnavailableError";
  readonly provider: ProviderName;
  readonly status?: number;
  constructor(provider: ProviderName, operation: string, status?: number, cause?: unknown) {
    super(`${provider} is unavailable for "${operation}"${status ? ` (HTTP ${status})` : ""}.`, { cause, docsPath: "review-service.md#fallback" });
    this.provider = provider;
    this.status = status;
  }
}

/**
 * The provider refused the request (4xx): our credentials or request are wrong. Not retried on
 * another provider (the same input would fail there for the same reason, or the config is broken).
 * `providerCode` is the provider's own error code/correlation id, never its free-text message
 * (which can echo submitted values).
 */
export class ProviderRequestError extends BaseError {
  override name = "ProviderRequestError";
  readonly provider: ProviderName;
  readonly status: number;
  constructor(provider: ProviderName, operation: string, status: number, providerCode?: string) {
    super(`${provider} refused "${operation}" with HTTP ${status}${providerCode ? ` (${providerCode})` : ""}.`, { docsPath: "review-service.md#providers" });
    this.provider = provider;
    this.status = status;
  }
}

/** The provider answered 2xx with a body we cannot read. */
export class ProviderResponseError extends BaseError {
  override name = "ProviderResponseError";
  constructor(provider: ProviderName, operation: string, what: string) {
    super(`${provider} answered "${operation}" with an unexpected body: ${what}.`);
  }
}

/** A callback whose signature does not verify: refused (HTTP 401 by the caller), logged by id only. */
export class InvalidCallbackSignatureError extends BaseError {
  override name = "InvalidCallbackSignatureError";
  readonly provider: ProviderName;
  constructor(provider: ProviderName, reason: string) {
    super(`Refused a ${provider} callback: ${reason}.`, { docsPath: "review-service.md#callbacks" });
    this.provider = provider;
  }
}

/** A signed callback whose body is not the provider's documented shape. */
export class MalformedCallbackError extends BaseError {
  override name = "MalformedCallbackError";
  constructor(provider: ProviderName, what: string) {
    super(`A ${provider} callback is malformed: ${what}.`);
  }
}

/** The grant lacks what an adapter needs (e.g. no document image). Names fields, never values. */
export class MissingGrantedFieldError extends BaseError {
  override name = "MissingGrantedFieldError";
  constructor(provider: ProviderName, field: string) {
    super(`${provider} needs the granted field "${field}", which this grant does not include.`);
  }
}

/** Every candidate provider failed or was skipped. */
export class NoProviderAvailableError extends BaseError {
  override name = "NoProviderAvailableError";
  readonly attempts: readonly { provider: ProviderName; outcome: string }[];
  constructor(attempts: readonly { provider: ProviderName; outcome: string }[]) {
    super(
      attempts.length
        ? `No provider could take the check (${attempts.map((a) => `${a.provider}: ${a.outcome}`).join(", ")}).`
        : "No provider matches this project's rules for the grant.",
      { docsPath: "review-service.md#rules" },
    );
    this.attempts = attempts;
  }
}

export class InvalidRulesError extends BaseError {
  override name = "InvalidRulesError";
  constructor(what: string) {
    super(`Invalid review rules: ${what}.`);
  }
}

/** A key file that is not ours, or whose parameters we refuse (e.g. an scrypt cost that would stall the process). */
export class InvalidKeyFileError extends BaseError {
  override name = "InvalidKeyFileError";
  constructor(id: string, what: string) {
    super(`The key file for "${id.slice(0, 128)}" is invalid: ${what}.`, { docsPath: "review-service.md#key-custody" });
  }
}

export class WeakPassphraseError extends BaseError {
  override name = "WeakPassphraseError";
  constructor(minLength: number) {
    super(`The key-store passphrase must be at least ${minLength} characters.`);
  }
}

/** A PKCS#11 failure, with the token's return value name (CKR_*). */
export class Pkcs11Error extends BaseError {
  override name = "Pkcs11Error";
  readonly ckr?: string;
  constructor(operation: string, cause: unknown) {
    const ckr = (cause as { message?: string })?.message?.match(/CKR_[A-Z_]+/)?.[0];
    super(`PKCS#11 ${operation} failed${ckr ? ` (${ckr})` : ""}.`, { cause, docsPath: "review-service.md#key-custody" });
    this.ckr = ckr;
  }
}

export class TokenNotFoundError extends BaseError {
  override name = "TokenNotFoundError";
  constructor(label: string) {
    super(`No PKCS#11 token labelled "${label.slice(0, 32)}" is present.`, { docsPath: "review-service.md#key-custody" });
  }
}

export class WrongPinError extends BaseError {
  override name = "WrongPinError";
  constructor(label: string) {
    super(`The PIN for PKCS#11 token "${label.slice(0, 32)}" was refused.`, { docsPath: "review-service.md#key-custody" });
  }
}

/** An event the case's current state does not accept (the API answers 409). */
export class InvalidTransitionError extends BaseError {
  override name = "InvalidTransitionError";
  readonly status: string;
  readonly event: string;
  constructor(caseId: string, status: string, event: string, why?: string) {
    super(`Case ${caseId.slice(0, 80)} is ${status}: "${event}" is not accepted${why ? ` (${why})` : ""}.`, { docsPath: "review-service.md#cases" });
    this.status = status;
    this.event = event;
  }
}
