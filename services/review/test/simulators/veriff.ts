// A local Veriff Public API v1: sessions, media, submit and decision in Veriff's JSON shapes,
// X-AUTH-CLIENT and X-HMAC-SIGNATURE checked, decision webhooks signed the same way. Like the
// real one, its decision webhook echoes the person's data back (so tests can check the adapter
// drops it).
import { createHmac } from "node:crypto";
import { schedule, simId, startSimulator, type SimReply, type SimRequest } from "./common.ts";

export type VeriffSimOptions = { apiKey: string; sharedSecret: string; port?: number };

const fail = (status: number, code: number, message: string): SimReply => ({ status, json: { status: "fail", code, message } });
const CONTEXTS = new Set(["document-front", "document-back", "face"]);
const CODES = { approved: 9001, declined: 9102, resubmission_requested: 9103, review: 9121 } as const;

type Session = {
  id: string;
  vendorData?: string;
  person: Record<string, string>;
  document: Record<string, string>;
  status: string;
  media: string[];
  attemptId: string;
  decision?: Record<string, unknown>;
};

export async function startVeriffSimulator(o: VeriffSimOptions) {
  const sessions = new Map<string, Session>();
  const sign = (payload: string | Buffer) => createHmac("sha256", o.sharedSecret).update(payload).digest("hex");
  const signed = (req: SimRequest, payload: string | Buffer) => req.headers["x-hmac-signature"] === sign(payload);

  const sim = await startSimulator(
    "veriff",
    (req) => {
      if (req.headers["x-auth-client"] !== o.apiKey)
        return fail(401, 1801, "Mandatory X-AUTH-CLIENT header containing the API key is missing from the request.");
      const p = new URL(req.path, "http://x").pathname;
      if (req.method === "POST" && (p === "/v1/sessions" || p === "/v1/sessions/")) {
        let body: { verification?: { vendorData?: string; person?: Record<string, string>; document?: Record<string, string> } };
        try {
          body = JSON.parse(req.body.toString("utf8"));
        } catch {
          return fail(400, 1102, "Mandatory parameters are missing from the request.");
        }
        if (!body.verification || typeof body.verification !== "object") return fail(400, 1102, "Mandatory parameters are missing from the request.");
        const s: Session = {
          id: crypto.randomUUID(),
          vendorData: body.verification.vendorData,
          person: body.verification.person ?? {},
          document: body.verification.document ?? {},
          status: "created",
          media: [],
          attemptId: crypto.randomUUID(),
        };
        sessions.set(s.id, s);
        return {
          status: 201,
          json: {
            status: "success",
            verification: {
              id: s.id,
              url: `${sim.url}/v/${s.id}`,
              vendorData: s.vendorData ?? null,
              host: sim.url,
              status: "created",
              sessionToken: simId("tok"),
            },
          },
        };
      }
      const m = /^\/v1\/sessions\/([^/]+)(\/media|\/decision)?$/.exec(p);
      const s = m && sessions.get(m[1]!);
      if (!m || !s) return fail(404, 1404, "Session not found");
      if (req.method === "POST" && m[2] === "/media") {
        if (!signed(req, req.body)) return fail(401, 1812, 'Signature "x-hmac-signature" does not match the payload.');
        if (s.status !== "created") return fail(409, 1409, "Session is already submitted.");
        let body: { image?: { context?: string; content?: string } };
        try {
          body = JSON.parse(req.body.toString("utf8"));
        } catch {
          return fail(400, 1102, "Mandatory parameters are missing from the request.");
        }
        if (!body.image?.context || !CONTEXTS.has(body.image.context) || !/^data:[a-z/]+;base64,[A-Za-z0-9+/=]+$/.test(body.image.content ?? ""))
          return fail(400, 1102, "Mandatory parameters are missing from the request.");
        s.media.push(body.image.context);
        return {
          status: 200,
          json: {
            status: "success",
            image: {
              context: body.image.context,
              id: crypto.randomUUID(),
              name: body.image.context,
              timestamp: null,
              size: body.image.content!.length,
              mimetype: "image/jpeg",
            },
          },
        };
      }
      if (req.method === "PATCH" && !m[2]) {
        if (!signed(req, req.body)) return fail(401, 1812, 'Signature "x-hmac-signature" does not match the payload.');
        let body: { verification?: { status?: string } };
        try {
          body = JSON.parse(req.body.toString("utf8"));
        } catch {
          return fail(400, 1102, "Mandatory parameters are missing from the request.");
        }
        if (body.verification?.status !== "submitted") return fail(400, 1102, "Mandatory parameters are missing from the request.");
        if (s.media.length === 0) return fail(400, 1102, "No media uploaded.");
        s.status = "submitted";
        const decision = sim.decision;
        schedule(async () => {
          const status =
            decision === "approve" ? "approved" : decision === "decline" ? "declined" : decision === "resubmit" ? "resubmission_requested" : "review";
          const reasonCode = decision === "decline" ? 102 : decision === "resubmit" ? 204 : null;
          s.status = status;
          s.decision = {
            id: s.id,
            attemptId: s.attemptId,
            code: CODES[status],
            status,
            reason: decision === "decline" ? "Suspected document tampering" : decision === "resubmit" ? "Poor image quality" : null,
            reasonCode,
            vendorData: s.vendorData ?? null,
            person: { ...s.person }, // the real webhook carries extracted person data
            document: { ...s.document },
            riskLabels: decision === "decline" ? [{ label: "document_integration_level_crosslinked_with_fraud", category: "document", sessionIds: [] }] : [],
            decisionTime: new Date().toISOString(),
            acceptanceTime: new Date().toISOString(),
          };
          const body = Buffer.from(JSON.stringify({ status: "success", verification: s.decision, technicalData: { ip: null } }));
          await sim.deliver({ "x-auth-client": o.apiKey, "x-hmac-signature": sign(body) }, body);
        });
        return { status: 200, json: { status: "success", verification: { id: s.id, status: "submitted", vendorData: s.vendorData ?? null } } };
      }
      if (req.method === "GET" && m[2] === "/decision") {
        if (!signed(req, s.id)) return fail(401, 1812, 'Signature "x-hmac-signature" does not match the payload.');
        return { status: 200, json: { status: "success", verification: s.decision ?? null, technicalData: { ip: null } } };
      }
      return fail(404, 1404, "Not found");
    },
    () => ({ status: "fail", code: 1500, message: "Internal server error" }),
    { port: o.port },
  );
  return Object.assign(sim, { sessions });
}
