// Onfido (Entrust) adapter, API v3.6, written against documentation.onfido.com /
// documentation.identity.entrust.com ("Applicants", "Documents", "Checks", "Reports",
// "Manual webhook signature verification").
//
// Auth: `Authorization: Token token=<API token>` on every request. Regions have their own hosts
// (api.eu / api.us / api.ca .onfido.com); data stays in the region the account lives in.
// Callbacks: X-SHA2-Signature = hex HMAC-SHA256(raw body, the webhook's token). The callback only
// says a check completed; the result is read back with GET /checks/{id} and its reports.
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
  utf8,
} from "./http.ts";
import type { AdapterHttpOptions, CallbackInput, DocumentType, KycProvider, ProviderCallback, ProviderResult } from "./types.ts";

export const ONFIDO_PRODUCTION_URLS = { eu: "https://api.eu.onfido.com", us: "https://api.us.onfido.com", ca: "https://api.ca.onfido.com" } as const;
const API = "/v3.6";

export type OnfidoConfig = AdapterHttpOptions & {
  apiToken: string;
  webhookToken: string;
  /** Picks the production host when baseUrl is not given. */
  region?: keyof typeof ONFIDO_PRODUCTION_URLS;
  /** Reports to run; "document" checks the uploaded document. */
  reportNames?: string[];
};

const DOC_TYPE: Record<DocumentType, string> = {
  passport: "passport",
  id_card: "national_identity_card",
  driving_licence: "driving_licence",
  residence_permit: "residence_permit",
};

export function onfidoProvider(config: OnfidoConfig): KycProvider {
  const baseUrl = (config.baseUrl ?? ONFIDO_PRODUCTION_URLS[config.region ?? "eu"]).replace(/\/$/, "");
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = config.fetch ?? fetch;
  const reportNames = config.reportNames ?? ["document"];

  function call<T>(operation: string, method: "GET" | "POST", path: string, body?: Uint8Array, contentType?: string) {
    const headers: Record<string, string> = { Accept: "application/json", Authorization: `Token token=${config.apiToken}` };
    if (contentType) headers["Content-Type"] = contentType;
    return requestJson<T>({ provider: "onfido", operation, method, url: baseUrl + API + path, headers, body, timeoutMs, fetch: doFetch });
  }

  return {
    name: "onfido",

    // POST /v3.6/applicants. first_name and last_name are required by Onfido; the rules only
    // route a grant here when it carries both (see PROVIDER_REQUIREMENTS).
    async createApplicant({ fields }) {
      if (!fields.firstName) throw new MissingGrantedFieldError("onfido", "firstName");
      if (!fields.lastName) throw new MissingGrantedFieldError("onfido", "lastName");
      const applicant: Record<string, unknown> = { first_name: fields.firstName, last_name: fields.lastName };
      if (fields.dateOfBirth) applicant.dob = fields.dateOfBirth;
      if (fields.country) applicant.location = { country_of_residence: fields.country };
      const { json } = await call<{ id?: unknown }>("createApplicant", "POST", "/applicants", utf8(JSON.stringify(applicant)), "application/json");
      return { applicantId: requireString("onfido", "createApplicant", json.id, "id") };
    },

    // POST /v3.6/documents (multipart: applicant_id, type, side, issuing_country, file) per
    // image, then POST /v3.6/checks { applicant_id, report_names, document_ids }.
    async submit({ applicantId, documents }) {
      if (documents.length === 0) throw new MissingGrantedFieldError("onfido", "document image");
      const documentIds: string[] = [];
      for (const [i, doc] of documents.entries()) {
        const parts: Parameters<typeof multipart>[0] = [
          { name: "applicant_id", value: applicantId },
          { name: "type", value: DOC_TYPE[doc.type] },
          { name: "side", value: doc.side },
        ];
        if (doc.country) parts.push({ name: "issuing_country", value: doc.country });
        parts.push({ name: "file", value: doc.bytes, filename: `document-${i}.${extensionOf(doc.mimeType)}`, contentType: doc.mimeType });
        const { body, contentType } = multipart(parts);
        const { json } = await call<{ id?: unknown }>("uploadDocument", "POST", "/documents", body, contentType);
        documentIds.push(requireString("onfido", "uploadDocument", json.id, "id"));
      }
      const check = { applicant_id: applicantId, report_names: reportNames, document_ids: documentIds };
      const { json } = await call<{ id?: unknown }>("createCheck", "POST", "/checks", utf8(JSON.stringify(check)), "application/json");
      return { checkId: requireString("onfido", "createCheck", json.id, "id") };
    },

    // GET /v3.6/checks/{check_id}; once complete, GET /v3.6/reports?check_id=… for the
    // document report's sub_result and the breakdown items that did not come back clear.
    async fetchResult({ applicantId, checkId }): Promise<ProviderResult> {
      const { json: check } = await call<{ status?: string; result?: string | null }>("fetchCheck", "GET", `/checks/${encodeURIComponent(checkId)}`);
      if (check.status === "withdrawn")
        return { state: "completed", applicantId, checkId, outcome: { provider: "onfido", status: "withdrawn", reasons: [], riskLabels: [] } };
      if (check.status !== "complete" || !check.result) return { state: "pending", applicantId, checkId };
      const { json } = await call<{ reports?: OnfidoReport[] }>("listReports", "GET", `/reports?check_id=${encodeURIComponent(checkId)}`);
      const reports = Array.isArray(json.reports) ? json.reports : [];
      const subResults = reports.map((r) => r.sub_result).filter((s): s is string => typeof s === "string" && s !== "clear");
      const reasons: string[] = [];
      for (const r of reports) {
        for (const [key, item] of Object.entries(r.breakdown ?? {})) {
          if (item && typeof item === "object" && typeof item.result === "string" && item.result !== "clear") reasons.push(`${r.name ?? "report"}.${key}`);
        }
      }
      // Status word: the check's result, refined by the worst document sub_result (rejected,
      // suspected, caution) so normalisation can tell a bad photo from a forgery.
      const worst = ["suspected", "rejected", "caution"].find((s) => subResults.includes(s));
      const status = worst ? `${check.result}/${worst}` : check.result;
      return { state: "completed", applicantId, checkId, outcome: { provider: "onfido", status, reasons: reasons.slice(0, 32), riskLabels: [] } };
    },

    parseCallback(input: CallbackInput): ProviderCallback {
      const signature = header(input.headers, "x-sha2-signature");
      if (!signature) throw new InvalidCallbackSignatureError("onfido", "no X-SHA2-Signature header");
      if (!hexEquals(hmacHex("sha256", config.webhookToken, input.rawBody), signature)) throw new InvalidCallbackSignatureError("onfido", "signature mismatch");
      const body = parseCallbackJson("onfido", input.rawBody);
      const payload = (body.payload ?? {}) as {
        resource_type?: unknown;
        action?: unknown;
        object?: { id?: unknown; status?: unknown; completed_at_iso8601?: unknown };
      };
      const action = callbackField("onfido", payload.action, "payload.action");
      const objectId = callbackField("onfido", payload.object?.id, "payload.object.id");
      const completedAt = typeof payload.object?.completed_at_iso8601 === "string" ? payload.object.completed_at_iso8601 : "";
      // Onfido sends no event id either: action + object id + completion time identify the event.
      const cb: ProviderCallback = { provider: "onfido", eventId: `onfido:${action}:${objectId}:${completedAt}`, type: action };
      if (payload.resource_type === "check") cb.checkId = objectId;
      return cb;
    },
  };
}

type OnfidoReport = { name?: string; result?: string; sub_result?: string; breakdown?: Record<string, { result?: string } | null> };
