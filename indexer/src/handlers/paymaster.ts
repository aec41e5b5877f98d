// OneKeyPaymaster events (optional contract: indexed when ONEKEY_PAYMASTER is set). The paymaster
// checks the project against ProjectRegistry, so an unknown project row means history before the
// start block or a paymaster wired to another registry: the event rows are kept, the project's
// totals cannot be, and the event is recorded as skipped.
import { ponder } from "ponder:registry";
import { project, sponsorFunding, sponsorship } from "ponder:schema";
import { checkSpendRate, thresholds } from "../alerts.ts";
import { emit, raiseAlert, type EmitContext, type LoggedEvent } from "../emit.ts";
import { guarded, skip } from "./total.ts";

/** Fires when a charge or withdrawal takes the balance from at/above the threshold to below it. */
async function checkBalance(context: EmitContext, event: LoggedEvent, projectId: bigint, before: bigint, after: bigint) {
  const min = thresholds.sponsorBalanceMin;
  if (before >= min && after < min) {
    await raiseAlert(context, event, "sponsor_balance_low", projectId, { balance: after, threshold: min });
  }
}

/** The project's sponsor balance, or null (and the event skipped) when the project is unknown. */
async function knownBalance(context: EmitContext, event: LoggedEvent, name: string, projectId: bigint): Promise<bigint | null> {
  const row = await context.db.find(project, { id: projectId });
  if (row) return row.sponsorBalance;
  await skip(context, event, {
    name,
    projectId,
    code: "project_not_indexed",
    reason: `project ${projectId} is not indexed; its sponsorship totals are not updated`,
  });
  return null;
}

ponder.on("OneKeyPaymaster:ProjectFunded", async ({ event, context }) => {
  const name = "OneKeyPaymaster:ProjectFunded";
  const { projectId, from, amount } = event.args;
  await guarded(context, event, name, projectId, async () => {
    if ((await knownBalance(context, event, name, projectId)) !== null) {
      await context.db.update(project, { id: projectId }).set((p) => ({ sponsorBalance: p.sponsorBalance + amount, totalFunded: p.totalFunded + amount }));
    }
    await context.db
      .insert(sponsorFunding)
      .values({ id: event.id, projectId, kind: "funded", account: from, amount, timestamp: event.block.timestamp, blockNumber: event.block.number })
      .onConflictDoNothing();
    await emit(context, event, "sponsorship.funded", event.args, [projectId]);
  });
});

ponder.on("OneKeyPaymaster:ProjectWithdrawn", async ({ event, context }) => {
  const name = "OneKeyPaymaster:ProjectWithdrawn";
  const { projectId, to, amount } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const before = await knownBalance(context, event, name, projectId);
    if (before !== null) {
      await context.db
        .update(project, { id: projectId })
        .set((p) => ({ sponsorBalance: p.sponsorBalance - amount, totalWithdrawn: p.totalWithdrawn + amount }));
    }
    await context.db
      .insert(sponsorFunding)
      .values({ id: event.id, projectId, kind: "withdrawn", account: to, amount, timestamp: event.block.timestamp, blockNumber: event.block.number })
      .onConflictDoNothing();
    await emit(context, event, "sponsorship.withdrawn", event.args, [projectId]);
    if (before !== null) await checkBalance(context, event, projectId, before, before - amount);
  });
});

ponder.on("OneKeyPaymaster:UserOperationSponsored", async ({ event, context }) => {
  const name = "OneKeyPaymaster:UserOperationSponsored";
  const { userOpHash, projectId, sender, actualGasCost, charged } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const before = await knownBalance(context, event, name, projectId);
    if (before !== null) {
      await context.db.update(project, { id: projectId }).set((p) => ({
        sponsorBalance: p.sponsorBalance - charged,
        gasSponsored: p.gasSponsored + actualGasCost,
        costCharged: p.costCharged + charged,
        operationsSponsored: p.operationsSponsored + 1,
      }));
    }
    await context.db
      .insert(sponsorship)
      .values({
        id: userOpHash,
        projectId,
        sender,
        actualGasCost,
        charged,
        timestamp: event.block.timestamp,
        blockNumber: event.block.number,
        transactionHash: event.transaction.hash,
      })
      .onConflictDoNothing();
    await emit(context, event, "sponsorship.operation_sponsored", event.args, [projectId]);
    if (before !== null) await checkBalance(context, event, projectId, before, before - charged);
    await checkSpendRate(context, event, projectId, charged);
  });
});
