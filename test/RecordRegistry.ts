import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { zeroAddress, type Hex } from "viem";
import { GRANTEE_PROJECT_FLAG } from "@onekey/sdk/constants";
import { Purpose, Roles, accountGrantee, computeRecordId, projectGrantee } from "@onekey/sdk/contracts";
import { deployFixture, setupProject, setupRecord, bytes32, WRAPPED_KEY, DAY, type Fixture } from "./helpers/fixture.ts";

describe("RecordRegistry", () => {
  let f: Fixture;
  let projectId: bigint;
  let recordId: Hex;
  let expiry: bigint;
  const grantTo = async (grantee: Hex, opts: { mask?: bigint; exp?: bigint; purpose?: number } = {}) =>
    (await f.at.records(f.subject)).write.grant([recordId, grantee, opts.purpose ?? Purpose.KYC_REVIEW, opts.exp ?? expiry, opts.mask ?? 0b101n, WRAPPED_KEY]);

  beforeEach(async () => {
    f = await deployFixture();
    projectId = await setupProject(f);
    recordId = await setupRecord(f);
    expiry = (await f.now()) + 30n * DAY;
  });

  describe("encryption keys", () => {
    it("sets and rotates an account's X25519 key with versions", async () => {
      const r = await f.at.records(f.reviewer);
      await f.viem.assertions.emitWithArgs(r.write.setEncryptionKey([bytes32(5)]), f.records, "EncryptionKeySet", [f.addr(f.reviewer), bytes32(5), 1]);
      await r.write.setEncryptionKey([bytes32(6)]);
      assert.deepEqual(await f.records.read.encryptionKeyOf([f.addr(f.reviewer)]), [bytes32(6), 2]);
      assert.deepEqual(await f.records.read.encryptionKeyOf([f.addr(f.other)]), [bytes32(0), 0]);
      await f.viem.assertions.revertWithCustomError(r.write.setEncryptionKey([bytes32(0)]), f.records, "ZeroValue");
    });
  });

  describe("register / rotate / erase", () => {
    it("registers a record under keccak256(owner, salt) with its pointer in the event", async () => {
      const s = await f.at.records(f.subject);
      const salt = bytes32(77);
      const id = computeRecordId(f.addr(f.subject), salt);
      assert.equal(await f.records.read.computeRecordId([f.addr(f.subject), salt]), id);
      await f.viem.assertions.emitWithArgs(s.write.registerRecord([salt, bytes32(0xa), bytes32(0xc), bytes32(0xf), 1, 1]), f.records, "RecordRegistered", [
        id,
        f.addr(f.subject),
        bytes32(0xa),
        bytes32(0xc),
        bytes32(0xf),
        1,
        1,
      ]);
      const record = await f.records.read.getRecord([id]);
      assert.equal(record.owner, f.addr(f.subject));
      assert.equal(record.version, 1);
      assert.equal(record.scheme, 1);
      assert.equal(record.keyRelease, 1);
      assert.equal(record.erased, false);
      assert.equal(record.contentHash, bytes32(0xc));
      assert.equal(BigInt(record.updatedBlock), await f.publicClient.getBlockNumber());
    });

    it("rejects duplicates, zero pointers and unknown key-release modes", async () => {
      const s = await f.at.records(f.subject);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        s.write.registerRecord([bytes32(1), bytes32(0xa), bytes32(0xc), bytes32(0xf), 1, 0]),
        f.records,
        "RecordExists",
        [recordId],
      );
      await f.viem.assertions.revertWithCustomError(s.write.registerRecord([bytes32(2), bytes32(0), bytes32(0xc), bytes32(0), 1, 0]), f.records, "ZeroValue");
      await f.viem.assertions.revertWithCustomError(s.write.registerRecord([bytes32(2), bytes32(0xa), bytes32(0), bytes32(0), 1, 0]), f.records, "ZeroValue");
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        s.write.registerRecord([bytes32(2), bytes32(0xa), bytes32(0xc), bytes32(0), 1, 2]),
        f.records,
        "InvalidKeyRelease",
        [2],
      );
      // The same salt from another owner is another record.
      await (await f.at.records(f.other)).write.registerRecord([bytes32(1), bytes32(0xa), bytes32(0xc), bytes32(0xf), 1, 0]);
      assert.equal((await f.records.read.getRecord([computeRecordId(f.addr(f.other), bytes32(1))])).owner, f.addr(f.other));
    });

    it("rotates to a new version; only the owner; old grants stop until re-granted", async () => {
      await grantTo(accountGrantee(f.addr(f.other)));
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), true);
      const s = await f.at.records(f.subject);
      await f.viem.assertions.emitWithArgs(s.write.rotateRecord([recordId, bytes32(0xa2), bytes32(0xc2), bytes32(0xf2), 1, 0]), f.records, "RecordRotated", [
        recordId,
        f.addr(f.subject),
        2,
        bytes32(0xa2),
        bytes32(0xc2),
        bytes32(0xf2),
        1,
        0,
      ]);
      const record = await f.records.read.getRecord([recordId]);
      assert.equal(record.version, 2);
      assert.equal(record.contentHash, bytes32(0xc2));
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
      assert.equal(await f.records.read.isGrantLive([recordId, accountGrantee(f.addr(f.other))]), false);
      await grantTo(accountGrantee(f.addr(f.other)));
      assert.equal((await f.records.read.getGrant([recordId, accountGrantee(f.addr(f.other))])).recordVersion, 2);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), true);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.records(f.other)).write.rotateRecord([recordId, bytes32(1), bytes32(1), bytes32(1), 1, 0]),
        f.records,
        "NotRecordOwner",
        [recordId, f.addr(f.other)],
      );
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        s.write.rotateRecord([bytes32(999), bytes32(1), bytes32(1), bytes32(1), 1, 0]),
        f.records,
        "RecordNotFound",
        [bytes32(999)],
      );
    });

    it("erases: no access, no grant, no rotation, no audit access afterwards (erase-then-grant)", async () => {
      await grantTo(accountGrantee(f.addr(f.other)));
      await grantTo(projectGrantee(projectId));
      const s = await f.at.records(f.subject);
      await f.viem.assertions.revertWithCustomErrorWithArgs((await f.at.records(f.other)).write.eraseRecord([recordId]), f.records, "NotRecordOwner", [
        recordId,
        f.addr(f.other),
      ]);
      await f.viem.assertions.emitWithArgs(s.write.eraseRecord([recordId]), f.records, "RecordErased", [recordId, f.addr(f.subject)]);
      assert.equal((await f.records.read.getRecord([recordId])).erased, true);
      for (const user of [f.subject, f.other, f.reviewer]) assert.equal(await f.records.read.hasAccess([recordId, f.addr(user)]), false);
      await f.viem.assertions.revertWithCustomErrorWithArgs(grantTo(accountGrantee(f.addr(f.other))), f.records, "RecordIsErased", [recordId]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        s.write.rotateRecord([recordId, bytes32(1), bytes32(1), bytes32(1), 1, 0]),
        f.records,
        "RecordIsErased",
        [recordId],
      );
      await f.viem.assertions.revertWithCustomErrorWithArgs(s.write.eraseRecord([recordId]), f.records, "RecordIsErased", [recordId]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, bytes32(1)]),
        f.records,
        "RecordIsErased",
        [recordId],
      );
      assert.equal(await f.records.read.isGrantLive([recordId, projectGrantee(projectId)]), false);
    });
  });

  describe("grants", () => {
    it("grants an account with purpose, expiry and field mask; wrapped key only in the event", async () => {
      const grantee = accountGrantee(f.addr(f.other));
      await f.viem.assertions.emitWithArgs(grantTo(grantee, { mask: 0b11n, purpose: Purpose.COMPLIANCE }), f.records, "AccessGranted", [
        recordId,
        grantee,
        f.addr(f.subject),
        1,
        Purpose.COMPLIANCE,
        expiry,
        0b11n,
        WRAPPED_KEY,
      ]);
      const g = await f.records.read.getGrant([recordId, grantee]);
      assert.equal(g.expiry, expiry);
      assert.equal(g.fieldMask, 0b11n);
      assert.equal(g.purpose, Purpose.COMPLIANCE);
      assert.equal(g.recordVersion, 1);
      assert.equal(g.revoked, false);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), true);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), false);
    });

    it("the owner always has access; strangers never", async () => {
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.subject)]), true);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
      assert.equal(await f.records.read.hasAccess([bytes32(123), f.addr(f.subject)]), false);
      assert.equal(await f.records.read.hasAccess([recordId, zeroAddress]), false);
    });

    it("expiry edge: access holds while now < expiry and ends at expiry == now", async () => {
      await grantTo(accountGrantee(f.addr(f.other)), { exp: expiry });
      await f.networkHelpers.time.setNextBlockTimestamp(expiry - 1n);
      await f.networkHelpers.mine();
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), true);
      await f.networkHelpers.time.setNextBlockTimestamp(expiry);
      await f.networkHelpers.mine();
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
    });

    it("rejects bad grants with typed errors", async () => {
      const s = await f.at.records(f.subject);
      const now = await f.now();
      await f.networkHelpers.time.setNextBlockTimestamp(now + 5n);
      await f.viem.assertions.revertWithCustomErrorWithArgs(grantTo(accountGrantee(f.addr(f.other)), { exp: now + 5n }), f.records, "ExpiryNotInFuture", [
        now + 5n,
        now + 5n,
      ]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(grantTo(accountGrantee(f.addr(f.other)), { purpose: 5 }), f.records, "InvalidPurpose", [5]);
      await f.viem.assertions.revertWithCustomError(grantTo(accountGrantee(f.addr(f.other)), { mask: 0n }), f.records, "EmptyFieldMask");
      await f.viem.assertions.revertWithCustomError(
        s.write.grant([recordId, accountGrantee(f.addr(f.other)), 0, expiry, 1n, "0x"]),
        f.records,
        "EmptyWrappedKey",
      );
      await f.viem.assertions.revertWithCustomErrorWithArgs(grantTo(bytes32(0)), f.records, "InvalidGrantee", [bytes32(0)]);
      const tooWide = `0x${"01".padStart(24, "0")}${"11".repeat(20)}` as Hex;
      await f.viem.assertions.revertWithCustomErrorWithArgs(grantTo(tooWide), f.records, "InvalidGrantee", [tooWide]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(grantTo(projectGrantee(42n)), f.records, "GranteeProjectInactive", [42n]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.records(f.other)).write.grant([recordId, accountGrantee(f.addr(f.other)), 0, expiry, 1n, WRAPPED_KEY]),
        f.records,
        "NotRecordOwner",
        [recordId, f.addr(f.other)],
      );
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        s.write.grant([bytes32(9), accountGrantee(f.addr(f.other)), 0, expiry, 1n, WRAPPED_KEY]),
        f.records,
        "RecordNotFound",
        [bytes32(9)],
      );
    });

    it("revoke-then-regrant", async () => {
      const grantee = accountGrantee(f.addr(f.other));
      await grantTo(grantee);
      const s = await f.at.records(f.subject);
      await f.viem.assertions.emitWithArgs(s.write.revoke([recordId, grantee]), f.records, "AccessRevoked", [recordId, grantee, f.addr(f.subject)]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
      assert.equal((await f.records.read.getGrant([recordId, grantee])).revoked, true);
      await f.viem.assertions.revertWithCustomErrorWithArgs(s.write.revoke([recordId, grantee]), f.records, "GrantNotFound", [recordId, grantee]);
      await grantTo(grantee);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), true);
      assert.equal((await f.records.read.getGrant([recordId, grantee])).revoked, false);
    });

    it("revoke needs the owner and an existing grant", async () => {
      const grantee = accountGrantee(f.addr(f.other));
      await f.viem.assertions.revertWithCustomErrorWithArgs((await f.at.records(f.subject)).write.revoke([recordId, grantee]), f.records, "GrantNotFound", [
        recordId,
        grantee,
      ]);
      await grantTo(grantee);
      await f.viem.assertions.revertWithCustomErrorWithArgs((await f.at.records(f.other)).write.revoke([recordId, grantee]), f.records, "NotRecordOwner", [
        recordId,
        f.addr(f.other),
      ]);
      await f.viem.assertions.revertWithCustomErrorWithArgs((await f.at.records(f.subject)).write.revoke([bytes32(8), grantee]), f.records, "RecordNotFound", [
        bytes32(8),
      ]);
    });

    it("a grant to a project opens the record to its active REVIEWERs only", async () => {
      await grantTo(projectGrantee(projectId));
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), true);
      // Other roles of the same project and reviewers of other projects get nothing.
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.auditor)]), false);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.admin)]), false);
      await (await f.at.projects(f.adminB)).write.createProject(["ipfs://b"]);
      await (await f.at.projects(f.adminB)).write.grantRoles([2n, f.addr(f.reviewerB), Roles.REVIEWER]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewerB)]), false);
      // Removing the role or suspending the project closes it.
      const p = await f.at.projects(f.admin);
      await p.write.suspend([projectId]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), false);
      await p.write.resume([projectId]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), true);
      await p.write.revokeRoles([projectId, f.addr(f.reviewer), Roles.REVIEWER]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), false);
    });

    it("a suspended project cannot receive a grant", async () => {
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(grantTo(projectGrantee(projectId)), f.records, "GranteeProjectInactive", [projectId]);
    });

    it("grantee keys: the project flag is the top bit", async () => {
      assert.equal(BigInt(projectGrantee(1n)) >> 255n, 1n);
      assert.equal(BigInt(projectGrantee(7n)) & ~GRANTEE_PROJECT_FLAG, 7n);
    });
  });

  describe("audit access", () => {
    beforeEach(async () => {
      await grantTo(projectGrantee(projectId));
    });

    it("logs an AUDITOR's access and opens the escrow path for one day", async () => {
      const a = await f.at.records(f.auditor);
      const now = await f.now();
      await f.networkHelpers.time.setNextBlockTimestamp(now + 1n);
      await f.viem.assertions.emitWithArgs(a.write.recordAuditAccess([recordId, projectId, bytes32(0xc0)]), f.records, "AuditAccessRecorded", [
        recordId,
        projectId,
        f.addr(f.auditor),
        bytes32(0xc0),
        now + 1n + DAY,
      ]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), true);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.reviewer)]), false);
      await f.networkHelpers.time.setNextBlockTimestamp(now + 1n + DAY);
      await f.networkHelpers.mine();
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), false);
    });

    it("survives grant revocation and expiry but not role loss or erasure", async () => {
      await (await f.at.records(f.subject)).write.revoke([recordId, projectGrantee(projectId)]);
      const a = await f.at.records(f.auditor);
      await a.write.recordAuditAccess([recordId, projectId, bytes32(1)]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), true);
      await (await f.at.projects(f.admin)).write.revokeRoles([projectId, f.addr(f.auditor), Roles.AUDITOR]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), false);
      await (await f.at.projects(f.admin)).write.grantRoles([projectId, f.addr(f.auditor), Roles.AUDITOR]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), true);
      await (await f.at.records(f.subject)).write.eraseRecord([recordId]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), false);
    });

    it("refuses non-auditors, other projects' auditors, projects without a grant, zero hashes", async () => {
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.records(f.reviewer)).write.recordAuditAccess([recordId, projectId, bytes32(1)]),
        f.records,
        "NotAuditor",
        [projectId, f.addr(f.reviewer)],
      );
      const b = await f.at.projects(f.adminB);
      await b.write.createProject(["ipfs://b"]);
      await b.write.grantRoles([2n, f.addr(f.auditor), Roles.AUDITOR]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, 2n, bytes32(1)]),
        f.records,
        "ProjectHoldsNoGrant",
        [recordId, 2n],
      );
      await f.viem.assertions.revertWithCustomError(
        (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, bytes32(0)]),
        f.records,
        "ZeroValue",
      );
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.records(f.auditor)).write.recordAuditAccess([bytes32(5), projectId, bytes32(1)]),
        f.records,
        "RecordNotFound",
        [bytes32(5)],
      );
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      await f.viem.assertions.revertWithCustomError(
        (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, bytes32(1)]),
        f.records,
        "NotAuditor",
      );
    });
  });

  describe("edges and boundaries", () => {
    it("a grant packs and reads back every field at its extremes; revoke flips only the revoked bit", async () => {
      const grantee = accountGrantee(f.addr(f.other));
      const maxU64 = (1n << 64n) - 1n;
      const s = await f.at.records(f.subject);
      await s.write.grant([recordId, grantee, Purpose.SUPPORT, maxU64, maxU64, WRAPPED_KEY]);
      const grantedAt = Number(await f.now());
      const expected = { expiry: maxU64, fieldMask: maxU64, recordVersion: 1, purpose: Purpose.SUPPORT, revoked: false, grantedAt };
      assert.deepEqual(await f.records.read.getGrant([recordId, grantee]), expected);
      await s.write.revoke([recordId, grantee]);
      assert.deepEqual(await f.records.read.getGrant([recordId, grantee]), { ...expected, revoked: true });
      assert.deepEqual(await f.records.read.getGrant([recordId, accountGrantee(f.addr(f.reviewer))]), {
        expiry: 0n,
        fieldMask: 0n,
        recordVersion: 0,
        purpose: 0,
        revoked: false,
        grantedAt: 0,
      });
      assert.equal(await f.records.read.isGrantLive([bytes32(77), grantee]), false);
    });

    it("re-granting a live grant replaces its mask, purpose and expiry", async () => {
      const grantee = accountGrantee(f.addr(f.other));
      await grantTo(grantee, { mask: 0b1n });
      await f.viem.assertions.emitWithArgs(grantTo(grantee, { mask: 0b110n, purpose: Purpose.DISPUTE, exp: expiry + DAY }), f.records, "AccessGranted", [
        recordId,
        grantee,
        f.addr(f.subject),
        1,
        Purpose.DISPUTE,
        expiry + DAY,
        0b110n,
        WRAPPED_KEY,
      ]);
      const g = await f.records.read.getGrant([recordId, grantee]);
      assert.equal(g.fieldMask, 0b110n);
      assert.equal(g.purpose, Purpose.DISPUTE);
      assert.equal(g.expiry, expiry + DAY);
    });

    it("rotation closes a project grant too; the project keeps its audit path; re-granting reopens", async () => {
      await grantTo(projectGrantee(projectId));
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), true);
      await (await f.at.records(f.subject)).write.rotateRecord([recordId, bytes32(0xa2), bytes32(0xc2), bytes32(0xf2), 1, 0]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), false);
      assert.equal(await f.records.read.isGrantLive([recordId, projectGrantee(projectId)]), false);
      await (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, bytes32(0xa0)]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), true);
      await grantTo(projectGrantee(projectId));
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), true);
    });

    it("rotation checks the new pointer like registration", async () => {
      const s = await f.at.records(f.subject);
      await f.viem.assertions.revertWithCustomError(s.write.rotateRecord([recordId, bytes32(0), bytes32(1), bytes32(0), 1, 0]), f.records, "ZeroValue");
      await f.viem.assertions.revertWithCustomError(s.write.rotateRecord([recordId, bytes32(1), bytes32(0), bytes32(0), 1, 0]), f.records, "ZeroValue");
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        s.write.rotateRecord([recordId, bytes32(1), bytes32(1), bytes32(0), 1, 9]),
        f.records,
        "InvalidKeyRelease",
        [9],
      );
      assert.equal((await f.records.read.getRecord([recordId])).version, 1);
    });

    it("project membership is read at access time: a reviewer added later gets in, one who renounces or is in another project does not", async () => {
      await grantTo(projectGrantee(projectId));
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
      // `other` first joins an unrelated project, then becomes REVIEWER of the grantee project.
      const b = await f.at.projects(f.adminB);
      await b.write.createProject(["ipfs://b"]);
      await b.write.grantRoles([2n, f.addr(f.other), Roles.REVIEWER]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
      await (await f.at.projects(f.admin)).write.grantRoles([projectId, f.addr(f.other), Roles.REVIEWER]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), true);
      await (await f.at.projects(f.other)).write.revokeRoles([projectId, f.addr(f.other), Roles.REVIEWER]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
      // Revoking the project grant closes it for every reviewer at once.
      await (await f.at.records(f.subject)).write.revoke([recordId, projectGrantee(projectId)]);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.reviewer)]), false);
    });

    it("an expired grant can still be revoked; a revoked one cannot be revoked twice", async () => {
      const grantee = accountGrantee(f.addr(f.other));
      await grantTo(grantee, { exp: (await f.now()) + 10n });
      await f.networkHelpers.time.increase(20);
      assert.equal(await f.records.read.hasAccess([recordId, f.addr(f.other)]), false);
      const s = await f.at.records(f.subject);
      await s.write.revoke([recordId, grantee]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(s.write.revoke([recordId, grantee]), f.records, "GrantNotFound", [recordId, grantee]);
    });

    it("suspension closes the escrow path and audit logging until resumed", async () => {
      await grantTo(projectGrantee(projectId));
      await (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, bytes32(0xa1)]);
      const p = await f.at.projects(f.admin);
      await p.write.suspend([projectId]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), false);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.records(f.auditor)).write.recordAuditAccess([recordId, projectId, bytes32(0xa2)]),
        f.records,
        "NotAuditor",
        [projectId, f.addr(f.auditor)],
      );
      await p.write.resume([projectId]);
      assert.equal(await f.records.read.hasAuditAccess([recordId, projectId, f.addr(f.auditor)]), true);
    });

    it("refuses a zero ProjectRegistry at deployment", async () => {
      await f.viem.assertions.revertWithCustomError(f.viem.deployContract("RecordRegistry", [zeroAddress]), f.records, "ZeroAddress");
    });
  });

  it("reads: getRecord of an unknown id reverts; version and registry wiring", async () => {
    await f.viem.assertions.revertWithCustomErrorWithArgs(f.records.read.getRecord([bytes32(3)]), f.records, "RecordNotFound", [bytes32(3)]);
    assert.equal(await f.records.read.version(), "1.0.0");
    assert.equal((await f.records.read.projectRegistry()).toLowerCase(), f.projects.address.toLowerCase());
  });
});
