import type { Abi, Account, Address, Chain, Client, Hex, Log, PublicClient, TransactionReceipt, Transport, WalletClient } from "viem";
import type { OneKeyAddresses } from "../addresses.ts";

export type RegistryName = "projectRegistry" | "recordRegistry" | "attestationRegistry";

/**
 * Any viem client on the chain: a public client (reads), a wallet client with an account (an EOA
 * writes), or a bundler client with a smart account (writes become user operations).
 */
export type OneKeyClient = Client<Transport, Chain | undefined, Account | undefined>;

/** One call to a registry, ready for a wallet to send or a smart account to batch. */
export interface OneKeyCall {
  to: Address;
  data: Hex;
  value?: bigint;
  contract: RegistryName;
  abi: Abi;
  functionName: string;
  args: readonly unknown[];
}

/** The outcome of a write: the including transaction and the logs this write produced. */
export interface WriteResult {
  hash: Hex;
  receipt: TransactionReceipt;
  /** This write's logs (for a user operation: its own, not the whole bundle's). */
  logs: Log[];
  /** Set when the write was a user operation. */
  userOpHash?: Hex;
}

/**
 * Sends calls from an account that is not the client's own — a sponsored smart account, a
 * relayer — and returns what included them. `sendBatch` lets a smart account make several
 * calls one operation.
 */
export interface CallSender {
  address: Address;
  send(call: { to: Address; data: Hex; value?: bigint }): Promise<TransactionReceipt | WriteResult>;
  sendBatch?(calls: { to: Address; data: Hex; value?: bigint }[]): Promise<TransactionReceipt | WriteResult>;
}

/** Where a call goes: overrides of the SDK's recorded deployment. */
export interface TargetParameters {
  /** The registry's address; default: the SDK's deployment for the client's chain. */
  address?: Address;
  /** Addresses of a deployment the SDK does not record (tests, a fork); `address` wins over it. */
  addresses?: Partial<OneKeyAddresses>;
  /** The chain the address (or deployment) belongs to; the client's RPC must be on it. */
  chainId?: number;
}

export type ReadParameters = TargetParameters;

export interface WriteParameters extends TargetParameters {
  /** Sends from this account instead of the client's own (a local account, or an address the wallet holds). */
  account?: Account | Address;
  /** Sends through this instead (e.g. a sponsored smart account from `/aa`). */
  sender?: CallSender;
}

/**
 * The first SDK cut's client bundle. Still accepted by every action; prefer passing one client.
 * @deprecated pass a wallet client, a public client or a bundler client directly.
 */
export interface OneKeyClients {
  publicClient: PublicClient;
  walletClient?: WalletClient<Transport, Chain, Account>;
  sender?: CallSender;
  addresses?: Partial<OneKeyAddresses>;
}

export type ClientInput = OneKeyClient | OneKeyClients;

export type OneKeyWallet = WalletClient<Transport, Chain, Account>;
