// The REST, GraphQL and SQL routes under random and malformed input, as a hostile client would
// send it: every route of surface.ts (which index.ts checks against the Hono app at start-up)
// with random methods, path parameters, query strings, headers, media types and bodies — JSON of
// every shape, broken JSON, chunked bodies and bodies over the route's limit. Seeded: a failure
// prints the seed and the request, and ONEKEY_FUZZ_SEED replays it. Asserts: never a 5xx, every
// refusal a named JSON error, the process keeps answering, and every webhook endpoint the API
// stored is one the delivery worker can use (lib/limits.ts endpointDefect).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMITS, endpointDefect } from "../lib/limits.ts";
import { ROUTES, type RouteSpec } from "../src/api/surface.ts";
import { addApiKey, allPages, api, attest, createProject, grantToProject, registerRecord, send } from "./helpers/onekey.ts";
import { ALL_API_KEY_SCOPES, ApiKeyScopes, Roles } from "@onekey/sdk/contracts";
import { rawRequest, type RawRequest } from "./helpers/raw-http.ts";
import { keyAccepted, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

const SEED = Number(process.env.ONEKEY_FUZZ_SEED ?? 20261201);
const REQUESTS = Number(process.env.ONEKEY_FUZZ_REQUESTS ?? 500);

/** mulberry32: small, seeded, good enough to spread inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

let chain: Chain31337;
let indexer: Indexer;
let projectId: bigint;
let otherProjectId: bigint;
let key: string;
let readOnlyKey: string;
let endpointId = "ep_missing";
let deliveryId = "missing";
let validRegistrations = 0;

const HOSTILE_STRINGS = [
  "",
  " ",
  "0",
  "-1",
  "1.5",
  "1e3",
  "0x10",
  "NaN",
  "Infinity",
  "9".repeat(80),
  "99999999999999999999999",
  "9223372036854775807",
  "9223372036854775808",
  "null",
  "true",
  "[]",
  "{}",
  "%00",
  "\u0000",
  "../../etc/passwd",
  "'; DROP TABLE outbox; --",
  "\u202e\ud83d\ude00",
  "a".repeat(300),
  "<script>",
  "*",
  "alert.*",
  "grant.created",
  "2026-11-01",
  "not-a-date",
  "pending",
];

const JSON_EDGE = [null, true, false, 0, -1, 0.5, 1e308, -1e308, 2 ** 53, 4, 32, 33, 50, 51, 1000, 1001, "", "4", "x".repeat(5000), [], {}, [[[[]]]]];

function randomJson(rng: Rng, depth = 0): unknown {
  if (depth > 3 || rng.chance(0.4)) return rng.chance(0.5) ? rng.pick(JSON_EDGE) : rng.pick(HOSTILE_STRINGS);
  if (rng.chance(0.5)) return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth + 1));
  const keys = [
    "url",
    "eventTypes",
    "fromBlock",
    "maxConcurrency",
    "maxAttempts",
    "ratePerSecond",
    "description",
    "query",
    "variables",
    "format",
    "rows",
    "__proto__",
    "constructor",
  ];
  return Object.fromEntries(Array.from({ length: rng.int(5) }, () => [rng.pick(keys), randomJson(rng, depth + 1)]));
}

const URLS = [
  "http://127.0.0.1:9/hook",
  "https://127.0.0.1/x",
  "ftp://127.0.0.1/",
  "http://10.0.0.1/",
  "http://[::1]/",
  "http://user:pw@127.0.0.1/",
  "http://999.1.1.1/",
  "not a url",
  "javascript:alert(1)",
  `http://127.0.0.1/${"a".repeat(3000)}`,
];

/** A body close to a valid endpoint registration, with one or more fields made hostile. */
function endpointBody(rng: Rng): Record<string, unknown> {
  const body: Record<string, unknown> = { url: rng.pick(URLS.slice(0, 2)) };
  const fields: Record<string, () => unknown> = {
    url: () => rng.pick(URLS),
    eventTypes: () =>
      rng.pick([
        ["*"],
        ["grant.*", "alert.*"],
        [],
        ["Grant"],
        ["a.b.c"],
        Array.from({ length: 65 }, () => "grant.created"),
        ["x".repeat(65)],
        "grant.*",
        [1],
        null,
      ]),
    fromBlock: () => rng.pick([0, 1, "12", -1, 1.5, "9".repeat(80), "9223372036854775807", "9223372036854775808", 2 ** 63, null, "0x10"]),
    maxConcurrency: () => rng.pick(JSON_EDGE),
    maxAttempts: () => rng.pick(JSON_EDGE),
    ratePerSecond: () => rng.pick([...JSON_EDGE, 0.1, 0.05, 999.5]),
    description: () => rng.pick(["ok", "x".repeat(201), 5, null, { a: 1 }]),
    extra: () => "unknown field",
  };
  const hostility = rng.pick([0.1, 0.35, 0.7]);
  for (const name of Object.keys(fields)) if (rng.chance(hostility)) body[name] = fields[name]();
  return body;
}

const SQL = [
  "select id from project",
  "select * from attestation limit 5",
  "select * from outbox",
  "select * from OUTBOX",
  'select * from "outbox"',
  "select * from alert_window",
  "select * from event_log",
  "select * from event_log_head",
  "with outbox as (select 1) select * from outbox",
  "select * from project where id in (select project_id from outbox)",
  "select * from onekey_offchain.webhook_endpoint",
  "select pg_sleep(10) from project",
  "select 1/0 from project",
  "delete from project",
  "select * from project; select * from outbox",
  "not sql at all",
  "",
];

function sqlParam(rng: Rng): string {
  const sql = rng.pick(SQL);
  const payload = rng.pick([
    () => JSON.stringify({ json: { sql, params: [] } }),
    () => JSON.stringify({ json: { sql, params: [] }, meta: { values: { sql: [rng.pick(["regexp", "set", "bigint", "undefined"])] } } }),
    () => JSON.stringify({ sql }),
    () => rng.pick(HOSTILE_STRINGS),
  ])();
  return `sql=${encodeURIComponent(payload)}`;
}

const QUERY_NAMES = ["limit", "after", "state", "status", "endpointId", "eventType", "fromBlock", "from", "to", "bucket", "format", "sql", "junk"];

function pathFor(rng: Rng, spec: RouteSpec): string {
  const project = () => (rng.chance(0.7) ? String(projectId) : rng.pick([String(otherProjectId), "0", ...HOSTILE_STRINGS.slice(0, 12)]));
  let path = spec.path
    .replace(":projectId", () => encodeURIComponent(project()))
    .replace(":endpointId", () => encodeURIComponent(rng.pick([endpointId, endpointId, ...HOSTILE_STRINGS])))
    .replace(":deliveryId", () => encodeURIComponent(rng.pick([deliveryId, deliveryId, ...HOSTILE_STRINGS])));
  if (path.endsWith("/*")) path = path.slice(0, -1) + rng.pick(["db", "live", "db", "nope"]);
  const params: string[] = [];
  if (path.startsWith("/sql/") && rng.chance(0.9)) params.push(sqlParam(rng));
  for (let i = rng.int(4); i > 0; i--) {
    params.push(`${rng.pick(QUERY_NAMES)}=${encodeURIComponent(rng.pick(HOSTILE_STRINGS))}`);
  }
  if (rng.chance(0.02)) params.push(`pad=${"x".repeat(9000)}`);
  return params.length ? `${path}?${params.join("&")}` : path;
}

function bodyFor(rng: Rng, spec: RouteSpec): { body?: Buffer; contentType?: string; chunked?: boolean } {
  const limit = spec.body?.maxBytes ?? BODY_LIMITS.none;
  const contentType = rng.pick([
    ...(spec.body?.types ?? []),
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "garbage",
    undefined,
  ]);
  const chunked = rng.chance(0.15);
  const roll = rng.next();
  if (roll < 0.1) return { contentType };
  if (roll < 0.15) return { body: Buffer.alloc(Math.min(limit, BODY_LIMITS.graphql) * 2 + 1, 0x20), contentType, chunked };
  if (roll < 0.25) return { body: Buffer.from(rng.pick(["{", "nul", '{"a":', "\u0000", "[1,2", '"\\ud800"', "{}}"])), contentType, chunked };
  if (spec.path === "/graphql" && roll < 0.6) {
    const query = rng.pick([
      "{ projects { items { id } } }",
      `{ project(id: "${projectId}") { admin members { items { account } } } }`,
      "{ outboxs { items { body } } }",
      "{ eventLogs { items { hash } } }",
      "{ __schema { types { name } } }",
      `{ ${"a: projects { totalCount } ".repeat(40)} }`,
      `{ ${"projects { items { members { items { project { ".repeat(6)} id ${"} } } } }".repeat(6)} }`,
      "query($p: BigInt!) { project(id: $p) { id } }",
      "{",
    ]);
    return {
      body: Buffer.from(JSON.stringify({ query, variables: rng.chance(0.5) ? randomJson(rng) : { p: rng.pick(HOSTILE_STRINGS) } })),
      contentType: "application/json",
      chunked,
    };
  }
  if (spec.path.endsWith("/webhooks") && spec.method === "POST" && roll < 0.8) {
    return { body: Buffer.from(JSON.stringify(endpointBody(rng))), contentType: rng.chance(0.9) ? "application/json" : contentType, chunked };
  }
  return { body: Buffer.from(JSON.stringify(randomJson(rng))), contentType, chunked };
}

/** What a client can put in a header at all: UTF-8 bytes seen as Latin-1, no control characters. */
const headerSafe = (value: string) =>
  Buffer.from(value, "utf8")
    .toString("latin1")
    .replace(/[\x00-\x1f\x7f]/g, "");

/** A registration inside every documented range, boundaries included: it must be stored, usable. */
function validRegistration(rng: Rng): { spec: RouteSpec; req: RawRequest; mustStore?: boolean } {
  const spec = ROUTES.find((r) => r.method === "POST" && r.path.endsWith("/webhooks"))!;
  const body: Record<string, unknown> = { url: rng.pick(URLS.slice(0, 2)) };
  if (rng.chance(0.5)) body.eventTypes = rng.pick([["*"], [], ["grant.*", "alert.*"], ["attestation.created"]]);
  if (rng.chance(0.5)) body.maxConcurrency = rng.pick([1, 32, 1 + rng.int(32)]);
  if (rng.chance(0.5)) body.maxAttempts = rng.pick([1, 50, 1 + rng.int(50)]);
  if (rng.chance(0.5)) body.ratePerSecond = rng.pick([0.1, 1000, 0.1 + rng.next() * 999.9]);
  if (rng.chance(0.5)) body.fromBlock = rng.pick([0, "0", "9223372036854775807", rng.int(1000)]);
  if (rng.chance(0.3)) body.description = "x".repeat(rng.int(201));
  return {
    spec,
    req: {
      method: "POST",
      path: `/v1/projects/${projectId}/webhooks`,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      chunked: rng.chance(0.2),
    },
    mustStore: true,
  };
}

function requestFor(rng: Rng): { spec: RouteSpec; req: RawRequest; mustStore?: boolean } {
  if (rng.chance(0.06)) return validRegistration(rng);
  const spec = rng.pick(ROUTES);
  const method = rng.chance(0.9) ? spec.method : rng.pick(["GET", "POST", "DELETE", "PUT", "PATCH"]);
  const headers: Record<string, string> = {};
  const auth = rng.next();
  if (auth < 0.8) headers.authorization = `Bearer ${key}`;
  else if (auth < 0.85) headers.authorization = `Bearer ${readOnlyKey}`;
  else if (auth < 0.9) headers["x-api-key"] = headerSafe(rng.pick(HOSTILE_STRINGS)) || "x";
  else if (auth < 0.95) headers.authorization = rng.pick(["Bearer", "Basic abc", `Bearer ${"k".repeat(4000)}`, "bearer  " + key]);
  const { body, contentType, chunked } = method === "GET" ? { body: undefined, contentType: undefined, chunked: false } : bodyFor(rng, spec);
  if (contentType) headers["content-type"] = contentType;
  if (rng.chance(0.05)) headers.accept = rng.pick(["text/html", "*/*", "application/graphql-response+json"]);
  return { spec, req: { method, path: pathFor(rng, spec), headers, body, chunked } };
}

beforeAll(async () => {
  chain = await startChain();
  indexer = await startIndexer({
    chain,
    env: { ONEKEY_RATE_LIMIT_KEY: "100000,100000", ONEKEY_RATE_LIMIT_PROJECT: "100000,100000", ONEKEY_WEBHOOK_MAX_ENDPOINTS: "1000" },
  });
  const [admin, reviewer, , subject] = chain.wallets;
  projectId = await createProject(chain, admin);
  otherProjectId = await createProject(chain, admin);
  key = await addApiKey(chain, admin, projectId, ALL_API_KEY_SCOPES);
  readOnlyKey = await addApiKey(chain, admin, projectId, ApiKeyScopes.read);
  await send(chain, admin, "projectRegistry", "grantRoles", [projectId, reviewer.account.address, Roles.REVIEWER]);
  await keyAccepted(indexer, key, projectId);
  // Something to point at: an endpoint with a delivery (to a closed port; it retries, harmlessly).
  const created = await api(indexer.url, key, "POST", `/v1/projects/${projectId}/webhooks`, { url: "http://127.0.0.1:9/hook", fromBlock: 0 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  endpointId = created.body.id;
  const recordId = await registerRecord(chain, subject);
  await grantToProject(chain, subject, recordId, projectId);
  await attest(chain, reviewer, projectId, subject.account.address, 2, recordId);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const items = await allPages<{ id: string }>(indexer.url, key, `/v1/projects/${projectId}/deliveries`, 500);
    if (items.length) {
      deliveryId = items[0].id;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
});

afterAll(async () => {
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

describe(`API fuzz (seed ${SEED}, ${REQUESTS} requests)`, () => {
  it("answers every request below 500 with a named error, and keeps running", async () => {
    const rng = prng(SEED);
    const statuses = new Map<number, number>();
    const resets: string[] = [];
    const perRoute = new Map<string, Record<number, number>>();
    for (let i = 0; i < REQUESTS; i++) {
      const { spec, req, mustStore } = requestFor(rng);
      const shown = () =>
        `#${i} (seed ${SEED}) ${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers).slice(0, 200)} body ${req.body?.length ?? 0} B${req.chunked ? " chunked" : ""}: ${String(req.body ?? "").slice(0, 200)}`;
      let res: Awaited<ReturnType<typeof rawRequest>>;
      try {
        res = await rawRequest(indexer.url, req);
      } catch (error) {
        // Only a refused oversize upload may lose its answer to the server closing the socket.
        const oversize = (req.body?.length ?? 0) > (spec.body?.maxBytes ?? BODY_LIMITS.none);
        if (!oversize) throw new Error(`no answer to ${shown()}: ${(error as Error).message}`);
        resets.push(shown());
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (mustStore) {
        expect(res.status, `${shown()} -> ${res.text.slice(0, 300)}`).toBe(201);
        validRegistrations++;
      }
      const route = `${req.method} ${spec.path}`;
      perRoute.set(route, { ...perRoute.get(route), [res.status]: (perRoute.get(route)?.[res.status] ?? 0) + 1 });
      expect(res.status, `${shown()} -> ${res.text.slice(0, 300)}`).toBeLessThan(500);
      if (res.status >= 400 && res.status !== 431) {
        let parsed: { error?: unknown } = {};
        try {
          parsed = JSON.parse(res.text);
        } catch {
          // fall through to the assertion
        }
        expect(typeof parsed.error, `${shown()} -> ${res.status} ${res.text.slice(0, 300)}`).toBe("string");
        expect(res.text.length, `${shown()}: error bodies stay short`).toBeLessThan(4000);
      }
      if (i % 50 === 49) expect((await fetch(`${indexer.url}/health`)).status).toBe(200);
    }
    if (process.env.ONEKEY_FUZZ_VERBOSE) console.log(Object.fromEntries(perRoute));
    console.log(`fuzz seed ${SEED}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}, ${resets.length} oversize uploads reset`);
    expect((await fetch(`${indexer.url}/health`)).status).toBe(200);
    // Most requests must get past authentication, or the fuzz would only be testing the key check.
    expect([...statuses].filter(([s]) => s !== 401 && s !== 403).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(REQUESTS / 3);
  });

  it("stored only endpoints the delivery worker can use", async () => {
    const res = await api(indexer.url, key, "GET", `/v1/projects/${projectId}/webhooks`);
    expect(res.status).toBe(200);
    const endpoints = res.body.items as Parameters<typeof endpointDefect>[0][];
    // The fuzz registers valid endpoints too (and every one of them must have been accepted).
    expect(validRegistrations).toBeGreaterThan(5);
    expect(endpoints.length).toBeGreaterThanOrEqual(1 + validRegistrations);
    for (const endpoint of endpoints) expect(endpointDefect(endpoint), JSON.stringify(endpoint).slice(0, 300)).toBeNull();
  });
});
