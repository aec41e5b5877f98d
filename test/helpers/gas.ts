// Total transaction gas per OneKey operation, measured on a fresh in-process network.
// Shared by the snapshot test (test/gas.ts) and the benchmark (scripts/bench/gas.ts).
import assert from "node:assert/strict";
import { getAddress, keccak256, stringToHex, type Address, type Hex } from "viem";
import {
  accountGrantee, recordIdOf, projectGrantee, bytes32, WRAPPED_KEY, Purpose, Roles, DAY, type Fixture,
} from "./fixture.ts";

export const deterministicAddress = (seed: string): Address =>
  getAddress(`0x${keccak256(stringToHex(seed)).slice(26)}`);

export async function measureGas(f: Fixture): Promise<Record<string, number>> {
  const gas: Record<string, number> = {};
  const used = async (name: string, hash: Promise<Hex>) => {
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash: await hash });
    assert.equal(receipt.status, "success", name);
    gas[name] = Number(receipt.gasUsed);
  };
  const p = await f.at.projects(f.admin);
  await used("ProjectRegistry.createProject", p.write.createProject(["ipfs://project-a"]));
  const projectId = await f.projects.read.projectCount();
  await used("ProjectRegistry.grantRoles (first role)", p.write.grantRoles([projectId, f.addr(f.reviewer), Roles.REVIEWER]));
  await p.write.grantRoles([projectId, f.addr(f.auditor), Roles.AUDITOR]);
  await used("ProjectRegistry.setEscrowKey", p.write.setEscrowKey([projectId, bytes32(0xe5)]));
  await used("ProjectRegistry.addApiKey", p.write.addApiKey([projectId, bytes32(0x4e), 3, (await f.now()) + 365n * DAY]));

  const s = await f.at.records(f.subject);
  await used("RecordRegistry.setEncryptionKey", s.write.setEncryptionKey([bytes32(0x11)]));
  await used(
    "RecordRegistry.registerRecord",
    s.write.registerRecord([bytes32(1), bytes32(0xa1), bytes32(0xc1), bytes32(0xf1), 1, 0]),
  );
  const recordId = recordIdOf(f.addr(f.subject), bytes32(1));
  const expiry = (await f.now()) + 30n * DAY;
  await used(
    "RecordRegistry.grant (account, 80-byte key)",
    s.write.grant([recordId, accountGrantee(f.addr(f.other)), Purpose.KYC_REVIEW, expiry, 0b111n, WRAPPED_KEY]),
  );
  await used(
    "RecordRegistry.grant (project, 160-byte key)",
    s.write.grant([recordId, projectGrantee(projectId), Purpose.KYC_REVIEW, expiry, 0b11n, `0x${"cd".repeat(160)}`]),
  );
  await used("RecordRegistry.revoke", s.write.revoke([recordId, accountGrantee(f.addr(f.other))]));
  await used(
    "RecordRegistry.recordAuditAccess",
    (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, bytes32(0xc0)]),
  );
  await used(
    "RecordRegistry.rotateRecord",
    s.write.rotateRecord([recordId, bytes32(0xa2), bytes32(0xc2), bytes32(0xf2), 1, 0]),
  );

  const a = await f.at.attestations(f.reviewer);
  const subject = f.addr(f.subject);
  await used("AttestationRegistry.attest (new)", a.write.attest([projectId, subject, 2, expiry, recordId]));
  await used("AttestationRegistry.attest (replace)", a.write.attest([projectId, subject, 3, expiry, recordId]));
  // Deterministic subjects: calldata gas depends on how many zero bytes an address has.
  const batch = Array.from({ length: 100 }, (_, i) => ({
    subject: deterministicAddress(`batch-${i}`),
    level: 2,
    expiry,
    recordId,
  }));
  await used("AttestationRegistry.attestBatch (100 new)", a.write.attestBatch([projectId, batch]));
  gas["AttestationRegistry.attestBatch per subject at 100"] = Math.ceil(
    gas["AttestationRegistry.attestBatch (100 new)"] / 100,
  );

  const probe = await f.viem.deployContract("IsVerifiedProbe");
  const fresh = deterministicAddress("probe");
  await a.write.attest([projectId, fresh, 2, expiry, recordId]);
  const { result } = await probe.simulate.measure([f.attestations.address, fresh, projectId, 1]);
  assert.equal(result[1], true, "probe subject is verified");
  gas["AttestationRegistry.isVerified (cold, seen by caller)"] = Number(result[0]);
  // The same read through a hand-built staticcall: what is left is the callee and CALL itself.
  const rawProbe = await f.viem.deployContract("IsVerifiedRawProbe");
  const cold = deterministicAddress("raw-probe");
  await a.write.attest([projectId, cold, 2, expiry, recordId]);
  const raw = await rawProbe.read.measure([f.attestations.address, cold, projectId, 1]);
  assert.equal(raw[1], true, "raw probe subject is verified");
  gas["AttestationRegistry.isVerified (cold, raw staticcall)"] = Number(raw[0]);

  await used("AttestationRegistry.revoke", a.write.revoke([projectId, subject]));
  await used("RecordRegistry.eraseRecord", s.write.eraseRecord([recordId]));
  return gas;
}
