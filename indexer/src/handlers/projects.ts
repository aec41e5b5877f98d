import { ponder } from "ponder:registry";
import { apiKey, member, project, reviewKeyShare } from "ponder:schema";
import { Roles } from "@onekey/sdk/contracts";
import { emit } from "../emit.ts";

const ZERO = "0x0000000000000000000000000000000000000000";

ponder.on("ProjectRegistry:ProjectCreated", async ({ event, context }) => {
  const { projectId, admin, metadataURI } = event.args;
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

ponder.on("ProjectRegistry:ProjectMetadataUpdated", async ({ event, context }) => {
  const { projectId, metadataURI } = event.args;
  await context.db.update(project, { id: projectId }).set({ metadataURI, updatedAt: event.block.timestamp });
  await emit(context, event, "project.metadata_updated", event.args, [projectId]);
});

ponder.on("ProjectRegistry:ProjectSuspended", async ({ event, context }) => {
  await context.db.update(project, { id: event.args.projectId }).set({ suspended: true, updatedAt: event.block.timestamp });
  await emit(context, event, "project.suspended", event.args, [event.args.projectId]);
});

ponder.on("ProjectRegistry:ProjectResumed", async ({ event, context }) => {
  await context.db.update(project, { id: event.args.projectId }).set({ suspended: false, updatedAt: event.block.timestamp });
  await emit(context, event, "project.resumed", event.args, [event.args.projectId]);
});

ponder.on("ProjectRegistry:AdminTransferStarted", async ({ event, context }) => {
  const { projectId, to } = event.args;
  await context.db
    .update(project, { id: projectId })
    .set({ pendingAdmin: to === ZERO ? null : to, updatedAt: event.block.timestamp });
  await emit(context, event, "project.admin_transfer_started", event.args, [projectId]);
});

ponder.on("ProjectRegistry:AdminTransferred", async ({ event, context }) => {
  const { projectId, to } = event.args;
  await context.db.update(project, { id: projectId }).set({ admin: to, pendingAdmin: null, updatedAt: event.block.timestamp });
  await emit(context, event, "project.admin_transferred", event.args, [projectId]);
});

ponder.on("ProjectRegistry:RolesGranted", async ({ event, context }) => {
  const { projectId, account, roles } = event.args;
  const id = `${projectId}:${account.toLowerCase()}`;
  const at = event.block.timestamp;
  const existing = await context.db.find(member, { id });
  const wasReviewer = existing ? (existing.roles & Roles.REVIEWER) !== 0 : false;
  const isReviewer = (roles & Roles.REVIEWER) !== 0;
  const reviewerSince = isReviewer ? (wasReviewer ? (existing?.reviewerSince ?? at) : at) : null;
  await context.db
    .insert(member)
    .values({ id, projectId, account, roles, reviewerSince, addedAt: at, updatedAt: at, updatedBlock: event.block.number })
    .onConflictDoUpdate({ roles, reviewerSince, updatedAt: at, updatedBlock: event.block.number });
  await emit(context, event, "member.roles_granted", event.args, [projectId]);
});

ponder.on("ProjectRegistry:RolesRevoked", async ({ event, context }) => {
  const { projectId, account, roles } = event.args;
  const id = `${projectId}:${account.toLowerCase()}`;
  await context.db.update(member, { id }).set((row) => ({
    roles,
    reviewerSince: (roles & Roles.REVIEWER) !== 0 ? row.reviewerSince : null,
    updatedAt: event.block.timestamp,
    updatedBlock: event.block.number,
  }));
  await emit(context, event, "member.roles_revoked", event.args, [projectId]);
});

ponder.on("ProjectRegistry:ReviewKeySet", async ({ event, context }) => {
  const { projectId, publicKey, version } = event.args;
  await context.db
    .update(project, { id: projectId })
    .set({ reviewKey: publicKey, reviewKeyVersion: version, updatedAt: event.block.timestamp });
  await emit(context, event, "project.review_key_set", event.args, [projectId]);
});

ponder.on("ProjectRegistry:EscrowKeySet", async ({ event, context }) => {
  const { projectId, publicKey, version } = event.args;
  await context.db
    .update(project, { id: projectId })
    .set({ escrowKey: publicKey, escrowKeyVersion: version, updatedAt: event.block.timestamp });
  await emit(context, event, "project.escrow_key_set", event.args, [projectId]);
});

ponder.on("ProjectRegistry:ReviewKeyShared", async ({ event, context }) => {
  const { projectId, reviewer, keyVersion, wrappedKey } = event.args;
  await context.db
    .insert(reviewKeyShare)
    .values({
      id: `${projectId}:${reviewer.toLowerCase()}:${keyVersion}`,
      projectId,
      reviewer,
      keyVersion,
      wrappedKey,
      sharedAt: event.block.timestamp,
      blockNumber: event.block.number,
    })
    .onConflictDoUpdate({ wrappedKey, sharedAt: event.block.timestamp, blockNumber: event.block.number });
  await emit(context, event, "project.review_key_shared", event.args, [projectId]);
});

ponder.on("ProjectRegistry:ApiKeyAdded", async ({ event, context }) => {
  const { projectId, keyHash, scopes, expiry } = event.args;
  await context.db
    .insert(apiKey)
    .values({
      id: `${projectId}:${keyHash.toLowerCase()}`,
      projectId,
      keyHash,
      scopes,
      expiry,
      revoked: false,
      addedAt: event.block.timestamp,
    })
    .onConflictDoUpdate({ scopes, expiry, revoked: false, addedAt: event.block.timestamp, revokedAt: null });
  await emit(context, event, "api_key.added", event.args, [projectId]);
});

ponder.on("ProjectRegistry:ApiKeyRevoked", async ({ event, context }) => {
  const { projectId, keyHash } = event.args;
  await context.db
    .update(apiKey, { id: `${projectId}:${keyHash.toLowerCase()}` })
    .set({ revoked: true, revokedAt: event.block.timestamp });
  await emit(context, event, "api_key.revoked", event.args, [projectId]);
});
