// What every handler does after updating its entity tables: append the event to the
// hash-chained log (scope 0 and each project it concerns) and write one outbox message per
// project. Only table writes happen here; handlers re-run on reorgs, so anything with an
// outside effect (HTTP) waits for the delivery worker in src/api/webhooks.
import { createHash } from "node:crypto";
import type { Context } from "ponder:registry";
import { eventLog, eventLogHead, outbox } from "ponder:schema";
import { canonicalPayload, canonicalValue, GENESIS_HASH, rowHash } from "../lib/audit.ts";
import { webhookNames, type WebhookData } from "./names.ts";

type Db = Context["db"];

/** The parts of a Ponder event the log needs (every log event has them). */
export interface LoggedEvent {
  id: string;
  block: { number: bigint; hash: `0x${string}`; timestamp: bigint };
  transaction: { hash: `0x${string}` };
  log: { logIndex: number };
}

export interface EmitContext {
  db: Db;
  chain: { id: number };
}

/** Appends a row to one scope's chain; returns nothing because rows are never read back here. */
async function appendToChain(db: Db, chainId: number, scope: bigint, event: LoggedEvent, eventType: string, payload: string): Promise<void> {
  const head = await db.find(eventLogHead, { id: scope });
  const seq = (head?.seq ?? 0) + 1;
  const fields = {
    chainId: String(chainId),
    projectId: scope.toString(),
    seq: String(seq),
    eventId: event.id,
    eventType,
    blockNumber: event.block.number.toString(),
    blockHash: event.block.hash.toLowerCase(),
    transactionHash: event.transaction.hash.toLowerCase(),
    logIndex: String(event.log.logIndex),
    timestamp: event.block.timestamp.toString(),
    payload,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const hash = rowHash(fields);
  await db.insert(eventLog).values({
    id: `${scope}:${seq}`,
    projectId: scope,
    seq,
    eventId: event.id,
    eventType,
    chainId,
    blockNumber: event.block.number,
    blockHash: fields.blockHash as `0x${string}`,
    transactionHash: fields.transactionHash as `0x${string}`,
    logIndex: event.log.logIndex,
    timestamp: event.block.timestamp,
    payload,
    prevHash: fields.prevHash as `0x${string}`,
    hash,
  });
  await db.insert(eventLogHead).values({ id: scope, seq, hash }).onConflictDoUpdate({ seq, hash });
}

/**
 * The webhook message id (`webhook-id`, the receiver's idempotency key): stable for an event, a
 * type and a project, different when a reorg re-mines the transaction in another block.
 */
export function messageId(chainId: number, event: LoggedEvent, eventType: string, projectId: bigint): string {
  const key = `${chainId}:${event.block.hash.toLowerCase()}:${event.log.logIndex}:${eventType}:${projectId}`;
  return `msg_${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}

async function enqueue(context: EmitContext, event: LoggedEvent, eventType: string, projectId: bigint, data: WebhookData): Promise<void> {
  const id = messageId(context.chain.id, event, eventType, projectId);
  const body = JSON.stringify({
    id,
    type: eventType,
    timestamp: new Date(Number(event.block.timestamp) * 1000).toISOString(),
    data: {
      ...data,
      projectId: projectId.toString(),
      chainId: String(context.chain.id),
      blockNumber: event.block.number.toString(),
      blockHash: event.block.hash.toLowerCase(),
      transactionHash: event.transaction.hash.toLowerCase(),
      logIndex: String(event.log.logIndex),
      eventId: event.id,
    },
  });
  await context.db
    .insert(outbox)
    .values({
      id,
      projectId,
      eventId: event.id,
      eventType,
      blockNumber: event.block.number,
      blockHash: event.block.hash,
      timestamp: event.block.timestamp,
      body,
    })
    .onConflictDoNothing();
}

function canonicalData(args: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, canonicalValue(v)]));
}

/**
 * Logs an on-chain event: to the global chain (scope 0) and the chain of every project it
 * concerns, and queues one webhook message per such project.
 */
export async function emit(
  context: EmitContext,
  event: LoggedEvent,
  eventType: string,
  args: Record<string, unknown>,
  projectIds: readonly bigint[] = [],
): Promise<void> {
  const payload = canonicalPayload(args);
  const projects = [...new Set(projectIds)].filter((p) => p > 0n);
  for (const scope of [0n, ...projects]) {
    await appendToChain(context.db, context.chain.id, scope, event, eventType, payload);
  }
  // The audit chain keeps the event's own fields only (what anyone can recompute from the chain);
  // webhook bodies add the names, so a receiver never needs the SDK to read a purpose or a claim.
  const data = { ...canonicalData(args), ...webhookNames(eventType, args) };
  for (const projectId of projects) await enqueue(context, event, eventType, projectId, data);
}

/** Queues an `alert.*` message (alerts are derived, so they are not part of the audit chain). */
export async function raiseAlert(context: EmitContext, event: LoggedEvent, rule: string, projectId: bigint, details: Record<string, unknown>): Promise<void> {
  await enqueue(context, event, `alert.${rule}`, projectId, { rule, ...canonicalData(details) });
}
