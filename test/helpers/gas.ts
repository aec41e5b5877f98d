// Total transaction gas per OneKey operation, measured on a fresh in-process network.
// Shared by the snapshot test (test/gas.ts) and the benchmark (scripts/bench/gas.ts).
//
// The numbers must not depend on when or how often they are measured, and must not flatter us:
// - calldata costs 4 gas per zero byte and 16 per other byte, so every id, hash, salt and key is a
//   full-entropy 32-byte word (as the SDK sends: random salts, sha256 hashes, X25519 keys), never
//   `bytes32(1)`;
// - timestamps (expiries, deadlines) are fixed constants on a chain moved to GAS_EPOCH, so the
//   calldata and the EIP-712 signature bytes are the same on every run.
import assert from "node:assert/strict";
import { encodeFunctionData, getAddress, keccak256, stringToHex, type Address, type Hex } from "viem";
import { Purpose, Roles, accountGrantee, claimsValue, computeRecordId, projectGrantee } from "@onekey/sdk/contracts";
import { signAttest, WRAPPED_KEY, DAY, type Fixture } from "./fixture.ts";
import { deployEAS } from "./eas.ts";

/** A full-entropy 32-byte word named by a label (same label, same word). */
export const word = (label: string): Hex => keccak256(stringToHex(label));

export const deterministicAddress = (seed: string): Address => getAddress(`0x${word(seed).slice(26)}`);

/** Chain time during the measurement; every expiry below is an offset of it with no zero byte. */
export const GAS_EPOCH = 2_000_001_000n;
export const EXPIRY = GAS_EPOCH + 30n * DAY;
const LONG_EXPIRY = GAS_EPOCH + 365n * DAY;
export const DEADLINE = GAS_EPOCH + DAY;
/** Claims of a full review (seven standard bits). */
export const CLAIMS = claimsValue([
  "AGE_OVER_18",
  "AGE_OVER_21",
  "SANCTIONS_SCREENED",
  "PEP_SCREENED",
  "LIVENESS_CHECKED",
  "COUNTRY_ALLOWED",
  "DOCUMENT_VERIFIED",
]);
/** What a gated dApp asks for. */
const CLAIMS_ASKED = claimsValue(["AGE_OVER_18", "SANCTIONS_SCREENED", "COUNTRY_ALLOWED"]);

export async function measureGas(f: Fixture): Promise<Record<string, number>> {
  const latest = BigInt(await f.networkHelpers.time.latest());
  assert.ok(latest < GAS_EPOCH, `chain time ${latest} is past GAS_EPOCH; move GAS_EPOCH forward`);
  await f.networkHelpers.time.increaseTo(GAS_EPOCH);

  const gas: Record<string, number> = {};
  const used = async (name: string, hash: Promise<Hex>) => {
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash: await hash });
    assert.equal(receipt.status, "success", name);
    gas[name] = Number(receipt.gasUsed);
  };
  // A view as a calling contract sees it: its own eth_call, so the callee and its slots are cold.
  const probe = await f.viem.deployContract("GasProbe");
  const seenByCaller = async (name: string, target: Address, data: Hex, expect: Hex) => {
    const { result } = await probe.simulate.measure([target, data]);
    assert.equal(result[1], true, `${name} call succeeded`);
    assert.equal(result[2], expect, `${name} result`);
    gas[name] = Number(result[0]);
  };
  const TRUE = `0x${"1".padStart(64, "0")}` as Hex;

  // --- ProjectRegistry -------------------------------------------------------------------------
  const p = await f.at.projects(f.admin);
  await used("ProjectRegistry.createProject", p.write.createProject(["ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"]));
  const projectId = await f.projects.read.projectCount();
  await used("ProjectRegistry.grantRoles (new member)", p.write.grantRoles([projectId, f.addr(f.reviewer), Roles.REVIEWER]));
  await used("ProjectRegistry.grantRoles (existing member)", p.write.grantRoles([projectId, f.addr(f.reviewer), Roles.SPONSOR]));
  await used("ProjectRegistry.revokeRoles (keeps membership)", p.write.revokeRoles([projectId, f.addr(f.reviewer), Roles.SPONSOR]));
  await p.write.grantRoles([projectId, f.addr(f.auditor), Roles.AUDITOR]);
  await used("ProjectRegistry.setReviewKey", p.write.setReviewKey([projectId, word("review-key")]));
  await used("ProjectRegistry.setEscrowKey", p.write.setEscrowKey([projectId, word("escrow-key")]));
  await used("ProjectRegistry.shareReviewKey (80-byte key)", p.write.shareReviewKey([projectId, f.addr(f.reviewer), WRAPPED_KEY]));
  await used("ProjectRegistry.addApiKey", p.write.addApiKey([projectId, word("api-key"), 3, LONG_EXPIRY]));
  await used("ProjectRegistry.revokeApiKey", p.write.revokeApiKey([projectId, word("api-key")]));
  await used("ProjectRegistry.suspend", p.write.suspend([projectId]));
  await used("ProjectRegistry.resume", p.write.resume([projectId]));

  // --- RecordRegistry --------------------------------------------------------------------------
  const s = await f.at.records(f.subject);
  await used("RecordRegistry.setEncryptionKey (first)", s.write.setEncryptionKey([word("subject-x25519")]));
  await used("RecordRegistry.registerRecord", s.write.registerRecord([word("salt"), word("storage-id"), word("content-hash"), word("manifest-hash"), 1, 0]));
  const recordId = computeRecordId(f.addr(f.subject), word("salt"));
  await used(
    "RecordRegistry.grant (account, 80-byte key)",
    s.write.grant([recordId, accountGrantee(f.addr(f.other)), Purpose.KYC_REVIEW, EXPIRY, 0b111n, WRAPPED_KEY]),
  );
  await used(
    "RecordRegistry.grant (project, 160-byte key)",
    s.write.grant([recordId, projectGrantee(projectId), Purpose.KYC_REVIEW, EXPIRY, 0b11n, `0x${"cd".repeat(160)}`]),
  );
  // Reviewer offboarding: the admin rotates the review key and re-wraps the project's live grants,
  // 1 and 20 per batch (20 fresh records, each granted to the project). A rewrapped key has the
  // project grant's size: wrap to the new review key ‖ the unchanged escrow wrap.
  await p.write.setReviewKey([projectId, word("review-key-2")]);
  const rewrapItem = async (id: Hex) => {
    const g = await f.records.read.getGrant([id, projectGrantee(projectId)]);
    return { recordId: id, recordVersion: g.recordVersion, grantedAt: g.grantedAt, wrappedKey: `0x${"ef".repeat(160)}` as Hex };
  };
  const admin = await f.at.records(f.admin);
  await used("RecordRegistry.rewrapGrants (1 grant, 160-byte key)", admin.write.rewrapGrants([projectId, 2, [await rewrapItem(recordId)]]));
  const batchIds: Hex[] = [];
  for (let i = 0; i < 20; i++) {
    await s.write.registerRecord([word(`rewrap-salt-${i}`), word(`rewrap-storage-${i}`), word(`rewrap-content-${i}`), word(`rewrap-manifest-${i}`), 1, 0]);
    const id = computeRecordId(f.addr(f.subject), word(`rewrap-salt-${i}`));
    await s.write.grant([id, projectGrantee(projectId), Purpose.KYC_REVIEW, EXPIRY, 0b11n, `0x${"cd".repeat(160)}`]);
    batchIds.push(id);
  }
  batchIds.sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
  const items = await Promise.all(batchIds.map(rewrapItem));
  await used("RecordRegistry.rewrapGrants (20 grants, 160-byte keys)", admin.write.rewrapGrants([projectId, 2, items]));
  gas["RecordRegistry.rewrapGrants per grant at 20"] = Math.ceil(gas["RecordRegistry.rewrapGrants (20 grants, 160-byte keys)"] / 20);
  const hasAccess = (user: Address) => encodeFunctionData({ abi: f.records.abi, functionName: "hasAccess", args: [recordId, user] });
  await seenByCaller("RecordRegistry.hasAccess (account grant, cold, seen by caller)", f.records.address, hasAccess(f.addr(f.other)), TRUE);
  await seenByCaller("RecordRegistry.hasAccess (via project, cold, seen by caller)", f.records.address, hasAccess(f.addr(f.reviewer)), TRUE);
  await used("RecordRegistry.revoke", s.write.revoke([recordId, accountGrantee(f.addr(f.other))]));
  await used("RecordRegistry.recordAuditAccess", (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, word("court-order")]));
  await used("RecordRegistry.rotateRecord", s.write.rotateRecord([recordId, word("storage-id-2"), word("content-hash-2"), word("manifest-hash-2"), 1, 0]));

  // --- AttestationRegistry ---------------------------------------------------------------------
  const a = await f.at.attestations(f.reviewer);
  const subject = f.addr(f.subject);
  await used("AttestationRegistry.attest (new)", a.write.attest([projectId, subject, 2, EXPIRY, 0, recordId]));
  await used("AttestationRegistry.attest (replace)", a.write.attest([projectId, subject, 3, EXPIRY, 0, recordId]));
  const batch = Array.from({ length: 100 }, (_, i) => ({
    subject: deterministicAddress(`batch-${i}`),
    level: 2,
    expiry: EXPIRY,
    claims: 0,
    recordId: word(`batch-record-${i}`),
  }));
  await used("AttestationRegistry.attestBatch (100 new)", a.write.attestBatch([projectId, batch]));
  gas["AttestationRegistry.attestBatch per subject at 100"] = Math.ceil(gas["AttestationRegistry.attestBatch (100 new)"] / 100);
  const signed = { subject: deterministicAddress("by-sig"), level: 2, expiry: EXPIRY, claims: 0, recordId: word("by-sig-record") };
  const signature = await signAttest(f, f.reviewer, projectId, signed, 0n, DEADLINE);
  await used(
    "AttestationRegistry.attestBySig (new, relayed)",
    (await f.at.attestations(f.other)).write.attestBySig([projectId, signed, f.addr(f.reviewer), DEADLINE, signature]),
  );
  // The first signature pays for the attester's nonce slot (zero to non-zero); later ones do not.
  const next = { ...signed, subject: deterministicAddress("by-sig-2"), recordId: word("by-sig-record-2") };
  const nextSignature = await signAttest(f, f.reviewer, projectId, next, 1n, DEADLINE);
  await used(
    "AttestationRegistry.attestBySig (new, relayed, next nonce)",
    (await f.at.attestations(f.other)).write.attestBySig([projectId, next, f.addr(f.reviewer), DEADLINE, nextSignature]),
  );

  // The same three with claims set: seven standard bits, as a full review would derive them.
  await used("AttestationRegistry.attest (new, with claims)", a.write.attest([projectId, deterministicAddress("claims"), 2, EXPIRY, CLAIMS, recordId]));
  const claimsBatch = batch.map((r, i) => ({ ...r, subject: deterministicAddress(`claims-batch-${i}`), claims: CLAIMS }));
  await used("AttestationRegistry.attestBatch (100 new, with claims)", a.write.attestBatch([projectId, claimsBatch]));
  gas["AttestationRegistry.attestBatch per subject at 100, with claims"] = Math.ceil(gas["AttestationRegistry.attestBatch (100 new, with claims)"] / 100);
  const withClaims = { ...signed, subject: deterministicAddress("by-sig-claims"), claims: CLAIMS, recordId: word("by-sig-record-claims") };
  const claimsSignature = await signAttest(f, f.reviewer, projectId, withClaims, 2n, DEADLINE);
  await used(
    "AttestationRegistry.attestBySig (new, relayed, next nonce, with claims)",
    (await f.at.attestations(f.other)).write.attestBySig([projectId, withClaims, f.addr(f.reviewer), DEADLINE, claimsSignature]),
  );

  const isVerifiedProbe = await f.viem.deployContract("IsVerifiedProbe");
  const fresh = deterministicAddress("probe");
  await a.write.attest([projectId, fresh, 2, EXPIRY, 0, recordId]);
  const { result } = await isVerifiedProbe.simulate.measure([f.attestations.address, fresh, projectId, 1]);
  assert.equal(result[1], true, "probe subject is verified");
  gas["AttestationRegistry.isVerified (cold, seen by caller)"] = Number(result[0]);
  // The same read through a hand-built staticcall: what is left is the callee and CALL itself.
  const rawProbe = await f.viem.deployContract("IsVerifiedRawProbe");
  const cold = deterministicAddress("raw-probe");
  await a.write.attest([projectId, cold, 2, EXPIRY, 0, recordId]);
  const raw = await rawProbe.read.measure([f.attestations.address, cold, projectId, 1]);
  assert.equal(raw[1], true, "raw probe subject is verified");
  gas["AttestationRegistry.isVerified (cold, raw staticcall)"] = Number(raw[0]);
  const claimed = deterministicAddress("claims-probe");
  await a.write.attest([projectId, claimed, 2, EXPIRY, CLAIMS, recordId]);
  await seenByCaller(
    "AttestationRegistry.hasClaims (cold, seen by caller)",
    f.attestations.address,
    encodeFunctionData({ abi: f.attestations.abi, functionName: "hasClaims", args: [claimed, projectId, 1, CLAIMS_ASKED] }),
    TRUE,
  );
  await used("AttestationRegistry.revoke", a.write.revoke([projectId, subject]));

  // --- EAS mirror (EAS from its npm artifacts, as on Base) and the ERC-3643 adapter -------------
  const { eas } = await deployEAS(f);
  const mirror = await f.viem.deployContract("EASMirror", [eas, f.attestations.address]);
  const mirrorAs = (w: typeof f.admin) => f.viem.getContractAt("EASMirror", mirror.address, { client: { wallet: w } });
  await used("EASMirror.setMirrored", (await mirrorAs(f.admin)).write.setMirrored([projectId, true]));
  const keeper = await mirrorAs(f.other);
  const mirrored = deterministicAddress("mirrored");
  await a.write.attest([projectId, mirrored, 2, EXPIRY, CLAIMS, recordId]);
  await used("EASMirror.sync (first copy)", keeper.write.sync([projectId, mirrored]));
  await used("EASMirror.sync (already in sync)", keeper.write.sync([projectId, mirrored]));
  await a.write.attest([projectId, mirrored, 3, EXPIRY, CLAIMS, recordId]);
  await used("EASMirror.sync (after re-attest: revoke + attest)", keeper.write.sync([projectId, mirrored]));
  await a.write.revoke([projectId, mirrored]);
  await used("EASMirror.sync (after revoke)", keeper.write.sync([projectId, mirrored]));

  const identityRegistry = await f.viem.deployContract("OneKeyIdentityRegistry", [f.attestations.address, projectId, 1, CLAIMS_ASKED]);
  await seenByCaller(
    "OneKeyIdentityRegistry.isVerified (cold, seen by caller)",
    identityRegistry.address,
    encodeFunctionData({ abi: identityRegistry.abi, functionName: "isVerified", args: [claimed] }),
    TRUE,
  );
  const token = await f.viem.deployContract("PermissionedToken", [identityRegistry.address, f.addr(f.admin)]);
  await a.write.attest([projectId, subject, 2, EXPIRY, CLAIMS, recordId]);
  await a.write.attest([projectId, f.addr(f.other), 2, EXPIRY, CLAIMS, recordId]);
  await (await f.viem.getContractAt("PermissionedToken", token.address, { client: { wallet: f.admin } })).write.mint([subject, 1_000n]);
  await used(
    "PermissionedToken.transfer (to a OneKey-verified receiver, new balance)",
    (await f.viem.getContractAt("PermissionedToken", token.address, { client: { wallet: f.subject } })).write.transfer([f.addr(f.other), 1n]),
  );

  // --- last: these end the record and hand the project over ------------------------------------
  await used("RecordRegistry.eraseRecord", s.write.eraseRecord([recordId]));
  await used("ProjectRegistry.transferAdmin", p.write.transferAdmin([projectId, f.addr(f.adminB)]));
  await used("ProjectRegistry.acceptAdmin", (await f.at.projects(f.adminB)).write.acceptAdmin([projectId]));
  return gas;
}
