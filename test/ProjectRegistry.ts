import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { zeroAddress } from "viem";
import { Roles } from "@onekey/sdk/contracts";
import { deployFixture, bytes32, DAY, type Fixture } from "./helpers/fixture.ts";

describe("ProjectRegistry", () => {
  let f: Fixture;
  let id: bigint;
  beforeEach(async () => {
    f = await deployFixture();
    const p = await f.at.projects(f.admin);
    await f.viem.assertions.emitWithArgs(p.write.createProject(["ipfs://a"]), f.projects, "ProjectCreated", [1n, f.addr(f.admin), "ipfs://a"]);
    id = 1n;
  });

  describe("projects", () => {
    it("numbers projects from 1 and stores the admin and metadata", async () => {
      await (await f.at.projects(f.other)).write.createProject(["ipfs://b"]);
      assert.equal(await f.projects.read.projectCount(), 2n);
      const project = await f.projects.read.getProject([2n]);
      assert.equal(project.admin, f.addr(f.other));
      assert.equal(project.metadataURI, "ipfs://b");
      assert.equal(project.suspended, false);
      assert.equal(project.createdAt, await f.now());
      assert.equal(await f.projects.read.isActive([2n]), true);
    });

    it("reverts ProjectNotFound for unknown ids", async () => {
      await f.viem.assertions.revertWithCustomErrorWithArgs(f.projects.read.getProject([9n]), f.projects, "ProjectNotFound", [9n]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.projects(f.admin)).write.grantRoles([9n, f.addr(f.reviewer), Roles.REVIEWER]),
        f.projects,
        "ProjectNotFound",
        [9n],
      );
      assert.equal(await f.projects.read.isActive([9n]), false);
      assert.equal(await f.projects.read.hasActiveRole([0n, zeroAddress, Roles.ADMIN]), false);
    });

    it("lets ADMIN update metadata and nobody else", async () => {
      const p = await f.at.projects(f.admin);
      await f.viem.assertions.emitWithArgs(p.write.setMetadataURI([id, "ipfs://new"]), f.projects, "ProjectMetadataUpdated", [id, "ipfs://new"]);
      assert.equal((await f.projects.read.getProject([id])).metadataURI, "ipfs://new");
      await f.viem.assertions.revertWithCustomErrorWithArgs((await f.at.projects(f.other)).write.setMetadataURI([id, "x"]), f.projects, "MissingRole", [
        id,
        f.addr(f.other),
        Roles.ADMIN,
      ]);
    });

    it("suspends and resumes; suspension deactivates every role", async () => {
      const p = await f.at.projects(f.admin);
      await p.write.grantRoles([id, f.addr(f.reviewer), Roles.REVIEWER]);
      await f.viem.assertions.emitWithArgs(p.write.suspend([id]), f.projects, "ProjectSuspended", [id, f.addr(f.admin)]);
      assert.equal(await f.projects.read.isActive([id]), false);
      assert.equal(await f.projects.read.hasRole([id, f.addr(f.reviewer), Roles.REVIEWER]), true);
      assert.equal(await f.projects.read.hasActiveRole([id, f.addr(f.reviewer), Roles.REVIEWER]), false);
      assert.deepEqual(await f.projects.read.activeProjectsWithRole([f.addr(f.reviewer), Roles.REVIEWER]), []);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.suspend([id]), f.projects, "ProjectIsSuspended", [id]);
      await f.viem.assertions.emitWithArgs(p.write.resume([id]), f.projects, "ProjectResumed", [id, f.addr(f.admin)]);
      assert.equal(await f.projects.read.hasActiveRole([id, f.addr(f.reviewer), Roles.REVIEWER]), true);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.resume([id]), f.projects, "ProjectNotSuspended", [id]);
      await f.viem.assertions.revertWithCustomError((await f.at.projects(f.reviewer)).write.suspend([id]), f.projects, "MissingRole");
    });
  });

  describe("admin transfer (two-step)", () => {
    it("moves the primary admin only when the pending admin accepts", async () => {
      const p = await f.at.projects(f.admin);
      await f.viem.assertions.emitWithArgs(p.write.transferAdmin([id, f.addr(f.adminB)]), f.projects, "AdminTransferStarted", [
        id,
        f.addr(f.admin),
        f.addr(f.adminB),
      ]);
      assert.equal((await f.projects.read.getProject([id])).admin, f.addr(f.admin));
      await f.viem.assertions.revertWithCustomErrorWithArgs((await f.at.projects(f.other)).write.acceptAdmin([id]), f.projects, "NotPendingAdmin", [
        id,
        f.addr(f.other),
      ]);
      await f.viem.assertions.emitWithArgs((await f.at.projects(f.adminB)).write.acceptAdmin([id]), f.projects, "AdminTransferred", [
        id,
        f.addr(f.admin),
        f.addr(f.adminB),
      ]);
      const project = await f.projects.read.getProject([id]);
      assert.equal(project.admin, f.addr(f.adminB));
      assert.equal(project.pendingAdmin, zeroAddress);
      assert.equal(await f.projects.read.hasRole([id, f.addr(f.admin), Roles.ADMIN]), false);
      assert.equal(await f.projects.read.hasRole([id, f.addr(f.adminB), Roles.ADMIN]), true);
    });

    it("only the primary admin starts a transfer; zero cancels; nobody accepts a cancelled one", async () => {
      const p = await f.at.projects(f.admin);
      await p.write.grantRoles([id, f.addr(f.other), Roles.ADMIN]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.projects(f.other)).write.transferAdmin([id, f.addr(f.other)]),
        f.projects,
        "MissingRole",
        [id, f.addr(f.other), Roles.ADMIN],
      );
      await p.write.transferAdmin([id, f.addr(f.adminB)]);
      await p.write.transferAdmin([id, zeroAddress]);
      await f.viem.assertions.revertWithCustomError((await f.at.projects(f.adminB)).write.acceptAdmin([id]), f.projects, "NotPendingAdmin");
    });
  });

  describe("roles", () => {
    it("grants and revokes role bits and tracks memberships", async () => {
      const p = await f.at.projects(f.admin);
      await f.viem.assertions.emitWithArgs(p.write.grantRoles([id, f.addr(f.reviewer), Roles.REVIEWER]), f.projects, "RolesGranted", [
        id,
        f.addr(f.reviewer),
        Roles.REVIEWER,
        Roles.REVIEWER,
        f.addr(f.admin),
      ]);
      await p.write.grantRoles([id, f.addr(f.reviewer), Roles.AUDITOR]);
      assert.equal(await f.projects.read.rolesOf([id, f.addr(f.reviewer)]), Roles.REVIEWER | Roles.AUDITOR);
      assert.deepEqual(await f.projects.read.projectsOf([f.addr(f.reviewer)]), [id]);
      assert.deepEqual(await f.projects.read.activeProjectsWithRole([f.addr(f.reviewer), Roles.AUDITOR]), [id]);
      await f.viem.assertions.emitWithArgs(p.write.revokeRoles([id, f.addr(f.reviewer), Roles.REVIEWER]), f.projects, "RolesRevoked", [
        id,
        f.addr(f.reviewer),
        Roles.REVIEWER,
        Roles.AUDITOR,
        f.addr(f.admin),
      ]);
      assert.deepEqual(await f.projects.read.projectsOf([f.addr(f.reviewer)]), [id]);
      await p.write.revokeRoles([id, f.addr(f.reviewer), Roles.AUDITOR]);
      assert.deepEqual(await f.projects.read.projectsOf([f.addr(f.reviewer)]), []);
      assert.equal(await f.projects.read.rolesOf([id, f.addr(f.reviewer)]), 0);
    });

    it("rejects empty or unknown role bits and the zero account", async () => {
      const p = await f.at.projects(f.admin);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.grantRoles([id, f.addr(f.reviewer), 0]), f.projects, "InvalidRoles", [0]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.grantRoles([id, f.addr(f.reviewer), 16]), f.projects, "InvalidRoles", [16]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.revokeRoles([id, f.addr(f.reviewer), 0x80]), f.projects, "InvalidRoles", [0x80]);
      await f.viem.assertions.revertWithCustomError(p.write.grantRoles([id, zeroAddress, Roles.REVIEWER]), f.projects, "ZeroAddress");
    });

    it("lets a member renounce but not others revoke without ADMIN", async () => {
      const p = await f.at.projects(f.admin);
      await p.write.grantRoles([id, f.addr(f.reviewer), Roles.REVIEWER]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.projects(f.other)).write.revokeRoles([id, f.addr(f.reviewer), Roles.REVIEWER]),
        f.projects,
        "MissingRole",
        [id, f.addr(f.other), Roles.ADMIN],
      );
      await (await f.at.projects(f.reviewer)).write.revokeRoles([id, f.addr(f.reviewer), Roles.REVIEWER]);
      assert.equal(await f.projects.read.hasRole([id, f.addr(f.reviewer), Roles.REVIEWER]), false);
    });

    it("never revokes the primary admin's ADMIN", async () => {
      const p = await f.at.projects(f.admin);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.revokeRoles([id, f.addr(f.admin), Roles.ADMIN]), f.projects, "CannotRevokePrimaryAdmin", [
        id,
      ]);
    });

    it("a granted ADMIN administers; a REVIEWER of project A is nobody in project B", async () => {
      const p = await f.at.projects(f.admin);
      await p.write.grantRoles([id, f.addr(f.other), Roles.ADMIN]);
      await (await f.at.projects(f.other)).write.grantRoles([id, f.addr(f.reviewer), Roles.REVIEWER]);
      await (await f.at.projects(f.adminB)).write.createProject(["ipfs://b"]);
      assert.equal(await f.projects.read.hasActiveRole([2n, f.addr(f.reviewer), Roles.REVIEWER]), false);
      assert.equal(await f.projects.read.rolesOf([2n, f.addr(f.reviewer)]), 0);
      await f.viem.assertions.revertWithCustomError(
        (await f.at.projects(f.admin)).write.grantRoles([2n, f.addr(f.reviewer), Roles.REVIEWER]),
        f.projects,
        "MissingRole",
      );
    });

    it("caps memberships per account at MAX_MEMBERSHIPS (16)", async () => {
      const p = await f.at.projects(f.admin);
      for (let i = 0; i < 15; i++) await p.write.createProject([""]);
      for (let pid = 1n; pid <= 16n; pid++) await p.write.grantRoles([pid, f.addr(f.reviewer), Roles.REVIEWER]);
      await p.write.createProject([""]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.grantRoles([17n, f.addr(f.reviewer), Roles.REVIEWER]), f.projects, "TooManyMemberships", [
        f.addr(f.reviewer),
      ]);
      // Adding bits in a project it already belongs to is not a new membership.
      await p.write.grantRoles([16n, f.addr(f.reviewer), Roles.AUDITOR]);
      assert.equal((await f.projects.read.activeProjectsWithRole([f.addr(f.reviewer), Roles.REVIEWER])).length, 16);
    });
  });

  describe("keys", () => {
    it("sets and rotates the review and escrow keys with versions", async () => {
      const p = await f.at.projects(f.admin);
      await f.viem.assertions.emitWithArgs(p.write.setReviewKey([id, bytes32(1)]), f.projects, "ReviewKeySet", [id, bytes32(1), 1]);
      await f.viem.assertions.emitWithArgs(p.write.setReviewKey([id, bytes32(2)]), f.projects, "ReviewKeySet", [id, bytes32(2), 2]);
      await f.viem.assertions.emitWithArgs(p.write.setEscrowKey([id, bytes32(3)]), f.projects, "EscrowKeySet", [id, bytes32(3), 1]);
      const project = await f.projects.read.getProject([id]);
      assert.equal(project.reviewKey, bytes32(2));
      assert.equal(project.reviewKeyVersion, 2);
      assert.equal(project.escrowKey, bytes32(3));
      await f.viem.assertions.revertWithCustomError(p.write.setReviewKey([id, bytes32(0)]), f.projects, "ZeroKey");
      await f.viem.assertions.revertWithCustomError(p.write.setEscrowKey([id, bytes32(0)]), f.projects, "ZeroKey");
      await f.viem.assertions.revertWithCustomError((await f.at.projects(f.other)).write.setEscrowKey([id, bytes32(9)]), f.projects, "MissingRole");
    });

    it("shares the review key only with a REVIEWER, after a key is set, and emits the wrapped bytes", async () => {
      const p = await f.at.projects(f.admin);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.shareReviewKey([id, f.addr(f.reviewer), "0x01"]), f.projects, "NotReviewer", [
        id,
        f.addr(f.reviewer),
      ]);
      await p.write.grantRoles([id, f.addr(f.reviewer), Roles.REVIEWER]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.shareReviewKey([id, f.addr(f.reviewer), "0x01"]), f.projects, "ReviewKeyNotSet", [id]);
      await p.write.setReviewKey([id, bytes32(7)]);
      await f.viem.assertions.revertWithCustomError(p.write.shareReviewKey([id, f.addr(f.reviewer), "0x"]), f.projects, "EmptyWrappedKey");
      await f.viem.assertions.emitWithArgs(p.write.shareReviewKey([id, f.addr(f.reviewer), "0xbeef"]), f.projects, "ReviewKeyShared", [
        id,
        f.addr(f.reviewer),
        1,
        "0xbeef",
      ]);
    });
  });

  describe("API keys", () => {
    it("adds, reads and revokes key hashes with scopes and expiry", async () => {
      const p = await f.at.projects(f.admin);
      const expiry = (await f.now()) + 30n * DAY;
      await f.viem.assertions.emitWithArgs(p.write.addApiKey([id, bytes32(0xaa), 5, expiry]), f.projects, "ApiKeyAdded", [id, bytes32(0xaa), 5, expiry]);
      assert.deepEqual(await f.projects.read.getApiKey([id, bytes32(0xaa)]), { scopes: 5, expiry, revoked: false });
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.addApiKey([id, bytes32(0xaa), 1, expiry]), f.projects, "ApiKeyExists", [id, bytes32(0xaa)]);
      await f.viem.assertions.emitWithArgs(p.write.revokeApiKey([id, bytes32(0xaa)]), f.projects, "ApiKeyRevoked", [id, bytes32(0xaa)]);
      assert.equal((await f.projects.read.getApiKey([id, bytes32(0xaa)])).revoked, true);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.revokeApiKey([id, bytes32(0xaa)]), f.projects, "ApiKeyNotFound", [id, bytes32(0xaa)]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.revokeApiKey([id, bytes32(0xbb)]), f.projects, "ApiKeyNotFound", [id, bytes32(0xbb)]);
    });

    it("rejects a zero hash, a past expiry (== now included) and non-admins", async () => {
      const p = await f.at.projects(f.admin);
      const now = await f.now();
      await f.viem.assertions.revertWithCustomError(p.write.addApiKey([id, bytes32(0), 1, now + DAY]), f.projects, "ZeroKey");
      await f.networkHelpers.time.setNextBlockTimestamp(now + 10n);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.addApiKey([id, bytes32(1), 1, now + 10n]), f.projects, "ExpiryNotInFuture", [
        now + 10n,
        now + 10n,
      ]);
      await f.viem.assertions.revertWithCustomError((await f.at.projects(f.other)).write.addApiKey([id, bytes32(1), 1, now + DAY]), f.projects, "MissingRole");
    });
  });

  describe("edges and boundaries", () => {
    it("after a transfer the old admin is nobody and the new one administers; a replaced pending admin cannot accept", async () => {
      const p = await f.at.projects(f.admin);
      await p.write.transferAdmin([id, f.addr(f.other)]);
      await p.write.transferAdmin([id, f.addr(f.adminB)]);
      await f.viem.assertions.revertWithCustomErrorWithArgs((await f.at.projects(f.other)).write.acceptAdmin([id]), f.projects, "NotPendingAdmin", [
        id,
        f.addr(f.other),
      ]);
      await (await f.at.projects(f.adminB)).write.acceptAdmin([id]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.suspend([id]), f.projects, "MissingRole", [id, f.addr(f.admin), Roles.ADMIN]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(p.write.transferAdmin([id, f.addr(f.admin)]), f.projects, "MissingRole", [
        id,
        f.addr(f.admin),
        Roles.ADMIN,
      ]);
      await (await f.at.projects(f.adminB)).write.grantRoles([id, f.addr(f.reviewer), Roles.REVIEWER]);
      assert.equal(await f.projects.read.hasActiveRole([id, f.addr(f.reviewer), Roles.REVIEWER]), true);
      // The new primary admin's ADMIN cannot be revoked either.
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.projects(f.adminB)).write.revokeRoles([id, f.addr(f.adminB), Roles.ADMIN]),
        f.projects,
        "CannotRevokePrimaryAdmin",
        [id],
      );
    });

    it("every call on an unknown project reverts ProjectNotFound", async () => {
      const p = await f.at.projects(f.admin);
      const other = await f.at.projects(f.other);
      const expiry = (await f.now()) + DAY;
      // Thunks: each call is sent only when asserted, so no rejection goes unobserved.
      const calls = [
        () => p.write.setMetadataURI([7n, "x"]),
        () => p.write.suspend([7n]),
        () => p.write.resume([7n]),
        () => p.write.transferAdmin([7n, f.addr(f.other)]),
        () => other.write.acceptAdmin([7n]),
        () => p.write.revokeRoles([7n, f.addr(f.reviewer), Roles.REVIEWER]),
        () => p.write.setReviewKey([7n, bytes32(1)]),
        () => p.write.setEscrowKey([7n, bytes32(1)]),
        () => p.write.shareReviewKey([7n, f.addr(f.reviewer), "0x01"]),
        () => p.write.addApiKey([7n, bytes32(1), 1, expiry]),
        () => p.write.revokeApiKey([7n, bytes32(1)]),
      ];
      for (const call of calls) await f.viem.assertions.revertWithCustomErrorWithArgs(call(), f.projects, "ProjectNotFound", [7n]);
    });

    it("activeProjectsWithRole lists only active projects where the account holds that role", async () => {
      const p = await f.at.projects(f.admin);
      await p.write.createProject(["ipfs://2"]);
      await p.write.createProject(["ipfs://3"]);
      await p.write.grantRoles([1n, f.addr(f.reviewer), Roles.REVIEWER]);
      await p.write.grantRoles([2n, f.addr(f.reviewer), Roles.AUDITOR]);
      await p.write.grantRoles([3n, f.addr(f.reviewer), Roles.REVIEWER | Roles.AUDITOR]);
      assert.deepEqual(await f.projects.read.activeProjectsWithRole([f.addr(f.reviewer), Roles.REVIEWER]), [1n, 3n]);
      assert.deepEqual(await f.projects.read.activeProjectsWithRole([f.addr(f.reviewer), Roles.REVIEWER | Roles.AUDITOR]), [3n]);
      await p.write.suspend([3n]);
      assert.deepEqual(await f.projects.read.activeProjectsWithRole([f.addr(f.reviewer), Roles.REVIEWER]), [1n]);
      assert.deepEqual(await f.projects.read.projectsOf([f.addr(f.reviewer)]), [1n, 2n, 3n]);
      // The primary admin holds ADMIN implicitly; it is not a membership.
      assert.deepEqual(await f.projects.read.projectsOf([f.addr(f.admin)]), []);
      assert.equal(await f.projects.read.hasRole([1n, f.addr(f.admin), 0]), false);
    });

    it("a member may renounce while the project is suspended, which frees a membership slot", async () => {
      const p = await f.at.projects(f.admin);
      for (let i = 0; i < 16; i++) await p.write.createProject([""]);
      for (let pid = 1n; pid <= 16n; pid++) await p.write.grantRoles([pid, f.addr(f.reviewer), Roles.REVIEWER]);
      await p.write.suspend([1n]);
      await (await f.at.projects(f.reviewer)).write.revokeRoles([1n, f.addr(f.reviewer), Roles.REVIEWER]);
      await p.write.grantRoles([17n, f.addr(f.reviewer), Roles.REVIEWER]);
      assert.equal((await f.projects.read.projectsOf([f.addr(f.reviewer)])).length, 16);
    });

    it("unknown API keys read as zeroes", async () => {
      assert.deepEqual(await f.projects.read.getApiKey([id, bytes32(0x99)]), { scopes: 0, expiry: 0n, revoked: false });
    });
  });

  it("reports its version", async () => {
    assert.equal(await f.projects.read.version(), "1.0.0");
  });
});
