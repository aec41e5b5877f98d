// Grantee keys, the one TypeScript copy of contracts/libraries/GranteeKeys.sol: a grantee is an
// account or a project as one bytes32. Kept outside /contracts so /crypto can use it without
// pulling in the registry actions.
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { GRANTEE_PROJECT_FLAG } from "./constants.ts";
import { BaseError } from "./errors.ts";

const ADDRESS_MASK = (1n << 160n) - 1n;

/** Who a grant is to: an account, or a project (its reviewers, and its auditors through escrow). */
export type GranteeRef = { account: Address } | { projectId: bigint };

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
  if (typeof projectId !== "bigint" || projectId <= 0n || projectId >= GRANTEE_PROJECT_FLAG)
    throw new InvalidGranteeError(`project id ${String(projectId)} is out of range`);
  return `0x${(GRANTEE_PROJECT_FLAG | projectId).toString(16).padStart(64, "0")}`;
}

/** The grantee key of an account or a project. */
export function granteeKeyOf(g: GranteeRef): Hex {
  return "account" in g ? accountGrantee(g.account) : projectGrantee(g.projectId);
}

/** The account or project a grantee key names (the inverse of the above). */
export function parseGrantee(key: Hex): GranteeRef {
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new InvalidGranteeError(`"${key}" is not 32 bytes hex`);
  const v = BigInt(key);
  if (v & GRANTEE_PROJECT_FLAG) return { projectId: v & ~GRANTEE_PROJECT_FLAG };
  if (v !== 0n && (v & ~ADDRESS_MASK) === 0n) return { account: getAddress(`0x${key.slice(-40)}`) };
  throw new InvalidGranteeError(`"${key}" is neither an account nor a project key`);
}
