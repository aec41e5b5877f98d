// Sponsored user operations through a real bundler (alto) on a real anvil, with the canonical
// EntryPoint v0.8 and the ERC-7677 sponsor service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPublicClient, createWalletClient, encodeFunctionData, http, keccak256, parseEther, parseEventLogs, toFunctionSelector, toHex,
  type Address, type PublicClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startLocalAA, CANONICAL_ENTRY_POINT_V08, type LocalAA } from "../../../scripts/aa/local.ts";
import { oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi, entryPointAbi } from "../abis.ts";
import { createSponsoredClient, sendSponsored, toOneKeyAccount, estimateSponsoredGas } from "./index.ts";
import { accountGrantee, computeRecordId } from "../contracts/actions.ts";
import { draftOp, executeCall, GAS, initCodeFor, sponsor } from "../../../test/helpers/userops.ts";

describe("sponsored user operations via alto", () => {
  let anvil: Anvil;
  let aa: LocalAA;
  let publicClient: PublicClient;
  let oneKey: OneKeyDeployment;
  let logs: string;
  const wallet = (i: number) => createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) });
  const send = async (i: number, address: Address, abi: readonly unknown[], functionName: string, args: unknown[], value?: bigint) => {
    const hash = await wallet(i).writeContract({ address, abi, functionName, args, value } as never);
    return publicClient.waitForTransactionReceipt({ hash });
  };
  const balance = (projectId: bigint) => publicClient.readContract({ address: aa.paymaster, abi: oneKeyPaymasterAbi, functionName: "projectBalance", args: [projectId] });

  beforeAll(async () => {
    logs = mkdtempSync(join(tmpdir(), "onekey-aa-"));
    anvil = await startAnvil();
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    oneKey = await deployOneKey(wallet(0), publicClient);
    aa = await startLocalAA({
      rpcUrl: anvil.rpcUrl, wallet: wallet(0), publicClient, oneKey, bundlerPort: await freePort(), sponsorPort: await freePort(),
      executorKey: ANVIL_KEYS[8], utilityKey: ANVIL_KEYS[9], sponsorKey: ANVIL_KEYS[4], logsDir: logs,
    });
    await send(1, oneKey.projectRegistry, projectRegistryAbi, "createProject", ["ipfs://p1"]);
    await send(1, oneKey.projectRegistry, projectRegistryAbi, "grantRoles", [1n, privateKeyToAccount(ANVIL_KEYS[4]).address, 8]);
    await send(1, aa.paymaster, oneKeyPaymasterAbi, "fundProject", [1n], parseEther("1"));
  }, 180_000);
  afterAll(async () => {
    await aa?.stop();
    await anvil?.stop();
    rmSync(logs, { recursive: true, force: true });
  });

  it("uses the canonical EntryPoint v0.8", async () => {
    expect(aa.entryPoint).toBe(CANONICAL_ENTRY_POINT_V08);
    expect(await publicClient.getCode({ address: CANONICAL_ENTRY_POINT_V08 })).not.toBe("0x");
  });

  it("a zero-ETH subject deploys its account, registers, grants and revokes; the project pays exactly the charges", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const account = await toOneKeyAccount({ client: publicClient, owner, factory: aa.factory });
    const bundler = createSponsoredClient({ account, publicClient, bundlerUrl: aa.bundlerUrl, paymasterUrl: aa.sponsorUrl, projectId: 1n });
    expect(await publicClient.getBalance({ address: account.address })).toBe(0n);
    const salt = keccak256(toHex("aa-record"));
    const recordId = computeRecordId(account.address, salt);
    const grantee = accountGrantee(privateKeyToAccount(ANVIL_KEYS[2]).address);
    const steps = [
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "registerRecord", args: [salt, keccak256(toHex("s")), keccak256(toHex("c")), keccak256(toHex("m")), 1, 0] }),
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [recordId, grantee, 0, 2n ** 40n, 1n, `0x${"ab".repeat(80)}`] }),
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "revoke", args: [recordId, grantee] }),
    ];
    for (const data of steps) {
      const before = await balance(1n);
      const depositBefore = await publicClient.readContract({ address: aa.entryPoint, abi: entryPointAbi, functionName: "balanceOf", args: [aa.paymaster] });
      const receipt = await sendSponsored(bundler, publicClient, { calls: [{ to: oneKey.recordRegistry, data }] });
      expect(receipt.success).toBe(true);
      const [sponsored] = parseEventLogs({ abi: oneKeyPaymasterAbi, logs: receipt.logs, eventName: "UserOperationSponsored" });
      expect(sponsored.args.sender).toBe(account.address);
      expect(before - (await balance(1n))).toBe(sponsored.args.charged);
      const depositAfter = await publicClient.readContract({ address: aa.entryPoint, abi: entryPointAbi, functionName: "balanceOf", args: [aa.paymaster] });
      expect(depositBefore - depositAfter).toBe(receipt.actualGasCost);
      expect(sponsored.args.charged).toBeGreaterThanOrEqual(receipt.actualGasCost);
    }
    const record = await publicClient.readContract({ address: oneKey.recordRegistry, abi: recordRegistryAbi, functionName: "getRecord", args: [recordId] });
    expect(record.owner).toBe(account.address);
    expect((await publicClient.readContract({ address: oneKey.recordRegistry, abi: recordRegistryAbi, functionName: "getGrant", args: [recordId, grantee] })).revoked).toBe(true);
    expect(await publicClient.getBalance({ address: account.address })).toBe(0n);
  });

  it("the sponsor service refuses a call to a non-OneKey target, and the balance is unchanged", async () => {
    const account = await toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
    const bundler = createSponsoredClient({ account, publicClient, bundlerUrl: aa.bundlerUrl, paymasterUrl: aa.sponsorUrl, projectId: 1n });
    const before = await balance(1n);
    const call = { to: privateKeyToAccount(ANVIL_KEYS[7]).address, data: "0x12345678" as const };
    await expect(bundler.sendUserOperation({ calls: [call], ...(await estimateSponsoredGas(publicClient, account, [call])) }))
      .rejects.toThrow(/only OneKey registry calls are sponsored/);
    expect(await balance(1n)).toBe(before);
  });

  it("the sponsor service refuses projects its key cannot sponsor (unknown or suspended)", async () => {
    const account = await toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
    const data = encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [keccak256(toHex("k"))] });
    const call = { to: oneKey.recordRegistry, data };
    const gas = await estimateSponsoredGas(publicClient, account, [call]);
    const other = createSponsoredClient({ account, publicClient, bundlerUrl: aa.bundlerUrl, paymasterUrl: aa.sponsorUrl, projectId: 7n });
    await expect(other.sendUserOperation({ calls: [call], ...gas })).rejects.toThrow(/not an active SPONSOR/);
    await send(1, oneKey.projectRegistry, projectRegistryAbi, "suspend", [1n]);
    const before = await balance(1n);
    const suspended = createSponsoredClient({ account, publicClient, bundlerUrl: aa.bundlerUrl, paymasterUrl: aa.sponsorUrl, projectId: 1n });
    await expect(suspended.sendUserOperation({ calls: [call], ...gas })).rejects.toThrow(/not an active SPONSOR/);
    expect(await balance(1n)).toBe(before);
    await send(1, oneKey.projectRegistry, projectRegistryAbi, "resume", [1n]);
  });

  describe("drain attempts sent straight to alto (no sponsor service) are refused; the balance is unchanged", () => {
    const chainIdOf = () => publicClient.getChainId();
    // The paymaster's custom errors, as EntryPoint reports them from validation.
    const NOT_SPONSORED = new RegExp(`AA33 reverted ${toFunctionSelector("CallNotSponsored(address)")}`);
    const TOO_LOW = new RegExp(`AA33 reverted ${toFunctionSelector("ProjectBalanceTooLow(uint256,uint256,uint256)")}`);
    // Builds a v0.8 user op for a fresh account with paymaster data signed as the test says.
    async function craft(opts: {
      target?: Address; data?: `0x${string}`; signer?: `0x${string}`; chainId?: number; project?: bigint;
      validUntil?: number; validAfter?: number; swapProjectTo?: bigint;
    } = {}) {
      const owner = privateKeyToAccount(generatePrivateKey());
      const sender = await publicClient.readContract({
        address: aa.factory, abi: [{ type: "function", name: "getAddress", stateMutability: "view", inputs: [{ type: "address" }, { type: "uint256" }], outputs: [{ type: "address" }] }],
        functionName: "getAddress", args: [owner.address, 0n],
      });
      const callData = executeCall(opts.target ?? oneKey.recordRegistry, opts.data ?? encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [keccak256(toHex("k"))] }));
      const op = draftOp({ sender, nonce: 0n, initCode: initCodeFor(aa.factory, owner.address), callData });
      op.paymasterAndData = await sponsor(op, {
        projectId: opts.project ?? 1n, validUntil: opts.validUntil ?? 0, validAfter: opts.validAfter ?? 0, paymaster: aa.paymaster,
        chainId: opts.chainId ?? (await chainIdOf()), signer: privateKeyToAccount(opts.signer ?? ANVIL_KEYS[4]),
      });
      if (opts.swapProjectTo !== undefined) {
        const pmd = op.paymasterAndData;
        op.paymasterAndData = `${pmd.slice(0, 2 + 104)}${opts.swapProjectTo.toString(16).padStart(64, "0")}${pmd.slice(2 + 168)}` as `0x${string}`;
      }
      const hash = await publicClient.readContract({ address: aa.entryPoint, abi: entryPointAbi, functionName: "getUserOpHash", args: [op] });
      op.signature = await owner.sign({ hash });
      const unpacked = {
        sender: op.sender, nonce: toHex(op.nonce), factory: aa.factory, factoryData: `0x${op.initCode.slice(42)}`, callData: op.callData,
        callGasLimit: toHex(GAS.call), verificationGasLimit: toHex(GAS.verification), preVerificationGas: toHex(GAS.preVerification),
        maxFeePerGas: toHex(GAS.maxFee), maxPriorityFeePerGas: toHex(GAS.maxPriority),
        paymaster: aa.paymaster, paymasterVerificationGasLimit: toHex(GAS.pmValidation), paymasterPostOpGasLimit: toHex(GAS.pmPostOp),
        paymasterData: `0x${op.paymasterAndData.slice(2 + 104)}`, signature: op.signature,
      };
      return unpacked;
    }
    async function refused(op: Record<string, unknown>, reason: RegExp) {
      const before = await balance(1n);
      const res = await fetch(aa.bundlerUrl, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendUserOperation", params: [op, aa.entryPoint] }),
      });
      const body = (await res.json()) as { result?: unknown; error?: { message: string } };
      expect(body.result, "alto accepted the operation").toBeUndefined();
      expect(body.error?.message).toMatch(reason);
      await publicClient.request({ method: "evm_mine" as never, params: [] as never });
      expect(await balance(1n)).toBe(before);
    }

    it("a signature for another chain", async () => refused(await craft({ chainId: 1 }), /AA34 signature error/));
    it("a signature by a non-SPONSOR", async () => refused(await craft({ signer: ANVIL_KEYS[2] }), /AA34 signature error/));
    it("project A's sponsorship presented for project B", async () => {
      await send(1, oneKey.projectRegistry, projectRegistryAbi, "createProject", ["ipfs://p2"]);
      await refused(await craft({ swapProjectTo: 2n }), /AA34 signature error/);
    });
    it("a call to a non-OneKey target", async () => refused(await craft({ target: privateKeyToAccount(ANVIL_KEYS[7]).address, data: "0x12345678" }), NOT_SPONSORED));
    it("an allowed target with a disallowed selector", async () => refused(await craft({ data: "0x54fd4d50" }), NOT_SPONSORED));
    it("an expired window", async () => {
      const now = Number((await publicClient.getBlock()).timestamp);
      await refused(await craft({ validUntil: now - 10 }), /AA32 paymaster expired or not due/);
    });
    it("a project over budget", async () => {
      const all = await balance(1n);
      await send(1, aa.paymaster, oneKeyPaymasterAbi, "fundProject", [2n], parseEther("1"));
      await send(1, aa.paymaster, oneKeyPaymasterAbi, "withdrawFromProject", [1n, privateKeyToAccount(ANVIL_KEYS[1]).address, all - 1000n]);
      await refused(await craft(), TOO_LOW);
    });
  });
});
