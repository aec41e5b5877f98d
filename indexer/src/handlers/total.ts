// Handlers are total: every event sequence the contracts can emit is applied, or recorded here as
// skipped with its reason, and indexing goes on. A handler that throws stops Ponder for good (a
// restart re-runs the same event and throws again), so one free transaction would take every
// tenant's GraphQL, API and webhooks down with it. docs/indexer.md ("Handler totality") lists what
// each handler does with no-ops and unknown rows.
import { skippedEvent } from "ponder:schema";
import { raiseAlert, type EmitContext, type LoggedEvent } from "../emit.ts";

/**
 * Why an event was skipped, as a stable name (`skipped_event.reasonCode`, the `alert.event_skipped`
 * body): the row an event needs was never indexed (history before the start block), or the
 * handler hit an error it would hit again on every retry. `reason` is the human sentence.
 */
export const SKIP_REASONS = [
  "project_not_indexed",
  "api_key_not_indexed",
  "record_not_indexed",
  "grant_not_indexed",
  "attestation_not_indexed",
  "handler_error",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkipInfo {
  /** "Contract:Event", as registered with ponder.on. */
  name: string;
  code: SkipReason;
  reason: string;
  projectId?: bigint | null;
  errorName?: string;
}

/**
 * Records an event the handler cannot apply: a `skipped_event` row, an `alert.event_skipped`
 * message to the project it concerns, and a structured warning for operators on stderr.
 */
export async function skip(context: EmitContext, event: LoggedEvent, info: SkipInfo): Promise<void> {
  const [contract, eventName] = info.name.split(":");
  const projectId = info.projectId ?? null;
  await context.db
    .insert(skippedEvent)
    .values({
      id: event.id,
      contract,
      eventName,
      reasonCode: info.code,
      reason: info.reason,
      errorName: info.errorName ?? null,
      projectId,
      chainId: context.chain.id,
      blockNumber: event.block.number,
      blockHash: event.block.hash,
      transactionHash: event.transaction.hash,
      logIndex: event.log.logIndex,
      timestamp: event.block.timestamp,
    })
    .onConflictDoNothing();
  if (projectId !== null && projectId > 0n) {
    await raiseAlert(context, event, "event_skipped", projectId, { contract, eventName, reasonCode: info.code, reason: info.reason, eventId: event.id });
  }
  console.warn(
    JSON.stringify({
      level: "warn",
      msg: "onekey: event skipped",
      event: info.name,
      eventId: event.id,
      blockNumber: event.block.number.toString(),
      transactionHash: event.transaction.hash,
      projectId: projectId?.toString() ?? null,
      reasonCode: info.code,
      reason: info.reason,
    }),
  );
}

// Errors that the same event would raise again on every retry and restart: Ponder's store
// refusing a write, or a bug in the handler's own code. Anything else (database connection,
// RPC, Ponder shutting down) is rethrown so Ponder retries or stops as it would without us;
// swallowing those would silently lose state.
const DETERMINISTIC = new Set([
  "RecordNotFoundError",
  "UniqueConstraintError",
  "NotNullConstraintError",
  "CheckConstraintError",
  "BigIntSerializationError",
  "InvalidStoreMethodError",
  "TypeError",
  "RangeError",
  "SyntaxError",
]);

/**
 * Runs a handler body; a deterministic error becomes a skipped event instead of a crash. The
 * bodies are written to be total on their own (find before update, upsert where the contract
 * allows); this is the net under them for what nobody foresaw.
 */
export async function guarded(context: EmitContext, event: LoggedEvent, name: string, projectId: bigint | null, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(error instanceof Error) || !DETERMINISTIC.has(error.name)) throw error;
    await skip(context, event, {
      name,
      projectId,
      code: "handler_error",
      errorName: error.name,
      reason: `handler error: ${pgText(error.message).slice(0, 500)}`,
    });
  }
}

/**
 * Text as PostgreSQL can store it. A `text` column refuses U+0000, which any caller can put in a
 * Solidity string (createProject("\0") would otherwise fail the batch flush and stop the
 * indexer); it is stored as U+FFFD. The exact string stays in the event log payload (JSON-escaped).
 */
export function pgText(value: string): string {
  return value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
}

/**
 * A uint32 in an `integer` (int4) column: the same 32 bits, read as signed. Scopes above 2^31
 * (bit 31 set, no defined scope) would otherwise overflow the column at flush time; JavaScript's
 * bitwise operators already read the value this way, so `scopes & SCOPES.read` is unchanged.
 */
export function int32(value: number): number {
  return value | 0;
}
