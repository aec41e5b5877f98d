// A local Onfido API v3.6: applicants, documents, checks and reports in Onfido's JSON shapes,
// `Authorization: Token token=…` checked, check.completed webhooks signed with X-SHA2-Signature.
import { createHmac } from "node:crypto";
import { parseMultipart, schedule, startSimulator, type SimReply } from "./common.ts";

export type OnfidoSimOptions = { apiToken: string; webhookToken: string; port?: number };

const err = (status: number, type: string, message: string, fields?: unknown): SimReply => ({
  status,
  json: { error: { type, message, ...(fields ? { fields } : {}) } },
});
const TYPES = new Set(["passport", "national_identity_card", "driving_licence", "residence_permit"]);

type Check = { id: string; applicant_id: string; status: string; result: string | null; report_ids: string[]; created_at: string; completed_at?: string };
type Report = {
  id: string;
  check_id: string;
  name: string;
  status: string;
  result: string | null;
  sub_result: string | null;
  breakdown: Record<string, { result: string }>;
};

export async function startOnfidoSimulator(o: OnfidoSimOptions) {
  const applicants = new Map<string, Record<string, unknown>>();
  const documents = new Map<string, { applicant_id: string; type: string; side: string; issuing_country?: string; bytes: number }>();
  const checks = new Map<string, Check>();
  const reports = new Map<string, Report>();

  const sim = await startSimulator(
    "onfido",
    (req) => {
      if (req.headers.authorization !== `Token token=${o.apiToken}`)
        return err(401, "authorization_error", "Authorization error: please re-check your credentials");
      const url = new URL(req.path, "http://x");
      const p = url.pathname;
      if (req.method === "POST" && p === "/v3.6/applicants") {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(req.body.toString("utf8"));
        } catch {
          return err(400, "bad_request", "Invalid JSON");
        }
        const missing = ["first_name", "last_name"].filter((k) => typeof body[k] !== "string" || !body[k]);
        if (missing.length)
          return err(422, "validation_error", "There was a validation error on this request", Object.fromEntries(missing.map((k) => [k, ["can't be blank"]])));
        const id = crypto.randomUUID();
        applicants.set(id, body);
        return { status: 201, json: { id, created_at: new Date().toISOString(), href: `/v3.6/applicants/${id}` } };
      }
      if (req.method === "POST" && p === "/v3.6/documents") {
        const form = parseMultipart(req.headers["content-type"], req.body);
        const applicantId = form.get("applicant_id")?.value.toString("utf8") ?? "";
        const type = form.get("type")?.value.toString("utf8") ?? "";
        const file = form.get("file");
        if (!applicants.has(applicantId)) return err(422, "validation_error", "There was a validation error on this request", { applicant_id: ["not found"] });
        if (!TYPES.has(type) || !file || file.value.length === 0)
          return err(422, "validation_error", "There was a validation error on this request", { type: ["is invalid"] });
        const id = crypto.randomUUID();
        const side = form.get("side")?.value.toString("utf8") ?? "front";
        documents.set(id, {
          applicant_id: applicantId,
          type,
          side,
          issuing_country: form.get("issuing_country")?.value.toString("utf8"),
          bytes: file.value.length,
        });
        return {
          status: 201,
          json: {
            id,
            applicant_id: applicantId,
            type,
            side,
            file_name: file.filename,
            file_type: file.contentType,
            created_at: new Date().toISOString(),
            href: `/v3.6/documents/${id}`,
          },
        };
      }
      if (req.method === "POST" && p === "/v3.6/checks") {
        let body: { applicant_id?: string; report_names?: string[]; document_ids?: string[] };
        try {
          body = JSON.parse(req.body.toString("utf8"));
        } catch {
          return err(400, "bad_request", "Invalid JSON");
        }
        if (!body.applicant_id || !applicants.has(body.applicant_id))
          return err(422, "validation_error", "There was a validation error on this request", { applicant_id: ["not found"] });
        if (!Array.isArray(body.report_names) || body.report_names.length === 0)
          return err(422, "validation_error", "There was a validation error on this request", { report_names: ["can't be blank"] });
        const check: Check = {
          id: crypto.randomUUID(),
          applicant_id: body.applicant_id,
          status: "in_progress",
          result: null,
          report_ids: [],
          created_at: new Date().toISOString(),
        };
        for (const name of body.report_names) {
          const r: Report = { id: crypto.randomUUID(), check_id: check.id, name, status: "awaiting_data", result: null, sub_result: null, breakdown: {} };
          reports.set(r.id, r);
          check.report_ids.push(r.id);
        }
        checks.set(check.id, check);
        const decision = sim.decision;
        schedule(async () => {
          const [result, sub, failing] =
            decision === "approve"
              ? ["clear", "clear", undefined]
              : decision === "decline"
                ? ["consider", "suspected", "visual_authenticity"]
                : decision === "resubmit"
                  ? ["consider", "rejected", "image_integrity"]
                  : ["consider", "caution", "data_validation"];
          for (const id of check.report_ids) {
            const r = reports.get(id)!;
            r.status = "complete";
            r.result = result;
            r.sub_result = r.name === "document" ? sub : null;
            r.breakdown = Object.fromEntries(
              ["visual_authenticity", "image_integrity", "data_validation", "data_consistency"].map((k) => [
                k,
                { result: k === failing ? "consider" : "clear" },
              ]),
            );
          }
          check.status = "complete";
          check.result = result;
          check.completed_at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
          const body = Buffer.from(
            JSON.stringify({
              payload: {
                resource_type: "check",
                action: "check.completed",
                object: { id: check.id, status: "complete", completed_at_iso8601: check.completed_at, href: `${sim.url}/v3.6/checks/${check.id}` },
              },
            }),
          );
          await sim.deliver({ "x-sha2-signature": createHmac("sha256", o.webhookToken).update(body).digest("hex") }, body);
        });
        return { status: 201, json: { ...check, href: `/v3.6/checks/${check.id}` } };
      }
      const checkMatch = /^\/v3\.6\/checks\/([^/]+)$/.exec(p);
      if (req.method === "GET" && checkMatch) {
        const c = checks.get(checkMatch[1]!);
        return c ? { status: 200, json: { ...c, href: `/v3.6/checks/${c.id}` } } : err(404, "resource_not_found", "The resource could not be found");
      }
      if (req.method === "GET" && p === "/v3.6/reports") {
        const c = checks.get(url.searchParams.get("check_id") ?? "");
        if (!c) return err(404, "resource_not_found", "The resource could not be found");
        return { status: 200, json: { reports: c.report_ids.map((id) => reports.get(id)) } };
      }
      return err(404, "resource_not_found", "The resource could not be found");
    },
    (status) => ({ error: { type: "internal_server_error", message: `HTTP ${status}` } }),
    { port: o.port },
  );
  return Object.assign(sim, { applicants, documents, checks });
}
