// OneKeyPaymaster against the real EntryPoint v0.8 and SimpleAccountFactory from
// @account-abstraction/contracts, on the in-process network; handleOps is sent by an EOA acting as
// the bundler. sdk/src/aa/aa.test.ts runs the same stories through alto on anvil.
import { describe, it, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  concat,
  encodeFunctionData,
  keccak256,
  numberToHex,
  pad,
  parseEther,
  parseEventLogs,
  toFunctionSelector,
  toHex,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { Roles } from "@onekey/sdk/contracts";
import { deployFixture, bytes32, type Fixture } from "../helpers/fixture.ts";
import { draftOp, executeBatchCall, executeCall, initCodeFor, GAS, sponsorshipTypes, type PackedUserOperation } from "../helpers/userops.ts";
import { ANVIL_KEYS } from "../../scripts/lib/anvil.ts";
import { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { PAYMASTER_PENALTY_THRESHOLD, POSTOP_OVERHEAD_GAS } from "@onekey/sdk/constants";

// What chargeOf adds for EntryPoint's penalty on unused postOp gas (see IOneKeyPaymaster.chargeOf).
const overheadGas = (postOpLimit: bigint) =>
  POSTOP_OVERHEAD_GAS + (postOpLimit > POSTOP_OVERHEAD_GAS + PAYMASTER_PENALTY_THRESHOLD ? (postOpLimit - POSTOP_OVERHEAD_GAS) / 10n : 0n);

async function deployAA(f: Fixture) {
  const entryPoint = await f.viem.deployContract("EntryPoint");
  const factory = (await f.viem.deployContract("SimpleAccountFactory", [entryPoint.address])).address;
  const paymaster = await f.viem.deployContract("OneKeyPaymaster", [
    entryPoint.address,
    f.projects.address,
    f.records.address,
    f.attestations.address,
    f.addr(f.deployer),
  ]);
  return { entryPoint, factory, paymaster };
}
type AA = Awaited<ReturnType<typeof deployAA>>;

type Sponsored = { charged: bigint; actualGasCost: bigint; projectId: bigint; sender: Address; userOpHash: Hex };
type OpEvent = { success: boolean; actualGasCost: bigint; actualGasUsed: bigint; userOpHash: Hex };

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

  type SignOptions = { signer?: PrivateKeyAccount; chain?: number; project?: bigint; postOpGas?: bigint; validUntil?: number; validAfter?: number };

  /** paymasterAndData with a sponsorship signed as told, then the owner's signature. */
  async function signOp(op: PackedUserOperation, o: SignOptions = {}) {
    const postOpGas = o.postOpGas ?? GAS.pmPostOp;
    const validUntil = o.validUntil ?? 0;
    const validAfter = o.validAfter ?? 0;
    const project = o.project ?? projectId;
    const signature = await (o.signer ?? sponsorKey).signTypedData({
      domain: { name: "OneKeyPaymaster", version: "1", chainId: o.chain ?? chainId, verifyingContract: paymaster.address },
      types: sponsorshipTypes,
      primaryType: "Sponsorship",
      message: {
        projectId: project,
        sender: op.sender,
        nonce: op.nonce,
        initCodeHash: keccak256(op.initCode),
        callDataHash: keccak256(op.callData),
        accountGasLimits: op.accountGasLimits,
        preVerificationGas: op.preVerificationGas,
        gasFees: op.gasFees,
        paymasterGasLimits: (GAS.pmValidation << 128n) | postOpGas,
        validUntil,
        validAfter,
      },
    });
    op.paymasterAndData = concat([
      paymaster.address,
      pad(toHex(GAS.pmValidation), { size: 16 }),
      pad(toHex(postOpGas), { size: 16 }),
      pad(toHex(project), { size: 32 }),
      pad(numberToHex(validUntil), { size: 6 }),
      pad(numberToHex(validAfter), { size: 6 }),
      signature,
    ]);
    op.signature = await subjectOwner.sign({ hash: (await entryPoint.read.getUserOpHash([op])) as Hex });
    return op;
  }

  const handleOps = async (ops: PackedUserOperation[]) => {
    const bundler = await f.viem.getContractAt("EntryPoint", entryPoint.address, { client: { wallet: f.other } });
    return bundler.write.handleOps([ops, f.addr(f.other)], { gas: 8_000_000n });
  };
  const run = async (...ops: PackedUserOperation[]) => f.publicClient.waitForTransactionReceipt({ hash: await handleOps(ops) });
  const events = (receipt: TransactionReceipt) => ({
    sponsored: parseEventLogs({ abi: paymaster.abi, logs: receipt.logs, eventName: "UserOperationSponsored" }).map((e) => e.args as unknown as Sponsored),
    ops: parseEventLogs({ abi: entryPoint.abi, logs: receipt.logs, eventName: "UserOperationEvent" }).map((e) => e.args as unknown as OpEvent),
  });
  // The fee per gas EntryPoint charges: min(maxFeePerGas, maxPriorityFeePerGas + basefee).
  const feeIn = async (receipt: TransactionReceipt) => {
    const { baseFeePerGas } = await f.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const fee = GAS.maxPriority + (baseFeePerGas ?? 0n);
    return fee < GAS.maxFee ? fee : GAS.maxFee;
  };
  const balanceOf = async (id = projectId) => (await paymaster.read.projectBalance([id])) as bigint;
  const depositOf = async () => (await entryPoint.read.balanceOf([paymaster.address])) as bigint;
  const nonceOf = async (a: Address) => (await entryPoint.read.getNonce([a, 0n])) as bigint;
  const first = () =>
    draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.records.address, registerCall(1)) });

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

  it("sponsors a zero-ETH subject: deploys its account, registers, grants and revokes; the project pays exactly the formula", async () => {
    assert.equal(await f.publicClient.getBalance({ address: sender }), 0n);
    const recordId = keccak256(`0x${sender.slice(2).toLowerCase().padStart(64, "0")}${bytes32(1).slice(2)}` as Hex);
    const grantee = `0x${f.addr(f.reviewer).slice(2).toLowerCase().padStart(64, "0")}` as Hex;
    const grantData = encodeFunctionData({
      abi: recordRegistryAbi,
      functionName: "grant",
      args: [recordId, grantee, 0, 2n ** 40n, 1n, `0x${"ab".repeat(80)}`],
    });
    const revokeData = encodeFunctionData({ abi: recordRegistryAbi, functionName: "revoke", args: [recordId, grantee] });

    for (const make of [
      first,
      async () => draftOp({ sender, nonce: await nonceOf(sender), callData: executeCall(f.records.address, grantData) }),
      async () => draftOp({ sender, nonce: await nonceOf(sender), callData: executeCall(f.records.address, revokeData) }),
    ]) {
      const before = await balanceOf();
      const depositBefore = await depositOf();
      const op = await signOp(await make());
      const receipt = await run(op);
      const {
        sponsored: [s],
        ops: [e],
      } = events(receipt);
      assert.equal(e.success, true);
      assert.equal(s.projectId, projectId);
      assert.equal(s.sender, sender);
      assert.equal(s.userOpHash, e.userOpHash);
      assert.equal(before - (await balanceOf()), s.charged, "the balance drops by the charge");
      assert.equal(s.charged, s.actualGasCost + overheadGas(GAS.pmPostOp) * (await feeIn(receipt)), "charge = actualGasCost + overhead × fee");
      assert.equal(s.charged, await paymaster.read.chargeOf([s.actualGasCost, await feeIn(receipt), GAS.pmPostOp]));
      // EntryPoint takes its (final) actualGasCost from the deposit; the project never pays less.
      assert.equal(depositBefore - (await depositOf()), e.actualGasCost);
      assert.ok(s.charged >= e.actualGasCost, "the project covers the paymaster's real cost");
    }
    assert.equal((await f.records.read.getRecord([recordId])).owner, sender);
    assert.equal((await f.records.read.getGrant([recordId, grantee])).revoked, true);
    assert.equal(await f.publicClient.getBalance({ address: sender }), 0n, "the subject never needed ETH");
  });

  it("POSTOP_OVERHEAD_GAS keeps the margin the charge formula needs (measured postOp + 4,445 gas)", async () => {
    // With the postOp limit at the overhead, EntryPoint adds no penalty: what it takes beyond
    // postOp's actualGasCost is exactly the postOp gas it measured.
    await run(await signOp(first()));
    const receipt = await run(
      await signOp(draftOp({ sender, nonce: 1n, callData: executeCall(f.records.address, registerCall(2)) }), { postOpGas: POSTOP_OVERHEAD_GAS }),
    );
    const {
      sponsored: [s],
      ops: [e],
    } = events(receipt);
    const measured = (e.actualGasCost - s.actualGasCost) / (await feeIn(receipt));
    assert.ok(measured > 0n && measured + 4_445n <= POSTOP_OVERHEAD_GAS, `postOp measured ${measured} gas`);
    assert.equal(await paymaster.read.POSTOP_OVERHEAD_GAS(), POSTOP_OVERHEAD_GAS);
  });

  it("a large postOp gas limit: EntryPoint's unused-gas penalty is charged to the project, not to the other projects", async () => {
    await run(await signOp(first()));
    for (const postOpGas of [POSTOP_OVERHEAD_GAS + 40_001n, 400_000n, 3_000_000n]) {
      const depositBefore = await depositOf();
      const before = await balanceOf();
      const receipt = await run(
        await signOp(draftOp({ sender, nonce: await nonceOf(sender), callData: executeCall(f.records.address, registerCall(Number(postOpGas))) }), {
          postOpGas,
        }),
      );
      const {
        sponsored: [s],
        ops: [e],
      } = events(receipt);
      assert.equal(before - (await balanceOf()), s.charged);
      assert.equal(s.charged, s.actualGasCost + overheadGas(postOpGas) * (await feeIn(receipt)));
      assert.equal(depositBefore - (await depositOf()), e.actualGasCost);
      assert.ok(s.charged >= e.actualGasCost, `postOp limit ${postOpGas}: charged ${s.charged} < EntryPoint took ${e.actualGasCost}`);
    }
  });

  it("several operations of one project in one bundle cannot overdraw its budget (maxCost is reserved at validation)", async () => {
    const owners = [privateKeyToAccount(generatePrivateKey()), privateKeyToAccount(generatePrivateKey())];
    const fa = await f.viem.getContractAt("SimpleAccountFactory", factory);
    const ops: PackedUserOperation[] = [];
    for (const [i, owner] of owners.entries()) {
      const s = (await fa.read.getAddress([owner.address, 0n])) as Address;
      const op = draftOp({
        sender: s,
        nonce: 0n,
        initCode: initCodeFor(factory, owner.address),
        callData: executeCall(f.records.address, registerCall(10 + i)),
      });
      await signOp(op);
      op.signature = await owner.sign({ hash: (await entryPoint.read.getUserOpHash([op])) as Hex });
      ops.push(op);
    }
    const maxCost = (GAS.verification + GAS.call + GAS.preVerification + GAS.pmValidation + GAS.pmPostOp) * GAS.maxFee;
    const pm = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
    // Another project's money keeps EntryPoint's own deposit check (AA31) out of the way.
    await (await f.at.projects(f.admin)).write.createProject(["ipfs://other"]);
    await pm.write.fundProject([2n], { value: parseEther("1") });
    await pm.write.withdrawFromProject([projectId, f.addr(f.admin), (await balanceOf()) - (maxCost + maxCost / 2n)]);
    const before = await balanceOf();
    const depositBefore = await depositOf();
    const tooLow = toFunctionSelector("ProjectBalanceTooLow(uint256,uint256,uint256)");
    await assert.rejects(handleOps(ops), (e: Error) => e.message.includes("AA33") && e.message.includes(tooLow.slice(2)));
    assert.equal(await balanceOf(), before);
    assert.equal(await depositOf(), depositBefore);
    await run(ops[0]); // either one alone fits
  });

  describe("drain attempts are refused and the balance is unchanged", () => {
    const refused = async (make: () => Promise<PackedUserOperation>, reason: RegExp) => {
      const before = await balanceOf();
      const deposit = await depositOf();
      await assert.rejects(async () => handleOps([await make()]), reason);
      assert.equal(await balanceOf(), before);
      assert.equal(await depositOf(), deposit);
    };
    const aa33 = (error: string) => new RegExp(`AA33 reverted.*${toFunctionSelector(error).slice(2)}`, "s");

    it("replayed sponsorship (same paymaster data on the next nonce)", async () => {
      const op = await signOp(first());
      await handleOps([op]);
      const next = draftOp({ sender, nonce: await nonceOf(sender), callData: executeCall(f.records.address, registerCall(2)) });
      next.paymasterAndData = op.paymasterAndData;
      next.signature = await subjectOwner.sign({ hash: (await entryPoint.read.getUserOpHash([next])) as Hex });
      await refused(async () => next, /AA34/);
      // and the very same operation again: EntryPoint's nonce refuses it before the paymaster
      await refused(async () => op, /AA10|AA25/);
    });

    it("a sponsorship of project A presented for project B", async () => {
      await (await f.at.projects(f.admin)).write.createProject(["ipfs://b"]);
      const pm = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
      await pm.write.fundProject([2n], { value: parseEther("1") });
      const op = await signOp(first());
      // Swap the project id inside paymasterAndData (bytes 52..84) to 2.
      const pmd = op.paymasterAndData;
      op.paymasterAndData = `${pmd.slice(0, 2 + 104)}${2n.toString(16).padStart(64, "0")}${pmd.slice(2 + 168)}` as Hex;
      op.signature = await subjectOwner.sign({ hash: (await entryPoint.read.getUserOpHash([op])) as Hex });
      const b = await balanceOf(2n);
      await refused(async () => op, /AA34/);
      assert.equal(await balanceOf(2n), b);
    });

    it("a call to a non-OneKey target", async () => {
      await refused(
        () =>
          signOp(draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData: executeCall(f.addr(f.other), "0x12345678") })),
        aa33("CallNotSponsored(address)"),
      );
    });

    it("an allowed target with a disallowed selector, a value transfer, or createProject", async () => {
      const version = toFunctionSelector("version()");
      const createProject = encodeFunctionData({ abi: projectRegistryAbi, functionName: "createProject", args: ["ipfs://x"] });
      for (const callData of [
        executeCall(f.records.address, version),
        executeCall(f.records.address, registerCall(1), 1n),
        executeCall(f.projects.address, createProject),
        executeBatchCall([
          { target: f.records.address, data: registerCall(1) },
          { target: f.attestations.address, data: version },
        ]),
      ]) {
        await refused(
          () => signOp(draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, subjectOwner.address), callData })),
          aa33("CallNotSponsored(address)"),
        );
      }
    });

    it("an expired or not-yet-valid window", async () => {
      const now = Number(await f.now());
      await refused(() => signOp(first(), { validUntil: now - 1 }), /AA32/);
      await refused(() => signOp(first(), { validAfter: now + 3600 }), /AA32/);
    });

    it("a signature for another chain or another paymaster", async () => {
      await refused(() => signOp(first(), { chain: 1 }), /AA34/);
      const other = await f.viem.deployContract("OneKeyPaymaster", [
        entryPoint.address,
        f.projects.address,
        f.records.address,
        f.attestations.address,
        f.addr(f.deployer),
      ]);
      await refused(async () => {
        const op = await signOp(first());
        // signed for `paymaster`, presented to `other` (same project and balance there)
        op.paymasterAndData = `${other.address}${op.paymasterAndData.slice(42)}` as Hex;
        op.signature = await subjectOwner.sign({ hash: (await entryPoint.read.getUserOpHash([op])) as Hex });
        const pm = await f.viem.getContractAt("OneKeyPaymaster", other.address, { client: { wallet: f.admin } });
        await pm.write.fundProject([projectId], { value: parseEther("1") });
        return op;
      }, /AA34/);
    });

    it("a signature by a non-SPONSOR, by a SPONSOR of a suspended project, and by a revoked SPONSOR", async () => {
      await refused(() => signOp(first(), { signer: privateKeyToAccount(ANVIL_KEYS[2]) }), /AA34/);
      const p = await f.at.projects(f.admin);
      await p.write.suspend([projectId]);
      await refused(() => signOp(first()), /AA34/);
      await p.write.resume([projectId]);
      await p.write.revokeRoles([projectId, f.addr(f.sponsor), Roles.SPONSOR]);
      await refused(() => signOp(first()), /AA34/);
    });

    it("a project over budget, even while the paymaster holds other projects' money", async () => {
      const pm = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
      await (await f.at.projects(f.admin)).write.createProject(["ipfs://rich"]);
      await pm.write.fundProject([2n], { value: parseEther("1") });
      await pm.write.withdrawFromProject([projectId, f.addr(f.admin), (await balanceOf()) - 1000n]);
      await refused(() => signOp(first()), aa33("ProjectBalanceTooLow(uint256,uint256,uint256)"));
      assert.equal(await balanceOf(2n), parseEther("1"));
    });

    it("a postOp gas limit too low to settle, and malformed paymaster data", async () => {
      await refused(() => signOp(first(), { postOpGas: POSTOP_OVERHEAD_GAS - 1n }), aa33("PostOpGasLimitTooLow(uint256,uint256)"));
      await refused(async () => {
        const op = await signOp(first());
        op.paymasterAndData = op.paymasterAndData.slice(0, -2) as Hex;
        op.signature = await subjectOwner.sign({ hash: (await entryPoint.read.getUserOpHash([op])) as Hex });
        return op;
      }, aa33("MalformedPaymasterData(uint256)"));
    });
  });

  describe("budgets", () => {
    it("anyone funds; only the project's ADMIN withdraws, within its balance", async () => {
      const asOther = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.other } });
      await f.viem.assertions.emitWithArgs(asOther.write.fundProject([projectId], { value: 5n }), paymaster, "ProjectFunded", [projectId, f.addr(f.other), 5n]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(asOther.write.withdrawFromProject([projectId, f.addr(f.other), 1n]), paymaster, "NotProjectAdmin", [
        projectId,
        f.addr(f.other),
      ]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(asOther.write.fundProject([9n], { value: 1n }), paymaster, "UnknownProject", [9n]);
      await f.viem.assertions.revertWithCustomErrorWithArgs(asOther.write.fundProject([projectId]), paymaster, "InvalidAmount", [0n]);
      const asAdmin = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
      const balance = await balanceOf();
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        asAdmin.write.withdrawFromProject([projectId, f.addr(f.admin), balance + 1n]),
        paymaster,
        "InvalidAmount",
        [balance + 1n],
      );
      await f.viem.assertions.revertWithCustomErrorWithArgs(asAdmin.write.withdrawFromProject([projectId, f.addr(f.admin), 0n]), paymaster, "InvalidAmount", [
        0n,
      ]);
      const adminEth = await f.publicClient.getBalance({ address: f.addr(f.reviewerB) });
      await f.viem.assertions.emitWithArgs(asAdmin.write.withdrawFromProject([projectId, f.addr(f.reviewerB), balance]), paymaster, "ProjectWithdrawn", [
        projectId,
        f.addr(f.reviewerB),
        balance,
      ]);
      assert.equal(await f.publicClient.getBalance({ address: f.addr(f.reviewerB) }), adminEth + balance);
      assert.equal(await balanceOf(), 0n);
    });

    it("a suspended project's ADMIN can still withdraw", async () => {
      await (await f.at.projects(f.admin)).write.suspend([projectId]);
      const asAdmin = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.admin } });
      await asAdmin.write.withdrawFromProject([projectId, f.addr(f.admin), 1n]);
      assert.equal(await balanceOf(), parseEther("1") - 1n);
    });

    it("nobody, not even the deployer, can pull deposits around the project accounting", async () => {
      const asDeployer = await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.deployer } });
      await assert.rejects(asDeployer.write.withdrawTo([f.addr(f.deployer), 1n]));
      await f.viem.assertions.revertWithCustomErrorWithArgs(
        (await f.viem.getContractAt("OneKeyPaymaster", paymaster.address, { client: { wallet: f.other } })).write.unlockProtocolStake(),
        paymaster,
        "NotStakeManager",
        [f.addr(f.other)],
      );
      assert.equal((await paymaster.read.owner()).toLowerCase(), paymaster.address.toLowerCase());
    });
  });

  describe("call data policy (isSponsorable)", () => {
    const sponsorable = async (callData: Hex) => paymaster.read.isSponsorable([callData]) as Promise<boolean>;

    it("accepts canonical execute/executeBatch into allowed registry functions, and deployment-only ops", async () => {
      const attest = encodeFunctionData({ abi: attestationRegistryAbi, functionName: "attest", args: [1n, f.addr(f.subject), 2, 2n ** 40n, 0, bytes32(1)] });
      const share = encodeFunctionData({ abi: projectRegistryAbi, functionName: "shareReviewKey", args: [1n, f.addr(f.reviewer), "0xabcd"] });
      assert.equal(await sponsorable("0x"), true);
      assert.equal(await sponsorable(executeCall(f.records.address, registerCall(1))), true);
      assert.equal(await sponsorable(executeCall(f.attestations.address, attest)), true);
      assert.equal(await sponsorable(executeCall(f.projects.address, share)), true);
      assert.equal(await sponsorable(executeBatchCall(Array.from({ length: 16 }, () => ({ target: f.records.address, data: registerCall(1) })))), true);
      assert.equal(await paymaster.read.isAllowedCall([f.records.address, toFunctionSelector("grant(bytes32,bytes32,uint8,uint64,uint64,bytes)")]), true);
      assert.equal(await paymaster.read.version(), "1.1.0");
    });

    it("refuses empty inner calls, empty or oversized batches, and short or foreign call data", async () => {
      assert.equal(await sponsorable(executeCall(f.records.address, "0x")), false);
      assert.equal(await sponsorable(executeCall(f.records.address, "0xd47db8")), false);
      assert.equal(await sponsorable("0xb61d27f6deadbeef"), false);
      assert.equal(await sponsorable("0xb61d27"), false);
      assert.equal(await sponsorable(executeBatchCall([])), false);
      assert.equal(await sponsorable(executeBatchCall(Array.from({ length: 17 }, () => ({ target: f.records.address, data: registerCall(1) })))), false);
      assert.equal(await sponsorable(`0x12345678${executeCall(f.records.address, registerCall(1)).slice(10)}`), false);
    });

    it("refuses non-canonical encodings the account would still decode (moved offsets, dirty address bits, trailing bytes)", async () => {
      const canonical = executeCall(f.records.address, registerCall(1));
      const head = canonical.slice(0, 10);
      const words = canonical.slice(10).match(/.{64}/g)!;
      // data offset moved from 0x60 to 0x80 with a padding word in between
      const moved = `${head}${words[0]}${words[1]}${(0x80).toString(16).padStart(64, "0")}${"0".repeat(64)}${words.slice(3).join("")}` as Hex;
      const dirty = `${head}${"f".repeat(24)}${words[0].slice(24)}${words.slice(1).join("")}` as Hex;
      assert.equal(await sponsorable(moved), false);
      assert.equal(await sponsorable(dirty), false);
      assert.equal(await sponsorable(`${canonical}${"00".repeat(32)}`), false);
      assert.equal(await sponsorable(canonical.slice(0, -64) as Hex), false);
      // a batch whose array offset is moved
      const batch = executeBatchCall([{ target: f.records.address, data: registerCall(1) }]);
      const moved2 = `${batch.slice(0, 10)}${(0x40).toString(16).padStart(64, "0")}${"0".repeat(64)}${batch.slice(10 + 64)}` as Hex;
      assert.equal(await sponsorable(batch), true);
      assert.equal(await sponsorable(moved2), false);
    });
  });
});
