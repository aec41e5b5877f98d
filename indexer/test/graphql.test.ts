// One anvil, one `ponder start` on PGlite, one pass through every registry event; then GraphQL,
// the REST API, API-key refusals, analytics and the audit export are checked against it.
import { ALL_API_KEY_SCOPES, ApiKeyScopes, Roles } from "@onekey/sdk/contracts";
import {
  CredentialRevokedError,
  CredentialSupersededError,
  checkCredentialStatus,
  checkCredentialStatusWithIndexer,
  issueAttestationCredential,
  signCredential,
  verifyCredential,
} from "@onekey/sdk/credentials";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditExport } from "../lib/audit.ts";
import { addApiKey, allPages, api, attest, createProject, gql, gqlData, send } from "./helpers/onekey.ts";
import { REWRAPPED_KEY, runScenario, SCENARIO_CLAIMS, type Scenario } from "./helpers/scenario.ts";
import { eventually, INDEXER_DIR, keyAccepted, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

const run = promisify(execFile);

let chain: Chain31337;
let indexer: Indexer;
let s: Scenario;

const EVENT_TYPES: Record<string, string> = {
  ProjectCreated: "project.created",
  ProjectMetadataUpdated: "project.metadata_updated",
  ProjectSuspended: "project.suspended",
  ProjectResumed: "project.resumed",
  AdminTransferStarted: "project.admin_transfer_started",
  AdminTransferred: "project.admin_transferred",
  RolesGranted: "member.roles_granted",
  RolesRevoked: "member.roles_revoked",
  ReviewKeySet: "project.review_key_set",
  EscrowKeySet: "project.escrow_key_set",
  ReviewKeyShared: "project.review_key_shared",
  ApiKeyAdded: "api_key.added",
  ApiKeyRevoked: "api_key.revoked",
  EncryptionKeySet: "encryption_key.set",
  RecordRegistered: "record.registered",
  RecordRotated: "record.rotated",
  RecordErased: "record.erased",
  AccessGranted: "grant.created",
  AccessRevoked: "grant.revoked",
  GrantRewrapped: "grant.rewrapped",
  AuditAccessRecorded: "audit_access.recorded",
  Attested: "attestation.created",
  AttestationRevoked: "attestation.revoked",
};

async function indexedThroughHead(): Promise<void> {
  const head = await chain.publicClient.getBlockNumber();
  await eventually("indexer to reach the chain head", async () => {
    const status = (await (await fetch(`${indexer.url}/status`)).json()) as Record<string, { block: { number: number } }>;
    return Object.values(status)[0]?.block.number >= Number(head);
  });
}

beforeAll(async () => {
  chain = await startChain();
  indexer = await startIndexer({
    chain,
    env: {
      ONEKEY_RATE_LIMIT_KEY: "20,40",
      ONEKEY_RATE_LIMIT_PROJECT: "1000,2000",
      ONEKEY_API_KEY_CACHE_MS: "0",
      ONEKEY_GRAPHQL_MAX_DEPTH: "8",
      ONEKEY_ALERT_AUDIT_BURST_COUNT: "1",
      ONEKEY_ALERT_MASS_REVOCATION_COUNT: "1",
    },
  });
  s = await runScenario(chain);
  await indexedThroughHead();
  await keyAccepted(indexer, s.key, s.projectId);
  // Every emitted event in the global log: the data itself, not just the indexed block number.
  const total = Object.values(s.emitted).reduce((a, b) => a + b, 0);
  await eventually("every scenario event in the log", async () => {
    return (await allPages(indexer.url, s.key, "/v1/events")).length === total;
  });
});

afterAll(async () => {
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

describe("every event in GraphQL", () => {
  it("materialises projects, members, keys and shares", async () => {
    const data = await gqlData(
      indexer.url,
      s.key,
      `query($p: BigInt!, $q: BigInt!) {
        p: project(id: $p) { admin pendingAdmin metadataURI suspended reviewKey reviewKeyVersion escrowKey escrowKeyVersion }
        q: project(id: $q) { admin pendingAdmin }
        members(where: { projectId: $p }, orderBy: "account") { items { account roles reviewerSince } }
        apiKeys(where: { projectId: $p }) { items { keyHash scopes revoked revokedAt } }
        reviewKeyShares(where: { projectId: $p }) { items { reviewer keyVersion wrappedKey } }
      }`,
      { p: s.projectId.toString(), q: s.secondProjectId.toString() },
    );
    expect(data.p).toEqual({
      admin: s.admin.toLowerCase(),
      pendingAdmin: null,
      metadataURI: "https://example.org/p1-v2.json",
      suspended: false,
      reviewKey: s.reviewKey,
      reviewKeyVersion: 1,
      escrowKey: s.escrowKey,
      escrowKeyVersion: 1,
    });
    expect(data.q).toEqual({ admin: s.newAdmin.toLowerCase(), pendingAdmin: null });
    const members = Object.fromEntries(data.members.items.map((m: { account: string }) => [m.account, m]));
    expect(members[s.reviewer.toLowerCase()].roles).toBe(Roles.REVIEWER);
    expect(members[s.reviewer.toLowerCase()].reviewerSince).not.toBeNull();
    expect(members[s.auditor.toLowerCase()]).toMatchObject({ roles: Roles.AUDITOR, reviewerSince: null });
    expect(data.apiKeys.items).toHaveLength(2);
    const revoked = data.apiKeys.items.find((k: { keyHash: string }) => k.keyHash === s.revokedKeyHash);
    expect(revoked).toMatchObject({ scopes: ApiKeyScopes.read, revoked: true });
    expect(revoked.revokedAt).not.toBeNull();
    expect(data.reviewKeyShares.items).toEqual([{ reviewer: s.reviewer.toLowerCase(), keyVersion: 1, wrappedKey: s.wrappedReviewKey }]);
  });

  it("materialises records, versions, grants, audit accesses and attestations", async () => {
    const data = await gqlData(
      indexer.url,
      s.key,
      `query($r: String!, $e: String!, $subject: String!, $other: String!, $p: BigInt!) {
        record(id: $r) { owner version contentHash erased versions(orderBy: "version") { items { version contentHash } } }
        erased: record(id: $e) { erased erasedAt }
        encryptionKey(id: $subject) { publicKey version }
        grants(where: { recordId: $r }, orderBy: "granteeKind") { items { granteeKind granteeAccount granteeProjectId purpose recordVersion revoked fieldMask wrappedKey reviewKeyVersion rewrappedAt } }
        rewrapped: grants(where: { recordId: $e }) { items { granteeProjectId purpose wrappedKey reviewKeyVersion rewrappedAt } }
        auditAccesss(where: { projectId: $p }) { items { recordId auditor authorisationHash validUntil } }
        attestations(where: { projectId: $p }, orderBy: "level") { items { subject level claims revoked revokedBy attester recordId } }
        o: attestation(id: $other) { revoked }
      }`,
      {
        r: s.recordId,
        e: s.erasedRecordId,
        subject: s.subject.toLowerCase(),
        other: `${s.projectId}:${s.otherSubject.toLowerCase()}`,
        p: s.projectId.toString(),
      },
    );
    expect(data.record).toMatchObject({ owner: s.subject.toLowerCase(), version: 2, contentHash: s.rotatedContentHash, erased: false });
    expect(data.record.versions.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(data.record.versions.items[1].contentHash).toBe(s.rotatedContentHash);
    expect(data.erased.erased).toBe(true);
    expect(data.erased.erasedAt).not.toBeNull();
    expect(data.encryptionKey).toEqual({ publicKey: s.subjectEncryptionKey, version: 1 });
    expect(data.grants.items).toEqual([
      {
        granteeKind: "account",
        granteeAccount: s.reviewer.toLowerCase(),
        granteeProjectId: null,
        purpose: 1,
        recordVersion: 1,
        revoked: true,
        fieldMask: "1",
        wrappedKey: "0xbeef",
        reviewKeyVersion: null,
        rewrappedAt: null,
      },
      {
        granteeKind: "project",
        granteeAccount: null,
        granteeProjectId: s.projectId.toString(),
        purpose: 0,
        recordVersion: 1,
        revoked: false,
        fieldMask: "3",
        wrappedKey: "0xc0ffee",
        reviewKeyVersion: 1,
        rewrappedAt: null,
      },
    ]);
    // The re-wrapped grant shows the new key and the version it opens with; its terms are the grant's.
    expect(data.rewrapped.items).toHaveLength(1);
    expect(data.rewrapped.items[0]).toMatchObject({ granteeProjectId: s.projectId.toString(), purpose: 1, wrappedKey: REWRAPPED_KEY, reviewKeyVersion: 1 });
    expect(data.rewrapped.items[0].rewrappedAt).not.toBeNull();
    expect(data.auditAccesss.items).toHaveLength(1);
    expect(data.auditAccesss.items[0]).toMatchObject({ recordId: s.recordId, auditor: s.auditor.toLowerCase(), authorisationHash: s.authorisationHash });
    expect(data.attestations.items).toEqual([
      {
        subject: s.otherSubject.toLowerCase(),
        level: 1,
        claims: "0",
        revoked: true,
        revokedBy: s.reviewer.toLowerCase(),
        attester: s.reviewer.toLowerCase(),
        recordId: `0x${"00".repeat(32)}`,
      },
      {
        subject: s.subject.toLowerCase(),
        level: 2,
        claims: String(SCENARIO_CLAIMS),
        revoked: false,
        revokedBy: null,
        attester: s.reviewer.toLowerCase(),
        recordId: s.recordId,
      },
    ]);
    expect(data.o.revoked).toBe(true);
  });

  it("logs every event type once per emission in the global chain", async () => {
    const rows = await allPages<{ seq: string; eventType: string }>(indexer.url, s.key, "/v1/events");
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.eventType] = (counts[row.eventType] ?? 0) + 1;
    const expected = Object.fromEntries(Object.entries(s.emitted).map(([event, n]) => [EVENT_TYPES[event], n]));
    expect(Object.keys(expected)).toHaveLength(Object.keys(EVENT_TYPES).length);
    expect(counts).toEqual(expected);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => String(i + 1)));
  });
});

describe("GraphQL queries", () => {
  it("nests a project's grants (with their records), attestations and members", async () => {
    const data = await gqlData(
      indexer.url,
      s.key,
      `query($p: BigInt!) { project(id: $p) {
        grants(orderBy: "blockNumber") { items { recordId purpose record { owner version erased } } }
        attestations(where: { revoked: false }) { items { subject level } }
        members { totalCount }
        auditAccesses { items { authorisationHash } }
      } }`,
      { p: s.projectId.toString() },
    );
    expect(data.project.grants.items).toEqual([
      { recordId: s.recordId, purpose: 0, record: { owner: s.subject.toLowerCase(), version: 2, erased: false } },
      { recordId: s.erasedRecordId, purpose: 1, record: { owner: s.otherSubject.toLowerCase(), version: 1, erased: true } },
    ]);
    expect(data.project.attestations.items).toEqual([{ subject: s.subject.toLowerCase(), level: 2 }]);
    expect(data.project.members.totalCount).toBe(2);
    expect(data.project.auditAccesses.items).toEqual([{ authorisationHash: s.authorisationHash }]);
  });

  it("filters by project, subject, status, level and block", async () => {
    const head = await chain.publicClient.getBlockNumber();
    const data = await gqlData(
      indexer.url,
      s.key,
      `query($p: BigInt!, $subject: String!) {
        live: attestations(where: { projectId: $p, revoked: false, level_gte: 2 }) { items { subject } }
        bySubject: attestations(where: { subject: $subject }) { totalCount }
        revokedGrants: grants(where: { revoked: true }) { totalCount }
      }`,
      { p: s.projectId.toString(), subject: s.subject.toLowerCase() },
    );
    expect(data.live.items).toEqual([{ subject: s.subject.toLowerCase() }]);
    expect(data.bySubject.totalCount).toBe(1);
    expect(data.revokedGrants.totalCount).toBe(1);
    // The event log is tenant data per project: REST, filtered the same ways.
    expect(await allPages(indexer.url, s.key, `/v1/events?fromBlock=${head}`)).toHaveLength(0);
    expect(await allPages(indexer.url, s.key, `/v1/projects/${s.projectId}/events?eventType=grant.created`)).toHaveLength(2);
    expect(await allPages(indexer.url, s.key, `/v1/projects/${s.projectId}/events?eventType=attestation.*`)).toHaveLength(3);
  });

  it("pages through the event log with cursors, without gaps or overlap", async () => {
    const all = await allPages<{ seq: string }>(indexer.url, s.key, "/v1/events");
    const paged = await allPages<{ seq: string }>(indexer.url, s.key, "/v1/events", 7);
    expect(paged.map((r) => r.seq)).toEqual(Array.from({ length: all.length }, (_, i) => String(i + 1)));
  });

  it("shows each grant's state computed at query time (view and REST)", async () => {
    const data = await gqlData(
      indexer.url,
      s.key,
      `query($p: BigInt!) { grantStates(where: { granteeProjectId: $p }, orderBy: "purpose") { items { recordId state } } all: grantStates { items { state granteeKind } } }`,
      { p: s.projectId.toString() },
    );
    // The record was rotated after its grant (superseded); the other record was erased.
    expect(data.grantStates.items).toEqual([
      { recordId: s.recordId, state: "superseded" },
      { recordId: s.erasedRecordId, state: "superseded" },
    ]);
    expect(data.all.items.find((g: { granteeKind: string }) => g.granteeKind === "account").state).toBe("revoked");

    const fresh = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/grants?state=superseded`);
    expect(fresh.status).toBe(200);
    expect(fresh.body.items.map((g: { recordId: string }) => g.recordId).sort()).toEqual([s.recordId, s.erasedRecordId].sort());
    const none = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/grants?state=live`);
    expect(none.body.items).toEqual([]);
  });

  it("names claims, roles, scopes, purposes and key-release modes beside the numbers", async () => {
    const data = await gqlData(
      indexer.url,
      s.key,
      `query($p: BigInt!, $r: String!) {
        attestations(where: { projectId: $p }, orderBy: "level") { items { level claims claimNames } }
        attestationStates(where: { projectId: $p, revoked: false }) { items { claimNames state } }
        attestationEvents(where: { projectId: $p }, orderBy: "timestamp") { items { kind claims claimNames } }
        members(where: { projectId: $p }, orderBy: "account") { items { roles roleNames } }
        apiKeys(where: { projectId: $p }) { items { scopes scopeNames } }
        apiKeyStates(where: { projectId: $p }) { items { scopes scopeNames } }
        grants(where: { recordId: $r }, orderBy: "purpose") { items { purpose purposeName } }
        grantStates(where: { recordId: $r }, orderBy: "purpose") { items { purposeName } }
        record(id: $r) { keyRelease keyReleaseMode versions { items { keyReleaseMode } } }
      }`,
      { p: s.projectId.toString(), r: s.recordId },
    );
    // SCENARIO_CLAIMS = AGE_OVER_18 | SANCTIONS_SCREENED | bit 31 (the project's claim 15).
    expect(data.attestations.items).toEqual([
      { level: 1, claims: "0", claimNames: [] },
      { level: 2, claims: String(SCENARIO_CLAIMS), claimNames: ["AGE_OVER_18", "SANCTIONS_SCREENED", "project:15"] },
    ]);
    expect(data.attestationStates.items).toEqual([{ claimNames: ["AGE_OVER_18", "SANCTIONS_SCREENED", "project:15"], state: "valid" }]);
    const attested = data.attestationEvents.items.filter((e: { kind: string }) => e.kind === "attested");
    expect(attested.map((e: { claimNames: string[] }) => e.claimNames)).toContainEqual(["AGE_OVER_18", "SANCTIONS_SCREENED", "project:15"]);
    expect(data.attestationEvents.items.filter((e: { kind: string }) => e.kind === "revoked").every((e: { claimNames: null }) => e.claimNames === null)).toBe(
      true,
    );
    for (const m of data.members.items)
      expect(m.roleNames).toEqual(
        Object.entries(Roles)
          .filter(([, bit]) => m.roles & bit)
          .map(([n]) => n),
      );
    expect(data.members.items.map((m: { roleNames: string[] }) => m.roleNames).sort()).toEqual([["AUDITOR"], ["REVIEWER"]]);
    for (const k of [...data.apiKeys.items, ...data.apiKeyStates.items]) {
      expect(k.scopeNames).toEqual(
        Object.entries(ApiKeyScopes)
          .filter(([, bit]) => k.scopes & bit)
          .map(([n]) => n),
      );
    }
    expect(data.apiKeys.items.map((k: { scopeNames: string[] }) => k.scopeNames)).toContainEqual(["read"]);
    expect(data.grants.items).toEqual([
      { purpose: 0, purposeName: "KYC_REVIEW" },
      { purpose: 1, purposeName: "COMPLIANCE" },
    ]);
    expect(data.grantStates.items).toEqual([{ purposeName: "KYC_REVIEW" }, { purposeName: "COMPLIANCE" }]);
    expect(data.record).toEqual({
      keyRelease: 0,
      keyReleaseMode: "envelope",
      versions: { items: [{ keyReleaseMode: "envelope" }, { keyReleaseMode: "envelope" }] },
    });
  });

  it("filters attestations by claim name (claimNames_has, _not_has, AND) and grants by purpose name", async () => {
    const q = async (where: string) =>
      (
        await gqlData(indexer.url, s.key, `query($p: BigInt!) { attestations(where: { projectId: $p, ${where} }) { items { level } } }`, {
          p: s.projectId.toString(),
        })
      ).attestations.items.map((a: { level: number }) => a.level);
    expect(await q(`claimNames_has: "AGE_OVER_18"`)).toEqual([2]);
    expect(await q(`claimNames_has: "project:15"`)).toEqual([2]);
    expect(await q(`claimNames_has: "AGE_OVER_21"`)).toEqual([]);
    expect(await q(`claimNames_not_has: "AGE_OVER_18"`)).toEqual([1]);
    expect(await q(`AND: [{ claimNames_has: "AGE_OVER_18" }, { claimNames_has: "SANCTIONS_SCREENED" }]`)).toEqual([2]);
    expect(await q(`AND: [{ claimNames_has: "AGE_OVER_18" }, { claimNames_has: "PEP_SCREENED" }]`)).toEqual([]);
    const grants = await gqlData(
      indexer.url,
      s.key,
      `query($r: String!) { c: grants(where: { recordId: $r, purposeName: "COMPLIANCE" }) { items { purpose granteeKind } }
      k: grants(where: { recordId: $r, purposeName_in: ["KYC_REVIEW"] }) { items { purpose granteeKind } } }`,
      { r: s.recordId },
    );
    expect(grants.c.items).toEqual([{ purpose: 1, granteeKind: "account" }]);
    expect(grants.k.items).toEqual([{ purpose: 0, granteeKind: "project" }]);
  });

  it("puts the names into webhook bodies and the skip reason code into skipped events", async () => {
    const messages = await allPages<{ eventType: string; body: { data: Record<string, unknown> } }>(indexer.url, s.key, `/v1/projects/${s.projectId}/messages`);
    const data = (type: string) => messages.filter((m) => m.eventType === type).map((m) => m.body.data);
    expect(data("attestation.created")).toContainEqual(
      expect.objectContaining({ claims: String(SCENARIO_CLAIMS), claimNames: ["AGE_OVER_18", "SANCTIONS_SCREENED", "project:15"] }),
    );
    expect(data("grant.created")).toContainEqual(expect.objectContaining({ purpose: "0", purposeName: "KYC_REVIEW", granteeKind: "project" }));
    for (const d of data("grant.revoked")) expect(d.granteeKind).toBe("project");
    const granted = data("member.roles_granted");
    expect(granted).toContainEqual(expect.objectContaining({ granted: String(Roles.REVIEWER), grantedRoleNames: ["REVIEWER"] }));
    for (const d of granted)
      expect(d.roleNames).toEqual(
        Object.entries(Roles)
          .filter(([, bit]) => Number(d.roles) & bit)
          .map(([n]) => n),
      );
    for (const d of data("member.roles_revoked")) expect(Array.isArray(d.revokedRoleNames)).toBe(true);
    for (const d of data("api_key.added"))
      expect(d.scopeNames).toEqual(
        Object.entries(ApiKeyScopes)
          .filter(([, bit]) => Number(d.scopes) & bit)
          .map(([n]) => n),
      );
    expect(data("api_key.added").length).toBeGreaterThan(0);
    // The scenario applies every event, so nothing is skipped; the column is there with its name.
    const skipped = await gql(indexer.url, s.key, `{ skippedEvents { items { reasonCode reason } } }`);
    expect(skipped.body.errors).toBeUndefined();
  });

  it("answers an attestation credential's status at the indexed head, as the chain does", async () => {
    const reviewer = chain.wallets[1];
    const indexerEndpoint = { url: indexer.url, apiKey: s.key };
    const credential = await issueAttestationCredential(chain.publicClient, reviewer, {
      addresses: chain.deployment,
      projectId: s.projectId,
      subject: s.subject,
    });
    expect(credential.credentialSubject.claims).toEqual(["AGE_OVER_18", "SANCTIONS_SCREENED", "project:15"]);
    const verified = await verifyCredential(credential, {
      attestationRegistry: chain.deployment.attestationRegistry,
      now: (await chain.publicClient.getBlock()).timestamp,
    });
    const [viaIndexer, viaChain] = await Promise.all([
      checkCredentialStatusWithIndexer(indexerEndpoint, verified),
      checkCredentialStatus(chain.publicClient, verified),
    ]);
    expect(viaIndexer.attestation).toEqual(viaChain.attestation);
    // The other subject's attestation was revoked: a credential for it fails through the indexer too.
    const head = (await chain.publicClient.getBlock()).timestamp;
    const forRevoked = await verifyCredential(
      await signCredential(reviewer, {
        chainId: 31337,
        attestationRegistry: chain.deployment.attestationRegistry,
        subject: s.otherSubject,
        projectId: s.projectId,
        level: 1,
        claims: 0,
        validFrom: head,
        validUntil: head + 3600n,
        binding: "exact",
      }),
      { now: head },
    );
    await expect(checkCredentialStatusWithIndexer(indexerEndpoint, forRevoked)).rejects.toBeInstanceOf(CredentialRevokedError);
    // A credential stating other claims than the slot fails as superseded, on both paths.
    const other = await verifyCredential(
      await signCredential(reviewer, {
        chainId: 31337,
        attestationRegistry: chain.deployment.attestationRegistry,
        subject: s.subject,
        projectId: s.projectId,
        level: 2,
        claims: 1,
        validFrom: head,
        validUntil: viaChain.attestation.expiry,
        binding: "exact",
      }),
      { now: head },
    );
    await expect(checkCredentialStatusWithIndexer(indexerEndpoint, other)).rejects.toBeInstanceOf(CredentialSupersededError);
    await expect(checkCredentialStatus(chain.publicClient, other)).rejects.toBeInstanceOf(CredentialSupersededError);
  });

  it("exposes the security alerts the scenario raised, to the project's own key", async () => {
    const items = await allPages<{ eventType: string; body: { data: Record<string, string> } }>(
      indexer.url,
      s.key,
      `/v1/projects/${s.projectId}/messages?eventType=alert.*`,
    );
    const types = items.map((o) => o.eventType).sort();
    expect(types).toEqual(["alert.audit_access_burst", "alert.mass_revocation", "alert.new_reviewer_attestation", "alert.new_reviewer_attestation"]);
    const newReviewer = items.find((o) => o.eventType === "alert.new_reviewer_attestation")!.body;
    expect(newReviewer.data).toMatchObject({ rule: "new_reviewer_attestation", attester: s.reviewer.toLowerCase() });
  });
});

describe("API keys, scopes and limits", () => {
  it("refuses a missing key and an unknown key with 401", async () => {
    const missing = await api(indexer.url, undefined, "POST", "/graphql", { query: "{ projects { totalCount } }" });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ error: "MissingApiKey" });
    const unknown = await gql(indexer.url, "ok_not_a_registered_key", "{ projects { totalCount } }");
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ error: "UnknownApiKey" });
    expect((unknown.body as any).message).toMatch(/not registered on-chain/);
  });

  it("refuses an expired key, a revoked key, a wrong scope and another project's key", async () => {
    const [admin] = chain.wallets;
    const shortLived = await addApiKey(chain, admin, s.projectId, ALL_API_KEY_SCOPES, 2);
    const readOnly = await addApiKey(chain, admin, s.projectId, ApiKeyScopes.read);
    const toRevoke = await addApiKey(chain, admin, s.projectId, ALL_API_KEY_SCOPES);
    const { apiKeyHash } = await import("@onekey/sdk/contracts");
    await send(chain, admin, "projectRegistry", "revokeApiKey", [s.projectId, apiKeyHash(toRevoke)]);
    const otherProject = await createProject(chain, admin);
    const otherKey = await addApiKey(chain, admin, otherProject, ALL_API_KEY_SCOPES);
    await indexedThroughHead();

    const analytics = `/v1/projects/${s.projectId}/analytics`;
    const scope = await api(indexer.url, readOnly, "GET", analytics);
    expect(scope.status).toBe(403);
    expect(scope.body).toMatchObject({ error: "MissingScope" });
    expect(scope.body.message).toMatch(/lacks the "analytics" scope.*it has: read/);
    const webhooks = await api(indexer.url, readOnly, "POST", `/v1/projects/${s.projectId}/webhooks`, { url: "http://127.0.0.1:9/x" });
    expect(webhooks.status).toBe(403);

    const revoked = await api(indexer.url, toRevoke, "GET", analytics);
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ error: "ApiKeyRevoked" });

    const wrong = await api(indexer.url, otherKey, "GET", analytics);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ error: "WrongProject" });

    expect((await api(indexer.url, shortLived, "GET", analytics)).status).toBe(200);
    // Expiry is judged at the indexed head's timestamp (chain time), so blocks have to keep coming,
    // as they do on a live chain; an idle anvil mines none.
    await eventually(
      "the short-lived key to expire",
      async () => {
        await chain.publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method: "evm_mine", params: [] });
        return (await api(indexer.url, shortLived, "GET", analytics)).status === 401;
      },
      10_000,
    );
    const expired = await api(indexer.url, shortLived, "GET", analytics);
    expect(expired.body).toMatchObject({ error: "ApiKeyExpired" });
    expect(expired.body.message).toMatch(/expired at \d{4}-/);
  });

  it("answers a burst over the key's limit with 429 and Retry-After, then recovers", async () => {
    const [admin] = chain.wallets;
    const key = await addApiKey(chain, admin, s.projectId, ApiKeyScopes.read);
    await indexedThroughHead();
    // Bucket of 40 refilling at 20/s. Bursts of 100 until one is refused: a loaded machine may
    // answer a burst slower than the bucket refills, so the first burst alone need not hit it.
    const started = performance.now();
    const results: Awaited<ReturnType<typeof api>>[] = [];
    for (let burst = 0; burst < 10 && !results.some((r) => r.status === 429); burst++) {
      results.push(...(await Promise.all(Array.from({ length: 100 }, () => api(indexer.url, key, "GET", `/v1/projects/${s.projectId}/grants`)))));
    }
    const seconds = (performance.now() - started) / 1000;
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429);
    // 40 pass at once, plus what refilled while the bursts were answered: never more.
    expect(ok).toBeGreaterThanOrEqual(40);
    expect(ok).toBeLessThanOrEqual(40 + Math.ceil(20 * seconds) + 1);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBe(results.length - ok);
    expect(limited[0].body).toMatchObject({ error: "RateLimited" });
    expect(Number(limited[0].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, Number(limited[0].headers.get("retry-after")) * 1000));
    expect((await api(indexer.url, key, "GET", `/v1/projects/${s.projectId}/grants`)).status).toBe(200);
  });

  it("refuses an over-deep GraphQL query with 400", async () => {
    const deep = `{ project(id: "1") { grants { items { record { grants { items { project { attestations { items { project { id } } } } } } } } } } }`;
    const res = await gql(indexer.url, s.key, deep);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].message).toMatch(/depth/i);
    const shallow = await gql(indexer.url, s.key, `{ project(id: "1") { grants { items { record { version } } } } }`);
    expect(shallow.status).toBe(200);
  });

  it("refuses webhook endpoints on private, loopback, link-local and non-http targets (SSRF)", async () => {
    const path = `/v1/projects/${s.projectId}/webhooks`;
    for (const url of [
      "http://10.0.0.5/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]:8080/hook",
      "http://192.168.1.10/x",
      "http://0.0.0.0:80/",
      "http://127.0.0.2:8080/",
    ]) {
      const res = await api(indexer.url, s.key, "POST", path, { url });
      expect(res.status, url).toBe(422);
      expect(res.body).toMatchObject({ error: "EndpointRefused" });
      expect(res.body.message).toMatch(/private, loopback, link-local or reserved/);
    }
    const ftp = await api(indexer.url, s.key, "POST", path, { url: "ftp://example.org/x" });
    expect(ftp.status).toBe(422);
    expect(ftp.body.message).toMatch(/scheme/);
    const bad = await api(indexer.url, s.key, "POST", path, { url: "http://127.0.0.1:9/x", eventTypes: ["Not A Type"] });
    expect(bad.status).toBe(400);
    // 127.0.0.1 is on this run's allow list (ONEKEY_WEBHOOK_ALLOW_PRIVATE=127.0.0.1/32).
    const allowed = await api(indexer.url, s.key, "POST", path, { url: "http://127.0.0.1:9/x" });
    expect(allowed.status).toBe(201);
    expect(allowed.body.secret).toMatch(/^whsec_/);
  });
});

describe("analytics", () => {
  it("counts records, grants by purpose, attestations by level and audit accesses in a window", async () => {
    const res = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/analytics?bucket=hour`);
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({
      records: 2,
      grants: 2,
      grantsByPurpose: { KYC_REVIEW: 1, COMPLIANCE: 1, AUDIT: 0, DISPUTE: 0, SUPPORT: 0 },
      attestations: 2,
      attestationsByLevel: { "1": 1, "2": 1 },
      attestationRevocations: 1,
      auditAccesses: 1,
      sponsoredOperations: 0,
      gasSponsoredWei: "0",
    });
    const series = res.body.series as { grants: number; attestations: number }[];
    expect(series.reduce((n, b) => n + b.grants, 0)).toBe(2);
    const past = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/analytics?from=0&to=1000`);
    expect(past.body.totals.grants).toBe(0);
    const bad = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/analytics?bucket=week`);
    expect(bad.status).toBe(400);
  });
});

describe("audit export", () => {
  let exported: AuditExport;
  const dir = mkdtempSync(join(tmpdir(), "onekey-audit-"));
  const verifyOffline = async (file: string, head?: string) => {
    const args = [join(INDEXER_DIR, "scripts/verify-audit.ts"), file, ...(head ? ["--head", head] : [])];
    return run(process.execPath, args).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
  };

  beforeAll(async () => {
    const res = await api<AuditExport>(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/audit/export`);
    expect(res.status).toBe(200);
    exported = res.body;
  });

  it("exports a chain that verifies online and offline, as JSON and CSV", async () => {
    expect(exported.count).toBeGreaterThan(15);
    const online = await api(indexer.url, s.key, "POST", `/v1/projects/${s.projectId}/audit/verify`, exported);
    expect(online.status, JSON.stringify(online.body)).toBe(200);
    expect(online.body).toMatchObject({ ok: true, count: exported.count, head: exported.head });
    const stored = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/audit/verify`);
    expect(stored.body.ok).toBe(true);
    const head = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/audit/head`);
    expect(head.body).toEqual(exported.head);

    const file = join(dir, "export.json");
    writeFileSync(file, JSON.stringify(exported));
    const offline = await verifyOffline(file, `${head.body.seq}:${head.body.hash}`);
    expect(offline.code, offline.out).toBe(0);

    const csv = await api<string>(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/audit/export?format=csv`);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.headers.get("x-onekey-audit-head-hash")).toBe(exported.head.hash);
    writeFileSync(join(dir, "export.csv"), csv.body);
    expect((await verifyOffline(join(dir, "export.csv"))).code).toBe(0);
    expect((await api(indexer.url, s.key, "POST", `/v1/projects/${s.projectId}/audit/verify`, csv.body)).status).toBe(200);
  });

  it("fails verification naming the row when any row is altered, removed or cut off", async () => {
    const victim = 5;
    const altered = structuredClone(exported);
    altered.rows[victim].payload = altered.rows[victim].payload.replace(/"0x[0-9a-f]/, '"0x0');
    const online = await api(indexer.url, s.key, "POST", `/v1/projects/${s.projectId}/audit/verify`, altered);
    expect(online.status).toBe(422);
    expect(online.body).toMatchObject({ ok: false, seq: altered.rows[victim].seq, row: victim });
    expect(online.body.reason).toMatch(/altered/);
    const file = join(dir, "altered.json");
    writeFileSync(file, JSON.stringify(altered));
    const offline = await verifyOffline(file);
    expect(offline.code).toBe(1);
    expect(offline.out).toContain(`row seq ${altered.rows[victim].seq}`);

    const removed = structuredClone(exported);
    removed.rows.splice(victim, 1);
    const gap = await api(indexer.url, s.key, "POST", `/v1/projects/${s.projectId}/audit/verify`, removed);
    expect(gap.status).toBe(422);
    expect(gap.body.reason).toMatch(/removed or reordered/);

    // Cutting the tail and fixing up the export's own head still disagrees with the indexer.
    const cut = structuredClone(exported);
    cut.rows.pop();
    cut.count--;
    cut.head = { seq: cut.rows.at(-1)!.seq, hash: cut.rows.at(-1)!.hash };
    const short = await api(indexer.url, s.key, "POST", `/v1/projects/${s.projectId}/audit/verify`, cut);
    expect(short.status).toBe(200); // a consistent prefix verifies on its own ...
    writeFileSync(join(dir, "cut.json"), JSON.stringify(cut));
    const againstHead = await verifyOffline(join(dir, "cut.json"), `${exported.head.seq}:${exported.head.hash}`);
    expect(againstHead.code).toBe(1); // ... but not against the head fetched separately
    expect(againstHead.out).toMatch(/expected head/);
  });

  it("keeps indexing new events into the chain after an export", async () => {
    const [, reviewer, , , , , extraSubject] = chain.wallets;
    await attest(chain, reviewer, s.projectId, extraSubject.account.address, 3);
    await indexedThroughHead();
    const head = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/audit/head`);
    expect(BigInt(head.body.seq)).toBe(BigInt(exported.head.seq) + 1n);
    const stored = await api(indexer.url, s.key, "GET", `/v1/projects/${s.projectId}/audit/verify`);
    expect(stored.body).toMatchObject({ ok: true, count: exported.count + 1 });
  });
});
