// The review service end to end on the local stack: anvil + OneKey, arlocal, the Ponder indexer,
// the provider simulators and the service itself over real HTTP. Each test grants from a fresh
// subject and waits on conditions (the case's status, the chain), never on sleeps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { getAttestation, isVerified } from "@onekey/sdk/contracts";
import { signReviewerRequest, type ReviewService } from "../src/service/index.ts";
import { account, ROLE, startHarness, until, type Harness } from "./helpers/harness.ts";

let h: Harness;
let service: ReviewService;

const api = async (path: string, init: { method?: string; key?: string | null; body?: unknown; headers?: Record<string, string> } = {}) => {
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  const res = await fetch(`${service.url}${path}`, {
    method: init.method ?? "GET",
    headers: { ...(init.key === null ? {} : { authorization: `Bearer ${init.key ?? h.apiKey}` }), ...(body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
    body,
  });
  const text = await res.text();
  apiBodies.push(text);
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Record<string, any> };
};
const apiBodies: string[] = [];

async function caseOf(recordId: Hex, status?: (s: Record<string, any>) => boolean, timeoutMs = 45_000) {
  return until(`the case of ${recordId}`, async () => {
    const r = await api(`/v1/projects/${h.projectId}/cases?recordId=${recordId}`);
    const c = r.json?.items?.[0];
    return c && (!status || status(c)) ? c : undefined;
  }, timeoutMs);
}
const closed = (c: Record<string, any>) => c.status === "closed";

async function reviewerCall(i: number, caseId: string, action: string, body: unknown = {}) {
  const path = `/v1/projects/${h.projectId}/cases/${caseId}/${action}`;
  const text = JSON.stringify(body);
  const headers = await signReviewerRequest(account(i), { method: "POST", path, projectId: h.projectId, body: text });
  return api(path, { method: "POST", body: text, headers });
}

async function attestedEvents(subject: Address) {
  const logs = await h.chain.publicClient.getContractEvents({ address: h.addresses.attestationRegistry, abi: (await import("@onekey/sdk/abis")).attestationRegistryAbi, eventName: "Attested", args: { subject }, fromBlock: 0n });
  return logs;
}

beforeAll(async () => {
  h = await startHarness();
  service = await h.startService();
  h.pointSimulatorsAt(service.url);
}, 180_000);
afterAll(async () => {
  if (process.env.REVIEW_DEBUG) console.log(h?.logs.slice(-60).map((l) => JSON.stringify(l)).join("\n"));
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
        method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${h.apiKey}` },
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
    expect(detail.json.transitions.map((t: { event: string }) => t.event)).toEqual(["opened", "documents_verified", "check_started", "provider_decided", "attested"]);
    await until("the case webhooks", async () => h.hooks.received.filter((m) => m.data.id === c.id).length >= 5);
    expect(h.hooks.received.filter((m) => m.data.id === c.id).map((m) => m.type)).toContain("case.approved");
  });
});
