import { BaseError as ViemBaseError, ContractFunctionRevertedError, decodeErrorResult, type ContractErrorArgs, type ContractErrorName, type Hex } from "viem";
import { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { BaseError } from "../errors.ts";
import type { UnknownChainError } from "../addresses.ts";
import type { RegistryName } from "./types.ts";

type RegistryAbi = [...typeof projectRegistryAbi, ...typeof recordRegistryAbi, ...typeof attestationRegistryAbi];

/** Every custom error the three registries can revert with (bubbled ones included). */
export type OneKeyErrorName = ContractErrorName<RegistryAbi>;
/** The decoded arguments of one custom error, typed from the ABI. */
export type OneKeyErrorArgs<name extends OneKeyErrorName = OneKeyErrorName> = ContractErrorArgs<RegistryAbi, name>;

const ERROR_ABI = dedupeErrors([...projectRegistryAbi, ...recordRegistryAbi, ...attestationRegistryAbi]);

/**
 * A registry call reverted with one of its custom errors. `errorName` and `args` are decoded from
 * the revert data, so callers branch on names, never on messages:
 * `if (isContractRevert(e, "GrantNotFound")) e.args // readonly [recordId, grantee]`.
 */
export class ContractRevertError<name extends OneKeyErrorName = OneKeyErrorName> extends BaseError {
  override name: string = "ContractRevertError";
  readonly errorName: name;
  readonly args: OneKeyErrorArgs<name>;
  /** The function, or `a+b` for a batch of calls sent as one operation: a label, hence a string. */
  readonly functionName: string;
  readonly contract: RegistryName;
  // functionName: a label (see the field).
  constructor(contract: RegistryName, functionName: string, errorName: name, args: OneKeyErrorArgs<name>, cause?: unknown) {
    super(`${functionName} reverted with ${errorName}(${(args as readonly unknown[]).map(String).join(", ")}).`, {
      cause,
      docsPath: "sdk.md#errors-you-can-branch-on",
    });
    this.errorName = errorName;
    this.args = args;
    this.functionName = functionName;
    this.contract = contract;
  }
}

export class ProjectRegistryRevertError<name extends OneKeyErrorName = OneKeyErrorName> extends ContractRevertError<name> {
  override name = "ProjectRegistryRevertError";
}
export class RecordRegistryRevertError<name extends OneKeyErrorName = OneKeyErrorName> extends ContractRevertError<name> {
  override name = "RecordRegistryRevertError";
}
export class AttestationRegistryRevertError<name extends OneKeyErrorName = OneKeyErrorName> extends ContractRevertError<name> {
  override name = "AttestationRegistryRevertError";
}

const REVERT_CLASS = {
  projectRegistry: ProjectRegistryRevertError,
  recordRegistry: RecordRegistryRevertError,
  attestationRegistry: AttestationRegistryRevertError,
} as const;

/** Narrows an unknown error to a registry revert, optionally of one name (typed args). */
export function isContractRevert<name extends OneKeyErrorName>(error: unknown, errorName?: name): error is ContractRevertError<name> {
  return error instanceof ContractRevertError && (errorName === undefined || error.errorName === errorName);
}

/** The client's chain is not the chain the call was meant for (or the addresses belong to). */
export class ChainMismatchError extends BaseError {
  override name = "ChainMismatchError";
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number) {
    super(`Expected chain ${expected} but the client's RPC is on chain ${actual}.`, {
      details: "Switch the wallet's chain, or pass the client and addresses of the same chain.",
      docsPath: "sdk.md#clients",
    });
    this.expected = expected;
    this.actual = actual;
  }
}

/** A write without an account to send from. */
export class NoSignerError extends BaseError {
  override name = "NoSignerError";
  constructor() {
    super("A write needs an account: a wallet client with an account, `account`, or a `sender`.", { docsPath: "sdk.md#clients" });
  }
}

/** The transaction (or user operation) was included but reverted. */
export class TransactionRevertedError extends BaseError {
  override name = "TransactionRevertedError";
  readonly hash: Hex;
  // functionName: a label, the function or `a+b` for a batch.
  constructor(functionName: string, hash: Hex) {
    super(`${functionName} was included but reverted (${hash}).`, { docsPath: "sdk.md#errors-you-can-branch-on" });
    this.hash = hash;
  }
}

/** Kept for importers of the first SDK cut; same meaning as TransactionRevertedError. */
export { TransactionRevertedError as TransactionFailedError };

/** The call failed for a reason other than a custom revert: RPC down, out of gas money, bad input. */
export class ContractCallError extends BaseError {
  override name = "ContractCallError";
  // functionName: a label, the function (or RPC method) that failed.
  constructor(functionName: string, cause: unknown) {
    const viem = cause instanceof ViemBaseError ? cause : undefined;
    super(`${functionName} failed.`, { cause, details: viem?.shortMessage ?? (cause as Error)?.message, docsPath: "sdk.md#errors-you-can-branch-on" });
  }
}

/** A client that cannot serve OneKey actions (e.g. a bundler client without its public client). */
export class ClientConfigError extends BaseError {
  override name = "ClientConfigError";
  constructor(details: string) {
    super("This client cannot be used for OneKey actions.", { details, docsPath: "sdk.md#clients" });
  }
}

/** Arguments that do not encode for the function (bad hex, wrong length, unknown purpose); nothing was sent. */
export class InvalidActionInputError extends BaseError {
  override name = "InvalidActionInputError";
  // functionName: a label, the function (or RPC method) that failed.
  constructor(functionName: string, cause: unknown) {
    const viem = cause instanceof ViemBaseError ? cause : undefined;
    super(`Invalid arguments for ${functionName}.`, {
      cause,
      details: viem?.shortMessage ?? (cause as Error)?.message,
      docsPath: "sdk.md#errors-you-can-branch-on",
    });
  }
}

/**
 * A log scan was asked for without a starting block. Base RPC providers refuse eth_getLogs from
 * block 0 (and a full scan is slow everywhere): pass `fromBlock` (e.g. the registry's deployment
 * block, or 0n on a local chain), or read through the indexer where the flow takes one.
 */
export class FromBlockRequiredError extends BaseError {
  override name = "FromBlockRequiredError";
  constructor(what: string) {
    super(`${what} scans the chain's logs and needs \`fromBlock\`.`, {
      details: "Pass fromBlock (the registry's deployment block, or 0n on a local chain), or an `indexer`.",
      docsPath: "sdk.md#submit-grant-read",
    });
  }
}

/** A receipt lacked the event the action reads its result from. */
export class EventNotFoundError extends BaseError {
  override name = "EventNotFoundError";
  constructor(event: string, details: string) {
    super(`Expected ${event} event not found.`, { details });
  }
}

/** Turns a viem error into the named OneKey error it carries. */
// functionName: a label, the function or `a+b` for a batch.
export function decodeRevert(contract: RegistryName, functionName: string, error: unknown): BaseError {
  if (error instanceof BaseError) return error;
  const decoded = revertOf(error);
  if (decoded) return new REVERT_CLASS[contract](contract, functionName, decoded.errorName, decoded.args, error);
  return new ContractCallError(functionName, error);
}

function revertOf(error: unknown): { errorName: OneKeyErrorName; args: OneKeyErrorArgs } | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  if (revert?.data?.errorName) return { errorName: revert.data.errorName as OneKeyErrorName, args: (revert.data.args ?? []) as OneKeyErrorArgs };
  // Not in the called contract's ABI (or the RPC only gave raw data): try every registry error.
  const raw = rawRevertData(error);
  if (!raw) return undefined;
  try {
    const d = decodeErrorResult({ abi: ERROR_ABI, data: raw });
    return { errorName: d.errorName as OneKeyErrorName, args: (d.args ?? []) as OneKeyErrorArgs };
  } catch {
    return undefined;
  }
}

function rawRevertData(error: ViemBaseError): Hex | undefined {
  let found: Hex | undefined;
  error.walk((e) => {
    const data = (e as { raw?: unknown; data?: unknown }).raw ?? (e as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(data)) found = data as Hex;
    return found !== undefined;
  });
  return found;
}

function dedupeErrors<T extends readonly { type: string; name?: string; inputs?: readonly { type: string }[] }[]>(abi: T) {
  const seen = new Set<string>();
  return abi.filter((item) => {
    if (item.type !== "error") return false;
    const sig = `${item.name}(${(item.inputs ?? []).map((i) => i.type).join(",")})`;
    if (seen.has(sig)) return false;
    seen.add(sig);
    return true;
  });
}

// What each kind of action can throw, for the XErrorType aliases.
type CommonErrorType = ChainMismatchError | UnknownChainError | ContractCallError | ClientConfigError | InvalidActionInputError;
type WriteOnlyErrorType = NoSignerError | TransactionRevertedError | EventNotFoundError;
export type ProjectRegistryReadErrorType = ProjectRegistryRevertError | CommonErrorType;
export type ProjectRegistryWriteErrorType = ProjectRegistryReadErrorType | WriteOnlyErrorType;
export type RecordRegistryReadErrorType = RecordRegistryRevertError | CommonErrorType;
export type RecordRegistryWriteErrorType = RecordRegistryReadErrorType | WriteOnlyErrorType;
export type AttestationRegistryReadErrorType = AttestationRegistryRevertError | CommonErrorType;
export type AttestationRegistryWriteErrorType = AttestationRegistryReadErrorType | WriteOnlyErrorType;
