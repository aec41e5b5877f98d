// @onekey/sdk/aa — smart accounts for any signer, and OneKey calls as sponsored user operations.
import {
  concat, encodeFunctionData, http, pad, toHex, type Account, type Address, type Chain, type Client, type Hex, type LocalAccount,
  type PublicClient, type Transport,
} from "viem";
import {
  createBundlerClient, createPaymasterClient, entryPoint08Abi, getUserOperationTypedData, toSmartAccount,
  type SmartAccount, type UserOperation,
} from "viem/account-abstraction";
import { BaseError } from "../errors.ts";

/** A syntactically valid ECDSA signature for gas estimation (recovers to an unrelated address). */
export const STUB_SIGNATURE: Hex = `0x${"f".repeat(31)}${"0".repeat(33)}7${"a".repeat(63)}1c`;

export const ENTRY_POINT_V08: Address = "0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108";

const accountAbi = [
  { type: "function", name: "execute", inputs: [{ name: "target", type: "address" }, { name: "value", type: "uint256" }, { name: "data", type: "bytes" }], outputs: [], stateMutability: "nonpayable" },
  {
    type: "function", name: "executeBatch", stateMutability: "nonpayable", outputs: [],
    inputs: [{ name: "calls", type: "tuple[]", components: [{ name: "target", type: "address" }, { name: "value", type: "uint256" }, { name: "data", type: "bytes" }] }],
  },
] as const;
const factoryAbi = [
  { type: "function", name: "createAccount", inputs: [{ name: "owner", type: "address" }, { name: "salt", type: "uint256" }], outputs: [{ type: "address" }], stateMutability: "nonpayable" },
  { type: "function", name: "getAddress", inputs: [{ name: "owner", type: "address" }, { name: "salt", type: "uint256" }], outputs: [{ type: "address" }], stateMutability: "view" },
] as const;

export type ToOneKeyAccountParameters = {
  client: Client<Transport, Chain | undefined>;
  /** Any viem account: a local key, or a JSON-RPC/EIP-1193 account (e.g. an embedded wallet). */
  owner: LocalAccount | Account;
  factory: Address;
  salt?: bigint;
  entryPoint?: Address;
};

/**
 * A SimpleAccount (v0.8) controlled by `owner`. The user-operation signature is EIP-712 typed
 * data, so any wallet that signs typed data can own one.
 */
export async function toOneKeyAccount(p: ToOneKeyAccountParameters): Promise<SmartAccount> {
  const salt = p.salt ?? 0n;
  const entryPoint = { abi: entryPoint08Abi, address: p.entryPoint ?? ENTRY_POINT_V08, version: "0.8" as const };
  const owner = p.owner;
  const factoryData = encodeFunctionData({ abi: factoryAbi, functionName: "createAccount", args: [owner.address, salt] });
  const { readContract } = await import("viem/actions");
  const address = await readContract(p.client, { address: p.factory, abi: factoryAbi, functionName: "getAddress", args: [owner.address, salt] });
  const signTypedData = async (typedData: Parameters<NonNullable<LocalAccount["signTypedData"]>>[0]) => {
    if ("signTypedData" in owner && owner.signTypedData) return owner.signTypedData(typedData as never);
    const { signTypedData: viaClient } = await import("viem/actions");
    return viaClient(p.client as never, { account: owner, ...(typedData as object) } as never);
  };
  return toSmartAccount({
    client: p.client as never,
    entryPoint,
    async encodeCalls(calls) {
      if (calls.length === 1) {
        return encodeFunctionData({ abi: accountAbi, functionName: "execute", args: [calls[0].to, calls[0].value ?? 0n, calls[0].data ?? "0x"] });
      }
      return encodeFunctionData({ abi: accountAbi, functionName: "executeBatch", args: [calls.map((c) => ({ target: c.to, value: c.value ?? 0n, data: c.data ?? "0x" }))] });
    },
    async getAddress() {
      return address;
    },
    async getFactoryArgs() {
      return { factory: p.factory, factoryData };
    },
    // One sequential nonce key (0): a fresh key per operation would write a new EntryPoint slot
    // (~20k gas) every time.
    async getNonce() {
      return readContract(p.client, { address: entryPoint.address, abi: entryPoint08Abi, functionName: "getNonce", args: [address, 0n] });
    },
    async getStubSignature() {
      // Well-formed (low s) so SimpleAccount's ECDSA.recover does not revert during estimation.
      return STUB_SIGNATURE;
    },
    async signMessage() {
      throw new BaseError("OneKey smart accounts do not sign messages; sign user operations only.");
    },
    async signTypedData() {
      throw new BaseError("OneKey smart accounts do not sign typed data; sign user operations only.");
    },
    async signUserOperation(userOperation) {
      const chainId = p.client.chain?.id ?? (await (await import("viem/actions")).getChainId(p.client));
      const typedData = getUserOperationTypedData({
        chainId,
        entryPointAddress: entryPoint.address,
        userOperation: { ...userOperation, sender: address } as UserOperation<"0.8">,
      });
      return signTypedData(typedData as never);
    },
  });
}

export type SponsoredClientParameters = {
  account: SmartAccount;
  publicClient: PublicClient;
  bundlerUrl: string;
  /** An ERC-7677 paymaster service (scripts/aa/sponsor-service.ts locally). */
  paymasterUrl: string;
  projectId: bigint;
  /** How often receipts are polled (ms); default 250. */
  pollingInterval?: number;
};

/** A bundler client whose user operations are sponsored by `projectId` through ERC-7677. */
export function createSponsoredClient(p: SponsoredClientParameters) {
  return createBundlerClient({
    account: p.account,
    client: p.publicClient,
    transport: http(p.bundlerUrl),
    paymaster: createPaymasterClient({ transport: http(p.paymasterUrl) }),
    paymasterContext: { projectId: toHex(p.projectId) },
    pollingInterval: p.pollingInterval ?? 250,
    userOperation: {
      // Local chains: the node's own fee suggestion, so tests never depend on a gas oracle.
      async estimateFeesPerGas() {
        const fees = await p.publicClient.estimateFeesPerGas();
        return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
      },
    },
  });
}

export type Call = { to: Address; data: Hex; value?: bigint };

/**
 * What the project will be charged for a user operation at most (maxCost) and, after it ran, what
 * it was charged (from the paymaster's UserOperationSponsored event).
 */
export function maxSponsoredCost(op: {
  callGasLimit: bigint; verificationGasLimit: bigint; preVerificationGas: bigint;
  paymasterVerificationGasLimit?: bigint; paymasterPostOpGasLimit?: bigint; maxFeePerGas: bigint;
}): bigint {
  const gas = op.callGasLimit + op.verificationGasLimit + op.preVerificationGas + (op.paymasterVerificationGasLimit ?? 0n) + (op.paymasterPostOpGasLimit ?? 0n);
  return gas * op.maxFeePerGas;
}

/** paymasterData for OneKeyPaymaster: projectId | validUntil | validAfter | signature. */
export function encodePaymasterData(projectId: bigint, validUntil: number, validAfter: number, signature: Hex): Hex {
  return concat([pad(toHex(projectId), { size: 32 }), pad(toHex(validUntil), { size: 6 }), pad(toHex(validAfter), { size: 6 }), signature]);
}

export type SendSponsoredParameters = {
  calls: Call[];
  /** Headroom over the node's estimate of the calls (default 30%). */
  headroomPercent?: bigint;
};

/**
 * Gas limits for a sponsored SimpleAccount operation, estimated from the calls themselves (with
 * the account as sender) instead of the bundler's estimation, whose simulation does not run this
 * paymaster's validation against local nodes. Unused gas is not charged to the project beyond
 * EntryPoint's penalty, so the headroom is modest.
 */
export async function estimateSponsoredGas(publicClient: PublicClient, account: SmartAccount, calls: Call[], headroomPercent = 30n) {
  const deployed = ((await publicClient.getCode({ address: account.address })) ?? "0x") !== "0x";
  let execution = 0n;
  for (const call of calls) {
    execution += await publicClient.estimateGas({ account: account.address, to: call.to, data: call.data, value: call.value ?? 0n });
  }
  const withHeadroom = (g: bigint) => (g * (100n + headroomPercent)) / 100n;
  return {
    callGasLimit: withHeadroom(execution) + 20_000n * BigInt(calls.length),
    verificationGasLimit: deployed ? 120_000n : 450_000n,
    preVerificationGas: 80_000n,
    paymasterVerificationGasLimit: 250_000n,
    paymasterPostOpGasLimit: 100_000n,
  };
}

/** Sends OneKey calls as one sponsored user operation and waits for its receipt. */
export async function sendSponsored(
  bundler: ReturnType<typeof createSponsoredClient>,
  publicClient: PublicClient,
  p: SendSponsoredParameters,
) {
  const account = bundler.account as SmartAccount;
  const gas = await estimateSponsoredGas(publicClient, account, p.calls, p.headroomPercent);
  const hash = await bundler.sendUserOperation({ calls: p.calls.map((c) => ({ to: c.to, data: c.data, value: c.value ?? 0n })), ...gas });
  return bundler.waitForUserOperationReceipt({ hash });
}

/** A `CallSender` for the SDK's actions and flows: every write becomes one sponsored user operation. */
export function smartAccountSender(bundler: ReturnType<typeof createSponsoredClient>, publicClient: PublicClient) {
  const account = bundler.account as SmartAccount;
  return {
    address: account.address,
    async send(call: Call) {
      const receipt = await sendSponsored(bundler, publicClient, { calls: [call] });
      if (!receipt.success) throw new BaseError(`Sponsored user operation ${receipt.userOpHash} reverted.`);
      return receipt.receipt;
    },
  };
}
