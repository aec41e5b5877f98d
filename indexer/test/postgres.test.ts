// The scale path: PostgreSQL via DATABASE_URL, one `ponder start` (indexer + webhook worker) and
// one `ponder serve` replica over the same database. The replica answers GraphQL and the API from
// the same tables, shares rate-limit buckets, and an endpoint registered on it is delivered by the
// worker in the indexing process.
import { ALL_API_KEY_SCOPES, ApiKeyScopes, Roles } from "@onekey/sdk/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addApiKey, allPages, api, attest, createProject, gqlData, grantToProject, registerRecord, send } from "./helpers/onekey.ts";
import { postgresUnavailableReason, startPostgres, type Postgres } from "./helpers/postgres.ts";
import { startReceiver, type Receiver } from "./helpers/receiver.ts";
import { eventually, indexedBlock, keyAccepted, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

const unavailable = postgresUnavailableReason();
if (unavailable) console.warn(`Skipping the PostgreSQL tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)("PostgreSQL with a `ponder serve` replica", () => {
  let pg: Postgres;
  let chain: Chain31337;
  let primary: Indexer;
  let replica: Indexer;
  let receiver: Receiver;
  let projectId: bigint;
  let key: string;

  beforeAll(async () => {
    pg = await startPostgres();
    chain = await startChain();
    const env = { ONEKEY_RATE_LIMIT_KEY: "5,10", ONEKEY_API_KEY_CACHE_MS: "0", ONEKEY_WEBHOOK_POLL_MS: "100" };
    primary = await startIndexer({ chain, databaseUrl: pg.url, env });
    replica = await startIndexer({ chain, databaseUrl: pg.url, command: "serve", env });
    receiver = await startReceiver();
    const [admin, reviewer, , subject] = chain.wallets;
    projectId = await createProject(chain, admin);
    key = await addApiKey(chain, admin, projectId, ALL_API_KEY_SCOPES);
    await send(chain, admin, "projectRegistry", "grantRoles", [projectId, reviewer.account.address, Roles.REVIEWER]);
    const recordId = await registerRecord(chain, subject);
    await grantToProject(chain, subject, recordId, projectId);
    await attest(chain, reviewer, projectId, subject.account.address, 2, recordId);
    const head = Number(await chain.publicClient.getBlockNumber());
    await eventually("the primary to index the head", async () => (await indexedBlock(primary)) >= head);
    await keyAccepted(primary, key, projectId);
    // The status block can run ahead of what a query sees: wait on the data itself (the attestation
    // is the last event sent) on both processes before comparing them.
    const attested = `query($p: BigInt!) { project(id: $p) { attestations { items { level } } } }`;
    for (const indexer of [primary, replica]) {
      await eventually("the attestation in GraphQL", async () => {
        await new Promise((r) => setTimeout(r, 250)); // under the key's 5/s refill, so the tests below start with tokens
        return (await gqlData(indexer.url, key, attested, { p: projectId.toString() })).project?.attestations.items.length === 1;
      });
    }
  });

  afterAll(async () => {
    await receiver?.close();
    await replica?.stop();
    await primary?.stop();
    await chain?.stop();
    pg?.stop();
  });

  it("serves the same GraphQL answers from the replica as from the indexing process", async () => {
    const query = `query($p: BigInt!) { project(id: $p) { admin grants { items { recordId } } attestations { items { subject level } } } }`;
    const fromPrimary = await gqlData(primary.url, key, query, { p: projectId.toString() });
    const fromReplica = await gqlData(replica.url, key, query, { p: projectId.toString() });
    expect(fromReplica).toEqual(fromPrimary);
    const events = `/v1/projects/${projectId}/events`;
    expect(await allPages(replica.url, key, events)).toEqual(await allPages(primary.url, key, events));
    expect(fromReplica.project.attestations.items).toEqual([{ subject: chain.wallets[3].account.address.toLowerCase(), level: 2 }]);
    const exported = await api(replica.url, key, "GET", `/v1/projects/${projectId}/audit/export`);
    const verified = await api(primary.url, key, "POST", `/v1/projects/${projectId}/audit/verify`, exported.body);
    expect(verified.body).toMatchObject({ ok: true, count: exported.body.count });
  });

  it("shares one rate-limit bucket per key across replicas", async () => {
    const [admin] = chain.wallets;
    const limited = await addApiKey(chain, admin, projectId, ApiKeyScopes.read);
    const head = Number(await chain.publicClient.getBlockNumber());
    await eventually("the key to be indexed", async () => (await indexedBlock(primary)) >= head);
    const path = `/v1/projects/${projectId}/grants`;
    // Burst 10: drain it on the primary, then the replica must refuse.
    const first = await Promise.all(Array.from({ length: 10 }, () => api(primary.url, limited, "GET", path)));
    expect(first.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(9);
    const onReplica = await Promise.all(Array.from({ length: 5 }, () => api(replica.url, limited, "GET", path)));
    expect(onReplica.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(3);
    expect(onReplica.find((r) => r.status === 429)!.headers.get("retry-after")).toBeTruthy();
  });

  it("delivers, from the indexing process, webhooks for an endpoint registered on the replica", async () => {
    const created = await api(replica.url, key, "POST", `/v1/projects/${projectId}/webhooks`, { url: receiver.url, eventTypes: ["attestation.created"] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [, reviewer] = chain.wallets;
    await attest(chain, reviewer, projectId, chain.wallets[7].account.address, 1);
    await eventually("the attestation webhook", async () => receiver.received.length === 1, 20_000);
    const [message] = receiver.verifyAll(created.body.secret);
    expect(message).toMatchObject({ type: "attestation.created", data: { subject: chain.wallets[7].account.address.toLowerCase(), level: "1" } });
    const log = await api(replica.url, key, "GET", `/v1/projects/${projectId}/deliveries`);
    expect(log.body.items.map((d: { status: string }) => d.status)).toEqual(["delivered"]);
  });
});
