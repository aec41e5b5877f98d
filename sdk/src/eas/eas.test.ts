// The EAS mirror actions against the real EAS contracts (the npm package's shipped artifacts, the
// same code as the Base predeploy) and a real EASMirror on anvil: sync after attest, re-attest,
// revoke and expiry, read back through EAS, called by an account with no role.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, createWalletClient, getAddress, http, zeroHash, type Abi, type Address, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { artifact, deployOneKey, registerArtifact, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { Roles, attest, createProject, grantRoles, hasClaims, isVerified, revokeAttestation } from "../contracts/index.ts";
import {
  EasMirrorRevertError,
  easReadAbi,
  getEasMirrorStatus,
  getMirroredAttestation,
  setEasMirroring,
  syncEasMirror,
  syncEasMirrorBatch,
  syncEasMirrorCall,
} from "./index.ts";

const require = createRequire(import.meta.url);
const easArtifact = (name: "EAS" | "SchemaRegistry"): { abi: Abi; bytecode: Hex } =>
  JSON.parse(readFileSync(require.resolve(`@ethereum-attestation-service/eas-contracts/artifacts/contracts/${name}.sol/${name}.json`), "utf8"));

describe("EAS mirror actions on anvil", () => {
  const [DEPLOYER, ADMIN, REVIEWER, KEEPER, SUBJECT, SECOND, STRANGER] = [0, 1, 2, 3, 4, 5, 6];
  const account = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]);
  let anvil: Anvil;
  let publicClient: PublicClient;
  let on: { addresses: OneKeyDeployment };
  let projectId: bigint;
  let mirror: Address;
  let eas: Address;
  const wallet = (i: number) => createWalletClient({ account: account(i), chain: foundry, transport: http(anvil.rpcUrl) });
  const now = async () => (await publicClient.getBlock({ blockTag: "latest" })).timestamp;
  const subject = (i = SUBJECT) => account(i).address;
  const attestNow = async (claims: string[], expiryIn = 3600n, level = 2, who = subject()) =>
    attest(wallet(REVIEWER), { ...on, projectId, subject: who, level, expiry: (await now()) + expiryIn, claims: claims as never, recordId: zeroHash });
  const deploy = async (art: { abi: Abi; bytecode: Hex }, args: unknown[]) => {
    const hash = await wallet(DEPLOYER).deployContract({ abi: art.abi, bytecode: art.bytecode, args });
    return getAddress((await publicClient.waitForTransactionReceipt({ hash })).contractAddress!);
  };

  /** EAS (read through the SDK) agrees with isVerified / hasClaims for the subject. */
  async function expectAgrees(who = subject()) {
    const [mirrored, verified] = await Promise.all([
      getMirroredAttestation(publicClient, { mirror, projectId, subject: who }),
      isVerified(publicClient, { ...on, subject: who, projectId, minLevel: 1 }),
    ]);
    if (!mirrored) return expect(verified).toBe(false);
    expect(mirrored.valid).toBe(verified);
    expect(await hasClaims(publicClient, { ...on, subject: who, projectId, minLevel: mirrored.level, claims: mirrored.claims })).toBe(verified);
  }

  beforeAll(async () => {
    anvil = await startAnvil();
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    on = { addresses: await deployOneKey(wallet(DEPLOYER), publicClient) };
    const schemaRegistry = await deploy(easArtifact("SchemaRegistry"), []);
    eas = await deploy(easArtifact("EAS"), [schemaRegistry]);
    registerArtifact("EASMirror", "contracts/adapters/EASMirror.sol/EASMirror.json");
    mirror = await deploy(artifact("EASMirror"), [eas, on.addresses.attestationRegistry]);
    ({ projectId } = await createProject(wallet(ADMIN), { ...on, metadataURI: "ipfs://mirrored" }));
    await grantRoles(wallet(ADMIN), { ...on, projectId, account: account(REVIEWER).address, roles: Roles.REVIEWER });
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it("keeps its EAS ABI fragment equal to the npm package's", () => {
    const shipped = easArtifact("EAS").abi.find((i) => i.type === "function" && i.name === "getAttestation");
    expect(JSON.parse(JSON.stringify(easReadAbi[0]))).toEqual(JSON.parse(JSON.stringify(shipped)));
  });

  it("only the project's ADMIN opts in; a stranger gets the named revert", async () => {
    const refused = await setEasMirroring(wallet(STRANGER), { mirror, projectId, enabled: true }).catch((e) => e);
    expect(refused).toBeInstanceOf(EasMirrorRevertError);
    expect(refused.errorName).toBe("NotProjectAdmin");
    expect(refused.args).toEqual([projectId, account(STRANGER).address]);
    await setEasMirroring(wallet(ADMIN), { mirror, projectId, enabled: true });
    expect(await getEasMirrorStatus(publicClient, { mirror, projectId, subject: subject() })).toEqual({ mirrored: true, inSync: true, uid: zeroHash });
  });

  it("syncs after attest, re-attest, revoke and expiry; EAS agrees with isVerified and hasClaims each time", async () => {
    // Nothing attested: nothing to mirror, and a sync by anyone is a no-op.
    const idle = await syncEasMirror(wallet(KEEPER), { mirror, projectId, subject: subject() });
    expect(idle).toMatchObject({ changed: false, uid: zeroHash });
    expect(await getMirroredAttestation(publicClient, { mirror, projectId, subject: subject() })).toBeNull();

    // Attest: out of sync until someone (a keeper with no role) syncs.
    await attestNow(["AGE_OVER_18", "SANCTIONS_SCREENED"]);
    expect((await getEasMirrorStatus(publicClient, { mirror, projectId, subject: subject() })).inSync).toBe(false);
    const first = await syncEasMirror(wallet(KEEPER), { mirror, projectId, subject: subject() });
    expect(first.changed).toBe(true);
    expect(first.uid).not.toBe(zeroHash);
    expect(first.replaced).toBe(zeroHash);
    const m1 = await getMirroredAttestation(publicClient, { mirror, projectId, subject: subject() });
    expect(m1).toMatchObject({
      uid: first.uid,
      attester: mirror,
      recipient: subject(),
      projectId,
      level: 2,
      claimNames: ["AGE_OVER_18", "SANCTIONS_SCREENED"],
      valid: true,
      refUID: zeroHash,
    });
    const slot = await publicClient.readContract({
      address: on.addresses.attestationRegistry,
      abi: (await import("../abis.ts")).attestationRegistryAbi,
      functionName: "getAttestation",
      args: [subject(), projectId],
    });
    expect(m1!.expirationTime).toBe(slot.expiry);
    await expectAgrees();
    // Syncing again changes nothing.
    expect(await syncEasMirror(wallet(KEEPER), { mirror, projectId, subject: subject() })).toMatchObject({ changed: false, uid: first.uid });

    // Re-attest: the old EAS attestation is revoked, the new one refers to it.
    await attestNow(["AGE_OVER_18"], 7200n, 3);
    const second = await syncEasMirror(wallet(STRANGER), { mirror, projectId, subject: subject() });
    expect(second).toMatchObject({ changed: true, replaced: first.uid });
    const m2 = await getMirroredAttestation(publicClient, { mirror, projectId, subject: subject() });
    expect(m2).toMatchObject({ level: 3, claimNames: ["AGE_OVER_18"], refUID: first.uid, valid: true });
    const old = await publicClient.readContract({ address: eas, abi: easReadAbi, functionName: "getAttestation", args: [first.uid] });
    expect(old.revocationTime).toBeGreaterThan(0n);
    await expectAgrees();

    // Revoke: the sync revokes the mirror and leaves none.
    await revokeAttestation(wallet(REVIEWER), { ...on, projectId, subject: subject() });
    const third = await syncEasMirror(wallet(KEEPER), { mirror, projectId, subject: subject() });
    expect(third).toMatchObject({ changed: true, uid: zeroHash, replaced: second.uid });
    expect(await getMirroredAttestation(publicClient, { mirror, projectId, subject: subject() })).toBeNull();
    await expectAgrees();

    // Expiry: EAS's own expirationTime ends it at the same second isVerified turns false.
    await attestNow(["AGE_OVER_18"], 50n);
    await syncEasMirror(wallet(KEEPER), { mirror, projectId, subject: subject() });
    await expectAgrees();
    await publicClient.request({ method: "evm_increaseTime" as never, params: [100] as never });
    await publicClient.request({ method: "evm_mine" as never, params: [] as never });
    const expired = await getMirroredAttestation(publicClient, { mirror, projectId, subject: subject() });
    expect(expired?.valid).toBe(false);
    await expectAgrees();
  });

  it("syncs many subjects in one transaction and builds a call for other senders", async () => {
    await attestNow(["PEP_SCREENED"], 3600n, 1, subject(SUBJECT));
    await attestNow(["LIVENESS_CHECKED"], 3600n, 1, subject(SECOND));
    const batch = await syncEasMirrorBatch(wallet(KEEPER), { mirror, projectId, subjects: [subject(SUBJECT), subject(SECOND), subject(STRANGER)] });
    expect(batch.synced.map((s) => s.subject).sort()).toEqual([subject(SUBJECT), subject(SECOND)].sort());
    for (const who of [subject(SUBJECT), subject(SECOND), subject(STRANGER)]) await expectAgrees(who);
    expect((await getMirroredAttestation(publicClient, { mirror, projectId, subject: subject(SECOND) }))?.claimNames).toEqual(["LIVENESS_CHECKED"]);

    // The call builder: the same sync, sent as a plain transaction by any sender.
    await attestNow(["AGE_OVER_21"], 3600n, 2, subject(SECOND));
    const call = syncEasMirrorCall(mirror, { projectId, subject: subject(SECOND) });
    const hash = await wallet(STRANGER).sendTransaction(call);
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect((await getMirroredAttestation(publicClient, { mirror, projectId, subject: subject(SECOND) }))?.claimNames).toEqual(["AGE_OVER_21"]);
  });

  it("a project that opts out: the next sync revokes the mirror", async () => {
    await setEasMirroring(wallet(ADMIN), { mirror, projectId, enabled: false });
    const r = await syncEasMirror(wallet(KEEPER), { mirror, projectId, subject: subject(SECOND) });
    expect(r).toMatchObject({ changed: true, uid: zeroHash });
    expect(await getEasMirrorStatus(publicClient, { mirror, projectId, subject: subject(SECOND) })).toEqual({ mirrored: false, inSync: true, uid: zeroHash });
    // The registry still says verified: the mirror is a copy, never the source of truth.
    expect(await isVerified(publicClient, { ...on, subject: subject(SECOND), projectId, minLevel: 1 })).toBe(true);
  });
});
