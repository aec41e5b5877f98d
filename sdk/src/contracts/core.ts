// How actions reach the chain: one viem client in, addresses resolved per chain, reads decoded,
// writes simulated first (so reverts decode before anything is sent) and then sent by whichever
// sender fits: a wallet (EOA), a smart account through its bundler, or a CallSender.
import type { Account, Address, Hex, ReadContractParameters, TransactionReceipt } from "viem";
import { parseAccount } from "viem/accounts";
import { call as ethCall, getChainId, readContract, sendTransaction, waitForTransactionReceipt } from "viem/actions";
import { sendUserOperation, waitForUserOperationReceipt, type BundlerClient, type SmartAccount } from "viem/account-abstraction";
import { getAddresses } from "../addresses.ts";
import { registryAbis } from "./calls.ts";
import { ChainMismatchError, ClientConfigError, ContractCallError, NoSignerError, TransactionRevertedError, decodeRevert } from "./errors.ts";
import type {
  CallSender,
  ClientInput,
  OneKeyCall,
  OneKeyClient,
  ReadParameters,
  RegistryName,
  RegistryReadArgs,
  RegistryReadName,
  RegistryReadReturnType,
  TargetParameters,
  WriteParameters,
  WriteResult,
} from "./types.ts";

export { registryAbis };

type Context = {
  reader: OneKeyClient;
  writer: OneKeyClient;
};

// viem tags each client with its kind at run time; a bundler client carries the public client it
// reads through.
const bundlerOf = (client: OneKeyClient): BundlerClient | undefined => (client.type === "bundlerClient" ? (client as BundlerClient) : undefined);

function contextOf(client: ClientInput): Context {
  // JavaScript callers (and code written for the retired `{ publicClient, walletClient }` bundle)
  // can pass anything: name the mistake instead of failing deep inside viem.
  if (typeof (client as { request?: unknown } | undefined)?.request !== "function") {
    throw new ClientConfigError("pass one viem client (public, wallet or bundler) as the first argument; addresses, sender and account go in the parameters");
  }
  const bundler = bundlerOf(client);
  if (bundler) {
    if (!bundler.client) throw new ClientConfigError("create the bundler client with `client: publicClient` so reads and simulations reach the chain");
    return { reader: bundler.client, writer: client };
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
  return p.address ?? p.addresses?.[contract] ?? getAddresses(chainId, p.addresses)[contract];
}

/** The registry's address for this client (after the chain checks every action makes). */
export async function registryAddress(client: ClientInput, contract: RegistryName, p: TargetParameters = {}): Promise<Address> {
  return resolveTarget(contextOf(client), contract, p);
}

/** The address a write from these clients comes from (`msg.sender` on-chain). */
export function senderAddress(client: ClientInput, p: Pick<WriteParameters, "account" | "sender"> = {}): Address {
  const ctx = contextOf(client);
  if (p.sender) return p.sender.address;
  const account = p.account ?? ctx.writer.account;
  if (!account) throw new NoSignerError();
  return typeof account === "string" ? account : account.address;
}

/** Reads a registry view, decoding custom errors; arguments and result are typed from the ABI. */
export async function readRegistry<C extends RegistryName, const F extends RegistryReadName<C>>(
  client: ClientInput,
  p: ReadParameters,
  contract: C,
  functionName: F,
  args: RegistryReadArgs<C, F>,
): Promise<RegistryReadReturnType<C, F>> {
  const ctx = contextOf(client);
  const address = await resolveTarget(ctx, contract, p);
  // The signature ties args and result to `functionName` for every caller; inside this one generic
  // function TypeScript cannot follow ABI-indexed generics through viem's conditional types, so the
  // call is made in viem's untyped form here, and only here.
  const parameters = { address, abi: registryAbis[contract], functionName, args } as ReadContractParameters;
  try {
    return (await readContract(ctx.reader, parameters)) as RegistryReadReturnType<C, F>;
  } catch (error) {
    throw decodeRevert(contract, functionName, error);
  }
}

/** Builds one registry call at the resolved address and sends it; returns the result and the address. */
export async function writeRegistry(
  client: ClientInput,
  p: WriteParameters,
  contract: RegistryName,
  build: (to: Address) => OneKeyCall,
): Promise<[WriteResult, Address]> {
  const ctx = contextOf(client);
  const call = build(await resolveTarget(ctx, contract, p));
  const [result] = await send(ctx, [call], p);
  return [result, call.to];
}

/**
 * The read and write helpers of one registry's actions module, bound to that registry: each
 * module's actions are then one line over its ABI.
 */
export function registryActions<C extends RegistryName>(contract: C) {
  return {
    read: <const F extends RegistryReadName<C>>(client: ClientInput, p: ReadParameters, functionName: F, args: RegistryReadArgs<C, F>) =>
      readRegistry(client, p, contract, functionName, args),
    write: <P extends WriteParameters>(client: ClientInput, p: P, build: (to: Address, p: P) => OneKeyCall) =>
      writeRegistry(client, p, contract, (to) => build(to, p)),
  };
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
  if (p.sender) return sendVia(ctx, p.sender, calls);
  const account = accountOf(p.account ?? ctx.writer.account);
  if (account?.type === "smart") return sendUserOp(ctx, account, calls);
  if (!account) throw new NoSignerError();
  const results: WriteResult[] = [];
  for (const call of calls) results.push(await sendFromWallet(ctx, account, call));
  return results;
}

const accountOf = (a: Account | Address | undefined): Account | undefined => (a === undefined ? undefined : parseAccount(a));
const plain = (c: OneKeyCall) => ({ to: c.to, data: c.data, value: c.value ?? 0n });
const names = (calls: OneKeyCall[]) => calls.map((c) => c.functionName).join("+");

/**
 * eth_call of the encoded call from `from`: a revert surfaces here, decoded against every registry
 * error, before anything is signed or sent. The data simulated is exactly the data sent.
 */
async function simulate(ctx: Context, from: Account | Address, call: OneKeyCall): Promise<void> {
  try {
    await ethCall(ctx.reader, { account: from, to: call.to, data: call.data, value: call.value });
  } catch (error) {
    throw decodeRevert(call.contract, call.functionName, error);
  }
}

async function sendFromWallet(ctx: Context, account: Account, call: OneKeyCall): Promise<WriteResult> {
  await simulate(ctx, account, call);
  try {
    const hash = await sendTransaction(ctx.writer, { account, chain: ctx.writer.chain, to: call.to, data: call.data, value: call.value });
    const receipt = await waitForTransactionReceipt(ctx.reader, { hash });
    if (receipt.status !== "success") throw new TransactionRevertedError(call.functionName, hash);
    return { hash, receipt, logs: receipt.logs };
  } catch (error) {
    throw decodeRevert(call.contract, call.functionName, error);
  }
}

async function sendUserOp(ctx: Context, account: SmartAccount, calls: OneKeyCall[]): Promise<WriteResult[]> {
  for (const call of calls) await simulate(ctx, account.address, call);
  const bundler = bundlerOf(ctx.writer);
  if (!bundler) throw new ClientConfigError("a smart account sends through a bundler client (createBundlerClient)");
  try {
    const userOpHash = await sendUserOperation(bundler, { account, calls: calls.map(plain) });
    const r = await waitForUserOperationReceipt(bundler, { hash: userOpHash });
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
  const batch = sender.sendBatch?.bind(sender);
  if (calls.length > 1 && batch) return [await settle(() => batch(calls.map(plain)), names(calls), calls[0].contract)];
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
export type { OneKeyWallet, CallSender } from "./types.ts";
