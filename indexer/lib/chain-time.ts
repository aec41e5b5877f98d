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

/** Where the fields sit in a checkpoint string: 1-based start and length, as SQL `substr` takes them. */
export const CHECKPOINT_FIELDS = { timestamp: [1, 10], blockNumber: [27, 16] } as const;

/** The newest checkpoint, as one SQL expression over the app schema (quoted identifier). */
export function headCheckpointSql(quotedAppSchema: string): string {
  return `(SELECT max(latest_checkpoint) FROM ${quotedAppSchema}._ponder_checkpoint)`;
}

/** A checkpoint field of a SQL checkpoint expression, as numeric. */
export function checkpointFieldSql(checkpoint: string, field: keyof typeof CHECKPOINT_FIELDS): string {
  const [start, length] = CHECKPOINT_FIELDS[field];
  return `substr(${checkpoint}, ${start}, ${length})::numeric`;
}

export function decodeHead(checkpoint: string | null | undefined): IndexedHead | null {
  if (!checkpoint || !/^\d{75}$/.test(checkpoint)) return null;
  const field = ([start, length]: readonly [number, number]) => BigInt(checkpoint.slice(start - 1, start - 1 + length));
  return { timestamp: field(CHECKPOINT_FIELDS.timestamp), blockNumber: field(CHECKPOINT_FIELDS.blockNumber) };
}

/** Response headers naming the block an answer was computed at. */
export function headHeaders(head: IndexedHead | null): Record<string, string> {
  if (!head) return {};
  return { "x-onekey-indexed-block": head.blockNumber.toString(), "x-onekey-indexed-timestamp": head.timestamp.toString() };
}
