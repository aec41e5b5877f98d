// The review service's HTTP surface. Every refusal is JSON `{ error, message }` with a 4xx status
// and a name; bodies and request targets have limits judged before they are read; every route
// under /v1/projects/:projectId answers only that project's key and only that project's cases.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { isAddress, type Address } from "viem";
import { Roles } from "@onekey/sdk/contracts";
import { receiveCallback, type SeenEvents } from "../callbacks.ts";
import { InvalidTransitionError } from "../errors.ts";
import { normaliseOutcome } from "../orchestration/verdict.ts";
import type { CaseEvent } from "../cases/state-machine.ts";
import type { KycProvider, ProviderName } from "../providers/types.ts";
import type { Store } from "../db/store.ts";
import { corsVerdict } from "../api/cors.ts";
import { ApiError, type createAuth } from "./auth.ts";
import { applyAll, limitsOf, publicCase, record, type CaseRow } from "./cases.ts";
import type { ReviewLogLine, ReviewProject } from "./config.ts";
import { storeVerdict } from "./engine.ts";
import type { createSync } from "./sync.ts";

export const LIMITS = { target: 8 * 1024, apiBody: 16 * 1024, indexerWebhook: 64 * 1024, providerCallback: 1024 * 1024, pageMax: 200 } as const;

const PROJECT_ID = /^[1-9][0-9]{0,76}$/;
const CASE_ID = /^case_[0-9a-f]{24}$/;
const STATUSES = ["opened", "checking", "manual_review", "attesting", "closed"];
const OUTCOMES = ["approved", "declined", "resubmission", "cancelled", "expired"];

export type HttpContext = {
  store: Store;
  projects: Map<string, ReviewProject>;
  providers: Partial<Record<ProviderName, KycProvider>>;
  auth: ReturnType<typeof createAuth>;
  sync: ReturnType<typeof createSync>;
  log: (line: ReviewLogLine) => void;
  kick: () => void;
  health: () => Record<string, unknown>;
  /** Origins whose pages may call the browser routes (/health, /v1/projects/...); parsed by parseCorsOrigins. */
  corsOrigins?: readonly string[];
};

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw new ApiError(413, "PayloadTooLarge", `the body may be at most ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError(413, "PayloadTooLarge", `the body may be at most ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer, req: IncomingMessage): Record<string, unknown> {
  if (raw.length === 0) return {};
  if (!/^application\/json\b/i.test(String(req.headers["content-type"] ?? ""))) throw new ApiError(415, "UnsupportedMediaType", "send application/json");
  let v: unknown;
  try {
    v = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError(400, "InvalidJson", "the body is not JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ApiError(400, "InvalidBody", "the body must be a JSON object");
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], what: string) {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra) throw new ApiError(400, what === "query" ? "InvalidQuery" : "InvalidBody", `unknown ${what} field "${extra.slice(0, 40)}"`);
}

const seenIn = (store: Store, source: string): SeenEvents => ({
  async markSeen(id) {
    const rows = await store.query("INSERT INTO seen_event (source, event_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id", [
      source,
      id.slice(0, 200),
      Date.now(),
    ]);
    return rows.length > 0;
  },
});

export function createHttp(ctx: HttpContext): Server {
  const { store } = ctx;
  const projectOf = (raw: string): ReviewProject => {
    if (!PROJECT_ID.test(raw)) throw new ApiError(400, "InvalidProjectId", "a project id is a positive decimal integer");
    const p = ctx.projects.get(BigInt(raw).toString());
    if (!p) throw new ApiError(404, "ProjectNotServed", `this service does not review for project ${raw.slice(0, 80)}`);
    return p;
  };
  const bearer = (req: IncomingMessage) => {
    const a = req.headers.authorization;
    if (typeof a === "string" && /^Bearer /i.test(a)) return a.slice(7).trim();
    const k = req.headers["x-api-key"];
    return typeof k === "string" ? k : undefined;
  };

  async function loadCase(project: ReviewProject, caseId: string): Promise<CaseRow> {
    if (!CASE_ID.test(caseId)) throw new ApiError(400, "InvalidCaseId", "a case id is case_ + 24 hex digits");
    const [row] = await store.query<CaseRow>("SELECT * FROM review_case WHERE id = $1 AND project_id = $2", [caseId, project.projectId.toString()]);
    if (!row) throw new ApiError(404, "CaseNotFound", `no case ${caseId} in project ${project.projectId}`);
    return row;
  }

  /** A person's action on a case: locked, refused while a step holds it, fence bumped, one transaction. */
  async function mutate(project: ReviewProject, caseId: string, signature: string, events: (c: CaseRow) => (CaseEvent & { actor?: string })[]) {
    if (!CASE_ID.test(caseId)) throw new ApiError(400, "InvalidCaseId", "a case id is case_ + 24 hex digits");
    const now = Date.now();
    const saved = await store.transaction(async (sql) => {
      const [row] = await sql.query<CaseRow>("SELECT * FROM review_case WHERE id = $1 AND project_id = $2 FOR UPDATE", [caseId, project.projectId.toString()]);
      if (!row) throw new ApiError(404, "CaseNotFound", `no case ${caseId} in project ${project.projectId}`);
      const fresh = await sql.query(
        "INSERT INTO seen_event (source, event_id, seen_at) VALUES ('reviewer', $1, $2) ON CONFLICT DO NOTHING RETURNING event_id",
        [signature, now],
      );
      if (fresh.length === 0) throw new ApiError(409, "ReplayedRequest", "this signed request was already used; sign a new one");
      if (row.lease_until && Number(row.lease_until) > now) throw new ApiError(409, "CaseBusy", "an automated step holds this case right now; retry shortly");
      let result: ReturnType<typeof applyAll>;
      try {
        result = applyAll(row.state, events(row), now, limitsOf(project));
      } catch (error) {
        if (error instanceof InvalidTransitionError) throw new ApiError(409, "InvalidTransition", error.shortMessage);
        throw error;
      }
      const c = result.case;
      const [next] = await sql.query<CaseRow>(
        `UPDATE review_case SET state = $2, status = $3, outcome = $4, fence = fence + 1, updated_at = $5::bigint,
           due_at = CASE WHEN $3::text = 'manual_review' THEN due_at ELSE $5::bigint END WHERE id = $1 RETURNING *`,
        [row.id, JSON.stringify(c), c.status, c.outcome ?? null, now],
      );
      await record(sql, next, publicCase(next), result.done, now, !!project.webhook);
      return next;
    });
    ctx.kick();
    return publicCase(saved);
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? "/";
    if (url.length > LIMITS.target) throw new ApiError(414, "UriTooLong", `the request target may be at most ${LIMITS.target} bytes`);
    if (url.includes("\0") || url.includes("%00")) throw new ApiError(400, "InvalidCharacter", "NUL in the request target");
    const u = new URL(url, "http://service");
    const parts = u.pathname.split("/").filter(Boolean);
    const method = req.method ?? "GET";
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };

    // The routes a browser calls (the console): CORS for the configured origins only, refused
    // for any other page before a key or a case is looked at.
    if (u.pathname === "/health" || (parts[0] === "v1" && parts[1] === "projects")) {
      const cors = corsVerdict(req.headers.origin, ctx.corsOrigins ?? []);
      if (cors.kind === "refused") throw new ApiError(403, "OriginNotAllowed", `pages from ${cors.origin} may not call this service`);
      if (cors.kind === "allowed") for (const [k, v] of Object.entries(cors.headers)) res.setHeader(k, v);
      if (method === "OPTIONS") {
        if (cors.kind === "none") throw new ApiError(405, "MethodNotAllowed", "OPTIONS is a browser's preflight; send an Origin");
        const asked = String(req.headers["access-control-request-method"] ?? "");
        if (asked !== "GET" && asked !== "POST") throw new ApiError(405, "MethodNotAllowed", "GET and POST only");
        res.writeHead(204).end();
        return;
      }
    }

    if (u.pathname === "/health" && method === "GET") return send(200, ctx.health());

    // POST /v1/indexer/:projectId/webhooks — the indexer's Standard Webhooks delivery
    if (parts[0] === "v1" && parts[1] === "indexer" && parts[3] === "webhooks" && parts.length === 4) {
      if (method !== "POST") throw new ApiError(405, "MethodNotAllowed", "POST only");
      const project = projectOf(parts[2]);
      const raw = (await readBody(req, LIMITS.indexerWebhook)).toString("utf8");
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const r = await ctx.sync.onWebhook(project.projectId, raw, headers);
      return r.error ? send(r.status, { error: r.error, message: r.message }) : send(r.status, { ok: true });
    }

    // POST /v1/providers/:provider/callback — the provider's signed callback
    if (parts[0] === "v1" && parts[1] === "providers" && parts[3] === "callback" && parts.length === 4) {
      if (method !== "POST") throw new ApiError(405, "MethodNotAllowed", "POST only");
      const name = parts[2] as ProviderName;
      const adapter = Object.hasOwn(ctx.providers, name) ? ctx.providers[name] : undefined;
      if (!adapter) throw new ApiError(404, "UnknownProvider", `no provider "${name.slice(0, 32)}" is configured`);
      const rawBody = new Uint8Array(await readBody(req, LIMITS.providerCallback));
      const r = await receiveCallback({
        provider: adapter,
        input: { headers: req.headers, rawBody },
        seen: seenIn(store, `provider:${name}`),
        log: (l) => ctx.log({ ...l }),
      });
      if (r.status !== 200)
        return send(r.status, {
          error: r.error,
          message: r.status === 401 ? "the callback's signature does not verify" : "the callback is not in the provider's format",
        });
      const cb = r.callback;
      if (!r.duplicate && cb.checkId) {
        if (cb.result?.state === "completed") await storeVerdict(store, name, cb.checkId, normaliseOutcome(cb.result.outcome), Date.now());
        else
          await store.query("UPDATE review_case SET due_at = $3 WHERE provider = $1 AND provider_ref = $2 AND status = 'checking'", [
            name,
            cb.checkId,
            Date.now(),
          ]);
        ctx.kick();
      }
      return send(200, { ok: true, duplicate: r.duplicate });
    }

    // /v1/projects/:projectId/cases[/:caseId[/action]]
    if (parts[0] === "v1" && parts[1] === "projects" && parts[3] === "cases" && parts.length >= 4 && parts.length <= 6) {
      const project = projectOf(parts[2]);
      const projectId = project.projectId;
      await ctx.auth.requireKey(projectId, bearer(req));
      const caseId = parts[4];
      const action = parts[5];
      if (!caseId) {
        if (method !== "GET") throw new ApiError(405, "MethodNotAllowed", "GET only");
        const q = Object.fromEntries(u.searchParams);
        onlyKeys(q, ["status", "outcome", "subject", "recordId", "limit", "after"], "query");
        if (q.status && !STATUSES.includes(q.status)) throw new ApiError(400, "InvalidQuery", `status is one of ${STATUSES.join(", ")}`);
        if (q.outcome && !OUTCOMES.includes(q.outcome)) throw new ApiError(400, "InvalidQuery", `outcome is one of ${OUTCOMES.join(", ")}`);
        if (q.subject && !isAddress(q.subject, { strict: false })) throw new ApiError(400, "InvalidQuery", "subject is an address");
        if (q.recordId && !/^0x[0-9a-fA-F]{64}$/.test(q.recordId)) throw new ApiError(400, "InvalidQuery", "recordId is 32 bytes of hex");
        if (q.after && !CASE_ID.test(q.after)) throw new ApiError(400, "InvalidQuery", "after is a case id");
        const limit = q.limit === undefined ? 50 : Number(q.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageMax) throw new ApiError(400, "InvalidQuery", `limit is 1..${LIMITS.pageMax}`);
        const rows = await store.query<CaseRow>(
          `SELECT * FROM review_case WHERE project_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR outcome = $3)
             AND ($4::text IS NULL OR subject = $4) AND ($5::text IS NULL OR record_id = $5) AND id > $6 ORDER BY id LIMIT $7`,
          [
            projectId.toString(),
            q.status ?? null,
            q.outcome ?? null,
            q.subject?.toLowerCase() ?? null,
            q.recordId?.toLowerCase() ?? null,
            q.after ?? "",
            limit,
          ],
        );
        return send(200, { items: rows.map(publicCase), nextCursor: rows.length === limit ? rows.at(-1)!.id : null });
      }
      if (!action) {
        if (method !== "GET") throw new ApiError(405, "MethodNotAllowed", "GET only");
        if ([...u.searchParams.keys()].length) throw new ApiError(400, "InvalidQuery", "this route takes no query parameters");
        const row = await loadCase(project, caseId);
        const transitions = await store.query(
          'SELECT seq, at::text AS at, event, actor, from_status AS "from", to_status AS "to" FROM case_transition WHERE case_id = $1 ORDER BY seq',
          [row.id],
        );
        const webhooks = await store.query("SELECT id, type, status, attempts FROM outbox WHERE case_id = $1 ORDER BY created_at, id", [row.id]);
        // The provider's normalised verdict (kind, reason codes, risk labels): what a reviewer weighs.
        const pub = publicCase(row);
        const [verdict] = pub.provider
          ? await store.query<{ status: string; reasons: string[]; risk_labels: string[]; received_at: string }>(
              "SELECT status, reasons, risk_labels, received_at::text AS received_at FROM provider_result WHERE provider = $1 AND check_id = $2",
              [pub.provider.name, pub.provider.checkId],
            )
          : [];
        const providerResult = verdict
          ? { kind: verdict.status, reasons: verdict.reasons, riskLabels: verdict.risk_labels, receivedAt: Number(verdict.received_at) }
          : null;
        return send(200, { ...pub, providerResult, transitions: transitions.map((t) => ({ ...t, at: Number(t.at) })), webhooks });
      }
      if (method !== "POST") throw new ApiError(405, "MethodNotAllowed", "POST only");
      if (!["claim", "release", "decide", "reassign"].includes(action)) throw new ApiError(404, "NotFound", `no action "${action.slice(0, 32)}"`);
      const raw = await readBody(req, LIMITS.apiBody);
      const body = parseJson(raw, req);
      const signed = { method, path: u.pathname, body: raw.toString("utf8"), headers: req.headers };
      if (action === "claim" || action === "release") {
        onlyKeys(body, [], "body");
        const { reviewer, signature } = await ctx.auth.requireReviewer(projectId, signed);
        return send(200, await mutate(project, caseId, signature, () => [{ type: action, reviewer, actor: reviewer }]));
      }
      if (action === "decide") {
        onlyKeys(body, ["decision", "level"], "body");
        if (body.decision !== "approve" && body.decision !== "decline") throw new ApiError(400, "InvalidBody", `decision is "approve" or "decline"`);
        if (body.level !== undefined && (!Number.isInteger(body.level) || (body.level as number) < 1 || (body.level as number) > 255))
          throw new ApiError(400, "InvalidBody", "level is an integer 1..255");
        const { reviewer, signature } = await ctx.auth.requireReviewer(projectId, signed);
        return send(
          200,
          await mutate(project, caseId, signature, () => [
            { type: "review", reviewer, decision: body.decision as "approve" | "decline", level: body.level as number | undefined, actor: reviewer },
          ]),
        );
      }
      // reassign: the assignee hands the case over, or an ADMIN moves it
      onlyKeys(body, ["to"], "body");
      if (typeof body.to !== "string" || !isAddress(body.to, { strict: false })) throw new ApiError(400, "InvalidBody", "to is the reviewer's address");
      const to = body.to.toLowerCase() as Address;
      const { reviewer, signature } = await ctx.auth.requireReviewer(projectId, signed);
      const current = await loadCase(project, caseId);
      if (current.state.assignee !== reviewer)
        await ctx.auth.requireReviewer(projectId, { ...signed, headers: { ...req.headers } }, Roles.ADMIN).catch(() => {
          throw new ApiError(403, "NotAssigneeOrAdmin", "only the case's assignee or a project ADMIN may reassign it");
        });
      return send(
        200,
        await mutate(project, caseId, signature, (row) => [
          ...(row.state.assignee ? [{ type: "release" as const, reviewer: row.state.assignee, actor: reviewer }] : []),
          { type: "claim" as const, reviewer: to, actor: reviewer },
        ]),
      );
    }
    throw new ApiError(404, "NotFound", "no such route");
  }

  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const e = error instanceof ApiError ? error : undefined;
      if (!e) ctx.log({ event: "http.error", error: (error as Error).name });
      if (res.headersSent) return res.end();
      res.writeHead(e?.status ?? 500, { "content-type": "application/json", ...(e?.status === 413 ? { connection: "close" } : {}) });
      res.end(JSON.stringify({ error: e?.code ?? "InternalError", message: e?.message ?? "the service failed on this request; it is logged" }));
    });
  });
}
