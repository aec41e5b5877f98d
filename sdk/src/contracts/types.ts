import type {
  Account,
  Address,
  Chain,
  Client,
  ContractFunctionArgs,
  ContractFunctionName,
  ContractFunctionReturnType,
  Hex,
  Log,
  TransactionReceipt,
  Transport,
  WalletClient,
} from "viem";
import type { OneKeyAddresses } from "../addresses.ts";
import type { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "../abis.ts";

/** The three registries' generated `as const` ABIs: every action's types come from these. */
export type RegistryAbis = {
  projectRegistry: typeof projectRegistryAbi;
  recordRegistry: typeof recordRegistryAbi;
  attestationRegistry: typeof attestationRegistryAbi;
};
export type RegistryName = keyof RegistryAbis;

type WriteMutability = "nonpayable" | "payable";
type ReadMutability = "pure" | "view";

/** A registry function that changes state (what a call builder encodes). */
export type RegistryWriteName<C extends RegistryName> = ContractFunctionName<RegistryAbis[C], WriteMutability>;
/** Its arguments, as the ABI types them. */
export type RegistryWriteArgs<C extends RegistryName, F extends RegistryWriteName<C>> = ContractFunctionArgs<RegistryAbis[C], WriteMutability, F>;
/** A registry view. */
export type RegistryReadName<C extends RegistryName> = ContractFunctionName<RegistryAbis[C], ReadMutability>;
export type RegistryReadArgs<C extends RegistryName, F extends RegistryReadName<C>> = ContractFunctionArgs<RegistryAbis[C], ReadMutability, F>;
/** What a view returns, decoded as viem decodes it (structs as objects, uint<=48 as number). */
export type RegistryReadReturnType<C extends RegistryName, F extends RegistryReadName<C>> = ContractFunctionReturnType<RegistryAbis[C], ReadMutability, F>;

/**
 * Any viem client on the chain: a public client (reads), a wallet client with an account (an EOA
 * writes), or a bundler client with a smart account (writes become user operations).
 */
export type OneKeyClient = Client<Transport, Chain | undefined, Account | undefined>;

/** One call to registry `C`'s function `F`, ready for a wallet to send or a smart account to batch. */
export type OneKeyCallOf<C extends RegistryName, F extends RegistryWriteName<C> = RegistryWriteName<C>> = {
  to: Address;
  data: Hex;
  value?: bigint;
  contract: C;
  abi: RegistryAbis[C];
  functionName: F;
  args: RegistryWriteArgs<C, F>;
};
/** A call to any registry (what `sendCalls` takes). */
export type OneKeyCall = { [C in RegistryName]: OneKeyCallOf<C> }[RegistryName];

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
  /** Sends through this instead (e.g. a sponsored smart account from `/aa`); the client then only reads. */
  sender?: CallSender;
}

/** What every action takes first: one viem client (public, wallet or bundler). */
export type ClientInput = OneKeyClient;

export type OneKeyWallet = WalletClient<Transport, Chain, Account>;
