// Security-monitoring rules evaluated inside handlers. Counting windows open at the first event
// and close `window` seconds later (block time), so a re-run after a reorg counts the same way.
import { alertWindow } from "ponder:schema";
import { alertThresholds } from "../lib/alerts.ts";
import { raiseAlert, type EmitContext, type LoggedEvent } from "./emit.ts";

export const thresholds = alertThresholds();

/** Counts one event for `key`; true exactly once per window, when the count reaches `threshold`. */
export async function countTowards(
  context: EmitContext,
  key: string,
  timestamp: bigint,
  window: number,
  threshold: number,
): Promise<{ fire: boolean; count: number; windowStart: bigint }> {
  const row = await context.db.find(alertWindow, { id: key });
  const fresh = !row || timestamp - row.windowStart >= BigInt(window);
  const next = fresh
    ? { windowStart: timestamp, count: 1, raised: false }
    : { windowStart: row.windowStart, count: row.count + 1, raised: row.raised };
  const fire = !next.raised && next.count >= threshold;
  if (fire) next.raised = true;
  await context.db.insert(alertWindow).values({ id: key, ...next }).onConflictDoUpdate(next);
  return { fire, count: next.count, windowStart: next.windowStart };
}

/** Grant revocations of a project's grants and its attestation revocations count together. */
export async function checkMassRevocation(context: EmitContext, event: LoggedEvent, projectId: bigint): Promise<void> {
  const { massRevocationCount, massRevocationWindow } = thresholds;
  const mass = await countTowards(context, `${projectId}:revocation`, event.block.timestamp, massRevocationWindow, massRevocationCount);
  if (mass.fire) {
    await raiseAlert(context, event, "mass_revocation", projectId, {
      count: mass.count,
      windowStart: mass.windowStart,
      windowSeconds: massRevocationWindow,
    });
  }
}
