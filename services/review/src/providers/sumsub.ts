// Sumsub adapter, written against docs.sumsub.com (API reference, "Authentication",
// "Add verification documents", "Get applicant review status", "Receive results via API",
// "Webhook manager").
//
// Auth: every request carries X-App-Token, X-App-Access-Ts (unix seconds) and X-App-Access-Sig =
// lowercase hex HMAC-SHA256(secret, ts + METHOD + path-with-query + body bytes).
// Callbacks: X-Payload-Digest = hex HMAC of the raw body with the webhook secret, algorithm named
// by X-Payload-Digest-Alg (HMAC_SHA256_HEX by default, HMAC_SHA512_HEX optional).
import { InvalidCallbackSignatureError, MissingGrantedFieldError } from "../errors.ts";
import {
  callbackField,
  DEFAULT_TIMEOUT_MS,
  extensionOf,
  header,
  hexEquals,
  hmacHex,
  multipart,
  parseCallbackJson,
  requestJson,
  requireString,
  strings,
  utf8,
} from "./http.ts";
import type {
  AdapterHttpOptions,
  CallbackInput,
  DocumentType,
  GrantedDocument,
  GrantedFields,
  KycProvider,
  ProviderCallback,
  ProviderResult,
} from "./types.ts";

export const SUMSUB_PRODUCTION_URL = "https://api.sumsub.com";

export type SumsubConfig = AdapterHttpOptions & {
  appToken: string;
  secretKey: string;
  /** The verification level configured in the Sumsub dashboard (e.g. "basic-kyc-level"). */
  levelName: string;
  webhookSecret: string;
};

const ID_DOC_TYPE: Record<DocumentType, string> = {
  passport: "PASSPORT",
  id_card: "ID_CARD",
  driving_licence: "DRIVERS",
  residence_permit: "RESIDENCE_PERMIT",
};

/** Sumsub's request signature (exported for the simulator, which checks it as Sumsub does). */
export function sumsubSignature(secretKey: string, ts: string, method: string, pathWithQuery: string, body?: Uint8Array): string {
  return hmacHex("sha256", secretKey, ts, method.toUpperCase(), pathWithQuery, body ?? new Uint8Array());
}

const DIGEST_ALGS = { HMAC_SHA256_HEX: "sha256", HMAC_SHA512_HEX: "sha512" } as const;

export function sumsubProvider(config: SumsubConfig): KycProvider {
  const baseUrl = (config.baseUrl ?? SUMSUB_PRODUCTION_URL).replace(/\/$/, "");
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = config.now ?? Date.now;
  const doFetch = config.fetch ?? fetch;

  async function call<T>(operation: string, method: "GET" | "POST", pathWithQuery: string, body?: Uint8Array, contentType?: string) {
    const ts = String(Math.floor(now() / 1000));
    const headers: Record<string, string> = {
      Accept: "application/json",
      "X-App-Token": config.appToken,
      "X-App-Access-Ts": ts,
      "X-App-Access-Sig": sumsubSignature(config.secretKey, ts, method, pathWithQuery, body),
    };
    if (contentType) headers["Content-Type"] = contentType;
    return requestJson<T>({ provider: "sumsub", operation, method, url: baseUrl + pathWithQuery, headers, body, timeoutMs, fetch: doFetch });
  }

  return {
    name: "sumsub",

    // POST /resources/applicants?levelName=… ("Create applicant"): externalUserId is our case
    // reference; fixedInfo carries only the granted fields.
    async createApplicant({ reference, fields }) {
      const fixedInfo = fixedInfoOf(fields);
      const body = utf8(JSON.stringify({ externalUserId: reference, ...(Object.keys(fixedInfo).length ? { fixedInfo } : {}) }));
      const { json } = await call<{ id?: unknown }>(
        "createApplicant",
        "POST",
        `/resources/applicants?levelName=${encodeURIComponent(config.levelName)}`,
        body,
        "application/json",
      );
      return { applicantId: requireString("sumsub", "createApplicant", json.id, "id") };
    },

    // POST /resources/applicants/{applicantId}/info/idDoc (multipart: metadata JSON + content
    // image), once per image; then POST /resources/applicants/{applicantId}/status/pending asks
    // Sumsub to review. Sumsub has no separate check object: the check id is the applicant id.
    async submit({ applicantId, documents }) {
      if (documents.length === 0) throw new MissingGrantedFieldError("sumsub", "document image");
      const id = encodeURIComponent(applicantId);
      for (const [i, doc] of documents.entries()) {
        const { body, contentType } = multipart([
          { name: "metadata", value: JSON.stringify(metadataOf(doc)) },
          { name: "content", value: doc.bytes, filename: `document-${i}.${extensionOf(doc.mimeType)}`, contentType: doc.mimeType },
        ]);
        await call("addIdDoc", "POST", `/resources/applicants/${id}/info/idDoc`, body, contentType);
      }
      await call("requestCheck", "POST", `/resources/applicants/${id}/status/pending`);
      return { checkId: applicantId };
    },

    // GET /resources/applicants/{applicantId}/status ("Get applicant review status").
    async fetchResult({ applicantId, checkId }): Promise<ProviderResult> {
      const { json } = await call<SumsubReview>("fetchResult", "GET", `/resources/applicants/${encodeURIComponent(applicantId)}/status`);
      return resultOf(applicantId, checkId, json);
    },

    parseCallback(input: CallbackInput): ProviderCallback {
      const digest = header(input.headers, "x-payload-digest");
      if (!digest) throw new InvalidCallbackSignatureError("sumsub", "no X-Payload-Digest header");
      const algName = header(input.headers, "x-payload-digest-alg") ?? "HMAC_SHA256_HEX";
      const alg = DIGEST_ALGS[algName as keyof typeof DIGEST_ALGS];
      // SHA-1 digests are refused: the dashboard offers SHA-256/512 and we configure those.
      if (!alg) throw new InvalidCallbackSignatureError("sumsub", `digest algorithm ${algName.slice(0, 32)} not accepted`);
      if (!hexEquals(hmacHex(alg, config.webhookSecret, input.rawBody), digest)) throw new InvalidCallbackSignatureError("sumsub", "digest mismatch");
      const body = parseCallbackJson("sumsub", input.rawBody) as SumsubWebhook;
      const applicantId = callbackField("sumsub", body.applicantId, "applicantId");
      const type = callbackField("sumsub", body.type, "type");
      // Sumsub sends no event id; type + applicant + createdAtMs (+ correlationId) is what a
      // redelivery repeats and a new event changes.
      const eventId = `sumsub:${type}:${applicantId}:${body.createdAtMs ?? body.createdAt ?? ""}:${body.correlationId ?? ""}`;
      const cb: ProviderCallback = {
        provider: "sumsub",
        eventId,
        type,
        applicantId,
        checkId: applicantId,
        reference: typeof body.externalUserId === "string" ? body.externalUserId : undefined,
      };
      if (type === "applicantReviewed" || type === "applicantOnHold") cb.result = resultOf(applicantId, applicantId, body);
      return cb;
    },
  };
}

type SumsubReview = {
  reviewStatus?: string;
  reviewResult?: { reviewAnswer?: string; rejectLabels?: string[]; reviewRejectType?: string };
};
type SumsubWebhook = SumsubReview & {
  applicantId?: string;
  type?: string;
  externalUserId?: string;
  correlationId?: string;
  createdAtMs?: string;
  createdAt?: string;
};

function resultOf(applicantId: string, checkId: string, review: SumsubReview): ProviderResult {
  const reasons = strings(review.reviewResult?.rejectLabels);
  if (review.reviewStatus === "onHold")
    return { state: "completed", applicantId, checkId, outcome: { provider: "sumsub", status: "onHold", reasons, riskLabels: [] } };
  if (review.reviewStatus !== "completed" || !review.reviewResult?.reviewAnswer) return { state: "pending", applicantId, checkId };
  const answer = review.reviewResult.reviewAnswer;
  const status = answer === "RED" ? `RED/${review.reviewResult.reviewRejectType ?? "FINAL"}` : answer;
  return { state: "completed", applicantId, checkId, outcome: { provider: "sumsub", status, reasons, riskLabels: [] } };
}

function fixedInfoOf(f: GrantedFields): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.firstName) out.firstName = f.firstName;
  if (f.lastName) out.lastName = f.lastName;
  if (f.dateOfBirth) out.dob = f.dateOfBirth;
  if (f.country) out.country = f.country;
  return out;
}

function metadataOf(doc: GrantedDocument) {
  // Sumsub requires idDocType and country; country is the document's issuing country (alpha-3).
  if (!doc.country) throw new MissingGrantedFieldError("sumsub", "document country");
  return { idDocType: ID_DOC_TYPE[doc.type], idDocSubType: doc.side === "back" ? "BACK_SIDE" : "FRONT_SIDE", country: doc.country };
}
