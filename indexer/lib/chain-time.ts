// Chain time: grant liveness, attestation and API-key expiry are judged at the indexed head
// block, the block the rest of an answer comes from, never the wall clock or the database clock.
// A lagging indexer, or a chain whose clock is not ours, would otherwise call a grant live that
// `hasAccess` already refuses (or the reverse). The head is Ponder's `_ponder_checkpoint` row (the
// one GraphQL `_meta` reports): a fixed-width string of block timestamp (10 digits), chain id
// (16), block number (16), then the position inside the block.

export interface IndexedHead {
  blockNumber: bigint;
  /** Unix seconds of the indexed head block: "now" for every time-dependent state. */
  timestamp: bigint;
}

/** The newest checkpoint, as one SQL expression over the app schema (quoted identifier). */
export function headCheckpointSql(quotedAppSchema: string): string {
  return `(SELECT max(latest_checkpoint) FROM ${quotedAppSchema}._ponder_checkpoint)`;
}

/** The indexed head's timestamp as one SQL numeric expression. */
export function headTimestampSql(quotedAppSchema: string): string {
  return `substr(${headCheckpointSql(quotedAppSchema)}, 1, 10)::numeric`;
}

export function decodeHead(checkpoint: string | null | undefined): IndexedHead | null {
  if (!checkpoint || !/^\d{75}$/.test(checkpoint)) return null;
  return { timestamp: BigInt(checkpoint.slice(0, 10)), blockNumber: BigInt(checkpoint.slice(26, 42)) };
}

/** Response headers naming the block an answer was computed at. */
export function headHeaders(head: IndexedHead | null): Record<string, string> {
  if (!head) return {};
  return { "x-onekey-indexed-block": head.blockNumber.toString(), "x-onekey-indexed-timestamp": head.timestamp.toString() };
}
