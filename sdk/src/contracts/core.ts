import {
  BaseError as ViemBaseError, ContractFunctionRevertedError, encodeFunctionData, type Abi, type Account, type Address, type Chain, type Hex,
  type PublicClient, type TransactionReceipt, type Transport, type WalletClient,
} from "viem";
import { BaseError } from "../errors.ts";
import { getAddresses, type OneKeyAddresses } from "../addresses.ts";

export type OneKeyWallet = WalletClient<Transport, Chain, Account>;

/**
 * Sends one call from an account that is not a plain wallet — a sponsored smart account
 * (`smartAccountSender` in `/aa`) — and returns the transaction receipt that included it.
 */
export interface CallSender {
  address: Address;
  send(call: { to: Address; data: Hex }): Promise<TransactionReceipt>;
}

/**
 * What every write action needs: a public client to simulate/read, and either a wallet client
 * (an EOA pays) or a sender (e.g. a sponsored smart account).
 */
export interface OneKeyClients {
  publicClient: PublicClient;
  walletClient?: OneKeyWallet;
  sender?: CallSender;
  /** Defaults to the SDK's recorded deployment for the chain. */
  addresses?: Partial<OneKeyAddresses>;
}

export class NoSignerError extends BaseError {
  override name = "NoSignerError";
  constructor() {
    super("A write needs a walletClient or a sender.");
  }
}

/** The address that sends OneKey writes for these clients. */
export function senderAddress(c: OneKeyClients): Address {
  if (c.sender) return c.sender.address;
  if (c.walletClient) return c.walletClient.account.address;
  throw new NoSignerError();
}

/** A custom Solidity error, decoded: `errorName` and its arguments. */
export class ContractRevertError extends BaseError {
  override name = "ContractRevertError";
  readonly errorName: string;
  readonly args: readonly unknown[];
  readonly functionName: string;
  constructor(functionName: string, errorName: string, args: readonly unknown[], cause: unknown) {
    super(`${functionName} reverted with ${errorName}(${args.map(String).join(", ")}).`, { cause, docsPath: "contracts.md" });
    this.errorName = errorName;
    this.args = args;
    this.functionName = functionName;
  }
}

export class ChainMismatchError extends BaseError {
  override name = "ChainMismatchError";
  constructor(wallet: number, rpc: number) {
    super(`The wallet is on chain ${wallet} but the RPC is on chain ${rpc}.`);
  }
}

export class TransactionFailedError extends BaseError {
  override name = "TransactionFailedError";
  constructor(functionName: string, hash: Hex) {
    super(`${functionName} was mined but reverted (${hash}).`);
  }
}

/** Turns viem's revert into the named OneKey error it carries, when it carries one. */
export function decodeRevert(functionName: string, error: unknown): unknown {
  if (error instanceof ViemBaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (revert?.data?.errorName) return new ContractRevertError(functionName, revert.data.errorName, revert.data.args ?? [], error);
  }
  return error;
}

export async function resolveAddresses(c: Pick<OneKeyClients, "publicClient" | "addresses">): Promise<OneKeyAddresses> {
  return getAddresses(await c.publicClient.getChainId(), c.addresses);
}

export interface WriteParameters {
  address: Address;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

/** Simulates (so reverts decode before anything is sent), sends, and waits for the receipt. */
export async function write(c: OneKeyClients, p: WriteParameters): Promise<TransactionReceipt> {
  if (c.sender) {
    try {
      // Simulate from the smart account's address first, so reverts decode before anything is sent.
      await c.publicClient.simulateContract({ account: c.sender.address, address: p.address, abi: p.abi, functionName: p.functionName, args: p.args } as never);
      const data = encodeFunctionData({ abi: p.abi, functionName: p.functionName, args: p.args } as never);
      return await c.sender.send({ to: p.address, data });
    } catch (error) {
      throw decodeRevert(p.functionName, error);
    }
  }
  if (!c.walletClient) throw new NoSignerError();
  const rpcChain = await c.publicClient.getChainId();
  if (c.walletClient.chain.id !== rpcChain) throw new ChainMismatchError(c.walletClient.chain.id, rpcChain);
  try {
    const { request } = await c.publicClient.simulateContract({
      account: c.walletClient.account,
      address: p.address,
      abi: p.abi,
      functionName: p.functionName,
      args: p.args,
    } as never);
    const hash = await c.walletClient.writeContract(request as never);
    const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new TransactionFailedError(p.functionName, hash);
    return receipt;
  } catch (error) {
    throw decodeRevert(p.functionName, error);
  }
}

/** Reads a view, decoding custom errors. */
export async function read<T>(publicClient: PublicClient, p: WriteParameters): Promise<T> {
  try {
    return (await publicClient.readContract({ address: p.address, abi: p.abi, functionName: p.functionName, args: p.args } as never)) as T;
  } catch (error) {
    throw decodeRevert(p.functionName, error);
  }
}
