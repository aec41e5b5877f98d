import { ponder } from "ponder:registry";
import { and, eq, isNotNull } from "ponder";
import { auditAccess, encryptionKey, grant, record, recordVersion } from "ponder:schema";
import { decodeGrantee } from "../../lib/onekey.ts";
import { checkMassRevocation, countTowards, thresholds } from "../alerts.ts";
import { emit, raiseAlert, type EmitContext } from "../emit.ts";

/** Projects that were ever granted the record: they hear about its rotation and erasure. */
async function projectsHolding(context: EmitContext, recordId: `0x${string}`): Promise<bigint[]> {
  const rows = await context.db.sql
    .select({ projectId: grant.granteeProjectId })
    .from(grant)
    .where(and(eq(grant.recordId, recordId), isNotNull(grant.granteeProjectId)));
  return rows.map((r) => r.projectId!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

ponder.on("RecordRegistry:EncryptionKeySet", async ({ event, context }) => {
  const { account, publicKey, version } = event.args;
  const values = { publicKey, version, updatedAt: event.block.timestamp, updatedBlock: event.block.number };
  await context.db.insert(encryptionKey).values({ id: account, ...values }).onConflictDoUpdate(values);
  await emit(context, event, "encryption_key.set", event.args);
});

ponder.on("RecordRegistry:RecordRegistered", async ({ event, context }) => {
  const { recordId, owner, storageId, contentHash, manifestHash, scheme, keyRelease } = event.args;
  const at = event.block.timestamp;
  const content = { storageId, contentHash, manifestHash, scheme, keyRelease };
  await context.db
    .insert(record)
    .values({ id: recordId, owner, version: 1, ...content, erased: false, registeredAt: at, updatedAt: at, blockNumber: event.block.number })
    .onConflictDoUpdate({ owner, version: 1, ...content, erased: false, registeredAt: at, updatedAt: at, blockNumber: event.block.number });
  await context.db
    .insert(recordVersion)
    .values({ id: `${recordId}:1`, recordId, version: 1, ...content, createdAt: at, blockNumber: event.block.number, transactionHash: event.transaction.hash })
    .onConflictDoNothing();
  await emit(context, event, "record.registered", event.args);
});

ponder.on("RecordRegistry:RecordRotated", async ({ event, context }) => {
  const { recordId, version, storageId, contentHash, manifestHash, scheme, keyRelease } = event.args;
  const at = event.block.timestamp;
  const content = { storageId, contentHash, manifestHash, scheme, keyRelease };
  await context.db.update(record, { id: recordId }).set({ version, ...content, updatedAt: at, blockNumber: event.block.number });
  await context.db
    .insert(recordVersion)
    .values({ id: `${recordId}:${version}`, recordId, version, ...content, createdAt: at, blockNumber: event.block.number, transactionHash: event.transaction.hash })
    .onConflictDoNothing();
  await emit(context, event, "record.rotated", event.args, await projectsHolding(context, recordId));
});

ponder.on("RecordRegistry:RecordErased", async ({ event, context }) => {
  const { recordId } = event.args;
  await context.db
    .update(record, { id: recordId })
    .set({ erased: true, erasedAt: event.block.timestamp, updatedAt: event.block.timestamp, blockNumber: event.block.number });
  await emit(context, event, "record.erased", event.args, await projectsHolding(context, recordId));
});

ponder.on("RecordRegistry:AccessGranted", async ({ event, context }) => {
  const { recordId, grantee, owner, recordVersion: version, purpose, expiry, fieldMask, wrappedKey } = event.args;
  const who = decodeGrantee(grantee);
  const terms = { recordVersion: version, purpose, expiry, fieldMask, wrappedKey, revoked: false, revokedAt: null };
  await context.db
    .insert(grant)
    .values({
      id: `${recordId}:${grantee.toLowerCase()}`,
      recordId,
      grantee,
      granteeKind: who.kind,
      granteeAccount: who.account,
      granteeProjectId: who.projectId,
      owner,
      ...terms,
      grantedAt: event.block.timestamp,
      blockNumber: event.block.number,
    })
    .onConflictDoUpdate({ ...terms, grantedAt: event.block.timestamp, blockNumber: event.block.number });
  await emit(context, event, "grant.created", event.args, who.projectId === null ? [] : [who.projectId]);
});

ponder.on("RecordRegistry:AccessRevoked", async ({ event, context }) => {
  const { recordId, grantee } = event.args;
  const who = decodeGrantee(grantee);
  await context.db
    .update(grant, { id: `${recordId}:${grantee.toLowerCase()}` })
    .set({ revoked: true, revokedAt: event.block.timestamp, blockNumber: event.block.number });
  await emit(context, event, "grant.revoked", event.args, who.projectId === null ? [] : [who.projectId]);
  if (who.projectId !== null) await checkMassRevocation(context, event, who.projectId);
});

ponder.on("RecordRegistry:AuditAccessRecorded", async ({ event, context }) => {
  const { recordId, projectId, auditor, authorisationHash, validUntil } = event.args;
  await context.db
    .insert(auditAccess)
    .values({
      id: event.id,
      recordId,
      projectId,
      auditor,
      authorisationHash,
      validUntil,
      timestamp: event.block.timestamp,
      blockNumber: event.block.number,
      transactionHash: event.transaction.hash,
    })
    .onConflictDoNothing();
  await emit(context, event, "audit_access.recorded", event.args, [projectId]);
  const { auditBurstCount, auditBurstWindow } = thresholds;
  const burst = await countTowards(context, `${projectId}:audit_access`, event.block.timestamp, auditBurstWindow, auditBurstCount);
  if (burst.fire) {
    await raiseAlert(context, event, "audit_access_burst", projectId, {
      count: burst.count,
      windowStart: burst.windowStart,
      windowSeconds: auditBurstWindow,
      lastAuditor: auditor,
    });
  }
});
