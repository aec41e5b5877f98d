// How actions reach the chain: one client in (or the legacy bundle), addresses resolved per chain,
// reads decoded, writes simulated first (so reverts decode before anything is sent) and then sent
// by whichever sender fits: a wallet (EOA), a smart account through its bundler, or a CallSender.
import { type Account, type Address, type Client, type Hex, type TransactionReceipt } from "viem";
import { parseAccount } from "viem/accounts";
import { getChainId, readContract, simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
import { sendUserOperation, waitForUserOperationReceipt, type SmartAccount } from "viem/account-abstraction";
import { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { getAddresses, type OneKeyAddresses } from "../addresses.ts";
import { ChainMismatchError, ClientConfigError, ContractCallError, NoSignerError, TransactionRevertedError, decodeRevert } from "./errors.ts";
import type {
  CallSender, ClientInput, OneKeyCall, OneKeyClient, ReadParameters, RegistryName, TargetParameters, WriteParameters, WriteResult,
} from "./types.ts";

export const registryAbis = {
  projectRegistry: projectRegistryAbi,
  recordRegistry: recordRegistryAbi,
  attestationRegistry: attestationRegistryAbi,
} as const;

type Context = {
  reader: OneKeyClient;
  writer?: OneKeyClient;
  sender?: CallSender;
  addresses?: Partial<OneKeyAddresses>;
};

function contextOf(c: ClientInput): Context {
  if ("publicClient" in c && c.publicClient) {
    return { reader: c.publicClient as OneKeyClient, writer: c.walletClient as OneKeyClient | undefined, sender: c.sender, addresses: c.addresses };
  }
  const client = c as OneKeyClient & { type?: string; client?: OneKeyClient };
  if (client.type === "bundlerClient") {
    if (!client.client) throw new ClientConfigError("create the bundler client with `client: publicClient` so reads and simulations reach the chain");
    return { reader: client.client, writer: client };
  }
  return { reader: client, writer: client };
}

/** The client that reads the chain (a bundler client reads through its public client). */
export const readerOf = (client: ClientInput): OneKeyClient => contextOf(client).reader;

// An HTTP or WebSocket endpoint's chain cannot change under us; an injected wallet's can.
const chainIds = new WeakMap<object, Promise<number>>();
function rpcChainId(client: OneKeyClient): Promise<number> {
  const fixed = client.transport.type === "http" || client.transport.type === "webSocket";
  if (!fixed) return getChainId(client);
  let id = chainIds.get(client);
  if (!id) {
    id = getChainId(client);
    id.catch(() => chainIds.delete(client));
    chainIds.set(client, id);
  }
  return id;
}

/** The RPC's chain id, after checking that every chain the caller named agrees with it. */
async function checkChain(ctx: Context, chainId: number | undefined): Promise<number> {
  let actual: number;
  try {
    actual = await rpcChainId(ctx.reader);
  } catch (error) {
    throw new ContractCallError("eth_chainId", error);
  }
  for (const expected of [chainId, ctx.writer?.chain?.id, ctx.reader.chain?.id]) {
    if (expected !== undefined && expected !== actual) throw new ChainMismatchError(expected, actual);
  }
  return actual;
}

/** The registry address for the client's chain (the override, or the SDK's recorded deployment). */
async function resolveTarget(ctx: Context, contract: RegistryName, p: TargetParameters): Promise<Address> {
  const chainId = await checkChain(ctx, p.chainId);
  return p.address ?? p.addresses?.[contract] ?? getAddresses(chainId, { ...ctx.addresses, ...p.addresses })[contract];
}

/** The registry's address for this client (after the chain checks every action makes). */
export async function registryAddress(client: ClientInput, contract: RegistryName, p: TargetParameters = {}): Promise<Address> {
  return resolveTarget(contextOf(client), contract, p);
}

/** The address a write from these clients comes from (`msg.sender` on-chain). */
export function senderAddress(client: ClientInput, p: Pick<WriteParameters, "account" | "sender"> = {}): Address {
  const ctx = contextOf(client);
  const sender = p.sender ?? ctx.sender;
  if (sender) return sender.address;
  const account = p.account ?? ctx.writer?.account;
  if (!account) throw new NoSignerError();
  return typeof account === "string" ? account : account.address;
}

/** Reads a registry view, decoding custom errors. */
export async function readRegistry<T>(
  client: ClientInput, p: ReadParameters, contract: RegistryName, functionName: string, args: readonly unknown[],
): Promise<T> {
  const ctx = contextOf(client);
  const address = await resolveTarget(ctx, contract, p);
  try {
    return (await readContract(ctx.reader, { address, abi: registryAbis[contract], functionName, args } as never)) as T;
  } catch (error) {
    throw decodeRevert(contract, functionName, error);
  }
}

/** Builds one registry call at the resolved address and sends it; returns the result and the address. */
export async function writeRegistry(
  client: ClientInput, p: WriteParameters, contract: RegistryName, build: (to: Address) => OneKeyCall,
): Promise<[WriteResult, Address]> {
  const ctx = contextOf(client);
  const call = build(await resolveTarget(ctx, contract, p));
  const [result] = await send(ctx, [call], p);
  return [result, call.to];
}

export type SendCallsParameters = WriteParameters & { calls: OneKeyCall[] };
/** One result per transaction: a single one when the sender batches (smart account), else one per call. */
export type SendCallsReturnType = WriteResult[];

/**
 * Sends prepared calls (from the `*Call` builders): a smart account or a batching sender makes
 * them one operation; a plain wallet sends them one after another.
 */
export async function sendCalls(client: ClientInput, p: SendCallsParameters): Promise<SendCallsReturnType> {
  const ctx = contextOf(client);
  await checkChain(ctx, p.chainId);
  return send(ctx, p.calls, p);
}

async function send(ctx: Context, calls: OneKeyCall[], p: WriteParameters): Promise<WriteResult[]> {
  const sender = p.sender ?? ctx.sender;
  if (sender) return sendVia(ctx, sender, calls);
  const account = accountOf(p.account ?? ctx.writer?.account);
  if (account?.type === "smart") return sendUserOp(ctx, account as SmartAccount, calls);
  if (!account || !ctx.writer) throw new NoSignerError();
  const results: WriteResult[] = [];
  for (const call of calls) results.push(await sendFromWallet(ctx, ctx.writer, account, call));
  return results;
}

const accountOf = (a: Account | Address | undefined): Account | undefined => (a === undefined ? undefined : parseAccount(a));
const plain = (c: OneKeyCall) => ({ to: c.to, data: c.data, value: c.value ?? 0n });
const names = (calls: OneKeyCall[]) => calls.map((c) => c.functionName).join("+");

/** eth_call from `from`: a revert surfaces here, decoded, before anything is signed or sent. */
async function simulate(ctx: Context, from: Account | Address, call: OneKeyCall) {
  try {
    return await simulateContract(ctx.reader, {
      account: from, address: call.to, abi: call.abi, functionName: call.functionName, args: call.args, value: call.value,
    } as never);
  } catch (error) {
    throw decodeRevert(call.contract, call.functionName, error);
  }
}

async function sendFromWallet(ctx: Context, writer: OneKeyClient, account: Account, call: OneKeyCall): Promise<WriteResult> {
  const { request } = await simulate(ctx, account, call);
  try {
    const hash = await writeContract(writer, request as never);
    const receipt = await waitForTransactionReceipt(ctx.reader, { hash });
    if (receipt.status !== "success") throw new TransactionRevertedError(call.functionName, hash);
    return { hash, receipt, logs: receipt.logs };
  } catch (error) {
    throw decodeRevert(call.contract, call.functionName, error);
  }
}

async function sendUserOp(ctx: Context, account: SmartAccount, calls: OneKeyCall[]): Promise<WriteResult[]> {
  for (const call of calls) await simulate(ctx, account.address, call);
  const bundler = ctx.writer as OneKeyClient & { type?: string };
  if (bundler?.type !== "bundlerClient") throw new ClientConfigError("a smart account sends through a bundler client (createBundlerClient)");
  try {
    const userOpHash = await sendUserOperation(bundler as never, { account, calls: calls.map(plain) } as never);
    const r = await waitForUserOperationReceipt(bundler as never, { hash: userOpHash });
    if (!r.success) throw new TransactionRevertedError(names(calls), r.receipt.transactionHash);
    return [{ hash: r.receipt.transactionHash, receipt: r.receipt, logs: r.logs, userOpHash }];
  } catch (error) {
    throw decodeRevert(calls[0].contract, names(calls), error);
  }
}

async function sendVia(ctx: Context, sender: CallSender, calls: OneKeyCall[]): Promise<WriteResult[]> {
  for (const call of calls) await simulate(ctx, sender.address, call);
  const settle = async (fn: () => Promise<TransactionReceipt | WriteResult>, label: string, contract: RegistryName) => {
    try {
      return asResult(await fn(), label);
    } catch (error) {
      throw decodeRevert(contract, label, error);
    }
  };
  if (calls.length > 1 && sender.sendBatch) {
    return [await settle(() => sender.sendBatch!(calls.map(plain)), names(calls), calls[0].contract)];
  }
  const results: WriteResult[] = [];
  for (const call of calls) results.push(await settle(() => sender.send(plain(call)), call.functionName, call.contract));
  return results;
}

function asResult(r: TransactionReceipt | WriteResult, label: string): WriteResult {
  if ("receipt" in r) return r;
  if (r.status !== "success") throw new TransactionRevertedError(label, r.transactionHash);
  return { hash: r.transactionHash as Hex, receipt: r, logs: r.logs };
}

export { ChainMismatchError, ContractRevertError, NoSignerError, TransactionFailedError } from "./errors.ts";
export type { OneKeyClients, OneKeyWallet, CallSender } from "./types.ts";
