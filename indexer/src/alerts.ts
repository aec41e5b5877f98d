// Security-monitoring rules evaluated inside handlers. Counting windows open at the first event
// and close `window` seconds later (block time), so a re-run after a reorg counts the same way.
import { alertWindow, spendWindow } from "ponder:schema";
import { alertThresholds, nextSpendWindow } from "../lib/alerts.ts";
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
  const next = fresh ? { windowStart: timestamp, count: 1, raised: false } : { windowStart: row.windowStart, count: row.count + 1, raised: row.raised };
  const fire = !next.raised && next.count >= threshold;
  if (fire) next.raised = true;
  await context.db
    .insert(alertWindow)
    .values({ id: key, ...next })
    .onConflictDoUpdate(next);
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

/** Sponsored spend jumps (nextSpendWindow): `alert.sponsor_spend_rate`, once per window. */
export async function checkSpendRate(context: EmitContext, event: LoggedEvent, projectId: bigint, charged: bigint): Promise<void> {
  const id = projectId.toString();
  const row = await context.db.find(spendWindow, { id });
  const { next, fire } = nextSpendWindow(row ?? undefined, event.block.timestamp, charged, thresholds);
  await context.db
    .insert(spendWindow)
    .values({ id, ...next })
    .onConflictDoUpdate(next);
  if (fire) {
    await raiseAlert(context, event, "sponsor_spend_rate", projectId, {
      spentWei: next.spent,
      previousWindowWei: next.previousSpent,
      windowStart: next.windowStart,
      windowSeconds: thresholds.sponsorSpendWindow,
      thresholdWei: thresholds.sponsorSpendMin,
    });
  }
}
