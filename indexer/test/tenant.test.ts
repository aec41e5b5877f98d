// Tenant isolation: project B's derived, off-chain data (webhook messages and alerts, endpoints
// and their secrets, deliveries, its per-project audit chain) must not reach project A's key by
// any route — REST, GraphQL (every list field the schema has) or SQL (every public table, and
// every way of naming a tenant table). Public chain data stays readable to both.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../src/api/surface.ts";
import { addApiKey, allPages, api, createProject, gql } from "./helpers/onekey.ts";
import { ALL_API_KEY_SCOPES } from "@onekey/sdk/contracts";
import { startReceiver, type Receiver } from "./helpers/receiver.ts";
import { runScenario, type Scenario } from "./helpers/scenario.ts";
import { eventually, keyAccepted, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

let chain: Chain31337;
let indexer: Indexer;
let receiver: Receiver;
let s: Scenario;
let victim: bigint;
let victimKey: string;
let attacker: bigint;
let attackerKey: string;
let endpointId: string;
let deliveryId: string;
/** Strings that exist only in B's tenant data. */
const secrets = new Set<string>();

function leaks(text: string): string[] {
  return [...secrets].filter((t) => text.includes(t));
}

beforeAll(async () => {
  chain = await startChain();
  indexer = await startIndexer({
    chain,
    env: {
      ONEKEY_RATE_LIMIT_KEY: "100000,100000",
      ONEKEY_RATE_LIMIT_PROJECT: "100000,100000",
      ONEKEY_API_KEY_CACHE_MS: "0",
      ONEKEY_ALERT_AUDIT_BURST_COUNT: "1",
      ONEKEY_ALERT_MASS_REVOCATION_COUNT: "1",
    },
  });
  receiver = await startReceiver();
  s = await runScenario(chain);
  victim = s.projectId;
  victimKey = s.key;
  await keyAccepted(indexer, victimKey, victim);
  const created = await api(indexer.url, victimKey, "POST", `/v1/projects/${victim}/webhooks`, { url: receiver.url, fromBlock: 0 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  endpointId = created.body.id;
  secrets.add(endpointId).add(created.body.secret);

  attacker = await createProject(chain, chain.wallets[7]);
  attackerKey = await addApiKey(chain, chain.wallets[7], attacker, ALL_API_KEY_SCOPES);
  await keyAccepted(indexer, attackerKey, attacker);

  // B's tenant data, read with B's own key: messages (alerts among them), deliveries, its chain.
  const messages = await allPages<{ id: string; eventType: string; body: unknown }>(indexer.url, victimKey, `/v1/projects/${victim}/messages`);
  expect(messages.some((m) => m.eventType.startsWith("alert."))).toBe(true);
  for (const m of messages) secrets.add(m.id);
  const deliveries = await eventually(
    "B's deliveries",
    async () => {
      const items = await allPages<{ id: string }>(indexer.url, victimKey, `/v1/projects/${victim}/deliveries`, 500);
      return items.length >= messages.length ? items : undefined;
    },
    30_000,
  );
  deliveryId = deliveries[0].id;
  for (const d of deliveries) secrets.add(d.id);
  const chainRows = await allPages<{ hash: string }>(indexer.url, victimKey, `/v1/projects/${victim}/events`);
  expect(chainRows.length).toBeGreaterThan(5);
  for (const r of chainRows) secrets.add(r.hash);
});

afterAll(async () => {
  await receiver?.close();
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

const fill = (path: string, project: bigint) =>
  path
    .replace(":projectId", String(project))
    .replace(":endpointId", encodeURIComponent(endpointId))
    .replace(":deliveryId", encodeURIComponent(deliveryId))
    .replace("/*", "/db");

function bodyFor(method: string, path: string): unknown {
  if (method !== "POST") return undefined;
  if (path.endsWith("/webhooks")) return { url: "http://127.0.0.1:9/x" };
  if (path.endsWith("/audit/verify")) return { format: "onekey-audit-v1", rows: [] };
  return undefined;
}

describe("tenant isolation", () => {
  it("refuses every project route of B to A's key, and shows A nothing of B on A's own routes", async () => {
    const projectRoutes = ROUTES.filter((r) => r.path.includes(":projectId"));
    expect(projectRoutes.length).toBeGreaterThan(10);
    for (const route of projectRoutes) {
      const asB = await api(indexer.url, attackerKey, route.method, fill(route.path, victim), bodyFor(route.method, route.path));
      expect(asB.status, `${route.method} ${route.path} for B with A's key`).toBe(403);
      expect(asB.body.error).toBe("WrongProject");
      expect(leaks(JSON.stringify(asB.body))).toEqual([]);
      // A's own project, B's endpoint and delivery ids: not found, nothing of B in the answer.
      const asA = await api(indexer.url, attackerKey, route.method, fill(route.path, attacker), bodyFor(route.method, route.path));
      expect(asA.status, `${route.method} ${route.path} for A: ${JSON.stringify(asA.body).slice(0, 200)}`).toBeLessThan(500);
      if (route.path.includes(":endpointId") || route.path.includes(":deliveryId")) expect(asA.status).toBe(404);
      // A 404 names the id A itself sent; beyond that, nothing of B.
      const shown = (typeof asA.body === "string" ? asA.body : JSON.stringify(asA.body)).replaceAll(deliveryId, "").replaceAll(endpointId, "");
      expect(leaks(shown), `${route.method} ${route.path}`).toEqual([]);
    }
    // The global chain (scope 0) is public chain data; B's derived rows are not in it.
    const global = await allPages(indexer.url, attackerKey, "/v1/events");
    expect(global.length).toBeGreaterThan(10);
    expect(leaks(JSON.stringify(global))).toEqual([]);
  });

  it("serves no tenant table through GraphQL, and no list field shows anything of B", async () => {
    const schema = await gql(indexer.url, attackerKey, `{ __schema { queryType { fields { name type { name kind ofType { name } } } } } }`);
    expect(schema.status).toBe(200);
    const fields = (
      schema.body.data as { __schema: { queryType: { fields: { name: string; type: { name: string | null; ofType: { name: string | null } | null } }[] } } }
    ).__schema.queryType.fields.map((f) => ({ name: f.name, type: { name: f.type.name ?? f.type.ofType?.name ?? null } }));
    const names = fields.map((f) => f.name);
    for (const tenant of ["outbox", "outboxs", "alertWindow", "alertWindows", "eventLog", "eventLogs", "eventLogHead", "eventLogHeads"]) {
      expect(names).not.toContain(tenant);
    }
    const lists = fields.filter((f) => f.type.name?.endsWith("Page"));
    expect(lists.length).toBeGreaterThanOrEqual(13);
    for (const list of lists) {
      const page = await gql(
        indexer.url,
        attackerKey,
        `{ __type(name: "${list.type.name}") { fields { name type { ofType { ofType { ofType { name fields { name type { kind ofType { kind } } } } } } } } } }`,
      );
      const items = (page.body.data as any).__type.fields.find((f: { name: string }) => f.name === "items");
      const itemFields: { name: string; type: { kind: string; ofType: { kind: string } | null } }[] = items.type.ofType.ofType.ofType.fields;
      const scalars = itemFields.filter((f) => f.type.kind === "SCALAR" || f.type.ofType?.kind === "SCALAR").map((f) => f.name);
      const res = await gql(indexer.url, attackerKey, `{ ${list.name}(limit: 1000) { items { ${scalars.join(" ")} } } }`);
      expect(res.status, `${list.name}: ${JSON.stringify(res.body).slice(0, 200)}`).toBe(200);
      expect(leaks(JSON.stringify(res.body)), list.name).toEqual([]);
    }
    // Public chain data of B stays readable to A.
    const project = await gql(indexer.url, attackerKey, `query($p: BigInt!) { project(id: $p) { admin } }`, { p: victim.toString() });
    expect(project.body.data?.project?.admin).toBe(s.admin.toLowerCase());
  });

  it("refuses every way of naming a tenant table over SQL, and public tables show nothing of B", async () => {
    const sql = (query: string) =>
      api(indexer.url, attackerKey, "GET", `/sql/db?sql=${encodeURIComponent(JSON.stringify({ json: { sql: query, params: [] } }))}`);
    for (const query of [
      "select * from outbox",
      "select body from OUTBOX",
      'select body from "outbox"',
      "select * from alert_window",
      "select * from event_log",
      "select * from event_log_head",
      "with x as (select * from outbox) select * from x",
      "with outbox as (select * from outbox) select * from outbox",
      "select * from project where exists (select 1 from outbox)",
      "select * from project p join lateral (select body from outbox o where o.project_id = p.id) b on true",
      "select * from onekey_offchain.webhook_delivery",
      "select * from onekey_offchain.webhook_endpoint",
    ]) {
      const res = await sql(query);
      expect(res.status, `${query}: ${JSON.stringify(res.body).slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(typeof res.body.error, query).toBe("string");
      expect(leaks(JSON.stringify(res.body))).toEqual([]);
    }
    for (const table of [
      "project",
      "member",
      "review_key_share",
      "api_key",
      "encryption_key",
      "record",
      "record_version",
      "grant",
      "grant_state",
      "audit_access",
      "attestation",
      "attestation_event",
      "sponsorship",
      "sponsor_funding",
    ]) {
      const res = await sql(`select * from "${table}"`);
      expect(res.status, `${table}: ${JSON.stringify(res.body).slice(0, 200)}`).toBe(200);
      expect(leaks(JSON.stringify(res.body)), table).toEqual([]);
    }
  });

  it("still serves B its own tenant data (the secrets above were real)", async () => {
    const own = await api(indexer.url, victimKey, "GET", `/v1/projects/${victim}/webhooks/${endpointId}`);
    expect(own.status).toBe(200);
    const delivery = await api(indexer.url, victimKey, "GET", `/v1/projects/${victim}/deliveries/${encodeURIComponent(deliveryId)}`);
    expect(delivery.status).toBe(200);
    expect(secrets.size).toBeGreaterThan(20);
  });
});
