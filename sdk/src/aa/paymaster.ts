// OneKeyPaymaster's wire format, limits and charge formula, shared by the SDK, the sponsor service
// and the tests so there is one definition of each.
import { concat, pad, parseEventLogs, toHex, type Address, type Hex, type Log } from "viem";
import { oneKeyPaymasterAbi } from "../abis.ts";
import { BaseError } from "../errors.ts";
import { ApiKeyScopes, PAYMASTER_PENALTY_THRESHOLD, POSTOP_OVERHEAD_GAS } from "../constants.ts";

export { ENTRY_POINT_V08, POSTOP_OVERHEAD_GAS, PAYMASTER_PENALTY_THRESHOLD, MAX_BATCH_CALLS } from "../constants.ts";

/** Gas the sponsor service gives the paymaster's validation (measured ~27k, cold). */
export const PAYMASTER_VERIFICATION_GAS = 60_000n;
/**
 * Gas the sponsor service gives postOp (measured ~5.6k). At most POSTOP_OVERHEAD_GAS + 40,000, so
 * EntryPoint adds no unused-gas penalty.
 */
export const PAYMASTER_POSTOP_GAS = 40_000n;

/**
 * The API-key scope bit (ProjectRegistry.addApiKey `scopes`) that lets a project's backend ask the
 * sponsor service to sponsor an operation. The indexer's bits are 1-8 (docs/indexer.md).
 */
export const API_KEY_SCOPE_SPONSOR = ApiKeyScopes.sponsor;

/** A syntactically valid ECDSA signature for gas estimation (recovers to an unrelated address). */
export const STUB_SIGNATURE: Hex = `0x${"f".repeat(31)}${"0".repeat(33)}7${"a".repeat(63)}1c`;

/** The EIP-712 types of the Sponsorship a project's SPONSOR signs (domain "OneKeyPaymaster"/"1"). */
export const sponsorshipTypes = {
  Sponsorship: [
    { name: "projectId", type: "uint256" },
    { name: "sender", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "initCodeHash", type: "bytes32" },
    { name: "callDataHash", type: "bytes32" },
    { name: "accountGasLimits", type: "bytes32" },
    { name: "preVerificationGas", type: "uint256" },
    { name: "gasFees", type: "bytes32" },
    { name: "paymasterGasLimits", type: "uint256" },
    { name: "validUntil", type: "uint48" },
    { name: "validAfter", type: "uint48" },
  ],
} as const;

/** paymasterData for OneKeyPaymaster: projectId | validUntil | validAfter | signature. */
export function encodePaymasterData(projectId: bigint, validUntil: number, validAfter: number, signature: Hex): Hex {
  return concat([pad(toHex(projectId), { size: 32 }), pad(toHex(validUntil), { size: 6 }), pad(toHex(validAfter), { size: 6 }), signature]);
}

/**
 * What the project is charged, from what EntryPoint passes to postOp (OneKeyPaymaster.chargeOf):
 * actualGasCost + (POSTOP_OVERHEAD_GAS + penalty) × fee per gas, where penalty is EntryPoint's 10%
 * on unused postOp gas counted as if postOp used POSTOP_OVERHEAD_GAS.
 */
export function chargeOf(actualGasCost: bigint, feePerGas: bigint, postOpGasLimit: bigint): bigint {
  let gas = POSTOP_OVERHEAD_GAS;
  if (postOpGasLimit > POSTOP_OVERHEAD_GAS + PAYMASTER_PENALTY_THRESHOLD) gas += (postOpGasLimit - POSTOP_OVERHEAD_GAS) / 10n;
  return actualGasCost + gas * feePerGas;
}

export type SponsoredGas = {
  callGasLimit: bigint;
  verificationGasLimit: bigint;
  preVerificationGas: bigint;
  paymasterVerificationGasLimit?: bigint;
  paymasterPostOpGasLimit?: bigint;
  maxFeePerGas: bigint;
};

/** What validation reserves from the project's budget (EntryPoint's maxCost): every limit × maxFeePerGas. */
export function maxSponsoredCost(op: SponsoredGas): bigint {
  const gas = op.callGasLimit + op.verificationGasLimit + op.preVerificationGas + (op.paymasterVerificationGasLimit ?? 0n) + (op.paymasterPostOpGasLimit ?? 0n);
  return gas * op.maxFeePerGas;
}

/**
 * The most the project can be charged: every limit but postOp's used in full at maxFeePerGas, plus
 * the postOp overhead. The real charge is lower by the gas the operation leaves unused.
 */
export function maxSponsoredCharge(op: SponsoredGas): bigint {
  const { paymasterPostOpGasLimit = PAYMASTER_POSTOP_GAS } = op;
  return chargeOf(maxSponsoredCost({ ...op, paymasterPostOpGasLimit: 0n }), op.maxFeePerGas, paymasterPostOpGasLimit);
}

export type SponsoredCharge = { userOpHash: Hex; projectId: bigint; sender: Address; actualGasCost: bigint; charged: bigint };

/** The charge(s) recorded by the paymaster's UserOperationSponsored events in these logs. */
export function sponsoredChargesIn(logs: Log[]): SponsoredCharge[] {
  return parseEventLogs({ abi: oneKeyPaymasterAbi, logs, eventName: "UserOperationSponsored" }).map((e) => ({ ...e.args }));
}

/** Why a sponsor service refused (its JSON-RPC error's `data.reason`). */
export type SponsorRefusal =
  | "INVALID_REQUEST"
  | "UNSUPPORTED_ENTRY_POINT"
  | "WRONG_CHAIN"
  | "PROJECT_NOT_SPONSORED"
  | "SIGNER_NOT_SPONSOR"
  | "CALL_NOT_SPONSORED"
  | "METHOD_NOT_ALLOWED"
  | "FOREIGN_PROJECT"
  | "GAS_LIMITS_CHANGED"
  | "OVER_GAS_LIMIT"
  | "FEE_TOO_HIGH"
  | "OVER_MAX_COST"
  | "PROJECT_BALANCE_TOO_LOW"
  | "INTERNAL"
  // who may be sponsored: an API key of the project with the sponsor scope, or a ticket
  | "NOT_AUTHORISED"
  | "API_KEY_REJECTED"
  | "API_KEY_MISSING_SCOPE"
  | "INVALID_TICKET"
  | "TICKET_EXPIRED"
  | "TICKET_WRONG_PROJECT"
  | "TICKET_WRONG_SUBJECT"
  | "TICKET_SIGNER_NOT_SPONSOR"
  | "TICKET_USED_UP"
  // caps per period, shared by every sponsor-service replica
  | "PROJECT_OPS_CAP_REACHED"
  | "PROJECT_SPEND_CAP_REACHED"
  | "SUBJECT_OPS_CAP_REACHED"
  | "SUBJECT_SPEND_CAP_REACHED";

/** The sponsor service refused to sign; `reason` names the policy rule. Nothing was sent. */
export class SponsorshipRefusedError extends BaseError {
  override name = "SponsorshipRefusedError";
  readonly reason: SponsorRefusal;
  constructor(reason: SponsorRefusal, message: string, cause?: unknown) {
    super(`Sponsorship refused (${reason}): ${message}`, { cause, docsPath: "paymaster.md#sponsor-service" });
    this.reason = reason;
  }
}

/** The sponsored user operation was included but its calls reverted (the project still paid for it). */
export class SponsoredOperationRevertedError extends BaseError {
  override name = "SponsoredOperationRevertedError";
  readonly userOpHash: Hex;
  readonly transactionHash: Hex;
  constructor(userOpHash: Hex, transactionHash: Hex) {
    super(`Sponsored user operation ${userOpHash} reverted.`, { details: `included in ${transactionHash}`, docsPath: "paymaster.md" });
    this.userOpHash = userOpHash;
    this.transactionHash = transactionHash;
  }
}

/** A OneKey smart account was asked to do something it does not do (sign messages or typed data). */
export class SmartAccountUnsupportedError extends BaseError {
  override name = "SmartAccountUnsupportedError";
  constructor(what: string) {
    super(`OneKey smart accounts do not ${what}; they sign user operations only.`, { docsPath: "paymaster.md" });
  }
}
