// A local Sumsub: the endpoints our adapter calls, answering in Sumsub's JSON shapes, checking
// App-Token + X-App-Access-Sig as Sumsub does, and signing applicantReviewed / applicantOnHold
// webhooks with X-Payload-Digest. The signature code here is written separately from the
// adapter's on purpose: a shared helper would hide a bug on both sides.
import { createHmac } from "node:crypto";
import { parseMultipart, schedule, simId, startSimulator, type SimReply, type SimRequest } from "./common.ts";

export type SumsubSimOptions = { appToken: string; secretKey: string; webhookSecret: string; port?: number };

type Applicant = {
  id: string;
  externalUserId: string;
  levelName: string;
  inspectionId: string;
  fixedInfo: Record<string, string>;
  docs: { idDocType: string; country: string; bytes: number }[];
  reviewStatus: string;
  reviewResult?: Record<string, unknown>;
};

const err = (code: number, description: string): SimReply => ({ status: code, json: { description, code, correlationId: simId("corr") } });

export async function startSumsubSimulator(o: SumsubSimOptions) {
  const applicants = new Map<string, Applicant>();
  const received: { fixedInfo: Record<string, string>; docs: Applicant["docs"] }[] = [];

  function authenticate(req: SimRequest): SimReply | undefined {
    const token = req.headers["x-app-token"];
    const ts = req.headers["x-app-access-ts"];
    const sig = req.headers["x-app-access-sig"];
    if (token !== o.appToken || typeof ts !== "string" || typeof sig !== "string") return err(401, "Invalid app token or signature");
    if (Math.abs(Number(ts) - Date.now() / 1000) > 300) return err(401, "Request timestamp is out of range");
    const expected = createHmac("sha256", o.secretKey)
      .update(ts + req.method + req.path)
      .update(req.body)
      .digest("hex");
    if (expected !== sig) return err(401, "Request signature mismatch");
    return undefined;
  }

  const sim = await startSimulator(
    "sumsub",
    (req) => {
      const denied = authenticate(req);
      if (denied) return denied;
      const url = new URL(req.path, "http://x");
      const parts = url.pathname.split("/").filter(Boolean); // resources, applicants, {id}, ...
      if (parts[0] !== "resources" || parts[1] !== "applicants") return err(404, "Not found");
      if (req.method === "POST" && parts.length === 2) {
        const levelName = url.searchParams.get("levelName");
        if (!levelName) return err(400, "levelName is required");
        let body: { externalUserId?: unknown; fixedInfo?: Record<string, string> };
        try {
          body = JSON.parse(req.body.toString("utf8"));
        } catch {
          return err(400, "Invalid JSON");
        }
        if (typeof body.externalUserId !== "string") return err(400, "externalUserId is required");
        for (const a of applicants.values())
          if (a.externalUserId === body.externalUserId) return err(409, "Applicant with this external user id already exists");
        const a: Applicant = {
          id: simId(),
          externalUserId: body.externalUserId,
          levelName,
          inspectionId: simId(),
          fixedInfo: body.fixedInfo ?? {},
          docs: [],
          reviewStatus: "init",
        };
        applicants.set(a.id, a);
        return {
          status: 201,
          json: {
            id: a.id,
            createdAt: new Date().toISOString(),
            inspectionId: a.inspectionId,
            externalUserId: a.externalUserId,
            levelName,
            review: { reviewStatus: "init" },
            type: "individual",
          },
        };
      }
      const a = applicants.get(parts[2] ?? "");
      if (!a) return err(404, "Applicant not found");
      if (req.method === "POST" && parts[3] === "info" && parts[4] === "idDoc") {
        const form = parseMultipart(req.headers["content-type"], req.body);
        const metadata = form.get("metadata");
        const content = form.get("content");
        let meta: { idDocType?: string; country?: string };
        try {
          meta = JSON.parse(metadata?.value.toString("utf8") ?? "");
        } catch {
          return err(400, "metadata is required");
        }
        if (!meta.idDocType || !meta.country || !/^[A-Z]{3}$/.test(meta.country)) return err(400, "idDocType and country are required");
        a.docs.push({ idDocType: meta.idDocType, country: meta.country, bytes: content?.value.length ?? 0 });
        return { status: 200, json: { idDocType: meta.idDocType, country: meta.country }, headers: { "X-Image-Id": simId() } };
      }
      if (req.method === "POST" && parts[3] === "status" && parts[4] === "pending") {
        if (a.docs.length === 0) return err(400, "No documents uploaded");
        a.reviewStatus = "pending";
        received.push({ fixedInfo: a.fixedInfo, docs: a.docs });
        const decision = sim.decision;
        schedule(async () => {
          if (decision === "review") a.reviewStatus = "onHold";
          else {
            a.reviewStatus = "completed";
            a.reviewResult =
              decision === "approve"
                ? { reviewAnswer: "GREEN" }
                : decision === "decline"
                  ? { reviewAnswer: "RED", reviewRejectType: "FINAL", rejectLabels: ["FORGERY"], moderationComment: "", clientComment: "" }
                  : { reviewAnswer: "RED", reviewRejectType: "RETRY", rejectLabels: ["UNSATISFACTORY_PHOTOS"], moderationComment: "", clientComment: "" };
          }
          const body = Buffer.from(
            JSON.stringify({
              applicantId: a.id,
              inspectionId: a.inspectionId,
              correlationId: simId("corr"),
              levelName: a.levelName,
              externalUserId: a.externalUserId,
              type: decision === "review" ? "applicantOnHold" : "applicantReviewed",
              sandboxMode: false,
              reviewStatus: a.reviewStatus,
              ...(a.reviewResult ? { reviewResult: a.reviewResult } : {}),
              createdAtMs: new Date().toISOString().replace("T", " ").replace("Z", ""),
            }),
          );
          await sim.deliver(
            { "x-payload-digest": createHmac("sha256", o.webhookSecret).update(body).digest("hex"), "x-payload-digest-alg": "HMAC_SHA256_HEX" },
            body,
          );
        });
        return { status: 200, json: { ok: 1 } };
      }
      if (req.method === "GET" && parts[3] === "status") {
        return { status: 200, json: { reviewStatus: a.reviewStatus, levelName: a.levelName, ...(a.reviewResult ? { reviewResult: a.reviewResult } : {}) } };
      }
      return err(404, "Not found");
    },
    (status) => ({ description: "Internal error", code: status, correlationId: simId("corr") }),
    { port: o.port },
  );
  return Object.assign(sim, { applicants, received });
}
