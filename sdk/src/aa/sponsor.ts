// Sponsored user operations: a bundler client whose paymaster is an ERC-7677 sponsor service, gas
// and cost estimation, sending, and the project budget in the paymaster.
import {
  decodeErrorResult,
  http,
  toHex,
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hex,
  type LocalAccount,
  type Log,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import {
  createBundlerClient,
  createPaymasterClient,
  estimateUserOperationGas,
  prepareUserOperation,
  sendUserOperation,
  waitForUserOperationReceipt,
  type PaymasterClient,
  type SmartAccount,
  type UserOperationReceipt,
} from "viem/account-abstraction";
import { estimateFeesPerGas, estimateGas, getCode, prepareAuthorization, readContract, writeContract, waitForTransactionReceipt } from "viem/actions";
import { oneKeyPaymasterAbi } from "../abis.ts";
import { BaseError } from "../errors.ts";
import {
  maxSponsoredCharge,
  maxSponsoredCost,
  sponsoredChargesIn,
  SponsoredOperationRevertedError,
  SponsorshipRefusedError,
  type SponsoredCharge,
  type SponsorRefusal,
} from "./paymaster.ts";
import type { SponsorshipTicket } from "./ticket.ts";

export type SponsoredCall = { to: Address; data: Hex; value?: bigint };

/** Any viem client that reads the chain (a PublicClient for `base`, `baseSepolia` or a local node). */
export type ReadClient = Client<Transport, Chain | undefined>;

/** The bundler refused the user operation (e.g. the paymaster's validation); nothing was charged. */
export class UserOperationRejectedError extends BaseError {
  override name = "UserOperationRejectedError";
  /** The EntryPoint code (AA3x = paymaster, AA2x = account) when the bundler gave one. */
  readonly code?: string;
  /** The paymaster's custom error, decoded, when validation reverted with one (e.g. "CallNotSponsored"). */
  readonly paymasterError?: string;
  constructor(message: string, cause: unknown) {
    const code = /\bAA\d\d\b/.exec(message)?.[0];
    const revert = /AA33 reverted (0x[0-9a-fA-F]{8,})/.exec(message)?.[1] as Hex | undefined;
    let paymasterError: string | undefined;
    if (revert) {
      try {
        paymasterError = decodeErrorResult({ abi: oneKeyPaymasterAbi, data: revert }).errorName;
      } catch {
        paymasterError = undefined;
      }
    }
    super(`The bundler rejected the user operation${code ? ` (${code}${paymasterError ? ` ${paymasterError}` : ""})` : ""}.`, {
      cause,
      details: message.slice(0, 500),
      docsPath: "paymaster.md#why-an-operation-is-refused",
    });
    this.code = code;
    this.paymasterError = paymasterError;
  }
}

export type CreateSponsoredClientParameters = {
  account: SmartAccount;
  publicClient: ReadClient;
  bundlerUrl: string;
  /** An ERC-7677 sponsor service (services/sponsor). */
  paymasterUrl: string;
  projectId: bigint;
  /** A ticket the project's backend signed for this account (signSponsorshipTicket); sent in the ERC-7677 context. */
  ticket?: SponsorshipTicket;
  /**
   * The project's API key with the sponsor scope, sent as `Authorization: Bearer`. For a project's
   * own backend (server to server) only: never ship an API key to a browser.
   */
  apiKey?: string;
  /** How often receipts are polled (ms); default 250. */
  pollingInterval?: number;
};
/**
 * A bundler client whose user operations are sponsored by `projectId` through ERC-7677. It works
 * with every SDK contract action (writes become sponsored user operations).
 */
export function createSponsoredClient(p: CreateSponsoredClientParameters) {
  const headers = p.apiKey ? { authorization: `Bearer ${p.apiKey}` } : undefined;
  const paymaster = createPaymasterClient({ transport: http(p.paymasterUrl, headers ? { fetchOptions: { headers } } : {}) });
  return createBundlerClient({
    account: p.account,
    client: p.publicClient,
    transport: http(p.bundlerUrl),
    paymaster,
    paymasterContext: { projectId: toHex(p.projectId), ...(p.ticket ? { ticket: p.ticket } : {}) },
    pollingInterval: p.pollingInterval ?? 250,
    userOperation: {
      // The node's own fee suggestion; the sponsor service caps fees near it.
      async estimateFeesPerGas() {
        const fees = await estimateFeesPerGas(p.publicClient);
        return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
      },
    },
  });
}
export type CreateSponsoredClientReturnType = ReturnType<typeof createSponsoredClient>;

/** Maps a failure anywhere in the send path to the SDK's named errors. */
export function toSponsorError(error: unknown): BaseError {
  if (error instanceof BaseError) return error;
  let current: unknown = error;
  while (current) {
    const data = (current as { data?: { reason?: unknown } }).data;
    if (data && typeof data === "object" && typeof data.reason === "string") {
      const message = (current as { details?: string; message?: string }).details ?? (current as Error).message;
      return new SponsorshipRefusedError(data.reason as SponsorRefusal, String(message).split("\n")[0], error);
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return new UserOperationRejectedError(error instanceof Error ? error.message : String(error), error);
}

export type EstimateSponsoredCostParameters = { calls: SponsoredCall[] };
export type EstimateSponsoredCostReturnType = {
  callGasLimit: bigint;
  verificationGasLimit: bigint;
  preVerificationGas: bigint;
  paymasterVerificationGasLimit: bigint;
  paymasterPostOpGasLimit: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** What validation reserves from the project's budget (the budget must hold at least this). */
  maxCost: bigint;
  /** The most the project can be charged; the real charge is lower by the gas left unused. */
  maxCharge: bigint;
};
export type EstimateSponsoredCostErrorType = SponsorshipRefusedError | UserOperationRejectedError;

/**
 * Gas limits (the bundler's estimate with the sponsor service's stub data) and what the operation
 * can cost the project. Asks the service only for stub data: nothing is signed or counted.
 */
export async function estimateSponsoredCost(
  bundler: CreateSponsoredClientReturnType,
  p: EstimateSponsoredCostParameters,
): Promise<EstimateSponsoredCostReturnType> {
  try {
    const account = bundler.account;
    const draft = await prepareUserOperation(bundler, { account, calls: p.calls, parameters: ["factory", "fees", "nonce", "signature"] });
    const chainId: number = bundler.chain?.id ?? Number(await bundler.client!.request({ method: "eth_chainId" }));
    const service = bundler.paymaster as { getPaymasterStubData: PaymasterClient["getPaymasterStubData"] };
    const stub = await service.getPaymasterStubData({
      ...draft,
      chainId,
      entryPointAddress: account.entryPoint.address,
      context: bundler.paymasterContext,
    });
    const gas = await estimateUserOperationGas(bundler, { account, calls: p.calls, ...stub });
    const priced = {
      callGasLimit: gas.callGasLimit,
      verificationGasLimit: gas.verificationGasLimit,
      preVerificationGas: gas.preVerificationGas,
      paymasterVerificationGasLimit: stub.paymasterVerificationGasLimit ?? 0n,
      paymasterPostOpGasLimit: stub.paymasterPostOpGasLimit ?? 0n,
      maxFeePerGas: (draft as { maxFeePerGas: bigint }).maxFeePerGas,
      maxPriorityFeePerGas: (draft as { maxPriorityFeePerGas: bigint }).maxPriorityFeePerGas,
    };
    return { ...priced, maxCost: maxSponsoredCost(priced), maxCharge: maxSponsoredCharge(priced) };
  } catch (error) {
    throw toSponsorError(error);
  }
}

export type SendSponsoredParameters = {
  calls: SponsoredCall[];
  /** Explicit gas limits (e.g. from estimateSponsoredGas, for a bundler that cannot simulate the paymaster); default: the bundler's estimate. */
  gas?: { callGasLimit: bigint; verificationGasLimit: bigint; preVerificationGas: bigint };
};
export type SendSponsoredReturnType = UserOperationReceipt & {
  /** What the project was charged (the paymaster's UserOperationSponsored event). */
  charge: SponsoredCharge;
  /** When the bundler accepted the operation (ms, performance.now()); for latency measurements. */
  submittedAt: number;
};
export type SendSponsoredErrorType = SponsorshipRefusedError | UserOperationRejectedError | SponsoredOperationRevertedError;

/**
 * The signed EIP-7702 authorisation a 7702 account's first operation carries (undefined for other
 * accounts and once delegated). viem estimates with a stub authorisation and leaves signing to us.
 */
async function authorizationFor(account: SmartAccount) {
  const auth = (account as { authorization?: { account: LocalAccount; address: Address } }).authorization;
  if (!auth?.account.signAuthorization || (await account.isDeployed())) return undefined;
  const prepared = await prepareAuthorization(account.client, { account: auth.account, address: auth.address });
  return auth.account.signAuthorization(prepared);
}

/** Sends calls as one sponsored user operation and waits for it; throws if its calls reverted. */
export async function sendSponsored(bundler: CreateSponsoredClientReturnType, p: SendSponsoredParameters): Promise<SendSponsoredReturnType> {
  let hash: Hex;
  try {
    const authorization = await authorizationFor(bundler.account);
    hash = await sendUserOperation(bundler, {
      account: bundler.account,
      calls: p.calls.map((c) => ({ ...c, value: c.value ?? 0n })),
      ...p.gas,
      ...(authorization ? { authorization } : {}),
    });
  } catch (error) {
    throw toSponsorError(error);
  }
  const submittedAt = performance.now();
  const receipt = await waitForUserOperationReceipt(bundler, { hash });
  if (!receipt.success) throw new SponsoredOperationRevertedError(hash, receipt.receipt.transactionHash);
  const charge = sponsoredChargesIn(receipt.logs as Log[]).find((c) => c.userOpHash === hash);
  if (!charge) throw new UserOperationRejectedError(`user operation ${hash} was not sponsored by a OneKeyPaymaster`, undefined);
  return { ...receipt, charge, submittedAt };
}

/**
 * Gas limits estimated by the node instead of the bundler (for bundlers whose simulation cannot
 * run this paymaster): each call's eth_estimateGas from the account, plus headroom.
 */
export async function estimateSponsoredGas(publicClient: ReadClient, account: SmartAccount, calls: SponsoredCall[], headroomPercent = 30n) {
  const deployed = ((await getCode(publicClient, { address: account.address })) ?? "0x") !== "0x";
  let execution = 0n;
  for (const call of calls) execution += await estimateGas(publicClient, { account: account.address, to: call.to, data: call.data, value: call.value ?? 0n });
  return {
    callGasLimit: (execution * (100n + headroomPercent)) / 100n + 20_000n * BigInt(calls.length),
    verificationGasLimit: deployed ? 120_000n : 450_000n,
    preVerificationGas: 80_000n,
  };
}

/** A CallSender for the SDK's actions and flows: every write is one sponsored user operation. */
export function smartAccountSender(bundler: CreateSponsoredClientReturnType) {
  const send = async (calls: SponsoredCall[]) => {
    const r = await sendSponsored(bundler, { calls });
    return { hash: r.receipt.transactionHash, receipt: r.receipt as TransactionReceipt, logs: r.logs as Log[], userOpHash: r.userOpHash };
  };
  return {
    address: bundler.account.address,
    send: (call: SponsoredCall) => send([call]),
    sendBatch: (calls: SponsoredCall[]) => send(calls),
  };
}

export type PaymasterParameters = { paymaster: Address; projectId: bigint };

/** The project's remaining budget in the paymaster (wei). */
export async function getProjectBalance(client: ReadClient, p: PaymasterParameters): Promise<bigint> {
  return readContract(client, { address: p.paymaster, abi: oneKeyPaymasterAbi, functionName: "projectBalance", args: [p.projectId] });
}

export type FundProjectParameters = PaymasterParameters & { value: bigint };

/** Adds `value` wei to the project's budget (anyone may fund a project). */
export async function fundProject(wallet: WalletClient<Transport, Chain, Account>, p: FundProjectParameters): Promise<TransactionReceipt> {
  const hash = await writeContract(wallet, {
    address: p.paymaster,
    abi: oneKeyPaymasterAbi,
    functionName: "fundProject",
    args: [p.projectId],
    value: p.value,
    account: wallet.account,
    chain: wallet.chain,
  });
  return waitForTransactionReceipt(wallet, { hash });
}

export type WithdrawFromProjectParameters = PaymasterParameters & { to: Address; amount: bigint };

/** Withdraws from the project's budget (the project's ADMIN only). */
export async function withdrawFromProject(wallet: WalletClient<Transport, Chain, Account>, p: WithdrawFromProjectParameters): Promise<TransactionReceipt> {
  const hash = await writeContract(wallet, {
    address: p.paymaster,
    abi: oneKeyPaymasterAbi,
    functionName: "withdrawFromProject",
    args: [p.projectId, p.to, p.amount],
    account: wallet.account,
    chain: wallet.chain,
  });
  return waitForTransactionReceipt(wallet, { hash });
}
