import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { encodeFunctionData, getAddress, parseEventLogs, zeroAddress, type Address } from "viem";
import { Claim, PROJECT_CLAIMS, RESERVED_CLAIMS, Roles, STANDARD_CLAIMS, projectClaim } from "@onekey/sdk/contracts";
import { deployFixture, setupProject, signAttest, bytes32, DAY, type AttestRequest, type Fixture } from "./helpers/fixture.ts";

describe("AttestationRegistry", () => {
  let f: Fixture;
  let projectId: bigint;
  let expiry: bigint;
  let subject: Address;
  const REF = bytes32(0xabc);

  beforeEach(async () => {
    f = await deployFixture();
    projectId = await setupProject(f);
    expiry = (await f.now()) + 365n * DAY;
    subject = f.addr(f.subject);
  });

  describe("attest", () => {
    it("stores level, expiry and attester in one slot and emits the record reference", async () => {
      const a = await f.at.attestations(f.reviewer);
      await f.viem.assertions.emitWithArgs(a.write.attest([projectId, subject, 2, expiry, 0, REF]), f.attestations, "Attested", [
        projectId,
        subject,
        f.addr(f.reviewer),
        2,
        expiry,
        0,
        REF,
      ]);
      assert.deepEqual(await f.attestations.read.getAttestation([subject, projectId]), {
        level: 2,
        expiry,
        attester: f.addr(f.reviewer),
        claims: 0,
      });
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 0]), true);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), true);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 2]), true);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 3]), false);
    });

    it("replaces an attestation (downgrade too)", async () => {
      const a = await f.at.attestations(f.reviewer);
      await a.write.attest([projectId, subject, 3, expiry, 0, REF]);
      await a.write.attest([projectId, subject, 1, expiry, 0, REF]);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 2]), false);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), true);
    });

    it("expiry edge: verified while now < expiry, not at expiry == now", async () => {
      const a = await f.at.attestations(f.reviewer);
      const exp = (await f.now()) + 100n;
      await a.write.attest([projectId, subject, 2, exp, 0, REF]);
      await f.networkHelpers.time.setNextBlockTimestamp(exp - 1n);
      await f.networkHelpers.mine();
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), true);
      await f.networkHelpers.time.setNextBlockTimestamp(exp);
      await f.networkHelpers.mine();
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), false);
      // The stored attestation is still readable after expiry.
      assert.equal((await f.attestations.read.getAttestation([subject, projectId])).level, 2);
    });

    it("rejects level 0, the zero subject and an expiry that is not in the future", async () => {
      const a = await f.at.attestations(f.reviewer);
      await f.viem.assertions.revertWithCustomError(a.write.attest([projectId, subject, 0, expiry, 0, REF]), f.attestations, "InvalidLevel");
      await f.viem.assertions.revertWithCustomError(a.write.attest([projectId, zeroAddress, 1, expiry, 0, REF]), f.attestations, "InvalidSubject");
      const now = await f.now();
      await f.networkHelpers.time.setNextBlockTimestamp(now + 3n);
      await f.viem.assertions.revertWithCustomErrorWithArgs(a.write.attest([projectId, subject, 1, now + 3n, 0, REF]), f.attestations, "ExpiryNotInFuture", [
        now + 3n,
        now + 3n,
      ]);
    });

    it("only an active REVIEWER of that project attests; levels never leak across projects", async () => {
      for (const w of [f.admin, f.auditor, f.sponsor, f.other]) {
        await f.viem.assertions.revertWithCustomErrorWithArgs(
          (await f.at.attestations(w)).write.attest([projectId, subject, 1, expiry, 0, REF]),
          f.attestations,
          "NotReviewer",
          [projectId, f.addr(w)],
        );
      }
      const b = await f.at.projects(f.adminB);
      await b.write.createProject(["ipfs://b"]);
      await b.write.grantRoles([2n, f.addr(f.reviewerB), Roles.REVIEWER]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.attestations(f.reviewerB)).write.attest([projectId, subject, 1, expiry, 0, REF]),
        f.attestations,
        "NotReviewer",
        [projectId, f.addr(f.reviewerB)],
      );
      await (await f.at.attestations(f.reviewerB)).write.attest([2n, subject, 3, expiry, 0, REF]);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), false);
      assert.equal(await f.attestations.read.isVerified([subject, 2n, 3]), true);
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      await f.viem.assertions.revertWithCustomError(
        (await f.at.attestations(f.reviewer)).write.attest([projectId, subject, 1, expiry, 0, REF]),
        f.attestations,
        "NotReviewer",
      );
    });
  });

  describe("claims", () => {
    const OVER_18 = Claim.AGE_OVER_18;
    const SCREENED = Claim.SANCTIONS_SCREENED;
    const COUNTRY = Claim.COUNTRY_ALLOWED;

    it("stores the claims beside level and expiry, emits them, and hasClaims asks for a subset", async () => {
      const a = await f.at.attestations(f.reviewer);
      const claims = OVER_18 | SCREENED | COUNTRY;
      await f.viem.assertions.emitWithArgs(a.write.attest([projectId, subject, 2, expiry, claims, REF]), f.attestations, "Attested", [
        projectId,
        subject,
        f.addr(f.reviewer),
        2,
        expiry,
        claims,
        REF,
      ]);
      assert.deepEqual(await f.attestations.read.getAttestation([subject, projectId]), { level: 2, expiry, attester: f.addr(f.reviewer), claims });
      const has = (minLevel: number, mask: number) => f.attestations.read.hasClaims([subject, projectId, minLevel, mask]);
      assert.equal(await has(2, claims), true);
      assert.equal(await has(1, OVER_18), true);
      assert.equal(await has(0, 0), true, "an empty mask is isVerified");
      assert.equal(await has(2, OVER_18 | Claim.AGE_OVER_21), false, "a missing bit");
      assert.equal(await has(3, OVER_18), false, "below the level");
      assert.equal(await f.attestations.read.hasClaims([subject, projectId + 1n, 0, 0]), false, "another project");
      assert.equal(await f.attestations.read.hasClaims([f.addr(f.other), projectId, 0, 0]), false, "another subject");
    });

    it("a re-attestation replaces the claims (a claim can be withdrawn); revoke clears them", async () => {
      const a = await f.at.attestations(f.reviewer);
      await a.write.attest([projectId, subject, 2, expiry, OVER_18 | SCREENED, REF]);
      await a.write.attest([projectId, subject, 2, expiry, OVER_18, REF]);
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 2, OVER_18]), true);
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 2, SCREENED]), false);
      await a.write.revoke([projectId, subject]);
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 0, 0]), false);
      assert.equal((await f.attestations.read.getAttestation([subject, projectId])).claims, 0);
    });

    it("hasClaims ends at expiry like isVerified", async () => {
      const a = await f.at.attestations(f.reviewer);
      const exp = (await f.now()) + 100n;
      await a.write.attest([projectId, subject, 2, exp, OVER_18, REF]);
      await f.networkHelpers.time.setNextBlockTimestamp(exp - 1n);
      await f.networkHelpers.mine();
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 2, OVER_18]), true);
      await f.networkHelpers.time.setNextBlockTimestamp(exp);
      await f.networkHelpers.mine();
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 2, OVER_18]), false);
      assert.equal((await f.attestations.read.getAttestation([subject, projectId])).claims, OVER_18, "still stored after expiry");
    });

    it("refuses the reserved standard bits and takes every project bit; all 32 bits read back", async () => {
      const a = await f.at.attestations(f.reviewer);
      for (const bit of [9, 12, 15]) {
        await f.viem.assertions.revertWithCustomErrorWithArgs(
          a.write.attest([projectId, subject, 1, expiry, OVER_18 | (1 << bit), REF]),
          f.attestations,
          "ReservedClaims",
          [OVER_18 | (1 << bit)],
        );
      }
      const all = (STANDARD_CLAIMS | PROJECT_CLAIMS) >>> 0;
      await a.write.attest([projectId, subject, 255, expiry, all, REF]);
      const stored = await f.attestations.read.getAttestation([subject, projectId]);
      assert.deepEqual(stored, { level: 255, expiry, attester: f.addr(f.reviewer), claims: all }, "no field bleeds into another");
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 255, projectClaim(15)]), true, "bit 31");
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 255, RESERVED_CLAIMS]), false, "reserved bits are never set");
    });

    it("takes an expiry up to 2^48 - 1 and names the error past it", async () => {
      const a = await f.at.attestations(f.reviewer);
      const max = 2n ** 48n - 1n;
      await f.viem.assertions.revertWithCustomErrorWithArgs(a.write.attest([projectId, subject, 1, max + 1n, 0, REF]), f.attestations, "ExpiryTooFar", [
        max + 1n,
      ]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(a.write.attest([projectId, subject, 1, 2n ** 64n - 1n, 0, REF]), f.attestations, "ExpiryTooFar", [
        2n ** 64n - 1n,
      ]);
      await a.write.attest([projectId, subject, 1, max, Claim.DOCUMENT_VERIFIED, REF]);
      assert.deepEqual(await f.attestations.read.getAttestation([subject, projectId]), {
        level: 1,
        expiry: max,
        attester: f.addr(f.reviewer),
        claims: Claim.DOCUMENT_VERIFIED,
      });
    });

    it("batch and signed attestations carry claims; the signature covers them", async () => {
      const a = await f.at.attestations(f.reviewer);
      const subjects = [f.addr(f.other), f.addr(f.adminB)];
      await a.write.attestBatch([projectId, subjects.map((s, i) => ({ subject: s, level: 1, expiry, claims: i === 0 ? OVER_18 : SCREENED, recordId: REF }))]);
      assert.equal(await f.attestations.read.hasClaims([subjects[0], projectId, 1, OVER_18]), true);
      assert.equal(await f.attestations.read.hasClaims([subjects[0], projectId, 1, SCREENED]), false);
      assert.equal(await f.attestations.read.hasClaims([subjects[1], projectId, 1, SCREENED]), true);
      await f.viem.assertions.revertWithCustomError(
        a.write.attestBatch([projectId, [{ subject, level: 1, expiry, claims: 1 << 10, recordId: REF }]]),
        f.attestations,
        "ReservedClaims",
      );

      const request = { subject, level: 2, expiry, claims: OVER_18 | COUNTRY, recordId: REF };
      const deadline = (await f.now()) + 600n;
      const signature = await signAttest(f, f.reviewer, projectId, request, 0n, deadline);
      const relayer = await f.at.attestations(f.other);
      await f.viem.assertions.revertWithCustomError(
        relayer.write.attestBySig([projectId, { ...request, claims: request.claims | SCREENED }, f.addr(f.reviewer), deadline, signature]),
        f.attestations,
        "InvalidSignature",
      );
      await f.viem.assertions.emitWithArgs(
        relayer.write.attestBySig([projectId, request, f.addr(f.reviewer), deadline, signature]),
        f.attestations,
        "Attested",
        [projectId, subject, f.addr(f.reviewer), 2, expiry, request.claims, REF],
      );
      assert.equal(await f.attestations.read.hasClaims([subject, projectId, 2, OVER_18 | COUNTRY]), true);
    });

    it("a calling contract sees hasClaims the same way", async () => {
      await (await f.at.attestations(f.reviewer)).write.attest([projectId, subject, 1, expiry, OVER_18, REF]);
      const probe = await f.viem.deployContract("GasProbe");
      const ask = (mask: number) => encodeFunctionData({ abi: f.attestations.abi, functionName: "hasClaims", args: [subject, projectId, 1, mask] });
      const yes = await probe.simulate.measure([f.attestations.address, ask(OVER_18)]);
      const no = await probe.simulate.measure([f.attestations.address, ask(OVER_18 | SCREENED)]);
      assert.equal(BigInt(yes.result[2]), 1n);
      assert.equal(BigInt(no.result[2]), 0n);
    });
  });

  describe("attestBatch", () => {
    it("attests many subjects with one role check", async () => {
      const a = await f.at.attestations(f.reviewer);
      const subjects = [f.addr(f.subject), f.addr(f.other), f.addr(f.adminB)];
      await a.write.attestBatch([projectId, subjects.map((s, i) => ({ subject: s, level: i + 1, expiry, claims: 0, recordId: REF }))]);
      for (const [i, s] of subjects.entries()) {
        assert.equal(await f.attestations.read.isVerified([s, projectId, i + 1]), true);
        assert.equal(await f.attestations.read.isVerified([s, projectId, i + 2]), false);
      }
    });

    it("is all-or-nothing and refuses empty batches and non-reviewers", async () => {
      const a = await f.at.attestations(f.reviewer);
      await f.viem.assertions.revertWithCustomError(a.write.attestBatch([projectId, []]), f.attestations, "EmptyBatch");
      await f.viem.assertions.revertWithCustomError(
        a.write.attestBatch([
          projectId,
          [
            { subject, level: 1, expiry, claims: 0, recordId: REF },
            { subject: f.addr(f.other), level: 0, expiry, claims: 0, recordId: REF },
          ],
        ]),
        f.attestations,
        "InvalidLevel",
      );
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), false);
      await f.viem.assertions.revertWithCustomError(
        (await f.at.attestations(f.other)).write.attestBatch([projectId, [{ subject, level: 1, expiry, claims: 0, recordId: REF }]]),
        f.attestations,
        "NotReviewer",
      );
    });
  });

  describe("attestBySig (EIP-712)", () => {
    const sign = (signer: Fixture["reviewer"], request: AttestRequest, nonce: bigint, deadline: bigint) =>
      signAttest(f, signer, projectId, request, nonce, deadline);

    it("lets a relayer submit a reviewer's signed attestation once", async () => {
      const request = { subject, level: 2, expiry, claims: 0, recordId: REF };
      const deadline = (await f.now()) + 600n;
      const signature = await sign(f.reviewer, request, 0n, deadline);
      const relayer = await f.at.attestations(f.other);
      await f.viem.assertions.emitWithArgs(
        relayer.write.attestBySig([projectId, request, f.addr(f.reviewer), deadline, signature]),
        f.attestations,
        "Attested",
        [projectId, subject, f.addr(f.reviewer), 2, expiry, 0, REF],
      );
      assert.equal(await f.attestations.read.nonces([f.addr(f.reviewer)]), 1n);
      // Replay: the nonce moved on, so the same signature now recovers to someone else.
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        relayer.write.attestBySig([projectId, request, f.addr(f.reviewer), deadline, signature]),
        f.attestations,
        "InvalidSignature",
        [f.addr(f.reviewer)],
      );
    });

    it("refuses expired deadlines, wrong signers, tampered requests and non-reviewer signers", async () => {
      const request = { subject, level: 2, expiry, claims: 0, recordId: REF };
      const now = await f.now();
      const relayer = await f.at.attestations(f.other);
      const late = await sign(f.reviewer, request, 0n, now);
      await f.networkHelpers.time.setNextBlockTimestamp(now + 1n);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        relayer.write.attestBySig([projectId, request, f.addr(f.reviewer), now, late]),
        f.attestations,
        "SignatureExpired",
        [now],
      );
      const deadline = now + 600n;
      const byOther = await sign(f.other, request, 0n, deadline);
      await f.viem.assertions.revertWithCustomError(
        relayer.write.attestBySig([projectId, request, f.addr(f.reviewer), deadline, byOther]),
        f.attestations,
        "InvalidSignature",
      );
      const good = await sign(f.reviewer, request, 0n, deadline);
      await f.viem.assertions.revertWithCustomError(
        relayer.write.attestBySig([projectId, { ...request, level: 5 }, f.addr(f.reviewer), deadline, good]),
        f.attestations,
        "InvalidSignature",
      );
      const notReviewer = await sign(f.auditor, request, 0n, deadline);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        relayer.write.attestBySig([projectId, request, f.addr(f.auditor), deadline, notReviewer]),
        f.attestations,
        "NotReviewer",
        [projectId, f.addr(f.auditor)],
      );
    });
  });

  describe("revoke", () => {
    it("lets a REVIEWER or ADMIN revoke, even while suspended", async () => {
      const a = await f.at.attestations(f.reviewer);
      await a.write.attest([projectId, subject, 2, expiry, 0, REF]);
      await f.viem.assertions.emitWithArgs(a.write.revoke([projectId, subject]), f.attestations, "AttestationRevoked", [
        projectId,
        subject,
        f.addr(f.reviewer),
      ]);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), false);
      assert.deepEqual(await f.attestations.read.getAttestation([subject, projectId]), { level: 0, expiry: 0n, attester: zeroAddress, claims: 0 });
      await a.write.attest([projectId, subject, 2, expiry, 0, REF]);
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      await (await f.at.attestations(f.admin)).write.revoke([projectId, subject]);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), false);
    });

    it("refuses others and missing attestations", async () => {
      const a = await f.at.attestations(f.reviewer);
      await f.viem.assertions.revertWithCustomErrorWithArgs(a.write.revoke([projectId, subject]), f.attestations, "AttestationNotFound", [projectId, subject]);
      await a.write.attest([projectId, subject, 2, expiry, 0, REF]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.attestations(f.auditor)).write.revoke([projectId, subject]),
        f.attestations,
        "NotAllowedToRevoke",
        [projectId, f.addr(f.auditor)],
      );
    });
  });

  describe("a gated dApp", () => {
    it("KycGatedVault lets verified subjects in and refuses the rest", async () => {
      const vault = await f.viem.deployContract("KycGatedVault", [f.attestations.address, projectId, 2]);
      const asSubject = await f.viem.getContractAt("KycGatedVault", vault.address, { client: { wallet: f.subject } });
      await f.viem.assertions.revertWithCustomErrorWithArgs(asSubject.write.enter(), vault, "NotVerified", [subject, projectId, 2]);
      await (await f.at.attestations(f.reviewer)).write.attest([projectId, subject, 2, expiry, 0, REF]);
      await f.viem.assertions.emitWithArgs(asSubject.write.enter(), vault, "Entered", [subject]);
      assert.equal(await vault.read.members([subject]), true);
    });
  });

  describe("edges and boundaries", () => {
    it("no attestation is never verified, not even for minLevel 0, in any project", async () => {
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 0]), false);
      assert.equal(await f.attestations.read.isVerified([subject, 0n, 0]), false);
      assert.equal(await f.attestations.read.isVerified([zeroAddress, projectId, 0]), false);
      await (await f.at.attestations(f.reviewer)).write.attest([projectId, subject, 255, expiry, 0, REF]);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 255]), true);
      assert.equal(await f.attestations.read.isVerified([subject, projectId + 1n, 0]), false);
      // Project ids are compared in full, not truncated to the low bits.
      assert.equal(await f.attestations.read.isVerified([subject, projectId + (1n << 96n), 1]), false);
    });

    it("a batch emits one Attested per subject with its own arguments", async () => {
      const requests = [f.addr(f.other), f.addr(f.adminB), subject].map((s, i) => ({
        subject: s,
        level: i + 1,
        expiry: expiry + BigInt(i),
        claims: i,
        recordId: bytes32(100 + i),
      }));
      const hash = await (await f.at.attestations(f.reviewer)).write.attestBatch([projectId, requests]);
      const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
      const events = parseEventLogs({ abi: f.attestations.abi, logs: receipt.logs, eventName: "Attested" });
      assert.deepEqual(
        events.map((e) => e.args),
        requests.map((r) => ({
          projectId,
          subject: r.subject,
          attester: f.addr(f.reviewer),
          level: r.level,
          expiry: r.expiry,
          claims: r.claims,
          recordId: r.recordId,
        })),
      );
    });

    it("existing attestations stay readable while the project is suspended (docs/decisions.md), new ones are refused", async () => {
      await (await f.at.attestations(f.reviewer)).write.attest([projectId, subject, 2, expiry, 0, REF]);
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 2]), true);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.attestations(f.reviewer)).write.attestBatch([projectId, [{ subject: f.addr(f.other), level: 1, expiry, claims: 0, recordId: REF }]]),
        f.attestations,
        "NotReviewer",
        [projectId, f.addr(f.reviewer)],
      );
    });

    it("a REVIEWER or ADMIN of project B cannot revoke in project A", async () => {
      await (await f.at.attestations(f.reviewer)).write.attest([projectId, subject, 2, expiry, 0, REF]);
      const b = await f.at.projects(f.adminB);
      await b.write.createProject(["ipfs://b"]);
      await b.write.grantRoles([2n, f.addr(f.reviewerB), Roles.REVIEWER]);
      for (const w of [f.reviewerB, f.adminB]) {
        await f.viem.assertions.revertWithCustomErrorWithArgs(
          (await f.at.attestations(w)).write.revoke([projectId, subject]),
          f.attestations,
          "NotAllowedToRevoke",
          [projectId, f.addr(w)],
        );
      }
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 2]), true);
      // An expired attestation can still be revoked (clears the stored record).
      await f.networkHelpers.time.increaseTo(expiry);
      await (await f.at.attestations(f.admin)).write.revoke([projectId, subject]);
      assert.equal((await f.attestations.read.getAttestation([subject, projectId])).level, 0);
    });

    it("refuses a zero ProjectRegistry at deployment", async () => {
      await f.viem.assertions.revertWithCustomError(f.viem.deployContract("AttestationRegistry", [zeroAddress]), f.attestations, "ZeroAddress");
    });
  });

  describe("attestBySig edges", () => {
    const request = () => ({ subject, level: 2, expiry, claims: 0, recordId: REF });

    it("accepts deadline == now; the nonce only moves on success", async () => {
      const now = await f.now();
      const relayer = await f.at.attestations(f.other);
      const bad = await signAttest(f, f.other, projectId, request(), 0n, now + 1n);
      await f.networkHelpers.time.setNextBlockTimestamp(now + 1n);
      await f.viem.assertions.revertWithCustomError(
        relayer.write.attestBySig([projectId, request(), f.addr(f.reviewer), now + 1n, bad]),
        f.attestations,
        "InvalidSignature",
      );
      assert.equal(await f.attestations.read.nonces([f.addr(f.reviewer)]), 0n);
      const good = await signAttest(f, f.reviewer, projectId, request(), 0n, now + 2n);
      await f.networkHelpers.time.setNextBlockTimestamp(now + 2n);
      await relayer.write.attestBySig([projectId, request(), f.addr(f.reviewer), now + 2n, good]);
      assert.equal(await f.attestations.read.nonces([f.addr(f.reviewer)]), 1n);
      assert.equal(await f.attestations.read.isVerified([subject, projectId, 2]), true);
    });

    it("a signature for another chain, registry or project does not verify", async () => {
      const deadline = (await f.now()) + 600n;
      const relayer = await f.at.attestations(f.other);
      const otherChain = await signAttest(f, f.reviewer, projectId, request(), 0n, deadline, { chainId: 8453 });
      const otherContract = await signAttest(f, f.reviewer, projectId, request(), 0n, deadline, { verifyingContract: f.records.address });
      const otherProject = await signAttest(f, f.reviewer, projectId + 1n, request(), 0n, deadline);
      for (const signature of [otherChain, otherContract, otherProject]) {
        await f.viem.assertions.revertWithCustomErrorWithArgs(
          relayer.write.attestBySig([projectId, request(), f.addr(f.reviewer), deadline, signature]),
          f.attestations,
          "InvalidSignature",
          [f.addr(f.reviewer)],
        );
      }
    });

    it("a REVIEWER of a suspended project cannot attest by signature", async () => {
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      const deadline = (await f.now()) + 600n;
      const signature = await signAttest(f, f.reviewer, projectId, request(), 0n, deadline);
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.at.attestations(f.other)).write.attestBySig([projectId, request(), f.addr(f.reviewer), deadline, signature]),
        f.attestations,
        "NotReviewer",
        [projectId, f.addr(f.reviewer)],
      );
    });

    it("a smart-account REVIEWER (ERC-1271) attests through its owner's signature", async () => {
      const wallet = await f.viem.deployContract("ERC1271Wallet", [f.addr(f.other)]);
      await (await f.at.projects(f.admin)).write.grantRoles([projectId, wallet.address, Roles.REVIEWER]);
      const deadline = (await f.now()) + 600n;
      const relayer = await f.at.attestations(f.sponsor);
      const byStranger = await signAttest(f, f.subject, projectId, request(), 0n, deadline, { attester: wallet.address });
      await f.viem.assertions.revertWithCustomError(
        relayer.write.attestBySig([projectId, request(), wallet.address, deadline, byStranger]),
        f.attestations,
        "InvalidSignature",
      );
      const byOwner = await signAttest(f, f.other, projectId, request(), 0n, deadline, { attester: wallet.address });
      await f.viem.assertions.emitWithArgs(relayer.write.attestBySig([projectId, request(), wallet.address, deadline, byOwner]), f.attestations, "Attested", [
        projectId,
        subject,
        wallet.address,
        2,
        expiry,
        0,
        REF,
      ]);
      assert.equal((await f.attestations.read.getAttestation([subject, projectId])).attester, getAddress(wallet.address));
    });
  });

  it("exposes wiring, domain separator and version", async () => {
    assert.equal((await f.attestations.read.projectRegistry()).toLowerCase(), f.projects.address.toLowerCase());
    assert.match(await f.attestations.read.domainSeparator(), /^0x[0-9a-f]{64}$/);
    assert.equal(await f.attestations.read.version(), "2.0.0");
  });
});
