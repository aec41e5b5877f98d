// Review-key rotation on-chain: `RecordRegistry.rewrapGrants` (a project's ADMIN publishes its
// live grants re-wrapped to the project's current review key) and `ProjectRegistry.reviewKeyOf`.
// Typed from the `as const` ABIs: the item shape, the version width and the return values are
// the compiler's, not copies.
import { encodeFunctionData, isHex, size, type Address, type ContractFunctionArgs, type ContractFunctionReturnType, type Hex } from "viem";
import { type projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { MAX_REWRAP_BATCH } from "../constants.ts";
import { readRegistry, writeRegistry } from "./core.ts";
import { InvalidActionInputError, type ProjectRegistryReadErrorType, type RecordRegistryWriteErrorType } from "./errors.ts";
import { parseRecordRegistryEvents } from "./events.ts";
import type { ClientInput, OneKeyCall, ReadParameters, WriteParameters, WriteResult } from "./types.ts";

type RewrapGrantsFunctionArgs = ContractFunctionArgs<typeof recordRegistryAbi, "nonpayable", "rewrapGrants">;

/** One grant's new wrapped key: `{ recordId, recordVersion, grantedAt, wrappedKey }` as read from `getGrant`. */
export type RewrapItem = RewrapGrantsFunctionArgs[2][number];

export type RewrapGrantsArgs = {
  projectId: RewrapGrantsFunctionArgs[0];
  /** The project's current review-key version (the one the new wraps open with). */
  reviewKeyVersion: RewrapGrantsFunctionArgs[1];
  /** 1..MAX_REWRAP_BATCH items; sorted by record id here, so callers need not. */
  rewraps: readonly RewrapItem[];
};

const byRecordId = (a: RewrapItem, b: RewrapItem) => (BigInt(a.recordId) < BigInt(b.recordId) ? -1 : BigInt(a.recordId) > BigInt(b.recordId) ? 1 : 0);

function checkItems(items: readonly RewrapItem[]): void {
  const bad = (why: string) => new InvalidActionInputError("rewrapGrants", new Error(why));
  if (!Array.isArray(items) || items.length === 0) throw bad("rewraps must be a non-empty array");
  if (BigInt(items.length) > MAX_REWRAP_BATCH) throw bad(`at most ${MAX_REWRAP_BATCH} rewraps per call; got ${items.length}`);
  items.forEach((it, i) => {
    if (!isHex(it?.recordId) || size(it.recordId) !== 32) throw bad(`rewraps[${i}].recordId must be 32 bytes of hex`);
    if (!isHex(it.wrappedKey) || size(it.wrappedKey) === 0) throw bad(`rewraps[${i}].wrappedKey must be non-empty hex`);
    if (!Number.isSafeInteger(it.recordVersion) || it.recordVersion < 1 || it.recordVersion >= 2 ** 32) throw bad(`rewraps[${i}].recordVersion out of range`);
    if (!Number.isSafeInteger(it.grantedAt) || it.grantedAt < 0 || it.grantedAt >= 2 ** 40) throw bad(`rewraps[${i}].grantedAt out of range`);
  });
}

/** The `rewrapGrants` call, items sorted by record id as the contract requires. Touches no network. */
export function rewrapGrantsCall(to: Address, p: RewrapGrantsArgs): OneKeyCall {
  checkItems(p.rewraps);
  if (!Number.isSafeInteger(p.reviewKeyVersion) || p.reviewKeyVersion < 0 || p.reviewKeyVersion >= 2 ** 32) {
    throw new InvalidActionInputError("rewrapGrants", new Error("reviewKeyVersion out of range"));
  }
  const args = [p.projectId, p.reviewKeyVersion, [...p.rewraps].sort(byRecordId)] as const;
  try {
    const data = encodeFunctionData({ abi: recordRegistryAbi, functionName: "rewrapGrants", args });
    return { to, data, contract: "recordRegistry", abi: recordRegistryAbi, functionName: "rewrapGrants", args };
  } catch (error) {
    throw new InvalidActionInputError("rewrapGrants", error);
  }
}

export type RewrapGrantsParameters = WriteParameters & RewrapGrantsArgs;
export type RewrapGrantsReturnType = WriteResult & {
  /** One per `GrantRewrapped` event, in the order published. */
  rewrapped: { recordId: Hex; recordVersion: number; reviewKeyVersion: number }[];
};
export type RewrapGrantsErrorType = RecordRegistryWriteErrorType;

/**
 * Publishes new wrapped keys for live grants to the project, re-wrapped to its current review key
 * (after a rotation). ADMIN of the project only; one refused item (named error) reverts the call.
 */
export async function rewrapGrants(client: ClientInput, p: RewrapGrantsParameters): Promise<RewrapGrantsReturnType> {
  const [r, address] = await writeRegistry(client, p, "recordRegistry", (to) => rewrapGrantsCall(to, p));
  const rewrapped = parseRecordRegistryEvents(r, { eventName: "GrantRewrapped", address }).map((e) => ({
    recordId: e.args.recordId,
    recordVersion: e.args.recordVersion,
    reviewKeyVersion: e.args.reviewKeyVersion,
  }));
  return { ...r, rewrapped };
}

type ReviewKeyOfReturn = ContractFunctionReturnType<typeof projectRegistryAbi, "view", "reviewKeyOf">;

export type GetReviewKeyParameters = ReadParameters & { projectId: bigint };
export type GetReviewKeyReturnType = { publicKey: ReviewKeyOfReturn[0]; keyVersion: ReviewKeyOfReturn[1] };
export type GetReviewKeyErrorType = ProjectRegistryReadErrorType;

/** The project's review public key and version (zeroes when unset or the project is unknown). */
export async function getReviewKey(client: ClientInput, p: GetReviewKeyParameters): Promise<GetReviewKeyReturnType> {
  const [publicKey, keyVersion] = await readRegistry(client, p, "projectRegistry", "reviewKeyOf", [p.projectId]);
  return { publicKey, keyVersion };
}
