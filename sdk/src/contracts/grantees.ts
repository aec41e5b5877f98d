// Values that mirror contracts/libraries/Common.sol and GranteeKeys.sol: one name per concept.
import { encodeAbiParameters, getAddress, isAddress, keccak256, type Address, type Hex } from "viem";
import { BaseError } from "../errors.ts";

/** Project role bits (Common.sol `Roles`). */
export const Roles = { ADMIN: 1, REVIEWER: 2, AUDITOR: 4, SPONSOR: 8 } as const;
export type RoleName = keyof typeof Roles;

/** Why a grant exists (Common.sol `Purpose`); values are stable, new ones are appended. */
export const Purpose = { KYC_REVIEW: 0, COMPLIANCE: 1, AUDIT: 2, DISPUTE: 3, SUPPORT: 4 } as const;
export type PurposeName = keyof typeof Purpose;

/** How a record's key reaches a grantee (Common.sol `KeyRelease`). */
export const KeyReleaseMode = { envelope: 0, lit: 1 } as const;
export type KeyReleaseMode = keyof typeof KeyReleaseMode;

/** Largest number of projects one account may be a member of (Common.sol). */
export const MAX_MEMBERSHIPS = 16;
/** Seconds one audit-access entry opens the escrow path for its auditor (Common.sol). */
export const AUDIT_ACCESS_WINDOW = 86_400n;

const PROJECT_FLAG = 1n << 255n;
const ADDRESS_MASK = (1n << 160n) - 1n;

export class InvalidGranteeError extends BaseError {
  override name = "InvalidGranteeError";
  constructor(details: string) {
    super("Invalid grantee.", { details, docsPath: "contracts.md#access-rules" });
  }
}

/** A grantee key for an account: its address left-padded, the same bytes as an indexed-address topic. */
export function accountGrantee(account: Address): Hex {
  if (!isAddress(account, { strict: false })) throw new InvalidGranteeError(`"${String(account)}" is not an address`);
  if (BigInt(account) === 0n) throw new InvalidGranteeError("the zero address cannot be a grantee");
  return `0x${account.slice(2).toLowerCase().padStart(64, "0")}`;
}

/** A grantee key for a project: the project id with the top bit set, which no address can have. */
export function projectGrantee(projectId: bigint): Hex {
  if (typeof projectId !== "bigint" || projectId <= 0n || projectId >= PROJECT_FLAG) throw new InvalidGranteeError(`project id ${String(projectId)} is out of range`);
  return `0x${(PROJECT_FLAG | projectId).toString(16).padStart(64, "0")}`;
}

/** The account or project a grantee key names (the inverse of the two above). */
export function parseGrantee(key: Hex): { account: Address } | { projectId: bigint } {
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new InvalidGranteeError(`"${key}" is not 32 bytes hex`);
  const v = BigInt(key);
  if (v & PROJECT_FLAG) return { projectId: v & ~PROJECT_FLAG };
  if (v !== 0n && (v & ~ADDRESS_MASK) === 0n) return { account: getAddress(`0x${key.slice(-40)}`) };
  throw new InvalidGranteeError(`"${key}" is neither an account nor a project key`);
}

/** recordId = keccak256(abi.encode(owner, salt)), exactly as RecordRegistry computes it. */
export function computeRecordId(owner: Address, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [owner, salt]));
}
