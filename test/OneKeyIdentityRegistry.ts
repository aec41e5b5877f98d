import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { getAddress, zeroAddress, type Address } from "viem";
import { deployFixture, setupProject, bytes32, DAY, type Fixture } from "./helpers/fixture.ts";
import { Claim, claimsValue } from "@onekey/sdk/contracts";

describe("OneKeyIdentityRegistry (ERC-3643 adapter) and a permissioned token", () => {
  let f: Fixture;
  let projectId: bigint;
  let expiry: bigint;
  const REQUIRED = claimsValue(["AGE_OVER_18", "SANCTIONS_SCREENED"]);

  const deploy = async (minLevel = 2, required = REQUIRED) => {
    const registry = await f.viem.deployContract("OneKeyIdentityRegistry", [f.attestations.address, projectId, minLevel, required]);
    const token = await f.viem.deployContract("PermissionedToken", [registry.address, f.addr(f.admin)]);
    return { registry, token };
  };
  const attest = async (who: Address, level: number, claims: number, exp = expiry) =>
    (await f.at.attestations(f.reviewer)).write.attest([projectId, who, level, exp, claims, bytes32(1)]);

  beforeEach(async () => {
    f = await deployFixture();
    projectId = await setupProject(f);
    expiry = (await f.now()) + 365n * DAY;
  });

  it("isVerified(address) is hasClaims for its (project, level, claims)", async () => {
    const { registry } = await deploy();
    assert.deepEqual(
      [
        getAddress(await registry.read.attestationRegistry()),
        await registry.read.projectId(),
        await registry.read.minLevel(),
        await registry.read.requiredClaims(),
        await registry.read.version(),
      ],
      [getAddress(f.attestations.address), projectId, 2, REQUIRED, "1.0.0"],
    );
    const cases: [string, number, number, boolean][] = [
      ["level and claims", 2, REQUIRED, true],
      ["more claims than asked", 3, REQUIRED | Claim.PEP_SCREENED, true],
      ["a claim missing", 2, Claim.AGE_OVER_18, false],
      ["level too low", 1, REQUIRED, false],
    ];
    const wallets = await f.viem.getWalletClients();
    for (const [i, [what, level, claims, expected]] of cases.entries()) {
      const who = f.addr(wallets[10 + i]);
      await attest(who, level, claims);
      assert.equal(await registry.read.isVerified([who]), expected, what);
      assert.equal(await registry.read.isVerified([who]), await f.attestations.read.hasClaims([who, projectId, 2, REQUIRED]), what);
    }
    assert.equal(await registry.read.isVerified([f.addr(f.other)]), false, "never attested");
    assert.equal(await registry.read.isVerified([zeroAddress]), false);
  });

  it("the token mints and transfers only to verified receivers, and stops at revocation and expiry", async () => {
    const { token } = await deploy();
    const issuer = await f.viem.getContractAt("PermissionedToken", token.address, { client: { wallet: f.admin } });
    const holder = f.addr(f.subject);
    const receiver = f.addr(f.other);
    await f.viem.assertions.revertWithCustomErrorWithArgs(issuer.write.mint([holder, 100n]), token, "RecipientNotVerified", [holder]);
    await attest(holder, 2, REQUIRED);
    await issuer.write.mint([holder, 100n]);
    const asHolder = await f.viem.getContractAt("PermissionedToken", token.address, { client: { wallet: f.subject } });
    await f.viem.assertions.revertWithCustomErrorWithArgs(asHolder.write.transfer([receiver, 10n]), token, "RecipientNotVerified", [receiver]);
    // Verified at the level but without the sanctions claim: still refused.
    await attest(receiver, 2, Claim.AGE_OVER_18);
    await f.viem.assertions.revertWithCustomErrorWithArgs(asHolder.write.transfer([receiver, 10n]), token, "RecipientNotVerified", [receiver]);
    const short = (await f.now()) + 1000n;
    await attest(receiver, 2, REQUIRED, short);
    await asHolder.write.transfer([receiver, 10n]);
    assert.equal(await token.read.balanceOf([receiver]), 10n);
    // A receiver that was verified stops being one on revocation, and on expiry.
    await (await f.at.attestations(f.reviewer)).write.revoke([projectId, receiver]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(asHolder.write.transfer([receiver, 1n]), token, "RecipientNotVerified", [receiver]);
    await attest(receiver, 2, REQUIRED, short);
    await f.networkHelpers.time.increaseTo(short);
    await f.viem.assertions.revertWithCustomErrorWithArgs(asHolder.write.transfer([receiver, 1n]), token, "RecipientNotVerified", [receiver]);
    // Another project's attestation does not count.
    const b = await f.at.projects(f.adminB);
    await b.write.createProject(["ipfs://b"]);
    await b.write.grantRoles([2n, f.addr(f.reviewerB), 2]);
    await (await f.at.attestations(f.reviewerB)).write.attest([2n, receiver, 5, expiry + DAY * 400n, REQUIRED, bytes32(2)]);
    await f.viem.assertions.revertWithCustomErrorWithArgs(asHolder.write.transfer([receiver, 1n]), token, "RecipientNotVerified", [receiver]);
    assert.equal(await token.read.balanceOf([holder]), 90n);
    await f.viem.assertions.revertWithCustomErrorWithArgs(asHolder.write.mint([holder, 1n]), token, "NotIssuer", [holder]);
  });

  it("refuses a zero registry and required claims no attestation can carry", async () => {
    await f.viem.assertions.revertWithCustomError(
      f.viem.deployContract("OneKeyIdentityRegistry", [zeroAddress, projectId, 1, 0]),
      f.attestations,
      "ZeroAddress",
    );
    const { registry } = await deploy(1, 0);
    await f.viem.assertions.revertWithCustomErrorWithArgs(
      f.viem.deployContract("OneKeyIdentityRegistry", [f.attestations.address, projectId, 1, 1 << 12]),
      registry,
      "UnsatisfiableClaims",
      [1 << 12],
    );
    // minLevel 0 and no claims: any live attestation of the project.
    await attest(f.addr(f.subject), 1, 0);
    assert.equal(await registry.read.isVerified([f.addr(f.subject)]), true);
  });
});
