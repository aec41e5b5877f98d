// ProjectRegistry events. Every project-level event except ProjectCreated needs the project to
// exist on-chain (the contract reverts with ProjectNotFound otherwise), so an unknown project row
// only means history before the start block: recorded as skipped, never a crash. Role events carry
// the account's full mask after the change, so they upsert and need no earlier row.
import { ponder } from "ponder:registry";
import { apiKey, member, project, reviewKeyShare } from "ponder:schema";
import { Roles } from "@onekey/sdk/contracts";
import { emit, type EmitContext, type LoggedEvent } from "../emit.ts";
import { apiKeyScopeNames, roleNames } from "../names.ts";
import { guarded, int32, pgText, skip } from "./total.ts";

const ZERO = "0x0000000000000000000000000000000000000000";

type ProjectRow = typeof project.$inferSelect;

/** Updates the project row, or records the event as skipped when the project is unknown. */
async function updateProject(context: EmitContext, event: LoggedEvent, name: string, projectId: bigint, changes: Partial<ProjectRow>): Promise<void> {
  if (!(await context.db.find(project, { id: projectId }))) {
    await skip(context, event, {
      name,
      projectId,
      code: "project_not_indexed",
      reason: `project ${projectId} is not indexed (created before the start block?)`,
    });
    return;
  }
  await context.db.update(project, { id: projectId }).set(changes);
}

ponder.on("ProjectRegistry:ProjectCreated", async ({ event, context }) => {
  const name = "ProjectRegistry:ProjectCreated";
  const { projectId, admin } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const metadataURI = pgText(event.args.metadataURI);
    const at = event.block.timestamp;
    await context.db
      .insert(project)
      .values({
        id: projectId,
        admin,
        metadataURI,
        suspended: false,
        reviewKeyVersion: 0,
        escrowKeyVersion: 0,
        sponsorBalance: 0n,
        totalFunded: 0n,
        totalWithdrawn: 0n,
        gasSponsored: 0n,
        costCharged: 0n,
        operationsSponsored: 0,
        createdAt: at,
        createdBlock: event.block.number,
        updatedAt: at,
      })
      .onConflictDoUpdate({ admin, metadataURI, createdAt: at, createdBlock: event.block.number, updatedAt: at });
    await emit(context, event, "project.created", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:ProjectMetadataUpdated", async ({ event, context }) => {
  const name = "ProjectRegistry:ProjectMetadataUpdated";
  const { projectId } = event.args;
  await guarded(context, event, name, projectId, async () => {
    await updateProject(context, event, name, projectId, { metadataURI: pgText(event.args.metadataURI), updatedAt: event.block.timestamp });
    await emit(context, event, "project.metadata_updated", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:ProjectSuspended", async ({ event, context }) => {
  const name = "ProjectRegistry:ProjectSuspended";
  const { projectId } = event.args;
  await guarded(context, event, name, projectId, async () => {
    await updateProject(context, event, name, projectId, { suspended: true, updatedAt: event.block.timestamp });
    await emit(context, event, "project.suspended", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:ProjectResumed", async ({ event, context }) => {
  const name = "ProjectRegistry:ProjectResumed";
  const { projectId } = event.args;
  await guarded(context, event, name, projectId, async () => {
    await updateProject(context, event, name, projectId, { suspended: false, updatedAt: event.block.timestamp });
    await emit(context, event, "project.resumed", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:AdminTransferStarted", async ({ event, context }) => {
  const name = "ProjectRegistry:AdminTransferStarted";
  const { projectId, to } = event.args;
  await guarded(context, event, name, projectId, async () => {
    // transferAdmin(0) cancels a pending transfer; transferAdmin(self) is allowed and harmless.
    await updateProject(context, event, name, projectId, { pendingAdmin: to === ZERO ? null : to, updatedAt: event.block.timestamp });
    await emit(context, event, "project.admin_transfer_started", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:AdminTransferred", async ({ event, context }) => {
  const name = "ProjectRegistry:AdminTransferred";
  const { projectId, to } = event.args;
  await guarded(context, event, name, projectId, async () => {
    await updateProject(context, event, name, projectId, { admin: to, pendingAdmin: null, updatedAt: event.block.timestamp });
    await emit(context, event, "project.admin_transferred", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:RolesGranted", async ({ event, context }) => {
  const name = "ProjectRegistry:RolesGranted";
  const { projectId, account, roles } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const id = `${projectId}:${account.toLowerCase()}`;
    const at = event.block.timestamp;
    const existing = await context.db.find(member, { id });
    // Re-granting a role already held is a no-op on-chain (same mask); keep reviewerSince then.
    const wasReviewer = existing ? (existing.roles & Roles.REVIEWER) !== 0 : false;
    const isReviewer = (roles & Roles.REVIEWER) !== 0;
    const reviewerSince = isReviewer ? (wasReviewer ? (existing?.reviewerSince ?? at) : at) : null;
    await context.db
      .insert(member)
      .values({ id, projectId, account, roles, roleNames: roleNames(roles), reviewerSince, addedAt: at, updatedAt: at, updatedBlock: event.block.number })
      .onConflictDoUpdate({ roles, roleNames: roleNames(roles), reviewerSince, updatedAt: at, updatedBlock: event.block.number });
    await emit(context, event, "member.roles_granted", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:RolesRevoked", async ({ event, context }) => {
  const name = "ProjectRegistry:RolesRevoked";
  const { projectId, account, roles } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const id = `${projectId}:${account.toLowerCase()}`;
    const at = event.block.timestamp;
    const existing = await context.db.find(member, { id });
    // `roles` is the full mask after the call. revokeRoles succeeds for roles nobody held (any
    // account may renounce its own, even with no role at all), so there may be no row: a mask of 0
    // then changes nothing and stores nothing; a non-zero mask means a member from before the
    // start block, whose REVIEWER start is unknown.
    if (existing) {
      await context.db.update(member, { id }).set({
        roles,
        roleNames: roleNames(roles),
        reviewerSince: (roles & Roles.REVIEWER) !== 0 ? existing.reviewerSince : null,
        updatedAt: at,
        updatedBlock: event.block.number,
      });
    } else if (roles !== 0) {
      await context.db.insert(member).values({
        id,
        projectId,
        account,
        roles,
        roleNames: roleNames(roles),
        reviewerSince: null,
        addedAt: at,
        updatedAt: at,
        updatedBlock: event.block.number,
      });
    }
    await emit(context, event, "member.roles_revoked", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:ReviewKeySet", async ({ event, context }) => {
  const name = "ProjectRegistry:ReviewKeySet";
  const { projectId, publicKey, version } = event.args;
  await guarded(context, event, name, projectId, async () => {
    await updateProject(context, event, name, projectId, { reviewKey: publicKey, reviewKeyVersion: int32(version), updatedAt: event.block.timestamp });
    await emit(context, event, "project.review_key_set", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:EscrowKeySet", async ({ event, context }) => {
  const name = "ProjectRegistry:EscrowKeySet";
  const { projectId, publicKey, version } = event.args;
  await guarded(context, event, name, projectId, async () => {
    await updateProject(context, event, name, projectId, { escrowKey: publicKey, escrowKeyVersion: int32(version), updatedAt: event.block.timestamp });
    await emit(context, event, "project.escrow_key_set", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:ReviewKeyShared", async ({ event, context }) => {
  const name = "ProjectRegistry:ReviewKeyShared";
  const { projectId, reviewer, keyVersion, wrappedKey } = event.args;
  await guarded(context, event, name, projectId, async () => {
    // Sharing the same key version twice replaces the wrap (the event is the only copy).
    await context.db
      .insert(reviewKeyShare)
      .values({
        id: `${projectId}:${reviewer.toLowerCase()}:${keyVersion}`,
        projectId,
        reviewer,
        keyVersion: int32(keyVersion),
        wrappedKey,
        sharedAt: event.block.timestamp,
        blockNumber: event.block.number,
      })
      .onConflictDoUpdate({ wrappedKey, sharedAt: event.block.timestamp, blockNumber: event.block.number });
    await emit(context, event, "project.review_key_shared", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:ApiKeyAdded", async ({ event, context }) => {
  const name = "ProjectRegistry:ApiKeyAdded";
  const { projectId, keyHash, expiry } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const scopes = int32(event.args.scopes);
    const scopeNames = apiKeyScopeNames(scopes);
    await context.db
      .insert(apiKey)
      .values({
        id: `${projectId}:${keyHash.toLowerCase()}`,
        projectId,
        keyHash,
        scopes,
        scopeNames,
        expiry,
        revoked: false,
        addedAt: event.block.timestamp,
      })
      .onConflictDoUpdate({ scopes, scopeNames, expiry, revoked: false, addedAt: event.block.timestamp, revokedAt: null });
    await emit(context, event, "api_key.added", event.args, [projectId]);
  });
});

ponder.on("ProjectRegistry:ApiKeyRevoked", async ({ event, context }) => {
  const name = "ProjectRegistry:ApiKeyRevoked";
  const { projectId, keyHash } = event.args;
  await guarded(context, event, name, projectId, async () => {
    const id = `${projectId}:${keyHash.toLowerCase()}`;
    // The contract reverts for a key it does not hold, so a missing row is history before the start block.
    if (await context.db.find(apiKey, { id })) {
      await context.db.update(apiKey, { id }).set({ revoked: true, revokedAt: event.block.timestamp });
    } else {
      await skip(context, event, { name, projectId, code: "api_key_not_indexed", reason: `API key ${keyHash} of project ${projectId} is not indexed` });
    }
    await emit(context, event, "api_key.revoked", event.args, [projectId]);
  });
});
