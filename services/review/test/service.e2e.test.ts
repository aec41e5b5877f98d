// The review service end to end on the local stack: anvil + OneKey, arlocal, the Ponder indexer,
// the provider simulators and the service itself over real HTTP. Each test grants from a fresh
// subject and waits on conditions (the case's status, the chain), never on sleeps.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import type { Address, Hex } from "viem";
import { attestationRegistryAbi } from "@onekey/sdk/abis";
import { getAttestation, isVerified, projectGrantee, revoke } from "@onekey/sdk/contracts";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { scanBytes, scanPgliteDump, scanTexts } from "../../../scripts/canary.ts";
import { postgresUnavailableReason, startPostgres } from "../../../indexer/test/helpers/postgres.ts";
import { signReviewerRequest, startReviewService, type ReviewLogLine, type ReviewService } from "../src/service/index.ts";
import { CANARY } from "./fixtures.ts";
import { account, PASSPHRASE, POLICY, ROLE, RULES, startHarness, until, type Harness } from "./helpers/harness.ts";

const ROOT = new URL("../../..", import.meta.url).pathname;
let h: Harness;
let service: ReviewService;
let serviceDbDir: string;

const api = async (path: string, init: { method?: string; key?: string | null; body?: unknown; headers?: Record<string, string> } = {}) => {
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  const res = await fetch(`${service.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      ...(init.key === null ? {} : { authorization: `Bearer ${init.key ?? h.apiKey}` }),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    body,
  });
  const text = await res.text();
  apiBodies.push(text);
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, any> };
};
const apiBodies: string[] = [];

async function caseOf(recordId: Hex, status?: (s: Record<string, any>) => boolean, timeoutMs = 45_000, at?: { url: string; projectId: bigint; key: string }) {
  return until(
    `the case of ${recordId}`,
    async () => {
      const r = at
        ? {
            json: (await (
              await fetch(`${at.url}/v1/projects/${at.projectId}/cases?recordId=${recordId}`, { headers: { authorization: `Bearer ${at.key}` } })
            ).json()) as Record<string, any>,
          }
        : await api(`/v1/projects/${h.projectId}/cases?recordId=${recordId}`);
      const c = r.json?.items?.[0];
      return c && (!status || status(c)) ? c : undefined;
    },
    timeoutMs,
  );
}
const closed = (c: Record<string, any>) => c.status === "closed";

let signed = 0;
async function reviewerCall(i: number, caseId: string, action: string, body: unknown = {}) {
  const path = `/v1/projects/${h.projectId}/cases/${caseId}/${action}`;
  const text = JSON.stringify(body);
  // Signatures are deterministic: the same request in the same second is a replay, so each call here gets its own second.
  const timestamp = Math.floor(Date.now() / 1000) - (signed++ % 200);
  const headers = await signReviewerRequest(account(i), { method: "POST", path, projectId: h.projectId, body: text, timestamp });
  return api(path, { method: "POST", body: text, headers });
}

const attestedEvents = (subject: Address) =>
  h.chain.publicClient.getContractEvents({
    address: h.addresses.attestationRegistry,
    abi: attestationRegistryAbi,
    eventName: "Attested",
    args: { subject },
    fromBlock: 0n,
  });

beforeAll(async () => {
  h = await startHarness();
  const options = h.serviceOptions();
  serviceDbDir = options.dbDir!;
  service = await startReviewService(options);
  h.pointSimulatorsAt(service.url);
}, 180_000);
afterAll(async () => {
  if (process.env.REVIEW_DEBUG)
    console.log(
      h?.logs
        .slice(-60)
        .map((l) => JSON.stringify(l))
        .join("\n"),
    );
  await service?.stop();
  await h?.stop();
});

describe("review service on the local stack", () => {
  it("grant -> case -> the simulator approves -> attestation on-chain, in GraphQL and isVerified", async () => {
    h.sumsub.decision = "approve";
    const g = await h.grantFromNewSubject();
    const c = await caseOf(g.recordId, closed);
    expect(c.outcome).toBe("approved");
    expect(c.provider.name).toBe("sumsub");
    expect(c.level).toBe(2);
    expect(c.subject).toBe(g.subject.toLowerCase());
    expect(await isVerified(h.chain.publicClient, { addresses: h.addresses, subject: g.subject, projectId: h.projectId, minLevel: 2 })).toBe(true);
    const onChain = await getAttestation(h.chain.publicClient, { addresses: h.addresses, subject: g.subject, projectId: h.projectId });
    expect(onChain.attester).toBe(account(ROLE.attester).address);
    // AGE_OVER_18 | AGE_OVER_21 | COUNTRY_ALLOWED | DOCUMENT_VERIFIED, derived in memory
    expect(onChain.claims).toBe(1 | 2 | 128 | 256);
    const gql = await until("the attestation in GraphQL", async () => {
      const r = await fetch(`${h.indexer.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${h.apiKey}` },
        body: JSON.stringify({ query: `{ attestations(where: { subject: "${g.subject.toLowerCase()}" }) { items { projectId level revoked } } }` }),
      });
      const j = (await r.json()) as { data?: { attestations: { items: { projectId: string; level: number }[] } } };
      return j.data?.attestations.items.length ? j.data.attestations.items : undefined;
    });
    expect(gql[0]).toMatchObject({ projectId: h.projectId.toString(), level: 2 });
    // Only the granted fields reached the provider: never the id number or the address.
    const sent = JSON.stringify(h.sumsub.received.at(-1));
    expect(sent).not.toContain("P123");
    const detail = await api(`/v1/projects/${h.projectId}/cases/${c.id}`);
    expect(detail.json.transitions.map((t: { event: string }) => t.event)).toEqual([
      "opened",
      "documents_verified",
      "check_started",
      "provider_decided",
      "attested",
    ]);
    await until("the case webhooks", async () => h.hooks.received.filter((m) => m.data.id === c.id).length >= 5);
    expect(h.hooks.received.filter((m) => m.data.id === c.id).map((m) => m.type)).toContain("case.approved");
  });

  it("provider A times out -> provider B decides", async () => {
    h.sumsub.mode = "timeout";
    try {
      const g = await h.grantFromNewSubject();
      const c = await caseOf(g.recordId, closed);
      expect(c.outcome).toBe("approved");
      expect(c.provider.name).toBe("onfido");
      expect(await isVerified(h.chain.publicClient, { addresses: h.addresses, subject: g.subject, projectId: h.projectId, minLevel: 2 })).toBe(true);
      expect(h.logs.some((l) => l.event === "check.started" && l.attempts === "sumsub:timeout,onfido:ok")).toBe(true);
    } finally {
      h.sumsub.mode = "normal";
    }
  });

  it("decline -> no attestation, the case shows the normalised reason, a webhook says so", async () => {
    h.sumsub.decision = "decline";
    try {
      const g = await h.grantFromNewSubject();
      const c = await caseOf(g.recordId, closed);
      expect(c.outcome).toBe("declined");
      expect(c.reasons).toEqual(["document_tampered"]);
      expect(c.attestationTx).toBeNull();
      expect(await attestedEvents(g.subject)).toHaveLength(0);
      expect(await isVerified(h.chain.publicClient, { addresses: h.addresses, subject: g.subject, projectId: h.projectId, minLevel: 1 })).toBe(false);
      const hook = await until("the declined webhook", async () => h.hooks.received.find((m) => m.data.id === c.id && m.type === "case.declined"));
      expect(hook.data.reasons).toEqual(["document_tampered"]);
    } finally {
      h.sumsub.decision = "approve";
    }
  });

  it("resubmission -> no attestation, a webhook asks the person to grant again", async () => {
    h.sumsub.decision = "resubmit";
    try {
      const g = await h.grantFromNewSubject();
      const c = await caseOf(g.recordId, closed);
      expect(c.outcome).toBe("resubmission");
      expect(c.reasons.length).toBeGreaterThan(0);
      expect(await attestedEvents(g.subject)).toHaveLength(0);
      const hook = await until("the resubmission request", async () =>
        h.hooks.received.find((m) => m.data.id === c.id && m.type === "case.resubmission_requested"),
      );
      expect(hook.data).toMatchObject({ subject: g.subject.toLowerCase(), recordId: g.recordId.toLowerCase(), outcome: "resubmission" });
    } finally {
      h.sumsub.decision = "approve";
    }
  });

  it("manual review with four eyes: two different reviewers, neither twice, an outsider refused", async () => {
    const g = await h.grantFromNewSubject({ documentType: "id_card" });
    const c = await caseOf(g.recordId, (x) => x.status === "manual_review");
    expect(c.proposedLevel).toBe(3);
    const outsider = await reviewerCall(ROLE.outsider, c.id, "claim");
    expect(outsider.status).toBe(403);
    expect(outsider.json.error).toBe("NotAReviewer");
    expect((await reviewerCall(ROLE.reviewerA, c.id, "claim")).status).toBe(200);
    const taken = await reviewerCall(ROLE.reviewerB, c.id, "claim");
    expect([taken.status, taken.json.error]).toEqual([409, "InvalidTransition"]);
    const first = await reviewerCall(ROLE.reviewerA, c.id, "decide", { decision: "approve", level: 3 });
    expect(first.status).toBe(200);
    expect(first.json.status).toBe("manual_review");
    expect(await attestedEvents(g.subject)).toHaveLength(0);
    const again = await reviewerCall(ROLE.reviewerA, c.id, "claim");
    expect([again.status, again.json.error]).toEqual([409, "InvalidTransition"]);
    expect((await reviewerCall(ROLE.reviewerB, c.id, "claim")).status).toBe(200);
    expect((await reviewerCall(ROLE.reviewerB, c.id, "decide", { decision: "approve", level: 3 })).status).toBe(200);
    const done = await caseOf(g.recordId, closed);
    expect(done.outcome).toBe("approved");
    expect(done.reviews.map((r: { reviewer: string }) => r.reviewer)).toEqual([
      account(ROLE.reviewerA).address.toLowerCase(),
      account(ROLE.reviewerB).address.toLowerCase(),
    ]);
    expect((await getAttestation(h.chain.publicClient, { addresses: h.addresses, subject: g.subject, projectId: h.projectId })).level).toBe(3);
  });

  it("reassign: the assignee hands a case to another reviewer; a replayed signed request is refused", async () => {
    h.sumsub.decision = "review";
    try {
      const g = await h.grantFromNewSubject();
      const c = await caseOf(g.recordId, (x) => x.status === "manual_review");
      expect((await reviewerCall(ROLE.reviewerA, c.id, "claim")).status).toBe(200);
      const path = `/v1/projects/${h.projectId}/cases/${c.id}/reassign`;
      const body = JSON.stringify({ to: account(ROLE.reviewerB).address });
      const headers = await signReviewerRequest(account(ROLE.reviewerA), { method: "POST", path, projectId: h.projectId, body });
      const moved = await api(path, { method: "POST", body, headers });
      expect(moved.status).toBe(200);
      expect(moved.json.assignee).toBe(account(ROLE.reviewerB).address.toLowerCase());
      const replay = await api(path, { method: "POST", body, headers });
      expect([replay.status, replay.json.error]).toEqual([409, "ReplayedRequest"]);
      expect((await reviewerCall(ROLE.reviewerB, c.id, "decide", { decision: "decline" })).status).toBe(200);
      expect((await caseOf(g.recordId, closed)).outcome).toBe("declined");
    } finally {
      h.sumsub.decision = "approve";
    }
  });

  it("a revoked grant cancels the open case", async () => {
    h.sumsub.decision = "review";
    try {
      const g = await h.grantFromNewSubject();
      await caseOf(g.recordId, (x) => x.status === "manual_review");
      await revoke(g.person, { addresses: h.addresses, recordId: g.recordId, grantee: projectGrantee(h.projectId) });
      const c = await caseOf(g.recordId, closed);
      expect(c.outcome).toBe("cancelled");
    } finally {
      h.sumsub.decision = "approve";
    }
  });

  it("a provider callback with a bad signature is refused and logged; a replayed one changes nothing", async () => {
    const delivered = h.sumsub.callbacks.find((cb) => cb.status === 200)!;
    const bad = await fetch(`${service.url}/v1/providers/sumsub/callback`, {
      method: "POST",
      headers: { ...delivered.headers, "x-payload-digest": "00".repeat(32), "content-type": "application/json" },
      body: delivered.body as unknown as BodyInit,
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe("InvalidCallbackSignatureError");
    expect(h.logs.some((l) => l.event === "callback.refused" && l.provider === "sumsub")).toBe(true);

    const attestedBefore = (
      await h.chain.publicClient.getContractEvents({
        address: h.addresses.attestationRegistry,
        abi: attestationRegistryAbi,
        eventName: "Attested",
        fromBlock: 0n,
      })
    ).length;
    const replay = await fetch(`${service.url}/v1/providers/sumsub/callback`, {
      method: "POST",
      headers: { ...delivered.headers, "content-type": "application/json" },
      body: delivered.body as unknown as BodyInit,
    });
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { duplicate: boolean }).duplicate).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500)); // give a (wrong) second attestation every chance to happen
    const attestedAfter = (
      await h.chain.publicClient.getContractEvents({
        address: h.addresses.attestationRegistry,
        abi: attestationRegistryAbi,
        eventName: "Attested",
        fromBlock: 0n,
      })
    ).length;
    expect(attestedAfter).toBe(attestedBefore);

    // The indexer trigger: a delivery not signed with this project's endpoint secret.
    const body = JSON.stringify({ id: "msg_forged", type: "grant.created", timestamp: new Date().toISOString(), data: { recordId: `0x${"11".repeat(32)}` } });
    const forged = new Webhook(`whsec_${Buffer.from("not the secret, 32 bytes long!!!").toString("base64")}`);
    const ts = new Date();
    const refused = await fetch(`${service.url}/v1/indexer/${h.projectId}/webhooks`, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": "msg_forged",
        "webhook-timestamp": String(Math.floor(ts.getTime() / 1000)),
        "webhook-signature": forged.sign("msg_forged", ts, body),
      },
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe("InvalidWebhookSignature");
    expect(h.logs.some((l) => l.event === "indexer_webhook.refused")).toBe(true);
  });

  it("outsiders: no key, another project's key, malformed and huge bodies, bad queries, forged reviewer signatures", async () => {
    const base = `/v1/projects/${h.projectId}/cases`;
    const [someCase] = (await api(base)).json.items;
    const expectError = async (r: Promise<{ status: number; json: Record<string, any> }>, status: number, error: string) => {
      const got = await r;
      expect([got.status, got.json?.error]).toEqual([status, error]);
    };
    await expectError(api(base, { key: null }), 401, "MissingApiKey");
    await expectError(api(base, { key: h.otherApiKey }), 401, "UnknownApiKey");
    await expectError(api(`/v1/projects/${h.otherProjectId}/cases`, { key: h.otherApiKey }), 404, "ProjectNotServed");
    await expectError(api(`/v1/projects/abc/cases`), 400, "InvalidProjectId");
    await expectError(api(`${base}?status=nope`), 400, "InvalidQuery");
    await expectError(api(`${base}?limit=100000`), 400, "InvalidQuery");
    await expectError(api(`${base}?evil=1`), 400, "InvalidQuery");
    await expectError(api(`${base}/case_${"0".repeat(24)}`), 404, "CaseNotFound");
    await expectError(api(`${base}/not-a-case`), 400, "InvalidCaseId");
    await expectError(api(`${base}/${someCase.id}/claim`, { method: "POST", body: "{not json" }), 400, "InvalidJson");
    await expectError(api(`${base}/${someCase.id}/claim`, { method: "POST", body: {} }), 401, "MissingReviewerSignature");
    await expectError(api(`${base}/${someCase.id}/decide`, { method: "POST", body: { decision: "maybe" } }), 400, "InvalidBody");
    await expectError(api(`${base}/${someCase.id}/claim`, { method: "POST", body: "x".repeat(20_000) }), 413, "PayloadTooLarge");
    await expectError(api(`${base}/${someCase.id}/explode`, { method: "POST", body: {} }), 404, "NotFound");
    await expectError(api(`${base}/${someCase.id}`, { method: "DELETE" }), 405, "MethodNotAllowed");
    await expectError(api(`/nothing`), 404, "NotFound");
    // A signature by reviewer A presented as reviewer B's, and one for another path.
    const path = `${base}/${someCase.id}/claim`;
    const signed = await signReviewerRequest(account(ROLE.reviewerA), { method: "POST", path, projectId: h.projectId, body: "{}" });
    await expectError(
      api(path, { method: "POST", body: "{}", headers: { ...signed, "x-onekey-reviewer": account(ROLE.reviewerB).address } }),
      401,
      "InvalidReviewerSignature",
    );
    const other = await signReviewerRequest(account(ROLE.reviewerA), {
      method: "POST",
      path: `${base}/${someCase.id}/release`,
      projectId: h.projectId,
      body: "{}",
    });
    await expectError(api(path, { method: "POST", body: "{}", headers: other }), 401, "InvalidReviewerSignature");
    const stale = await signReviewerRequest(account(ROLE.reviewerA), {
      method: "POST",
      path,
      projectId: h.projectId,
      body: "{}",
      timestamp: Math.floor(Date.now() / 1000) - 3_600,
    });
    await expectError(api(path, { method: "POST", body: "{}", headers: stale }), 401, "StaleReviewerSignature");
    // A 50 MB body is refused from its Content-Length, and the service keeps serving.
    const huge = await fetch(`${service.url}/v1/providers/sumsub/callback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.alloc(50 * 1024 * 1024, 0x61),
    }).catch(() => undefined);
    if (huge) expect(huge.status).toBe(413);
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  it("PII canary: the service's database dump, logs, API answers and webhook bodies hold no granted value", async () => {
    // The simulators are the provider: they hold what they were sent, as the real one would.
    expect(JSON.stringify(h.sumsub.received)).toContain(CANARY);
    await service.stop();
    const texts: [string, string][] = [
      ["service logs", h.logs.map((l) => JSON.stringify(l)).join("\n")],
      ["API answers", apiBodies.join("\n")],
      ["webhook bodies", h.hooks.received.map((m) => m.body).join("\n")],
    ];
    expect(scanTexts(texts, CANARY)).toEqual([]);
    // The strings that are not canaried: the birth date and the country (only their claim bits may appear).
    for (const [source, text] of texts) expect(text.includes("1990-02-03"), source).toBe(false);
    const dump = await scanPgliteDump(serviceDbDir, CANARY, "review service");
    expect(dump.tables).toBeGreaterThanOrEqual(6);
    expect(dump.rows).toBeGreaterThan(10);
    expect(dump.hits).toEqual([]);
    expect(h.hooks.received.length).toBeGreaterThanOrEqual(5);
  });

  it("the service killed mid-case (SIGKILL) and restarted: the case completes once", async () => {
    const { projectId, apiKey } = await h.newProject();
    const dir = mkdtempSync(join(tmpdir(), "onekey-review-kill-"));
    const config = join(dir, "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        projects: [{ projectId: projectId.toString(), indexerApiKey: apiKey, rules: RULES, policy: POLICY, countryAllowList: ["DE"] }],
        providers: { sumsub: h.providerConfig.sumsub },
      }),
    );
    const logFile = join(dir, "service.log");
    const start = async (providerPollMs: number) => {
      const port = await freePort();
      const child = spawn(join(ROOT, "node_modules/.bin/node"), [join(ROOT, "services/review/src/main.ts")], {
        env: {
          ...process.env,
          ONEKEY_REVIEW_CONFIG: config,
          ONEKEY_REVIEW_KEYSTORE_DIR: h.keyDir,
          ONEKEY_REVIEW_KEYSTORE_PASSPHRASE: PASSPHRASE,
          ONEKEY_REVIEW_PORT: String(port),
          ONEKEY_RPC_URL: h.rpcUrl,
          ONEKEY_INDEXER_URL: h.indexer.url,
          ONEKEY_ARWEAVE_URL: h.arlocal.url,
          ONEKEY_PROJECT_REGISTRY: h.addresses.projectRegistry,
          ONEKEY_RECORD_REGISTRY: h.addresses.recordRegistry,
          ONEKEY_ATTESTATION_REGISTRY: h.addresses.attestationRegistry,
          ONEKEY_REVIEW_ATTESTER_KEY: ANVIL_KEYS[ROLE.attester],
          ONEKEY_REVIEW_RELAYER_KEY: ANVIL_KEYS[ROLE.relayer],
          ONEKEY_REVIEW_DB_DIR: join(dir, "db"),
          ONEKEY_REVIEW_POLL_MS: "500",
          ONEKEY_REVIEW_PROVIDER_POLL_MS: String(providerPollMs),
          ONEKEY_REVIEW_LEASE_MS: "3000",
          DATABASE_URL: "",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out = createWriteStream(logFile, { flags: "a" });
      child.stdout!.pipe(out);
      child.stderr!.pipe(out);
      const url = `http://127.0.0.1:${port}`;
      await until("the review service child", async () => (await fetch(`${url}/health`)).ok, 60_000);
      return { child, url };
    };
    const killed = (c: ChildProcess) =>
      new Promise<void>((r) => {
        c.once("exit", () => r());
        c.kill("SIGKILL");
      });
    // No callbacks and a slow poll: the case waits on the provider (`checking`) when the process dies.
    h.sumsub.callbackUrl = undefined;
    const a = await start(8_000);
    const g = await h.grantFromNewSubject({ projectId });
    const at = (url: string) => ({ url, projectId, key: apiKey });
    await caseOf(g.recordId, (x) => x.status === "checking" && x.provider !== null, 45_000, at(a.url));
    await killed(a.child);
    // A new process over the same database picks the case up when it is due and asks the provider.
    const b = await start(500);
    try {
      const c = await caseOf(g.recordId, closed, 90_000, at(b.url));
      expect(c.outcome).toBe("approved");
      expect(await attestedEvents(g.subject)).toHaveLength(1);
      const detail = (await (await fetch(`${b.url}/v1/projects/${projectId}/cases/${c.id}`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as {
        transitions: { event: string }[];
      };
      expect(detail.transitions.filter((t) => t.event === "check_started")).toHaveLength(1);
      expect(detail.transitions.filter((t) => t.event === "attested")).toHaveLength(1);
      expect(scanBytes(readFileSync(logFile), CANARY)).toEqual([]);
    } finally {
      await killed(b.child);
      h.pointSimulatorsAt("http://127.0.0.1:9");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it.skipIf(postgresUnavailableReason() !== undefined)(
    "two instances over one PostgreSQL database: each case decided once",
    async () => {
      const pg = await startPostgres();
      const { projectId, apiKey } = await h.newProject();
      const logsA: ReviewLogLine[] = [];
      const logsB: ReviewLogLine[] = [];
      const opts = (log: ReviewLogLine[]) =>
        h.serviceOptions({
          databaseUrl: pg.url,
          projects: [h.project({ projectId, indexerApiKey: apiKey, webhook: undefined })],
          log: (l) => log.push(l),
          indexerPollMs: 500,
        });
      const a = await startReviewService(opts(logsA));
      const b = await startReviewService(opts(logsB));
      try {
        // Callbacks go to one instance; either may apply them (the verdict is in the shared database).
        h.pointSimulatorsAt(a.url);
        const grants = [];
        for (let i = 0; i < 6; i++) grants.push(await h.grantFromNewSubject({ projectId }));
        for (const g of grants) {
          const c = await caseOf(g.recordId, closed, 90_000, { url: b.url, projectId, key: apiKey });
          expect(c.outcome).toBe("approved");
          expect(await attestedEvents(g.subject)).toHaveLength(1);
        }
        const decided = await a.store.query<{ case_id: string; n: number }>(
          "SELECT case_id, count(*)::int AS n FROM case_transition WHERE event IN ('provider_decided', 'attested', 'check_started') GROUP BY case_id, event",
        );
        expect(decided.length).toBe(18);
        expect(decided.every((d) => d.n === 1)).toBe(true);
        const [{ n }] = await a.store.query<{ n: number }>("SELECT count(*)::int AS n FROM review_case WHERE project_id = $1", [projectId.toString()]);
        expect(n).toBe(6);
        const worked = (logs: ReviewLogLine[]) => logs.filter((l) => l.event === "case.transition").length;
        console.log(`instances' transitions: A ${worked(logsA)}, B ${worked(logsB)}`);
      } finally {
        await a.stop();
        await b.stop();
        pg.stop();
      }
    },
    240_000,
  );
});
