// OneKeyPaymaster against the real EntryPoint v0.8 and SimpleAccountFactory from
// @account-abstraction/contracts, on the in-process network; handleOps is sent by an EOA acting as
// the bundler. (test/paymaster/alto.ts, when present, runs the same story through alto on anvil.)
import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { encodeFunctionData, keccak256, parseEther, parseEventLogs, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deployFixture, Roles, bytes32, type Fixture } from "../helpers/fixture.ts";
import {
  draftOp, executeBatchCall, executeCall, initCodeFor, sponsor, type PackedUserOperation,
} from "../helpers/userops.ts";
import { ANVIL_KEYS } from "../../scripts/lib/anvil.ts";
import { recordRegistryAbi } from "../../sdk/src/abis.ts";

async function deployAA(f: Fixture) {
  const entryPoint = await f.viem.deployContract("EntryPoint");
  const factory = (await f.viem.deployContract("SimpleAccountFactory", [entryPoint.address])).address;
  const paymaster = await f.viem.deployContract("OneKeyPaymaster", [
    entryPoint.address, f.projects.address, f.records.address, f.attestations.address, f.addr(f.deployer),
  ]);
  return { entryPoint, factory, paymaster };
}
type AA = Awaited<ReturnType<typeof deployAA>>;

describe("OneKeyPaymaster", () => {
  let f: Fixture;
  let entryPoint: AA["entryPoint"];
  let factory: Address;
  let paymaster: AA["paymaster"];
  let projectId: bigint;
  let chainId: number;
  const sponsorKey = privateKeyToAccount(ANVIL_KEYS[4]); // f.sponsor
  const subjectOwner = privateKeyToAccount(generatePrivateKey()); // a fresh key with zero ETH
  let sender: Address;

  const registerCall = (salt: number) =>
    encodeFunctionData({ abi: recordRegistryAbi, functionName: "registerRecord", args: [bytes32(salt), bytes32(0xa1), bytes32(0xc1), bytes32(0xf1), 1, 0] });

  async function signOp(op: PackedUserOperation, window = { validUntil: 0, validAfter: 0 }, opts: { signer?: typeof sponsorKey; chain?: number; project?: bigint } = {}) {
    op.paymasterAndData = await sponsor(op, {
      projectId: opts.project ?? projectId, ...window, paymaster: paymaster.address, chainId: opts.chain ?? chainId, signer: opts.signer ?? sponsorKey,
    });
    const hash = (await entryPoint.read.getUserOpHash([op])) as Hex;
    op.signature = await subjectOwner.sign({ hash });
    return op;
  }

  const handleOps = async (op: PackedUserOperation) => {
    const bundler = await f.viem.getContractAt("EntryPoint", entryPoint.address, { client: { wallet: f.other } });
    return bundler.write.handleOps([[op], f.addr(f.other)], { gas: 5_000_000n });
  };

  const nonceOf = async (a: Address) => (await entryPoint.read.getNonce([a, 0n])) as bigint;

  beforeEach(async () => {
    f = await deployFixture();
    chainId = await f.publicClient.getChainId();
    ({ entryPoint, factory, paymaster } = await deployAA(f));
    const p = await f.at.projects(f.admin);
    await p.write.createProject(["ipfs://p"]);
    projectId = 1n;
    await p.write.grantRoles([projectId, f.addr(f.sponsor), Roles.SPONSOR]);
    const pm = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
    await pm.write.fundProject([projectId], { value: parseEther("1") });
    sender = await (await f.viem.getContractAt("SimpleAccountFactory", factory)).read.getAddress([subjectOwner.address, 0n]);
  });

  it("sponsors a zero-ETH subject: deploys its account, registers, grants and revokes; the project pays exactly the charge", async () => {
    assert.equal(await f.publicClient.getBalance({ address: sender }), 0n);
    const before = (await paymaster.read.projectBalance([projectId])) as bigint;
    const depositBefore = (await entryPoint.read.balanceOf([paymaster.address])) as bigint;
    const op = await signOp(draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.records.address, registerCall(1)) }));
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash: await handleOps(op) });
    const [sponsored] = parseEventLogs({ abi: paymaster.abi, logs: receipt.logs, eventName: "UserOperationSponsored" }) as unknown as { args: { charged: bigint; actualGasCost: bigint; projectId: bigint; sender: Address } }[];
    const [opEvent] = parseEventLogs({ abi: entryPoint.abi, logs: receipt.logs, eventName: "UserOperationEvent" }) as unknown as { args: { success: boolean; actualGasCost: bigint; actualGasUsed: bigint } }[];
    assert.equal(opEvent.args.success, true);
    assert.equal(sponsored.args.projectId, projectId);
    assert.equal(sponsored.args.sender, sender);
    const after = (await paymaster.read.projectBalance([projectId])) as bigint;
    assert.equal(before - after, sponsored.args.charged, "project charged exactly what the event says");
    const fee = sponsored.args.charged - sponsored.args.actualGasCost;
    assert.ok(fee > 0n && fee % 30_000n === 0n, "charge = actualGasCost + 30,000 × fee per gas");
    // The paymaster's EntryPoint deposit paid what EntryPoint reports; the project paid at least that.
    const depositAfter = (await entryPoint.read.balanceOf([paymaster.address])) as bigint;
    assert.equal(depositBefore - depositAfter, opEvent.args.actualGasCost);
    assert.ok(sponsored.args.charged >= opEvent.args.actualGasCost, "project covers the paymaster's real cost");
    assert.equal((await f.records.read.getRecord([keccak256(`0x${sender.slice(2).padStart(64, "0")}${bytes32(1).slice(2)}` as Hex)])).owner, sender);

    // grant + revoke in one sponsored batch, from the now-deployed account
    const recordId = keccak256(`0x${sender.slice(2).toLowerCase().padStart(64, "0")}${bytes32(1).slice(2)}` as Hex);
    const grantee = `0x${f.addr(f.reviewer).slice(2).toLowerCase().padStart(64, "0")}` as Hex;
    const grantData = encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [recordId, grantee, 0, 2n ** 40n, 1n, `0x${"ab".repeat(80)}`] });
    const revokeData = encodeFunctionData({ abi: recordRegistryAbi, functionName: "revoke", args: [recordId, grantee] });
    const batch = await signOp(draftOp({ sender, nonce: await nonceOf(sender), callData: executeBatchCall([{ target: f.records.address, data: grantData }, { target: f.records.address, data: revokeData }]) }));
    const r2 = await f.publicClient.waitForTransactionReceipt({ hash: await handleOps(batch) });
    const [e2] = parseEventLogs({ abi: entryPoint.abi, logs: r2.logs, eventName: "UserOperationEvent" }) as unknown as { args: { success: boolean } }[];
    assert.equal(e2.args.success, true);
    assert.equal((await f.records.read.getGrant([recordId, grantee])).revoked, true);
    assert.equal(await f.publicClient.getBalance({ address: sender }), 0n, "the subject never needed ETH");
  });

  describe("drain attempts are refused and the balance is unchanged", () => {
    const refused = async (make: () => Promise<PackedUserOperation>, reason: RegExp) => {
      const before = await paymaster.read.projectBalance([projectId]);
      await assert.rejects(async () => handleOps(await make()), reason);
      assert.equal(await paymaster.read.projectBalance([projectId]), before);
    };
    const first = () => draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.records.address, registerCall(1)) });

    it("replayed sponsorship (same paymaster data on the next nonce)", async () => {
      const op = await signOp(first());
      await handleOps(op);
      const next = draftOp({ sender, nonce: await nonceOf(sender), callData: executeCall(f.records.address, registerCall(2)) });
      next.paymasterAndData = op.paymasterAndData;
      next.signature = await subjectOwner.sign({ hash: (await entryPoint.read.getUserOpHash([next])) as Hex });
      await refused(async () => next, /AA34/);
    });

    it("a sponsorship of project A presented for project B", async () => {
      await (await f.at.projects(f.admin)).write.createProject(["ipfs://b"]);
      const pm = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
      await pm.write.fundProject([2n], { value: parseEther("1") });
      const op = await signOp(first());
      // Swap the project id inside paymasterAndData (bytes 52..84) to 2.
      const pmd = op.paymasterAndData;
      op.paymasterAndData = `${pmd.slice(0, 2 + 104)}${(2n).toString(16).padStart(64, "0")}${pmd.slice(2 + 168)}` as Hex;
      op.signature = await subjectOwner.sign({ hash: (await entryPoint.read.getUserOpHash([op])) as Hex });
      const b = await paymaster.read.projectBalance([2n]);
      await refused(async () => op, /AA34/);
      assert.equal(await paymaster.read.projectBalance([2n]), b);
    });

    it("a call to a non-OneKey target", async () => {
      await refused(() => signOp(draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.addr(f.other), "0x12345678") })), /AA33/);
    });

    it("an allowed target with a disallowed selector (and a value transfer)", async () => {
      const createProject = encodeFunctionData({ abi: [{ type: "function", name: "version", inputs: [], outputs: [], stateMutability: "view" }], functionName: "version" });
      await refused(() => signOp(draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.records.address, createProject) })), /AA33/);
      await refused(() => signOp(draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.records.address, registerCall(1), 1n) })), /AA33/);
      await refused(() => signOp(draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.projects.address, "0x12345678") })), /AA33/);
    });

    it("an expired or not-yet-valid window", async () => {
      const now = Number(await f.now());
      await refused(() => signOp(first(), { validUntil: now - 1, validAfter: 0 }), /AA32/);
      await refused(() => signOp(first(), { validUntil: 0, validAfter: now + 3600 }), /AA32/);
    });

    it("a signature for another chain", async () => {
      await refused(() => signOp(first(), undefined, { chain: 1 }), /AA34/);
    });

    it("a signature by a non-SPONSOR, and by a SPONSOR of a suspended project", async () => {
      await refused(() => signOp(first(), undefined, { signer: privateKeyToAccount(ANVIL_KEYS[2]) }), /AA34/);
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      await refused(() => signOp(first()), /AA34/);
    });

    it("a project over budget, even while the paymaster holds other projects' money", async () => {
      const pm = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
      await (await f.at.projects(f.admin)).write.createProject(["ipfs://rich"]);
      await pm.write.fundProject([2n], { value: parseEther("1") });
      const balance = (await paymaster.read.projectBalance([projectId])) as bigint;
      await pm.write.withdrawFromProject([projectId, f.addr(f.admin), balance - 1000n]);
      await refused(() => signOp(first()), /AA33 reverted.*|ProjectBalanceTooLow|AA33/);
      assert.equal(await paymaster.read.projectBalance([2n]), parseEther("1"));
    });
  });

  describe("budgets", () => {
    it("anyone funds; only the project's ADMIN withdraws, within its balance", async () => {
      const asOther = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.other } });
      await f.viem.assertions.emitWithArgs(asOther.write.fundProject([projectId], { value: 5n }), paymaster, "ProjectFunded", [projectId, f.addr(f.other), 5n]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(asOther.write.withdrawFromProject([projectId, f.addr(f.other), 1n]), paymaster, "NotProjectAdmin", [projectId, f.addr(f.other)]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(asOther.write.fundProject([9n], { value: 1n }), paymaster, "UnknownProject", [9n]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(asOther.write.fundProject([projectId]), paymaster, "InvalidAmount", [0n]);
      const asAdmin = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
      const balance = (await paymaster.read.projectBalance([projectId])) as bigint;
      await f.viem.assertions.revertWithCustomErrorWithArgs(asAdmin.write.withdrawFromProject([projectId, f.addr(f.admin), balance + 1n]), paymaster, "InvalidAmount", [balance + 1n]);
      await f.viem.assertions.emitWithArgs(asAdmin.write.withdrawFromProject([projectId, f.addr(f.admin), balance]), paymaster, "ProjectWithdrawn", [projectId, f.addr(f.admin), balance]);
      assert.equal(await paymaster.read.projectBalance([projectId]), 0n);
    });

    it("nobody, not even the deployer, can pull deposits around the project accounting", async () => {
      const asDeployer = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.deployer } });
      await assert.rejects(asDeployer.write.withdrawTo([f.addr(f.deployer), 1n]));
      assert.equal((await paymaster.read.owner()).toLowerCase(), paymaster.address.toLowerCase());
    });

    it("decodes SimpleAccount call data", async () => {
      assert.equal(await paymaster.read.isSponsorable(["0x"]), true);
      assert.equal(await paymaster.read.isSponsorable([executeCall(f.records.address, registerCall(1))]), true);
      assert.equal(await paymaster.read.isSponsorable([executeCall(f.records.address, "0x")]), false);
      assert.equal(await paymaster.read.isSponsorable(["0xb61d27f6deadbeef"]), false);
      assert.equal(await paymaster.read.isSponsorable([executeBatchCall([])]), false);
      assert.equal(await paymaster.read.version(), "1.0.0");
      void toHex;
    });
  });
});
