import type { Address, Hex } from "viem";
import { BaseError } from "../errors.ts";

/** No live access: the base of the more specific reasons below, for callers that only care "no". */
export class AccessDeniedError extends BaseError {
  override name = "AccessDeniedError";
  readonly recordId: Hex;
  readonly who: Address;
  constructor(recordId: Hex, who: Address, reason = "no live grant") {
    super(`${who} has no live access to record ${recordId}: ${reason}.`, { docsPath: "sdk.md#errors-you-can-branch-on" });
    this.recordId = recordId;
    this.who = who;
  }
}

/** The record was erased (crypto-shredded): nothing is released for it any more. */
export class RecordErasedError extends AccessDeniedError {
  override name = "RecordErasedError";
  constructor(recordId: Hex, who: Address) {
    super(recordId, who, "the record is erased");
  }
}

/** The grant was revoked by the record's owner. */
export class GrantRevokedError extends AccessDeniedError {
  override name = "GrantRevokedError";
  constructor(recordId: Hex, who: Address) {
    super(recordId, who, "the grant was revoked");
  }
}

/** The grant's expiry has passed (by the chain's clock). */
export class GrantExpiredError extends AccessDeniedError {
  override name = "GrantExpiredError";
  readonly expiry: bigint;
  constructor(recordId: Hex, who: Address, expiry: bigint) {
    super(recordId, who, `the grant expired at ${expiry}`);
    this.expiry = expiry;
  }
}

/** The grant wraps keys of an older version; the owner re-grants after a rotation. */
export class StaleGrantError extends AccessDeniedError {
  override name = "StaleGrantError";
  constructor(recordId: Hex, who: Address, grantVersion: number, recordVersion: number) {
    super(recordId, who, `the grant opens version ${grantVersion} but the record is at version ${recordVersion}`);
  }
}
