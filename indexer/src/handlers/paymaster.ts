// OneKeyPaymaster events (optional contract: indexed when ONEKEY_PAYMASTER is set).
import { ponder } from "ponder:registry";
import { project, sponsorFunding, sponsorship } from "ponder:schema";
import { checkSpendRate, thresholds } from "../alerts.ts";
import { emit, raiseAlert, type EmitContext, type LoggedEvent } from "../emit.ts";

/** Fires when a charge or withdrawal takes the balance from at/above the threshold to below it. */
async function checkBalance(context: EmitContext, event: LoggedEvent, projectId: bigint, before: bigint, after: bigint) {
  const min = thresholds.sponsorBalanceMin;
  if (before >= min && after < min) {
    await raiseAlert(context, event, "sponsor_balance_low", projectId, { balance: after, threshold: min });
  }
}

ponder.on("OneKeyPaymaster:ProjectFunded", async ({ event, context }) => {
  const { projectId, from, amount } = event.args;
  await context.db
    .update(project, { id: projectId })
    .set((p) => ({ sponsorBalance: p.sponsorBalance + amount, totalFunded: p.totalFunded + amount }));
  await context.db
    .insert(sponsorFunding)
    .values({ id: event.id, projectId, kind: "funded", account: from, amount, timestamp: event.block.timestamp, blockNumber: event.block.number })
    .onConflictDoNothing();
  await emit(context, event, "sponsorship.funded", event.args, [projectId]);
});

ponder.on("OneKeyPaymaster:ProjectWithdrawn", async ({ event, context }) => {
  const { projectId, to, amount } = event.args;
  const before = (await context.db.find(project, { id: projectId }))?.sponsorBalance ?? 0n;
  await context.db
    .update(project, { id: projectId })
    .set((p) => ({ sponsorBalance: p.sponsorBalance - amount, totalWithdrawn: p.totalWithdrawn + amount }));
  await context.db
    .insert(sponsorFunding)
    .values({ id: event.id, projectId, kind: "withdrawn", account: to, amount, timestamp: event.block.timestamp, blockNumber: event.block.number })
    .onConflictDoNothing();
  await emit(context, event, "sponsorship.withdrawn", event.args, [projectId]);
  await checkBalance(context, event, projectId, before, before - amount);
});

ponder.on("OneKeyPaymaster:UserOperationSponsored", async ({ event, context }) => {
  const { userOpHash, projectId, sender, actualGasCost, charged } = event.args;
  const before = (await context.db.find(project, { id: projectId }))?.sponsorBalance ?? 0n;
  await context.db.update(project, { id: projectId }).set((p) => ({
    sponsorBalance: p.sponsorBalance - charged,
    gasSponsored: p.gasSponsored + actualGasCost,
    costCharged: p.costCharged + charged,
    operationsSponsored: p.operationsSponsored + 1,
  }));
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
  await checkBalance(context, event, projectId, before, before - charged);
  await checkSpendRate(context, event, projectId, charged);
});
