// AttestationRegistry events. `attest` overwrites the (project, subject) slot, so Attested
// upserts (re-attesting after a revocation clears `revoked`); `revoke` reverts unless the slot is
// set, so a missing row on AttestationRevoked only means history before the start block.
import { ponder } from "ponder:registry";
import { attestation, attestationEvent, member } from "ponder:schema";
import { checkMassRevocation, thresholds } from "../alerts.ts";
import { emit, raiseAlert } from "../emit.ts";
import { claimLabels } from "../names.ts";
import { guarded, skip } from "./total.ts";

ponder.on("AttestationRegistry:Attested", async ({ event, context }) => {
  const { projectId, subject, attester, level, expiry, recordId } = event.args;
  await guarded(context, event, "AttestationRegistry:Attested", projectId, async () => {
    const claims = BigInt(event.args.claims);
    const claimNames = claimLabels(claims);
    const at = event.block.timestamp;
    const values = {
      attester,
      level,
      expiry,
      claims,
      claimNames,
      recordId,
      revoked: false,
      revokedBy: null,
      attestedAt: at,
      revokedAt: null,
      blockNumber: event.block.number,
    };
    await context.db
      .insert(attestation)
      .values({ id: `${projectId}:${subject.toLowerCase()}`, projectId, subject, ...values })
      .onConflictDoUpdate(values);
    await context.db
      .insert(attestationEvent)
      .values({
        id: event.id,
        kind: "attested",
        projectId,
        subject,
        actor: attester,
        level,
        expiry,
        claims,
        claimNames,
        recordId,
        timestamp: at,
        blockNumber: event.block.number,
      })
      .onConflictDoNothing();
    await emit(context, event, "attestation.created", event.args, [projectId]);

    const reviewer = await context.db.find(member, { id: `${projectId}:${attester.toLowerCase()}` });
    const since = reviewer?.reviewerSince;
    if (since !== null && since !== undefined && at - since <= BigInt(thresholds.newReviewerWindow)) {
      await raiseAlert(context, event, "new_reviewer_attestation", projectId, {
        attester,
        subject,
        reviewerSince: since,
        secondsAfterRoleGrant: at - since,
      });
    }
  });
});

ponder.on("AttestationRegistry:AttestationRevoked", async ({ event, context }) => {
  const name = "AttestationRegistry:AttestationRevoked";
  const { projectId, subject, by } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const at = event.block.timestamp;
    const id = `${projectId}:${subject.toLowerCase()}`;
    if (await context.db.find(attestation, { id })) {
      await context.db.update(attestation, { id }).set({ revoked: true, revokedBy: by, revokedAt: at, blockNumber: event.block.number });
    } else {
      await skip(context, event, {
        name,
        projectId,
        code: "attestation_not_indexed",
        reason: `attestation ${id} is not indexed (attested before the start block?)`,
      });
    }
    await context.db
      .insert(attestationEvent)
      .values({ id: event.id, kind: "revoked", projectId, subject, actor: by, timestamp: at, blockNumber: event.block.number })
      .onConflictDoNothing();
    await emit(context, event, "attestation.revoked", event.args, [projectId]);
    await checkMassRevocation(context, event, projectId);
  });
});
