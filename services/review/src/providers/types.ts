// The one seam between the review service and a KYC provider. The granted fields pass through an
// adapter in memory only: adapters never log them, never put them in errors, and return only
// provider ids, statuses and the provider's own reason codes.
import type { DocumentMimeType, DocumentType } from "@onekey/sdk/schema";
import type { ProviderName } from "../errors.ts";

export type { ProviderName };

// Document types the review service routes on are the record schema's (each adapter maps them to
// its own vocabulary): one list, in the SDK, that the person's form offers too.
export { DOCUMENT_TYPES, type DocumentType } from "@onekey/sdk/schema";

/** One granted document image, decrypted in memory. `country` is ISO 3166-1 alpha-3. */
export type GrantedDocument = {
  type: DocumentType;
  side: "front" | "back";
  country?: string;
  mimeType: DocumentMimeType;
  bytes: Uint8Array;
};

/**
 * The person's granted identity fields. Every one is optional: a grant carries only what the
 * person chose to share, and an adapter sends only what is present.
 */
export type GrantedFields = {
  firstName?: string;
  lastName?: string;
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  /** ISO 3166-1 alpha-3 (country of residence / nationality as granted). */
  country?: string;
  idNumber?: string;
};

/** The provider's raw outcome, before normalisation (orchestration/verdict.ts maps it). */
export type ProviderOutcome = {
  provider: ProviderName;
  /** The provider's own status word (e.g. Sumsub GREEN/RED+RETRY, Onfido clear/consider, Veriff approved). */
  status: string;
  /** The provider's own reason codes / reject labels (codes, never free text). */
  reasons: string[];
  /** The provider's own risk labels. */
  riskLabels: string[];
};

export type ProviderResult =
  | { state: "pending"; applicantId: string; checkId: string }
  | { state: "completed"; applicantId: string; checkId: string; outcome: ProviderOutcome };

/**
 * A verified, parsed callback. `eventId` is stable across redeliveries of the same event (the
 * providers sign the body only, with no timestamp, so a captured callback can be replayed): the
 * caller's store records it and treats a second sighting as a duplicate.
 */
export type ProviderCallback = {
  provider: ProviderName;
  eventId: string;
  type: string;
  applicantId?: string;
  checkId?: string;
  /** Our case reference as we passed it to the provider (externalUserId / vendorData / reference). */
  reference?: string;
  /** Present when the callback itself carries the decision (Sumsub, Veriff); Onfido's needs fetchResult. */
  result?: ProviderResult;
};

export type CallbackInput = {
  /** Header names in any case. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received: signatures are over the raw body, never re-serialised JSON. */
  rawBody: Uint8Array;
};

export interface KycProvider {
  readonly name: ProviderName;
  /** Opens the provider's applicant (Sumsub, Onfido) or verification session (Veriff). */
  createApplicant(p: { reference: string; fields: GrantedFields; documentType: DocumentType; country?: string }): Promise<{ applicantId: string }>;
  /** Uploads the granted documents and asks the provider to check them. */
  submit(p: { applicantId: string; documents: GrantedDocument[] }): Promise<{ checkId: string }>;
  fetchResult(p: { applicantId: string; checkId: string }): Promise<ProviderResult>;
  /** Verifies the callback's signature (throws InvalidCallbackSignatureError) and parses it. */
  parseCallback(input: CallbackInput): ProviderCallback;
}

/** Options every adapter takes. */
export type AdapterHttpOptions = {
  /** Defaults to the provider's production endpoint. */
  baseUrl?: string;
  /** Per-request timeout; past it the call fails with ProviderTimeoutError. */
  timeoutMs?: number;
  /** For tests of clock-dependent signing. */
  now?: () => number;
  fetch?: typeof fetch;
};
