// Veriff adapter, Public API v1, written against devdocs.veriff.com ("POST /sessions",
// "Upload media" POST /v1/sessions/{id}/media, "Update session" PATCH /v1/sessions/{id},
// "GET /sessions/{id}/decision", "HMAC Authentication and Endpoint Security", "Decision webhook",
// "Verification session status codes").
//
// Auth: X-AUTH-CLIENT = the integration's API key on every request; X-HMAC-SIGNATURE = hex
// HMAC-SHA256(shared secret, payload) where the payload is the request body for POST/PATCH and
// the session id for GET (POST /sessions itself needs no signature). Webhooks carry the same
// two headers, signed over the raw body.
import { COUNTRY_ALPHA2 } from "@onekey/sdk/schema";
import { InvalidCallbackSignatureError, MalformedCallbackError, MissingGrantedFieldError } from "../errors.ts";
import { callbackField, DEFAULT_TIMEOUT_MS, header, hexEquals, hmacHex, parseCallbackJson, requestJson, requireString, strings, utf8 } from "./http.ts";
import type { AdapterHttpOptions, CallbackInput, DocumentType, KycProvider, ProviderCallback, ProviderResult } from "./types.ts";

export const VERIFF_PRODUCTION_URL = "https://stationapi.veriff.com";

export type VeriffConfig = AdapterHttpOptions & {
  apiKey: string;
  sharedSecret: string;
  /** Optional decision-webhook URL per session (otherwise the integration's configured one). */
  callbackUrl?: string;
};

const DOC_TYPE: Record<DocumentType, string> = {
  passport: "PASSPORT",
  id_card: "ID_CARD",
  driving_licence: "DRIVERS_LICENSE",
  residence_permit: "RESIDENCE_PERMIT",
};

// Veriff wants ISO 3166-1 alpha-2 document countries; the grant carries alpha-3 (the record
// schema's format). A country not in the schema's table is simply not sent (document.country is
// optional: Veriff reads it off the document).
export const ALPHA2 = COUNTRY_ALPHA2;

const CONTEXT = { front: "document-front", back: "document-back" } as const;

export function veriffSignature(sharedSecret: string, payload: string | Uint8Array): string {
  return hmacHex("sha256", sharedSecret, payload);
}

export function veriffProvider(config: VeriffConfig): KycProvider {
  const baseUrl = (config.baseUrl ?? VERIFF_PRODUCTION_URL).replace(/\/$/, "");
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = config.fetch ?? fetch;

  function call<T>(operation: string, method: "GET" | "POST" | "PATCH", path: string, body?: Uint8Array, signed?: string | Uint8Array) {
    const headers: Record<string, string> = { Accept: "application/json", "X-AUTH-CLIENT": config.apiKey };
    if (body) headers["Content-Type"] = "application/json";
    if (signed !== undefined) headers["X-HMAC-SIGNATURE"] = veriffSignature(config.sharedSecret, signed);
    return requestJson<T>({ provider: "veriff", operation, method, url: baseUrl + path, headers, body, timeoutMs, fetch: doFetch });
  }

  return {
    name: "veriff",

    // POST /v1/sessions: vendorData is our case reference; person and document carry only the
    // granted fields. The session id is the applicant id.
    async createApplicant({ reference, fields, documentType, country }) {
      const person: Record<string, string> = {};
      if (fields.firstName) person.firstName = fields.firstName;
      if (fields.lastName) person.lastName = fields.lastName;
      if (fields.dateOfBirth) person.dateOfBirth = fields.dateOfBirth;
      if (fields.idNumber) person.idNumber = fields.idNumber;
      const document: Record<string, string> = { type: DOC_TYPE[documentType] };
      const alpha2 = country && ALPHA2[country];
      if (alpha2) document.country = alpha2;
      const verification: Record<string, unknown> = { vendorData: reference, document };
      if (Object.keys(person).length) verification.person = person;
      if (config.callbackUrl) verification.callback = config.callbackUrl;
      const { json } = await call<{ verification?: { id?: unknown } }>("createSession", "POST", "/v1/sessions", utf8(JSON.stringify({ verification })));
      return { applicantId: requireString("veriff", "createSession", json.verification?.id, "verification.id") };
    },

    // POST /v1/sessions/{id}/media per image (base64 data URI, signed body), then
    // PATCH /v1/sessions/{id} { verification: { status: "submitted" } } (signed body).
    async submit({ applicantId, documents }) {
      if (documents.length === 0) throw new MissingGrantedFieldError("veriff", "document image");
      const id = encodeURIComponent(applicantId);
      for (const doc of documents) {
        const body = utf8(
          JSON.stringify({ image: { context: CONTEXT[doc.side], content: `data:${doc.mimeType};base64,${Buffer.from(doc.bytes).toString("base64")}` } }),
        );
        await call("uploadMedia", "POST", `/v1/sessions/${id}/media`, body, body);
      }
      const body = utf8(JSON.stringify({ verification: { status: "submitted" } }));
      await call("submitSession", "PATCH", `/v1/sessions/${id}`, body, body);
      return { checkId: applicantId };
    },

    // GET /v1/sessions/{id}/decision, signed over the session id. `verification` is null until
    // Veriff has decided.
    async fetchResult({ applicantId, checkId }): Promise<ProviderResult> {
      const { json } = await call<{ verification?: VeriffDecision | null }>(
        "fetchDecision",
        "GET",
        `/v1/sessions/${encodeURIComponent(checkId)}/decision`,
        undefined,
        checkId,
      );
      return decisionResult(applicantId, checkId, json.verification ?? undefined);
    },

    parseCallback(input: CallbackInput): ProviderCallback {
      const signature = header(input.headers, "x-hmac-signature");
      if (!signature) throw new InvalidCallbackSignatureError("veriff", "no X-HMAC-SIGNATURE header");
      if (header(input.headers, "x-auth-client") !== config.apiKey) throw new InvalidCallbackSignatureError("veriff", "X-AUTH-CLIENT is not this integration");
      if (!hexEquals(veriffSignature(config.sharedSecret, input.rawBody), signature)) throw new InvalidCallbackSignatureError("veriff", "signature mismatch");
      const body = parseCallbackJson("veriff", input.rawBody);
      // Decision webhook: { status, verification: {...}, technicalData }. The real one also
      // carries extracted `person`/`document` data: read ids and codes only, never those.
      if (body.verification && typeof body.verification === "object") {
        const v = body.verification as VeriffDecision;
        const id = callbackField("veriff", v.id, "verification.id");
        const eventId = `veriff:decision:${id}:${typeof v.attemptId === "string" ? v.attemptId : ""}:${typeof v.decisionTime === "string" ? v.decisionTime : ""}`;
        return {
          provider: "veriff",
          eventId,
          type: "decision",
          applicantId: id,
          checkId: id,
          reference: typeof v.vendorData === "string" ? v.vendorData : undefined,
          result: decisionResult(id, id, v),
        };
      }
      // Event webhook: { id, attemptId, feature, code, action: "started" | "submitted", vendorData }.
      if (typeof body.action === "string") {
        const id = callbackField("veriff", body.id, "id");
        const eventId = `veriff:event:${id}:${typeof body.attemptId === "string" ? body.attemptId : ""}:${body.action}`;
        return {
          provider: "veriff",
          eventId,
          type: body.action,
          applicantId: id,
          checkId: id,
          reference: typeof body.vendorData === "string" ? body.vendorData : undefined,
        };
      }
      throw new MalformedCallbackError("veriff", "neither a decision nor an event");
    },
  };
}

type VeriffDecision = {
  id?: unknown;
  attemptId?: unknown;
  status?: unknown;
  code?: unknown;
  reasonCode?: unknown;
  vendorData?: unknown;
  decisionTime?: unknown;
  riskLabels?: { label?: unknown }[];
};

const FINAL = new Set(["approved", "declined", "resubmission_requested", "review", "expired", "abandoned"]);

function decisionResult(applicantId: string, checkId: string, v?: VeriffDecision): ProviderResult {
  if (!v || typeof v.status !== "string" || !FINAL.has(v.status)) return { state: "pending", applicantId, checkId };
  const reasons = v.reasonCode === undefined || v.reasonCode === null ? [] : [String(v.reasonCode).slice(0, 16)];
  const riskLabels = strings(Array.isArray(v.riskLabels) ? v.riskLabels.map((r) => r?.label) : []);
  return { state: "completed", applicantId, checkId, outcome: { provider: "veriff", status: v.status, reasons, riskLabels } };
}
