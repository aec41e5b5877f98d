// One pass through every OneKey registry event, in a realistic order, returning what was done so
// tests can compare the indexer's view with it.
import { recordRegistryAbi } from "@onekey/sdk/abis";
import { ALL_API_KEY_SCOPES, ApiKeyScopes, Roles, accountGrantee, projectGrantee } from "@onekey/sdk/contracts";
import type { Hex } from "viem";
import { addApiKey, attest, blockTime, createProject, eventArgs, grantToProject, randomHash, registerRecord, send } from "./onekey.ts";
import type { Chain31337 } from "./stack.ts";

/** The wrapped key the scenario's re-wrap publishes for the erased record's project grant. */
export const REWRAPPED_KEY = "0xc0ffee02" as Hex;

/** The claims the scenario attests its subject with. */
export const SCENARIO_CLAIMS = 0x80000005;

export interface Scenario {
  projectId: bigint;
  secondProjectId: bigint;
  admin: `0x${string}`;
  newAdmin: `0x${string}`;
  reviewer: `0x${string}`;
  auditor: `0x${string}`;
  subject: `0x${string}`;
  otherSubject: `0x${string}`;
  recordId: Hex;
  erasedRecordId: Hex;
  revokedKeyHash: Hex;
  /** Raw API key with every scope for `projectId`. */
  key: string;
  authorisationHash: Hex;
  reviewKey: Hex;
  escrowKey: Hex;
  wrappedReviewKey: Hex;
  subjectEncryptionKey: Hex;
  rotatedContentHash: Hex;
  /** Event name -> how many times the scenario emitted it. */
  emitted: Record<string, number>;
}

export async function runScenario(chain: Chain31337): Promise<Scenario> {
  const [adminW, reviewerW, auditorW, subjectW, newAdminW, otherSubjectW] = chain.wallets;
  const emitted: Record<string, number> = {};
  const count = (name: string, n = 1) => (emitted[name] = (emitted[name] ?? 0) + n);
  const admin = adminW.account.address;
  const reviewer = reviewerW.account.address;
  const auditor = auditorW.account.address;
  const subject = subjectW.account.address;
  const otherSubject = otherSubjectW.account.address;
  const newAdmin = newAdminW.account.address;

  const projectId = await createProject(chain, adminW, "https://example.org/p1.json");
  count("ProjectCreated");
  await send(chain, adminW, "projectRegistry", "setMetadataURI", [projectId, "https://example.org/p1-v2.json"]);
  count("ProjectMetadataUpdated");
  const key = await addApiKey(chain, adminW, projectId, ALL_API_KEY_SCOPES);
  count("ApiKeyAdded");
  await send(chain, adminW, "projectRegistry", "grantRoles", [projectId, reviewer, Roles.REVIEWER]);
  await send(chain, adminW, "projectRegistry", "grantRoles", [projectId, auditor, Roles.AUDITOR | Roles.REVIEWER]);
  count("RolesGranted", 2);
  await send(chain, adminW, "projectRegistry", "revokeRoles", [projectId, auditor, Roles.REVIEWER]);
  count("RolesRevoked");
  const reviewKey = randomHash();
  const escrowKey = randomHash();
  await send(chain, adminW, "projectRegistry", "setReviewKey", [projectId, reviewKey]);
  count("ReviewKeySet");
  await send(chain, adminW, "projectRegistry", "setEscrowKey", [projectId, escrowKey]);
  count("EscrowKeySet");
  const wrappedReviewKey = "0x0102030405060708090a" as Hex;
  await send(chain, adminW, "projectRegistry", "shareReviewKey", [projectId, reviewer, wrappedReviewKey]);
  count("ReviewKeyShared");
  const revokedKeyHash = randomHash();
  const expiry = (await blockTime(chain.publicClient)) + 86_400n;
  await send(chain, adminW, "projectRegistry", "addApiKey", [projectId, revokedKeyHash, ApiKeyScopes.read, expiry]);
  count("ApiKeyAdded");
  await send(chain, adminW, "projectRegistry", "revokeApiKey", [projectId, revokedKeyHash]);
  count("ApiKeyRevoked");
  await send(chain, adminW, "projectRegistry", "suspend", [projectId]);
  count("ProjectSuspended");
  await send(chain, adminW, "projectRegistry", "resume", [projectId]);
  count("ProjectResumed");

  const secondProjectId = await createProject(chain, adminW, "https://example.org/p2.json");
  count("ProjectCreated");
  await send(chain, adminW, "projectRegistry", "transferAdmin", [secondProjectId, newAdmin]);
  count("AdminTransferStarted");
  await send(chain, newAdminW, "projectRegistry", "acceptAdmin", [secondProjectId]);
  count("AdminTransferred");

  const subjectEncryptionKey = randomHash();
  await send(chain, subjectW, "recordRegistry", "setEncryptionKey", [subjectEncryptionKey]);
  count("EncryptionKeySet");
  const recordId = await registerRecord(chain, subjectW);
  count("RecordRegistered");
  await grantToProject(chain, subjectW, recordId, projectId, 0);
  count("AccessGranted");
  const accountExpiry = (await blockTime(chain.publicClient)) + 3600n;
  await send(chain, subjectW, "recordRegistry", "grant", [recordId, accountGrantee(reviewer), 1, accountExpiry, 1n, "0xbeef"]);
  count("AccessGranted");
  const authorisationHash = randomHash();
  const audit = await send(chain, auditorW, "recordRegistry", "recordAuditAccess", [recordId, projectId, authorisationHash]);
  eventArgs(audit, "recordRegistry", "AuditAccessRecorded");
  count("AuditAccessRecorded");
  // Over 18, sanctions screened and project claim 15 (bit 31: past a signed 32-bit integer).
  await attest(chain, reviewerW, projectId, subject, 2, recordId, SCENARIO_CLAIMS);
  count("Attested");
  await attest(chain, reviewerW, projectId, otherSubject, 1);
  count("Attested");
  await send(chain, reviewerW, "attestationRegistry", "revoke", [projectId, otherSubject]);
  count("AttestationRevoked");
  const rotatedContentHash = randomHash();
  await send(chain, subjectW, "recordRegistry", "rotateRecord", [recordId, randomHash(), rotatedContentHash, randomHash(), 1, 0]);
  count("RecordRotated");
  await send(chain, subjectW, "recordRegistry", "revoke", [recordId, accountGrantee(reviewer)]);
  count("AccessRevoked");

  const erasedRecordId = await registerRecord(chain, otherSubjectW);
  count("RecordRegistered");
  await grantToProject(chain, otherSubjectW, erasedRecordId, projectId, 1);
  count("AccessGranted");
  // The project's ADMIN re-wraps that grant (to its current review key, version 1).
  const { grantedAt } = (await chain.publicClient.readContract({
    address: chain.deployment.recordRegistry,
    abi: recordRegistryAbi,
    functionName: "getGrant",
    args: [erasedRecordId, projectGrantee(projectId)],
  })) as { grantedAt: number };
  await send(chain, adminW, "recordRegistry", "rewrapGrants", [
    projectId,
    1,
    [{ recordId: erasedRecordId, recordVersion: 1, grantedAt, wrappedKey: REWRAPPED_KEY }],
  ]);
  count("GrantRewrapped");
  await send(chain, otherSubjectW, "recordRegistry", "eraseRecord", [erasedRecordId]);
  count("RecordErased");

  return {
    projectId,
    secondProjectId,
    admin,
    newAdmin,
    reviewer,
    auditor,
    subject,
    otherSubject,
    recordId,
    erasedRecordId,
    revokedKeyHash,
    key,
    authorisationHash,
    reviewKey,
    escrowKey,
    wrappedReviewKey,
    subjectEncryptionKey,
    rotatedContentHash,
    emitted,
  };
}
