// The indexer's HTTP surface beside Ponder's built-ins (/health, /ready, /status, /metrics):
// GraphQL and SQL-over-HTTP over public chain data, REST for each project's own data (grants,
// analytics, audit log, events, webhook messages and deliveries), all behind API keys. Every
// route is listed in surface.ts, checked for size and media type by the body guard, and answers
// refusals as named errors. The webhook delivery worker starts here, in the process that owns
// the database.
import { Hono } from "hono";
import { db } from "ponder:api";
import schema from "ponder:schema";
import { client, graphql } from "ponder";
import { analyticsRoutes } from "./analytics.ts";
import { auditRoutes } from "./audit.ts";
import { requireKey, type AuthEnv } from "./auth.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { eventRoutes } from "./events.ts";
import { grantRoutes } from "./grants.ts";
import { cached, canonicalJson, type CachedAnswer } from "./graphql-cache.ts";
import { publicSchema, publicSqlOnly } from "./public.ts";
import { getStore } from "./store.ts";
import { ROUTES } from "./surface.ts";
import { bodyGuard, bodyText, clip } from "./validate.ts";
import { webhookConfig } from "./webhooks/config.ts";
import { webhookRoutes } from "./webhooks/routes.ts";
import { startWorker } from "./webhooks/worker.ts";

const limitsFromEnv = {
  maxOperationDepth: Number(process.env.ONEKEY_GRAPHQL_MAX_DEPTH ?? 10),
  maxOperationTokens: Number(process.env.ONEKEY_GRAPHQL_MAX_TOKENS ?? 2000),
  maxOperationAliases: Number(process.env.ONEKEY_GRAPHQL_MAX_ALIASES ?? 30),
};

// Only public chain tables reach GraphQL and SQL (public.ts); tenant data is REST, per project.
const yoga = graphql({ db, schema: publicSchema }, limitsFromEnv);

const app = new Hono<AuthEnv>();
app.onError((error, c) => errorResponse(c, error));
app.use("*", bodyGuard);

/**
 * Ponder answers every GraphQL error with HTTP 200; a request refused before execution (depth,
 * token or alias limit, syntax, validation) becomes a 400 with a named error beside the usual
 * `errors` list, so clients, proxies and the cache all see the refusal.
 */
async function executeGraphql(response: Response): Promise<CachedAnswer> {
  const text = await response.text();
  const contentType = response.headers.get("content-type") ?? "application/json";
  // Yoga writes `errors` first and no `data` when it refused to execute.
  if (text.startsWith('{"errors"') && !text.includes('"data":{')) {
    let errors: { message?: string }[] = [];
    try {
      errors = (JSON.parse(text) as { errors: { message?: string }[] }).errors;
    } catch {
      // not JSON after all: keep the text out of the answer
    }
    const body = JSON.stringify({ error: "GraphQLRefused", message: clip(errors[0]?.message ?? "GraphQL refused the request.", 300), errors });
    return { status: 400, body, contentType: "application/json; charset=utf-8", cacheable: false };
  }
  return { status: 200, body: text, contentType, cacheable: !text.includes('"errors":') };
}

app.use("/graphql", requireKey("read"), async (c, next) => {
  if (c.req.method !== "POST") return yoga(c, next);
  const text = await bodyText(c);
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    throw new ApiError("InvalidJson", 400, "The request body is not valid JSON.");
  }
  if (!request || typeof request !== "object" || Array.isArray(request) || typeof (request as { query?: unknown }).query !== "string") {
    throw new ApiError("InvalidBody", 400, "A GraphQL request is a JSON object { query, variables?, operationName? } with `query` a string.");
  }
  const { projectId, scopes } = c.get("auth");
  const { answer, outcome } = await cached(`${projectId}:${scopes}`, canonicalJson(request), async () => {
    // The body was read once for the key; Yoga gets its own copy.
    c.req.raw = new Request(c.req.url, { method: "POST", headers: c.req.raw.headers, body: text });
    return executeGraphql((await yoga(c, next)) as Response);
  });
  return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.contentType, "x-onekey-cache": outcome } });
});
// client() must know every table: its live-query bookkeeping crashes the process on a change
// notification for a table it was not given. The guard in front decides what a query may read.
app.use("/sql/*", requireKey("read"), publicSqlOnly(client({ db, schema })));

app.route("/", eventRoutes);
app.route("/", grantRoutes);
app.route("/", analyticsRoutes);
app.route("/", auditRoutes);
app.route("/", webhookRoutes);

// Last, so it answers only what no route above did (a sub-app's notFound is not used once Ponder
// mounts this app inside its own).
app.all("*", (c) => errorResponse(c, new ApiError("NotFound", 404, `No route ${c.req.method} ${clip(c.req.path, 200)}.`)));

// surface.ts is the contract the guard, the docs and the tests rely on: refuse to start when the
// app and the table disagree, rather than serve a route with no limits.
{
  const served = new Set(app.routes.filter((r) => r.path !== "/*" && r.path !== "*").map((r) => (r.method === "ALL" ? r.path : `${r.method} ${r.path}`)));
  const listed = new Set(ROUTES.map((r) => (r.middleware ? r.path : `${r.method} ${r.path}`)));
  const missing = [...served].filter((r) => !listed.has(r));
  const stale = [...listed].filter((r) => !served.has(r));
  if (missing.length || stale.length) {
    throw new Error(`src/api/surface.ts is out of date: not listed ${JSON.stringify(missing)}, not served ${JSON.stringify(stale)}`);
  }
}

// Create the off-chain tables at start-up rather than on the first request, then start delivering.
getStore()
  .then(() => {
    if (webhookConfig.workerEnabled) startWorker();
  })
  .catch((error) => console.error("onekey: could not open the off-chain store", error));

export default app;
