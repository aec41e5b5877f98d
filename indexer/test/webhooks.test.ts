// Webhook delivery end to end: a real receiver on loopback, a real anvil, `ponder start` on PGlite.
// Receiver outages, dead letters and redelivery, a reorg with compensating `*.reverted` messages,
// and the indexer killed mid-delivery and restarted on the same database.
import { ALL_API_KEY_SCOPES, projectGrantee, Roles } from "@onekey/sdk/contracts";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addApiKey, allPages, api, attest, createProject, gqlData, grantToProject, registerRecord, send } from "./helpers/onekey.ts";
import { startReceiver, type Receiver } from "./helpers/receiver.ts";
import { eventually, keyAccepted, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

const WORKER_ENV = {
  ONEKEY_WEBHOOK_POLL_MS: "100",
  ONEKEY_WEBHOOK_BACKOFF_BASE_MS: "200",
  ONEKEY_WEBHOOK_BACKOFF_MAX_MS: "1000",
  ONEKEY_WEBHOOK_LEASE_MS: "3000",
  ONEKEY_WEBHOOK_TIMEOUT_MS: "2000",
  ONEKEY_WEBHOOK_MAX_ATTEMPTS: "50",
};

let chain: Chain31337;
let indexer: Indexer;
let projectId: bigint;
let key: string;
const receivers: Receiver[] = [];

async function indexedThroughHead(): Promise<void> {
  const head = await chain.publicClient.getBlockNumber();
  await eventually("indexer to reach the chain head", async () => {
    const status = (await (await fetch(`${indexer.url}/status`)).json()) as Record<string, { block: { number: number } }>;
    return Object.values(status)[0]?.block.number >= Number(head);
  });
}

/** An endpoint for events after the current head (explicit, so indexer lag cannot shift it). */
async function register(receiver: Receiver, body: Record<string, unknown> = {}) {
  const fromBlock = (await chain.publicClient.getBlockNumber()).toString();
  const res = await api(indexer.url, key, "POST", `/v1/projects/${projectId}/webhooks`, { url: receiver.url, eventTypes: ["*"], fromBlock, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; secret: string; fromBlock: string };
}

/** Message ids the handlers queued for the project after `fromBlock` (the ground truth). */
async function outboxIds(fromBlock: string): Promise<Set<string>> {
  const items = await allPages<{ id: string }>(indexer.url, key, `/v1/projects/${projectId}/messages?fromBlock=${fromBlock}`);
  return new Set(items.map((o) => o.id));
}

async function deliveries(endpointId: string) {
  const res = await api(indexer.url, key, "GET", `/v1/projects/${projectId}/deliveries?endpointId=${endpointId}&limit=500`);
  expect(res.status).toBe(200);
  return res.body.items as { id: string; messageId: string; status: string; attempts: number; lastError: string | null; eventType: string; kind: string }[];
}

/** Some activity in the project: a record granted to it, two attestations. */
async function activity(n = 1): Promise<void> {
  const [, reviewer, , subject] = chain.wallets;
  for (let i = 0; i < n; i++) {
    const recordId = await registerRecord(chain, subject);
    await grantToProject(chain, subject, recordId, projectId);
    await attest(chain, reviewer, projectId, chain.wallets[6 + (i % 4)].account.address, 1 + (i % 3), recordId);
  }
}

beforeAll(async () => {
  chain = await startChain();
  indexer = await startIndexer({ chain, env: WORKER_ENV });
  const [admin, reviewer] = chain.wallets;
  projectId = await createProject(chain, admin);
  key = await addApiKey(chain, admin, projectId, ALL_API_KEY_SCOPES);
  await send(chain, admin, "projectRegistry", "grantRoles", [projectId, reviewer.account.address, Roles.REVIEWER]);
  await indexedThroughHead();
  await keyAccepted(indexer, key, projectId);
});

afterAll(async () => {
  if (process.env.ONEKEY_TEST_PRINT_LOG) console.log(indexer?.logTail(80));
  for (const r of receivers) await r.close();
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

describe("webhook delivery", () => {
  it("delivers every event once the receiver is back after an outage, signed per Standard Webhooks", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await register(receiver, { maxConcurrency: 2 });
    await receiver.down();
    await activity(3);
    await indexedThroughHead();

    // Failing attempts are logged and retried with backoff while the receiver is down.
    await eventually("failed attempts while the receiver is down", async () => {
      const log = await deliveries(endpoint.id);
      return log.length > 0 && log.every((d) => d.status !== "delivered") && log.some((d) => d.attempts >= 2 && /ECONNREFUSED/.test(d.lastError ?? ""));
    });
    await receiver.up();

    // 3 x (grant, attestation, new-reviewer alert)
    const expected = await eventually("the outbox rows", async () => {
      const ids = await outboxIds(endpoint.fromBlock);
      return ids.size === 9 ? ids : undefined;
    });
    await eventually("every message delivered", async () => [...expected].every((id) => receiver.ids().has(id)), 20_000);
    await eventually("delivery log all delivered", async () => (await deliveries(endpoint.id)).every((d) => d.status === "delivered"));

    const verified = receiver.verifyAll(endpoint.secret);
    expect(new Set(verified.map((m) => m.id))).toEqual(expected);
    expect(new Set(verified.map((m) => m.type))).toEqual(new Set(["grant.created", "attestation.created", "alert.new_reviewer_attestation"]));
    for (const m of verified) expect(m.data.projectId).toBe(projectId.toString());
    expect(receiver.maxConcurrent).toBeLessThanOrEqual(2);

    // The signature binds the body, the id and the timestamp: any change is rejected.
    const sample = receiver.received[0];
    const verifier = new Webhook(endpoint.secret);
    expect(() => verifier.verify(`${sample.body} `, sample.headers)).toThrow();
    expect(() => verifier.verify(sample.body, { ...sample.headers, "webhook-id": "msg_forged" })).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(sample.body, sample.headers)).toThrow();
    // A stale timestamp falls outside the receiver's replay window.
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    expect(() => verifier.verify(sample.body, { ...sample.headers, "webhook-timestamp": stale })).toThrow(/timestamp/i);

    await api(indexer.url, key, "DELETE", `/v1/projects/${projectId}/webhooks/${endpoint.id}`);
  });

  it("dead-letters after the endpoint's attempts run out, and redelivers on request", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    receiver.mode = "fail";
    const endpoint = await register(receiver, { eventTypes: ["attestation.*"], maxAttempts: 2 });
    const [, reviewer] = chain.wallets;
    await attest(chain, reviewer, projectId, chain.wallets[9].account.address, 2);

    const [dead] = await eventually("a dead-lettered delivery", async () => {
      const log = await deliveries(endpoint.id);
      return log.length === 1 && log[0].status === "dead" ? log : undefined;
    });
    expect(dead).toMatchObject({ attempts: 2, eventType: "attestation.created" });
    const detail = await api(indexer.url, key, "GET", `/v1/projects/${projectId}/deliveries/${encodeURIComponent(dead.id)}`);
    expect(detail.body.attemptLog.map((a: { status: number }) => a.status)).toEqual([500, 500]);
    expect(detail.body.body.type).toBe("attestation.created");
    const dead404 = await api(indexer.url, key, "GET", `/v1/projects/${projectId}/deliveries?status=dead&endpointId=${endpoint.id}`);
    expect(dead404.body.items).toHaveLength(1);

    receiver.mode = "ok";
    const redeliver = await api(indexer.url, key, "POST", `/v1/projects/${projectId}/deliveries/${encodeURIComponent(dead.id)}/redeliver`);
    expect(redeliver.status).toBe(202);
    await eventually("redelivered", async () => (await deliveries(endpoint.id))[0].status === "delivered");
    expect(receiver.received.filter((r) => r.id === dead.messageId)).toHaveLength(3);
    expect(receiver.verifyAll(endpoint.secret)).toHaveLength(3);
    const again = await api(indexer.url, key, "POST", `/v1/projects/${projectId}/deliveries/nope/redeliver`);
    expect(again.status).toBe(404);
    await api(indexer.url, key, "DELETE", `/v1/projects/${projectId}/webhooks/${endpoint.id}`);
  });

  it("rolls rows back on a reorg and sends compensating *.reverted messages", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await register(receiver);
    const [, reviewer, , subject] = chain.wallets;
    const recordId = await registerRecord(chain, subject);
    await grantToProject(chain, subject, recordId, projectId, 2);
    const victim = `0x${randomBytes(20).toString("hex")}` as const;
    await attest(chain, reviewer, projectId, victim, 3, recordId);
    await indexedThroughHead();
    // grant, attestation, new-reviewer alert
    const originals = await eventually("the outbox rows", async () => {
      const ids = await outboxIds(endpoint.fromBlock);
      return ids.size === 3 ? ids : undefined;
    });
    await eventually("originals delivered", async () => [...originals].every((id) => receiver.ids().has(id)));

    const attestationId = `${projectId}:${victim.toLowerCase()}`;
    const before = await gqlData(indexer.url, key, `query($id: String!) { attestation(id: $id) { level } }`, { id: attestationId });
    expect(before.attestation.level).toBe(3);

    // Replace the last two blocks (grant, attestation) with empty ones, then mine on.
    await chain.publicClient.request<{ Parameters: [number, unknown[]]; ReturnType: null }>({ method: "anvil_reorg", params: [2, []] });
    await chain.publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method: "evm_mine", params: [] });

    await eventually("the attestation to leave GraphQL", async () => {
      const after = await gqlData(indexer.url, key, `query($id: String!, $g: String!) { attestation(id: $id) { level } grant(id: $g) { id } }`, {
        id: attestationId,
        g: `${recordId}:${projectGrantee(projectId)}`,
      });
      return after.attestation === null && after.grant === null;
    });
    await eventually("compensating webhooks", async () => receiver.received.filter((r) => r.type.endsWith(".reverted")).length === 3, 15_000);
    const reverted = receiver.verifyAll(endpoint.secret).filter((m) => m.type.endsWith(".reverted"));
    expect(new Set(reverted.map((m) => m.data.revertedMessageId))).toEqual(originals);
    expect(new Set(reverted.map((m) => m.type))).toEqual(
      new Set(["grant.created.reverted", "attestation.created.reverted", "alert.new_reviewer_attestation.reverted"]),
    );
    const log = await deliveries(endpoint.id);
    expect(log.filter((d) => d.kind === "reverted")).toHaveLength(3);
    // The record registration stayed (its block was not reorged), so the chain still verifies.
    const verify = await api(indexer.url, key, "GET", `/v1/projects/${projectId}/audit/verify`);
    expect(verify.body.ok).toBe(true);
    await api(indexer.url, key, "DELETE", `/v1/projects/${projectId}/webhooks/${endpoint.id}`);
  });

  it("loses nothing when the indexer is killed mid-delivery and restarted (duplicates keep their id)", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const endpoint = await register(receiver, { maxConcurrency: 1 });
    receiver.mode = "hold";
    await activity(2);
    await eventually("a delivery in flight", async () => receiver.received.length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(1); // per-endpoint concurrency 1: the rest wait
    const inFlight = receiver.received[0].id;

    await indexer.stop("SIGKILL");
    receiver.mode = "ok";
    receiver.releaseHeld();
    await activity(1); // happens while the indexer is down

    // Ponder waits for the killed process's schema lock to lapse (25 s), then recovers.
    indexer = await startIndexer({ chain, pgliteDir: indexer.pgliteDir, env: WORKER_ENV });
    await indexedThroughHead();
    const expected = await eventually("the outbox rows", async () => {
      const ids = await outboxIds(endpoint.fromBlock);
      return ids.size === 9 ? ids : undefined;
    });
    await eventually("every message delivered after the restart", async () => [...expected].every((id) => receiver.ids().has(id)), 30_000);
    expect(receiver.ids()).toEqual(expected);
    // The message in flight at the kill arrives again with the same webhook-id.
    expect(receiver.received.filter((r) => r.id === inFlight).length).toBeGreaterThanOrEqual(2);
    expect(receiver.verifyAll(endpoint.secret)).toHaveLength(receiver.received.length);
    await eventually("delivery log all delivered", async () => (await deliveries(endpoint.id)).every((d) => d.status === "delivered"));
  });
});
