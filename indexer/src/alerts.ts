// Security-monitoring rules evaluated inside handlers. Counting windows open at the first event
// and close `window` seconds later (block time), so a re-run after a reorg counts the same way.
import { alertWindow, spendWindow } from "ponder:schema";
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

/**
 * Sponsored spend jumps: a project's charges in one window reach the minimum and at least `jump`
 * times the window before (an empty or older previous window counts as 0). Fires once per window.
 * Windows are fixed and back to back in block time, so a re-run after a reorg sums the same way.
 */
export async function checkSpendRate(context: EmitContext, event: LoggedEvent, projectId: bigint, charged: bigint): Promise<void> {
  const { sponsorSpendMin, sponsorSpendWindow, sponsorSpendJump } = thresholds;
  const window = BigInt(sponsorSpendWindow);
  const start = event.block.timestamp - (event.block.timestamp % window);
  const id = projectId.toString();
  const row = await context.db.find(spendWindow, { id });
  const next = !row || row.windowStart !== start
    ? { windowStart: start, spent: charged, previousSpent: row && row.windowStart === start - window ? row.spent : 0n, raised: false }
    : { windowStart: row.windowStart, spent: row.spent + charged, previousSpent: row.previousSpent, raised: row.raised };
  // jump as a ratio on integers: spent >= jump x previous (jump may be fractional, e.g. 1.5)
  const jumped = next.spent * 100n >= BigInt(Math.round(sponsorSpendJump * 100)) * next.previousSpent;
  const fire = !next.raised && next.spent >= sponsorSpendMin && jumped;
  if (fire) next.raised = true;
  await context.db.insert(spendWindow).values({ id, ...next }).onConflictDoUpdate(next);
  if (fire) {
    await raiseAlert(context, event, "sponsor_spend_rate", projectId, {
      spentWei: next.spent, previousWindowWei: next.previousSpent, windowStart: next.windowStart, windowSeconds: sponsorSpendWindow, thresholdWei: sponsorSpendMin,
    });
  }
}
