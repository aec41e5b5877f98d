import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { decodeAbiParameters, getAddress, parseAbiParameters, parseEventLogs, zeroAddress, zeroHash, type Abi, type Address, type Hex } from "viem";
import { deployFixture, setupProject, bytes32, DAY, type Fixture } from "./helpers/fixture.ts";
import { deployEAS } from "./helpers/eas.ts";
import { Claim } from "@onekey/sdk/contracts";
import EASMirrorModule from "../ignition/modules/EASMirror.ts";

type EasAttestation = {
  uid: Hex;
  schema: Hex;
  time: bigint;
  expirationTime: bigint;
  revocationTime: bigint;
  refUID: Hex;
  recipient: Address;
  attester: Address;
  revocable: boolean;
  data: Hex;
};
const SCHEMA = "uint256 projectId,uint8 level,uint32 claims";

describe("EASMirror", () => {
  let f: Fixture;
  let projectId: bigint;
  let subject: Address;
  let eas: Address;
  let easAbi: Abi;
  let schemaRegistry: Address;
  let schemaRegistryAbi: Abi;
  let mirror: Awaited<ReturnType<typeof deployMirror>>;
  const deployMirror = (fx: Fixture, easAddress: Address) => fx.viem.deployContract("EASMirror", [easAddress, fx.attestations.address]);
  let expiry: bigint;
  const REF = bytes32(0xabc);

  const getEas = async (uid: Hex) =>
    (await f.publicClient.readContract({ address: eas, abi: easAbi, functionName: "getAttestation", args: [uid] })) as EasAttestation;
  const asMirror = async (w: Fixture["reviewer"]) => f.viem.getContractAt("EASMirror", mirror.address, { client: { wallet: w } });
  const attest = async (level: number, exp: bigint, claims: number, who = subject) =>
    (await f.at.attestations(f.reviewer)).write.attest([projectId, who, level, exp, claims, REF]);
  const sync = async (who = subject, by = f.other) => {
    const hash = await (await asMirror(by)).write.sync([projectId, who]);
    return f.publicClient.waitForTransactionReceipt({ hash });
  };

  /** What an EAS reader concludes equals what isVerified / hasClaims say, field by field. */
  async function assertAgrees(who = subject) {
    const stored = await f.attestations.read.getAttestation([who, projectId]);
    const verified = await f.attestations.read.isVerified([who, projectId, 1]);
    const uid = (await mirror.read.mirrorOf([projectId, who])) as Hex;
    if (uid === zeroHash) {
      assert.equal(verified, false, "EAS has nothing, but OneKey says verified");
      return;
    }
    const a = await getEas(uid);
    const now = await f.now();
    const easValid = a.revocationTime === 0n && (a.expirationTime === 0n || a.expirationTime > now);
    assert.equal(easValid, verified, "EAS validity vs isVerified");
    assert.equal(a.recipient, who);
    assert.equal(getAddress(a.attester), getAddress(mirror.address), "the mirror is the EAS attester");
    assert.equal(a.schema, await mirror.read.schema());
    assert.equal(a.expirationTime, stored.expiry);
    const [dProject, level, claims] = decodeAbiParameters(parseAbiParameters(SCHEMA), a.data);
    assert.deepEqual({ dProject, level, claims }, { dProject: projectId, level: stored.level, claims: stored.claims });
    assert.equal(await f.attestations.read.hasClaims([who, projectId, level, claims]), verified, "the mirrored claims are what hasClaims grants");
  }

  beforeEach(async () => {
    f = await deployFixture();
    projectId = await setupProject(f);
    subject = f.addr(f.subject);
    ({ eas, easAbi, schemaRegistry, schemaRegistryAbi } = await deployEAS(f));
    mirror = await deployMirror(f, eas);
    await (await asMirror(f.admin)).write.setMirrored([projectId, true]);
    expiry = (await f.now()) + 365n * DAY;
  });

  it("registers the OneKey schema (no resolver, revocable) and a second mirror reuses it", async () => {
    const registryAddress = (await f.publicClient.readContract({ address: eas, abi: easAbi, functionName: "getSchemaRegistry" })) as Address;
    assert.equal(registryAddress, schemaRegistry);
    const record = (await f.publicClient.readContract({
      address: schemaRegistry,
      abi: schemaRegistryAbi,
      functionName: "getSchema",
      args: [await mirror.read.schema()],
    })) as { uid: Hex; resolver: Address; revocable: boolean; schema: string };
    assert.deepEqual(record, { uid: await mirror.read.schema(), resolver: zeroAddress, revocable: true, schema: SCHEMA });
    assert.equal(await mirror.read.schemaDefinition(), SCHEMA);
    const second = await f.viem.deployContract("EASMirror", [eas, f.attestations.address]);
    assert.equal(await second.read.schema(), await mirror.read.schema());
    assert.equal(await mirror.read.version(), "1.0.0");
    assert.equal((await mirror.read.eas()).toLowerCase(), eas.toLowerCase());
  });

  it("attest, sync: EAS holds the same subject, project, level, expiry and claims", async () => {
    await attest(2, expiry, Claim.AGE_OVER_18 | Claim.SANCTIONS_SCREENED);
    assert.equal(await mirror.read.inSync([projectId, subject]), false);
    const receipt = await sync();
    const [synced] = parseEventLogs({ abi: mirror.abi, logs: receipt.logs, eventName: "Synced" }) as unknown as [{ args: { uid: Hex; replaced: Hex } }];
    assert.equal(synced.args.replaced, zeroHash);
    assert.equal(await mirror.read.mirrorOf([projectId, subject]), synced.args.uid);
    assert.equal(await mirror.read.inSync([projectId, subject]), true);
    await assertAgrees();
    // Syncing again changes nothing and attests nothing.
    const again = await sync();
    assert.equal(parseEventLogs({ abi: easAbi, logs: again.logs, eventName: "Attested" }).length, 0);
    assert.equal(await mirror.read.mirrorOf([projectId, subject]), synced.args.uid);
  });

  it("re-attest, sync: the old copy is revoked and the new one points back at it", async () => {
    await attest(2, expiry, Claim.AGE_OVER_18 | Claim.SANCTIONS_SCREENED);
    await sync();
    const first = (await mirror.read.mirrorOf([projectId, subject])) as Hex;
    await attest(3, expiry + DAY, Claim.AGE_OVER_18);
    assert.equal(await mirror.read.inSync([projectId, subject]), false);
    await sync();
    const second = (await mirror.read.mirrorOf([projectId, subject])) as Hex;
    assert.notEqual(second, first);
    assert.ok((await getEas(first)).revocationTime > 0n, "the replaced copy is revoked");
    assert.equal((await getEas(second)).refUID, first);
    await assertAgrees();
  });

  it("revoke, sync: EAS shows the revocation", async () => {
    await attest(2, expiry, Claim.COUNTRY_ALLOWED);
    await sync();
    const uid = (await mirror.read.mirrorOf([projectId, subject])) as Hex;
    await (await f.at.attestations(f.admin)).write.revoke([projectId, subject]);
    await sync();
    assert.equal(await mirror.read.mirrorOf([projectId, subject]), zeroHash);
    assert.ok((await getEas(uid)).revocationTime > 0n);
    await assertAgrees();
    // Revoked, attested again with the same values: a fresh EAS attestation.
    await attest(2, expiry, Claim.COUNTRY_ALLOWED);
    await sync();
    assert.notEqual(await mirror.read.mirrorOf([projectId, subject]), zeroHash);
    await assertAgrees();
  });

  it("expiry: both sides stop at the same second with no sync; one that expired unsynced is never attested", async () => {
    const exp = (await f.now()) + 100n;
    await attest(2, exp, Claim.AGE_OVER_18);
    await sync();
    await f.networkHelpers.time.setNextBlockTimestamp(exp - 1n);
    await f.networkHelpers.mine();
    await assertAgrees();
    await f.networkHelpers.time.setNextBlockTimestamp(exp);
    await f.networkHelpers.mine();
    assert.equal(await f.attestations.read.isVerified([subject, projectId, 1]), false);
    await assertAgrees();
    assert.equal(await mirror.read.inSync([projectId, subject]), true, "expiry alone needs no sync");

    const late = f.addr(f.adminB);
    const lateExp = (await f.now()) + 50n;
    await attest(1, lateExp, 0, late);
    await f.networkHelpers.time.increaseTo(lateExp + 1n);
    const receipt = await sync(late);
    assert.equal(parseEventLogs({ abi: easAbi, logs: receipt.logs, eventName: "Attested" }).length, 0);
    assert.equal(await mirror.read.mirrorOf([projectId, late]), zeroHash);
    await assertAgrees(late);
  });

  it("a project that does not mirror gets nothing in EAS; opting out revokes on the next sync", async () => {
    await attest(2, expiry, Claim.AGE_OVER_18);
    await (await asMirror(f.admin)).write.setMirrored([projectId, false]);
    assert.equal(await mirror.read.isMirrored([projectId]), false);
    await sync();
    assert.equal(await mirror.read.mirrorOf([projectId, subject]), zeroHash);
    await (await asMirror(f.admin)).write.setMirrored([projectId, true]);
    await sync();
    const uid = (await mirror.read.mirrorOf([projectId, subject])) as Hex;
    assert.notEqual(uid, zeroHash);
    await (await asMirror(f.admin)).write.setMirrored([projectId, false]);
    assert.equal(await mirror.read.inSync([projectId, subject]), false);
    await sync();
    assert.ok((await getEas(uid)).revocationTime > 0n);
    // A project id nobody created: sync is a no-op, never a revert.
    await (await asMirror(f.other)).write.sync([999n, subject]);
    assert.equal(await mirror.read.mirrorOf([999n, subject]), zeroHash);
  });

  it("only the project's ADMIN opts in or out; anyone may sync, and sync only copies the registry", async () => {
    for (const w of [f.reviewer, f.auditor, f.other, f.adminB]) {
      await f.viem.assertions.revertWithCustomErrorWithArgs((await asMirror(w)).write.setMirrored([projectId, false]), mirror, "NotProjectAdmin", [
        projectId,
        f.addr(w),
      ]);
    }
    // Opting in still works while suspended (and so does opting out).
    await (await f.at.projects(f.admin)).write.suspend([projectId]);
    await (await asMirror(f.admin)).write.setMirrored([projectId, true]);
    // Eleven fresh accounts with no role sync subjects that were never attested: nothing appears.
    const wallets = await f.viem.getWalletClients();
    for (const w of wallets.slice(9, 21)) {
      await (await asMirror(w)).write.sync([projectId, f.addr(w)]);
      assert.equal(await mirror.read.mirrorOf([projectId, f.addr(w)]), zeroHash);
    }
    // Nobody but the mirror can revoke its copies in EAS.
    await (await f.at.projects(f.admin)).write.resume([projectId]);
    await attest(2, expiry, 0);
    await sync();
    const uid = (await mirror.read.mirrorOf([projectId, subject])) as Hex;
    await assert.rejects(
      f.reviewer.writeContract({
        address: eas,
        abi: easAbi,
        functionName: "revoke",
        args: [{ schema: await mirror.read.schema(), data: { uid, value: 0n } }],
        account: f.reviewer.account,
      }),
    );
    await assertAgrees();
  });

  it("syncBatch syncs each subject and refuses an empty batch", async () => {
    const subjects = [subject, f.addr(f.other), f.addr(f.adminB)];
    for (const [i, s] of subjects.entries()) await attest(i + 1, expiry, i, s);
    await (await asMirror(f.other)).write.syncBatch([projectId, subjects]);
    for (const s of subjects) await assertAgrees(s);
    await f.viem.assertions.revertWithCustomError((await asMirror(f.other)).write.syncBatch([projectId, []]), mirror, "EmptyBatch");
  });

  it("the Ignition module deploys it wired to the OneKey registry and the given EAS", async () => {
    const { easMirror, attestationRegistry } = await f.connection.ignition.deploy(EASMirrorModule, {
      parameters: { OneKeyEASMirror: { eas } },
    });
    assert.equal(getAddress(await easMirror.read.attestationRegistry()), getAddress(attestationRegistry.address));
    assert.equal(getAddress(await easMirror.read.eas()), getAddress(eas));
    assert.equal(await easMirror.read.schema(), await mirror.read.schema());
  });

  it("refuses zero addresses at deployment", async () => {
    await f.viem.assertions.revertWithCustomError(f.viem.deployContract("EASMirror", [zeroAddress, f.attestations.address]), mirror, "ZeroAddress");
    await f.viem.assertions.revertWithCustomError(f.viem.deployContract("EASMirror", [eas, zeroAddress]), mirror, "ZeroAddress");
  });
});
