// Whether a grant is live: the one rule RecordRegistry.isGrantLive applies, written once here for
// everything off-chain that judges grants: the SDK (why a read was denied), the indexer's
// `grant_state` view and its REST API (SQL, rendered from the same rule by `grantStateSql`).
// Order matters and is the same in both renderings: revoked, then expired, then superseded.
import type { OnChainGrant, OnChainRecord } from "./record.ts";

/** Where a grant stands, in the order the rule checks it. */
export type GrantState = "none" | "revoked" | "expired" | "superseded" | "live";
/** The states a stored grant can be in (every one but "none"), in the rule's order. */
export const GRANT_STATES = ["revoked", "expired", "superseded", "live"] as const;

/**
 * A grant's state at `now` (unix seconds, the chain's clock): revoked, then expired
 * (`expiry <= now`: RecordRegistry honours `expiry > block.timestamp`), then superseded (the
 * record was erased or rotated past the grant's version), else live.
 */
export function grantState(
  grant: Pick<OnChainGrant, "grantedAt" | "revoked" | "expiry" | "recordVersion">,
  record: Pick<OnChainRecord, "version" | "erased">,
  now: bigint,
): GrantState {
  if (grant.grantedAt === 0) return "none";
  if (grant.revoked) return "revoked";
  if (grant.expiry <= now) return "expired";
  if (record.erased || grant.recordVersion !== record.version) return "superseded";
  return "live";
}

/** The SQL operands of the rule: column expressions (or fragments) of a stored grant row and its record. */
export type GrantStateSqlOperands<V> = { revoked: V; expiry: V; now: V; erased: V; recordVersion: V; grantRecordVersion: V };

/**
 * The same rule as a SQL `CASE` expression, built with the caller's template tag: `String.raw`
 * for SQL text, drizzle's `sql` for a query-builder fragment. The operands are trusted SQL (column
 * names or fragments), never user input.
 */
export function grantStateSql<V, R>(o: GrantStateSqlOperands<V>, tag: (strings: TemplateStringsArray, ...values: V[]) => R): R {
  return tag`case when ${o.revoked} then 'revoked' when ${o.expiry} <= ${o.now} then 'expired' when ${o.erased} or ${o.recordVersion} <> ${o.grantRecordVersion} then 'superseded' else 'live' end`;
}
