import { ponder } from "ponder:registry";
import { and, eq, isNotNull } from "ponder";
import { auditAccess, encryptionKey, grant, project, record, recordVersion } from "ponder:schema";
import { decodeGrantee } from "../../lib/onekey.ts";
import { checkMassRevocation, countTowards, thresholds } from "../alerts.ts";
import { emit, raiseAlert, type EmitContext } from "../emit.ts";
import { keyReleaseModeLabel, purposeName } from "../names.ts";
import { guarded, int32, skip } from "./total.ts";

// Every RecordRegistry call that names an existing record reverts unless the record exists, and
// `revoke` reverts unless the grant exists and is unrevoked, so a missing row only means history
// before the start block: recorded as skipped. Revoking an expired or superseded grant and
// re-granting (which clears `revoked`) are ordinary, applied as the contract does.

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
  await guarded(context, event, "RecordRegistry:EncryptionKeySet", null, async () => {
    const values = { publicKey, version: int32(version), updatedAt: event.block.timestamp, updatedBlock: event.block.number };
    await context.db
      .insert(encryptionKey)
      .values({ id: account, ...values })
      .onConflictDoUpdate(values);
    await emit(context, event, "encryption_key.set", event.args);
  });
});

ponder.on("RecordRegistry:RecordRegistered", async ({ event, context }) => {
  const { recordId, owner, storageId, contentHash, manifestHash, scheme, keyRelease } = event.args;
  await guarded(context, event, "RecordRegistry:RecordRegistered", null, async () => {
    const at = event.block.timestamp;
    const content = { storageId, contentHash, manifestHash, scheme, keyRelease, keyReleaseMode: keyReleaseModeLabel(keyRelease) };
    await context.db
      .insert(record)
      .values({ id: recordId, owner, version: 1, ...content, erased: false, registeredAt: at, updatedAt: at, blockNumber: event.block.number })
      .onConflictDoUpdate({ owner, version: 1, ...content, erased: false, registeredAt: at, updatedAt: at, blockNumber: event.block.number });
    await context.db
      .insert(recordVersion)
      .values({
        id: `${recordId}:1`,
        recordId,
        version: 1,
        ...content,
        createdAt: at,
        blockNumber: event.block.number,
        transactionHash: event.transaction.hash,
      })
      .onConflictDoNothing();
    await emit(context, event, "record.registered", event.args);
  });
});

ponder.on("RecordRegistry:RecordRotated", async ({ event, context }) => {
  const name = "RecordRegistry:RecordRotated";
  const { recordId, storageId, contentHash, manifestHash, scheme, keyRelease } = event.args;
  await guarded(context, event, name, null, async () => {
    const version = int32(event.args.version);
    const at = event.block.timestamp;
    const content = { storageId, contentHash, manifestHash, scheme, keyRelease, keyReleaseMode: keyReleaseModeLabel(keyRelease) };
    if (await context.db.find(record, { id: recordId })) {
      await context.db.update(record, { id: recordId }).set({ version, ...content, updatedAt: at, blockNumber: event.block.number });
    } else {
      await skip(context, event, { name, code: "record_not_indexed", reason: `record ${recordId} is not indexed (registered before the start block?)` });
    }
    await context.db
      .insert(recordVersion)
      .values({
        id: `${recordId}:${version}`,
        recordId,
        version,
        ...content,
        createdAt: at,
        blockNumber: event.block.number,
        transactionHash: event.transaction.hash,
      })
      .onConflictDoNothing();
    await emit(context, event, "record.rotated", event.args, await projectsHolding(context, recordId));
  });
});

ponder.on("RecordRegistry:RecordErased", async ({ event, context }) => {
  const name = "RecordRegistry:RecordErased";
  const { recordId } = event.args;
  await guarded(context, event, name, null, async () => {
    if (await context.db.find(record, { id: recordId })) {
      await context.db
        .update(record, { id: recordId })
        .set({ erased: true, erasedAt: event.block.timestamp, updatedAt: event.block.timestamp, blockNumber: event.block.number });
    } else {
      await skip(context, event, { name, code: "record_not_indexed", reason: `record ${recordId} is not indexed (registered before the start block?)` });
    }
    await emit(context, event, "record.erased", event.args, await projectsHolding(context, recordId));
  });
});

ponder.on("RecordRegistry:AccessGranted", async ({ event, context }) => {
  const { recordId, grantee, owner, recordVersion: version, purpose, expiry, fieldMask, wrappedKey } = event.args;
  const who = decodeGrantee(grantee);
  await guarded(context, event, "RecordRegistry:AccessGranted", who.projectId, async () => {
    // The review-key version a project grant's wrap was made for: the project's at grant time
    // (what the SDK wraps to). Null for accounts, and for a project key set before the start block.
    const keyVersion = who.projectId === null ? null : (await context.db.find(project, { id: who.projectId }))?.reviewKeyVersion || null;
    // A re-grant replaces the terms and clears `revoked`, as the contract's single packed word does;
    // it also replaces any earlier re-wrap (the contract refuses re-wraps of an older grant).
    const terms = {
      recordVersion: int32(version),
      purpose,
      purposeName: purposeName(purpose),
      expiry,
      fieldMask,
      wrappedKey,
      reviewKeyVersion: keyVersion,
      rewrappedAt: null,
      revoked: false,
      revokedAt: null,
    };
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
    // The log's canonical payload has no null: the version is there exactly when it is known.
    const payload = keyVersion === null ? event.args : { ...event.args, reviewKeyVersion: keyVersion };
    await emit(context, event, "grant.created", payload, who.projectId === null ? [] : [who.projectId]);
  });
});

ponder.on("RecordRegistry:GrantRewrapped", async ({ event, context }) => {
  const name = "RecordRegistry:GrantRewrapped";
  const { recordId, grantee, recordVersion: version, reviewKeyVersion, wrappedKey } = event.args;
  const who = decodeGrantee(grantee);
  await guarded(context, event, name, who.projectId, async () => {
    // The contract accepts a re-wrap only for the live grant as it stands, to a project, on the
    // record's current version; so a missing row, an account grantee or another version means
    // history before the start block (or a contract we do not know): recorded, never applied.
    const id = `${recordId}:${grantee.toLowerCase()}`;
    const row = await context.db.find(grant, { id });
    if (!row || who.projectId === null) {
      await skip(context, event, {
        name,
        projectId: who.projectId,
        code: "grant_not_indexed",
        reason: `grant ${id} is not indexed (granted before the start block?)`,
      });
    } else if (row.recordVersion !== int32(version)) {
      await skip(context, event, {
        name,
        projectId: who.projectId,
        code: "grant_not_indexed",
        reason: `grant ${id} is for record version ${row.recordVersion}, the re-wrap for ${version}`,
      });
    } else {
      // Repeating a re-wrap (an interrupted flow resending) just writes the same values again.
      await context.db
        .update(grant, { id })
        .set({ wrappedKey, reviewKeyVersion: int32(reviewKeyVersion), rewrappedAt: event.block.timestamp, blockNumber: event.block.number });
    }
    await emit(context, event, "grant.rewrapped", event.args, who.projectId === null ? [] : [who.projectId]);
  });
});

ponder.on("RecordRegistry:AccessRevoked", async ({ event, context }) => {
  const name = "RecordRegistry:AccessRevoked";
  const { recordId, grantee } = event.args;
  const who = decodeGrantee(grantee);
  await guarded(context, event, name, who.projectId, async () => {
    const id = `${recordId}:${grantee.toLowerCase()}`;
    if (await context.db.find(grant, { id })) {
      await context.db.update(grant, { id }).set({ revoked: true, revokedAt: event.block.timestamp, blockNumber: event.block.number });
    } else {
      await skip(context, event, {
        name,
        projectId: who.projectId,
        code: "grant_not_indexed",
        reason: `grant ${id} is not indexed (granted before the start block?)`,
      });
    }
    await emit(context, event, "grant.revoked", event.args, who.projectId === null ? [] : [who.projectId]);
    if (who.projectId !== null) await checkMassRevocation(context, event, who.projectId);
  });
});

ponder.on("RecordRegistry:AuditAccessRecorded", async ({ event, context }) => {
  const { recordId, projectId, auditor, authorisationHash, validUntil } = event.args;
  await guarded(context, event, "RecordRegistry:AuditAccessRecorded", projectId, async () => {
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
});
