// What one review service instance is told: the chain, the indexer, storage, its keys, its
// providers and, per project, the rules, the attestation policy and where its webhooks go.
import type { Address, Hex } from "viem";
import type { KeyAgreement } from "@onekey/sdk/crypto";
import type { KeyStore } from "@onekey/sdk/keys";
import { ageClaims, Claim, countryClaims } from "@onekey/sdk/contracts";
import type { StorageProvider } from "@onekey/sdk/storage";
import type { CaseLimits } from "../cases/state-machine.ts";
import type { AttestationPolicy } from "../orchestration/policy.ts";
import type { ProjectRules } from "../orchestration/rules.ts";
import { COUNTRY_ALPHA2, FIELD_NAMES, parseRecord } from "@onekey/sdk/schema";
import type { DocumentType, GrantedDocument, GrantedFields, KycProvider, ProviderName } from "../providers/types.ts";
import type { Store } from "../db/store.ts";

export type StepSla = { documentsMs?: number; providerMs?: number; reviewMs?: number; attestationMs?: number };

export type ReviewProject = {
  projectId: bigint;
  /** The project's indexer API key (read + webhooks scopes): polling grants, registering the trigger endpoint. */
  indexerApiKey?: string;
  /** Secret of the indexer endpoint that delivers to this service; registered by the service when absent. */
  indexerWebhookSecret?: string;
  /** Key-store id of the project's review key (default review:<projectId>:v1). */
  reviewKeyId?: string;
  rules: ProjectRules;
  policy: AttestationPolicy;
  /** ISO 3166-1 alpha-2 countries whose residents get COUNTRY_ALLOWED. */
  countryAllowList?: string[];
  /** How long an attestation holds (default 365 days). */
  attestationTtlSeconds?: number;
  /** Where the service's own case webhooks go (Standard Webhooks, `whsec_` secret). */
  webhook?: { url: string; secret: string };
  limits?: Partial<CaseLimits>;
  sla?: StepSla;
};

export type ReviewKeyStore = KeyStore & { agreement(id: string): Promise<KeyAgreement | undefined> };

export type ReviewLogLine = { event: string; [key: string]: string | number | boolean | undefined };

export type ReviewServiceOptions = {
  port: number;
  host?: string;
  /** How the indexer reaches this service (default http://host:port). */
  publicUrl?: string;
  rpcUrl: string;
  indexerUrl: string;
  addresses: { projectRegistry: Address; recordRegistry: Address; attestationRegistry: Address };
  storage: StorageProvider;
  keyStore: ReviewKeyStore;
  /** A REVIEWER of every project here: reads under the project's grant and signs attestations. */
  attesterKey: Hex;
  /** Pays the gas of `attestBySig` (anyone may relay a signed attestation). */
  relayerKey: Hex;
  providers: Partial<Record<ProviderName, KycProvider>>;
  projects: ReviewProject[];
  databaseUrl?: string;
  dbDir?: string;
  store?: Store;
  /** Names this instance in leases and logs (default random). */
  instanceId?: string;
  leaseMs?: number;
  workerIntervalMs?: number;
  indexerPollMs?: number;
  providerPollMs?: number;
  /** How often chain reads wait for a receipt or block (default 250 ms). */
  pollingIntervalMs?: number;
  /** Cases processed at once by this instance. */
  concurrency?: number;
  log?: (line: ReviewLogLine) => void;
  /**
   * Origins whose pages may call the API from a browser (the org console's origin, e.g.
   * "https://console.example.org"); none by default. Others get 403 OriginNotAllowed.
   */
  corsOrigins?: string[];
};

// The record's field names, formats and document packing are the SDK's record schema, the same
// one the person's form writes: the service reads through it and never retypes a name.
export { FIELD_NAMES };

export type Granted = {
  fields: GrantedFields;
  documents: GrantedDocument[];
  documentType?: DocumentType;
  /** Granted fields the schema could not use (malformed value, unreadable document): names only. */
  invalid: string[];
};

/**
 * The decrypted record, in memory, as the provider layer's types. Documents are unpacked from the
 * schema's packing; the provider gets the type from the packed header (which unpackFile checks
 * against the bytes), never a guess.
 */
export function grantedFromRecord(values: Record<string, string | Uint8Array>): Granted {
  const r = parseRecord(values);
  const fields: GrantedFields = {};
  const keys = { firstName: "firstName", lastName: "lastName", dateOfBirth: "dateOfBirth", country: "country", idNumber: "idNumber" } as const;
  for (const key of Object.values(keys)) {
    const v = r.text[FIELD_NAMES[key]];
    if (v !== undefined) fields[key] = v;
  }
  const documentType = r.text.document_type as DocumentType | undefined;
  const country = r.text.document_country ?? fields.country;
  const documents: GrantedDocument[] = [];
  for (const side of ["front", "back"] as const) {
    const d = r.documents[side === "front" ? FIELD_NAMES.documentFront : FIELD_NAMES.documentBack];
    if (documentType && d) documents.push({ type: documentType, side, country, mimeType: d.type, bytes: d.bytes });
  }
  return { fields, documents, documentType, invalid: r.invalid };
}

/**
 * The claim bits the granted fields support, derived here in memory with the SDK's helpers; only
 * the bits are kept (and go on-chain), never the birth date or the country behind them.
 * DOCUMENT_VERIFIED is added when the attestation is made (a provider or reviewer approved).
 */
export function claimsFrom(g: Granted, project: ReviewProject, now: Date): number {
  let claims = 0;
  try {
    if (g.fields.dateOfBirth) claims |= ageClaims(g.fields.dateOfBirth, now);
  } catch {
    // Not a calendar date: no age claim (the provider judges the document itself).
  }
  const alpha2 = g.fields.country ? COUNTRY_ALPHA2[g.fields.country] : undefined;
  if (alpha2 && project.countryAllowList?.length) claims |= countryClaims(alpha2, project.countryAllowList);
  return claims >>> 0;
}

export const DOCUMENT_VERIFIED = Claim.DOCUMENT_VERIFIED;
