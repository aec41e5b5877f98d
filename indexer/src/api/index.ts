// The indexer's HTTP surface beside Ponder's built-ins (/health, /ready, /status, /metrics):
// GraphQL and SQL-over-HTTP behind API keys, REST for grants, analytics, the audit log and
// webhooks. The webhook delivery worker starts here, in the process that owns the database.
import { Hono } from "hono";
import { db } from "ponder:api";
import schema from "ponder:schema";
import { client, graphql } from "ponder";
import { analyticsRoutes } from "./analytics.ts";
import { auditRoutes } from "./audit.ts";
import { requireKey, type AuthEnv } from "./auth.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { grantRoutes } from "./grants.ts";
import { getStore } from "./store.ts";
import { webhookConfig } from "./webhooks/config.ts";
import { webhookRoutes } from "./webhooks/routes.ts";
import { startWorker } from "./webhooks/worker.ts";

const limitsFromEnv = {
  maxOperationDepth: Number(process.env.ONEKEY_GRAPHQL_MAX_DEPTH ?? 10),
  maxOperationTokens: Number(process.env.ONEKEY_GRAPHQL_MAX_TOKENS ?? 2000),
  maxOperationAliases: Number(process.env.ONEKEY_GRAPHQL_MAX_ALIASES ?? 30),
};

const yoga = graphql({ db, schema }, limitsFromEnv);

const app = new Hono<AuthEnv>();
app.onError((error, c) => errorResponse(c, error));

// Ponder answers GraphQL errors with HTTP 200; a request refused before execution (depth, token
// or alias limit, syntax, validation) gets 400 here so clients and proxies see the refusal.
app.use("/graphql", requireKey("read"), async (c, next) => {
  const response = await yoga(c, next);
  if (!response) return;
  if (c.req.method !== "POST") return void (c.res = response);
  // Read once and re-wrap (a clone would tee the stream for every request). Yoga writes
  // `errors` first and no `data` when it refused to execute.
  const text = await response.text();
  const refused = text.startsWith('{"errors"') && !text.includes('"data":{');
  c.res = new Response(text, { status: refused ? 400 : 200, headers: response.headers });
});
app.use("/sql/*", requireKey("read"), client({ db, schema }));

app.route("/", grantRoutes);
app.route("/", analyticsRoutes);
app.route("/", auditRoutes);
app.route("/", webhookRoutes);

app.notFound((c) => errorResponse(c, new ApiError("NotFound", 404, `No route ${c.req.method} ${c.req.path}.`)));

// Create the off-chain tables at start-up rather than on the first request, then start delivering.
getStore()
  .then(() => {
    if (webhookConfig.workerEnabled) startWorker();
  })
  .catch((error) => console.error("onekey: could not open the off-chain store", error));

export default app;
