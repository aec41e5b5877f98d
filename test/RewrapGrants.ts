// RecordRegistry.rewrapGrants: a project's ADMIN publishes its live grants' keys re-wrapped to the
// project's rotated review key (reviewer offboarding without asking anyone to grant again).
import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createWalletClient, custom, parseEventLogs, type ContractErrorName, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { MAX_REWRAP_BATCH } from "@onekey/sdk/constants";
import { Purpose, Roles, accountGrantee, computeRecordId, projectGrantee } from "@onekey/sdk/contracts";
import { deployFixture, setupProject, bytes32, DAY, type Fixture } from "./helpers/fixture.ts";

const PROJECT_WRAP: Hex = `0x${"cd".repeat(160)}`;
const REWRAPPED: Hex = `0x${"ef".repeat(160)}`;

describe("RecordRegistry.rewrapGrants", () => {
  let f: Fixture;
  let projectId: bigint;
  let expiry: bigint;
  let salt = 0;

  /** A fresh envelope record of the subject, granted to `grantee` (default: the project). */
  const grantedRecord = async (grantee?: Hex, keyRelease = 0) => {
    const s = await f.at.records(f.subject);
    const recordSalt = bytes32(0x5a17_0000 + ++salt);
    await s.write.registerRecord([recordSalt, bytes32(0xa1), bytes32(0xc1), bytes32(0xf1), 1, keyRelease]);
    const recordId = computeRecordId(f.addr(f.subject), recordSalt);
    await s.write.grant([recordId, grantee ?? projectGrantee(projectId), Purpose.KYC_REVIEW, expiry, 0b11n, PROJECT_WRAP]);
    return recordId;
  };
  /** The item an admin builds from what it read: the grant's version and grantedAt. */
  const item = async (recordId: Hex, wrappedKey: Hex = REWRAPPED, grantee = projectGrantee(projectId)) => {
    const g = await f.records.read.getGrant([recordId, grantee]);
    return { recordId, recordVersion: g.recordVersion, grantedAt: g.grantedAt, wrappedKey };
  };
  const sorted = (ids: Hex[]) => [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const rotateReviewKey = async (n: number) => (await f.at.projects(f.admin)).write.setReviewKey([projectId, bytes32(0xbe00 + n)]);
  const rewrapAs = async (w: Fixture["admin"], version: number, items: Awaited<ReturnType<typeof item>>[], project = projectId) =>
    (await f.at.records(w)).write.rewrapGrants([project, version, items]);
  const rewrapEvents = async (hash: Hex) =>
    parseEventLogs({ abi: f.records.abi, eventName: "GrantRewrapped", logs: (await f.publicClient.waitForTransactionReceipt({ hash })).logs });
  type Records = Fixture["records"];
  const refused = <N extends ContractErrorName<Records["abi"]>>(
    p: Promise<Hex>,
    error: N,
    args: Parameters<typeof f.viem.assertions.revertWithCustomErrorWithArgs<Records, N>>[3],
  ) => f.viem.assertions.revertWithCustomErrorWithArgs(p, f.records, error, args);

  beforeEach(async () => {
    f = await deployFixture();
    projectId = await setupProject(f);
    await rotateReviewKey(1);
    expiry = (await f.now()) + 30n * DAY;
  });

  it("re-wraps a live grant to the current review key: event with both versions, grant and access unchanged", async () => {
    const recordId = await grantedRecord();
    const before = await f.records.read.getGrant([recordId, projectGrantee(projectId)]);
    await rotateReviewKey(2);
    assert.deepEqual(await f.projects.read.reviewKeyOf([projectId]), [bytes32(0xbe02), 2]);
    assert.deepEqual(await f.projects.read.reviewKeyOf([999n]), [bytes32(0), 0]);
    const hash = await rewrapAs(f.admin, 2, [await item(recordId)]);
    const [event] = await rewrapEvents(hash);
    assert.deepEqual(event.args, {
      recordId,
      grantee: projectGrantee(projectId),
      admin: f.addr(f.admin),
      recordVersion: 1,
      reviewKeyVersion: 2,
      wrappedKey: REWRAPPED,
    });
    assert.deepEqual(await f.records.read.getGrant([recordId, projectGrantee(projectId)]), before);
    assert.equal(await f.records.read.isGrantLive([recordId, projectGrantee(projectId)]), true);
    assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), true);
    assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.admin)]), false, "re-wrapping gives the admin no access");
  });

  it("refuses every caller but the project's ADMINs: no role, REVIEWER, AUDITOR, SPONSOR, another project's ADMIN, two dozen fresh accounts", async () => {
    const recordId = await grantedRecord();
    const items = [await item(recordId)];
    for (const w of [f.other, f.reviewer, f.auditor, f.sponsor, f.subject, f.adminB]) {
      await refused(rewrapAs(w, 1, items), "NotProjectAdmin", [projectId, f.addr(w)]);
    }
    // Another project's admin, for its own project, finds no grant of this record to it.
    await (await f.at.projects(f.adminB)).write.createProject(["ipfs://b"]);
    const projectB = await f.projects.read.projectCount();
    await (await f.at.projects(f.adminB)).write.setReviewKey([projectB, bytes32(0xb1)]);
    await refused(rewrapAs(f.adminB, 1, [await item(recordId)], projectB), "GrantNotFound", [recordId, projectGrantee(projectB)]);
    // A REVIEWER who is also ADMIN of another project is still no ADMIN here.
    await (await f.at.projects(f.adminB)).write.grantRoles([projectB, f.addr(f.reviewer), Roles.ADMIN]);
    await refused(rewrapAs(f.reviewer, 1, items), "NotProjectAdmin", [projectId, f.addr(f.reviewer)]);
    // Unknown projects have no ADMIN.
    await refused(rewrapAs(f.admin, 1, items, 999n), "NotProjectAdmin", [999n, f.addr(f.admin)]);

    const chain = f.publicClient.chain;
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        const account = privateKeyToAccount(generatePrivateKey());
        await f.networkHelpers.setBalance(account.address, 10n ** 18n);
        const fresh = createWalletClient({ account, chain, transport: custom(f.connection.provider) });
        await refused(
          fresh.writeContract({ address: f.records.address, abi: f.records.abi, functionName: "rewrapGrants", args: [projectId, 1, items] }),
          "NotProjectAdmin",
          [projectId, account.address],
        );
      }),
    );
    // A second ADMIN granted by the primary one may; losing the role ends it.
    await (await f.at.projects(f.admin)).write.grantRoles([projectId, f.addr(f.other), Roles.ADMIN]);
    await rewrapAs(f.other, 1, items);
    await (await f.at.projects(f.admin)).write.revokeRoles([projectId, f.addr(f.other), Roles.ADMIN]);
    await refused(rewrapAs(f.other, 1, items), "NotProjectAdmin", [projectId, f.addr(f.other)]);
  });

  it("takes only the project's current review-key version", async () => {
    const recordId = await grantedRecord();
    await rotateReviewKey(2);
    await rotateReviewKey(3);
    const items = [await item(recordId)];
    for (const v of [0, 1, 2, 4, 2 ** 32 - 1]) await refused(rewrapAs(f.admin, v, items), "ReviewKeyVersionMismatch", [projectId, v, 3]);
    await rewrapAs(f.admin, 3, items);
    // A project that never set a review key has no version to re-wrap to, not even 0.
    await (await f.at.projects(f.adminB)).write.createProject(["ipfs://b"]);
    const projectB = await f.projects.read.projectCount();
    await refused(rewrapAs(f.adminB, 0, items, projectB), "ReviewKeyVersionMismatch", [projectB, 0, 0]);
  });

  it("refuses grants that are not the project's, revoked, expired, stale, re-granted, erased, unknown or Lit", async () => {
    const s = await f.at.records(f.subject);
    const toAccount = await grantedRecord(accountGrantee(f.addr(f.reviewer)));
    await refused(rewrapAs(f.admin, 1, [await item(toAccount, REWRAPPED, accountGrantee(f.addr(f.reviewer)))]), "GrantNotFound", [
      toAccount,
      projectGrantee(projectId),
    ]);

    const revoked = await grantedRecord();
    const revokedItem = await item(revoked);
    await s.write.revoke([revoked, projectGrantee(projectId)]);
    await refused(rewrapAs(f.admin, 1, [revokedItem]), "GrantRevoked", [revoked, projectGrantee(projectId)]);

    const rotated = await grantedRecord();
    const rotatedItem = await item(rotated);
    await s.write.rotateRecord([rotated, bytes32(0xa2), bytes32(0xc2), bytes32(0xf2), 1, 0]);
    // The caller's version is stale, and so is the grant (bound to version 1) when the caller names 2.
    await refused(rewrapAs(f.admin, 1, [rotatedItem]), "StaleRecordVersion", [rotated, 1, 2]);
    await refused(rewrapAs(f.admin, 1, [{ ...rotatedItem, recordVersion: 2 }]), "StaleRecordVersion", [rotated, 1, 2]);

    const regranted = await grantedRecord();
    const regrantedItem = await item(regranted);
    await f.networkHelpers.time.increase(10);
    await s.write.grant([regranted, projectGrantee(projectId), Purpose.KYC_REVIEW, expiry, 0b1n, `0x${"cd".repeat(128)}`]);
    const now = (await f.records.read.getGrant([regranted, projectGrantee(projectId)])).grantedAt;
    await refused(rewrapAs(f.admin, 1, [regrantedItem]), "GrantChanged", [regranted, regrantedItem.grantedAt, now]);

    const erased = await grantedRecord();
    const erasedItem = await item(erased);
    await s.write.eraseRecord([erased]);
    await refused(rewrapAs(f.admin, 1, [erasedItem]), "RecordIsErased", [erased]);

    await refused(rewrapAs(f.admin, 1, [{ ...revokedItem, recordId: bytes32(0xdead) }]), "RecordNotFound", [bytes32(0xdead)]);
    const lit = await grantedRecord(undefined, 1);
    await refused(rewrapAs(f.admin, 1, [await item(lit)]), "KeyReleaseNotEnvelope", [lit, 1]);
    const live = await grantedRecord();
    await refused(rewrapAs(f.admin, 1, [await item(live, "0x")]), "EmptyWrappedKey", []);

    // Expiry last (it moves the clock): at expiry == now the grant is over.
    const expiring = await grantedRecord();
    const expiringItem = await item(expiring);
    await f.networkHelpers.time.increaseTo(expiry);
    await refused(rewrapAs(f.admin, 1, [expiringItem]), "GrantExpired", [expiring, projectGrantee(projectId), expiry]);
  });

  it("batches: empty, too large, duplicate, unsorted refused; one bad item reverts the whole batch", async () => {
    const ids = sorted(await Promise.all([grantedRecord(), grantedRecord(), grantedRecord()]));
    const items = await Promise.all(ids.map((id) => item(id)));
    await refused(rewrapAs(f.admin, 1, []), "EmptyRewrapBatch", []);
    const tooMany = Array.from({ length: Number(MAX_REWRAP_BATCH) + 1 }, () => items[0]);
    await refused(rewrapAs(f.admin, 1, tooMany), "RewrapBatchTooLarge", [MAX_REWRAP_BATCH + 1n, MAX_REWRAP_BATCH]);
    await refused(rewrapAs(f.admin, 1, [items[0], items[1], items[1]]), "DuplicateRewrap", [ids[1]]);
    await refused(rewrapAs(f.admin, 1, [items[0], items[0]]), "DuplicateRewrap", [ids[0]]);
    await refused(rewrapAs(f.admin, 1, [items[1], items[0], items[2]]), "RewrapsNotSorted", [1n]);
    await refused(rewrapAs(f.admin, 1, [items[0], items[2], items[1]]), "RewrapsNotSorted", [2n]);
    await (await f.at.records(f.subject)).write.revoke([ids[2], projectGrantee(projectId)]);
    const block = await f.publicClient.getBlockNumber();
    await refused(rewrapAs(f.admin, 1, items), "GrantRevoked", [ids[2], projectGrantee(projectId)]);
    const logs = await f.publicClient.getContractEvents({ address: f.records.address, abi: f.records.abi, eventName: "GrantRewrapped", fromBlock: block });
    assert.equal(logs.length, 0, "a refused batch emits nothing");
  });

  it("20 grants in one batch: one event each, in order; repeated and no-op calls are harmless", async () => {
    const ids = sorted(await Promise.all(Array.from({ length: 20 }, () => grantedRecord())));
    await rotateReviewKey(2);
    const items = await Promise.all(ids.map((id, i) => item(id, `0x${(i + 1).toString(16).padStart(2, "0").repeat(160)}`)));
    const events = await rewrapEvents(await rewrapAs(f.admin, 2, items));
    assert.deepEqual(
      events.map((e) => e.args.recordId),
      ids,
    );
    assert.deepEqual(
      events.map((e) => e.args.wrappedKey),
      items.map((i) => i.wrappedKey),
    );
    assert.ok(events.every((e) => e.args.reviewKeyVersion === 2 && e.args.grantee === projectGrantee(projectId)));
    const grants = await Promise.all(ids.map((id) => f.records.read.getGrant([id, projectGrantee(projectId)])));
    // The same batch again (a resumed flow re-sending what it sent) is accepted and changes nothing stored.
    assert.equal((await rewrapEvents(await rewrapAs(f.admin, 2, items))).length, 20);
    assert.deepEqual(await Promise.all(ids.map((id) => f.records.read.getGrant([id, projectGrantee(projectId)]))), grants);
    // Suspension does not block key hygiene (docs/decisions.md); reviewers stay shut out meanwhile.
    await (await f.at.projects(f.admin)).write.suspend([projectId]);
    await rewrapAs(f.admin, 2, items.slice(0, 1));
    assert.equal(await f.records.read.hasAccess([ids[0], f.addr(f.reviewer)]), false);
  });
});
