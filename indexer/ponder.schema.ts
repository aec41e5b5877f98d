// Every OneKey event materialised into tables integrators filter by. Only ids, hashes, addresses,
// public keys and wrapped (encrypted) key bytes are stored: nothing personal ever reaches the
// chain, so nothing personal can reach these tables.
import { grantStateSql } from "@onekey/sdk/contracts";
import type { SQL } from "drizzle-orm";
import { index, onchainTable, onchainView, relations, sql } from "ponder";
import { CHECKPOINT_FIELDS } from "./lib/chain-time.ts";

// --- projects -------------------------------------------------------------------------------

export const project = onchainTable(
  "project",
  (t) => ({
    id: t.bigint().primaryKey(),
    admin: t.hex().notNull(),
    pendingAdmin: t.hex(),
    metadataURI: t.text().notNull(),
    suspended: t.boolean().notNull(),
    reviewKey: t.hex(),
    reviewKeyVersion: t.integer().notNull(),
    escrowKey: t.hex(),
    escrowKeyVersion: t.integer().notNull(),
    // Gas sponsorship (OneKeyPaymaster), in wei.
    sponsorBalance: t.bigint().notNull(),
    totalFunded: t.bigint().notNull(),
    totalWithdrawn: t.bigint().notNull(),
    gasSponsored: t.bigint().notNull(),
    costCharged: t.bigint().notNull(),
    operationsSponsored: t.integer().notNull(),
    createdAt: t.bigint().notNull(),
    createdBlock: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({
    adminIdx: index().on(table.admin),
    createdBlockIdx: index().on(table.createdBlock),
  }),
);

/** One row per (project, account) that ever held a role; `roles` 0 means a former member. */
export const member = onchainTable(
  "member",
  (t) => ({
    id: t.text().primaryKey(),
    projectId: t.bigint().notNull(),
    account: t.hex().notNull(),
    roles: t.integer().notNull(),
    // The role names set in `roles` (SDK `roleNames`): GraphQL filters with `roleNames_has: "REVIEWER"`.
    roleNames: t.text().array().notNull(),
    // When the REVIEWER bit was last added (null while not a reviewer): the "attestation by a
    // just-added reviewer" alert compares against it.
    reviewerSince: t.bigint(),
    addedAt: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
    updatedBlock: t.bigint().notNull(),
  }),
  (table) => ({
    projectIdx: index().on(table.projectId),
    accountIdx: index().on(table.account),
  }),
);

/** The review private key wrapped to one reviewer's X25519 key (ciphertext only). */
export const reviewKeyShare = onchainTable(
  "review_key_share",
  (t) => ({
    id: t.text().primaryKey(),
    projectId: t.bigint().notNull(),
    reviewer: t.hex().notNull(),
    keyVersion: t.integer().notNull(),
    wrappedKey: t.hex().notNull(),
    sharedAt: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    projectIdx: index().on(table.projectId),
    reviewerIdx: index().on(table.reviewer),
  }),
);

/** API-key hashes (keccak256 of the raw key); the API checks presented keys against these. */
export const apiKey = onchainTable(
  "api_key",
  (t) => ({
    id: t.text().primaryKey(),
    projectId: t.bigint().notNull(),
    keyHash: t.hex().notNull(),
    scopes: t.integer().notNull(),
    // The scope names set in `scopes` (SDK `apiKeyScopeNames`).
    scopeNames: t.text().array().notNull(),
    expiry: t.bigint().notNull(),
    revoked: t.boolean().notNull(),
    addedAt: t.bigint().notNull(),
    revokedAt: t.bigint(),
  }),
  (table) => ({
    projectIdx: index().on(table.projectId),
    keyHashIdx: index().on(table.keyHash),
  }),
);

// --- records, grants, audit accesses ---------------------------------------------------------

/** Account -> X25519 encryption public key (RecordRegistry.setEncryptionKey). */
export const encryptionKey = onchainTable("encryption_key", (t) => ({
  id: t.hex().primaryKey(),
  publicKey: t.hex().notNull(),
  version: t.integer().notNull(),
  updatedAt: t.bigint().notNull(),
  updatedBlock: t.bigint().notNull(),
}));

export const record = onchainTable(
  "record",
  (t) => ({
    id: t.hex().primaryKey(),
    owner: t.hex().notNull(),
    version: t.integer().notNull(),
    storageId: t.hex().notNull(),
    contentHash: t.hex().notNull(),
    manifestHash: t.hex().notNull(),
    scheme: t.integer().notNull(),
    keyRelease: t.integer().notNull(),
    // `keyRelease` by name: "envelope" | "lit" (SDK `KEY_RELEASE_MODES`).
    keyReleaseMode: t.text().notNull(),
    erased: t.boolean().notNull(),
    registeredAt: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
    erasedAt: t.bigint(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    ownerIdx: index().on(table.owner),
    blockIdx: index().on(table.blockNumber),
  }),
);

/** Every version a record had (registration = 1, each rotation +1). */
export const recordVersion = onchainTable(
  "record_version",
  (t) => ({
    id: t.text().primaryKey(),
    recordId: t.hex().notNull(),
    version: t.integer().notNull(),
    storageId: t.hex().notNull(),
    contentHash: t.hex().notNull(),
    manifestHash: t.hex().notNull(),
    scheme: t.integer().notNull(),
    keyRelease: t.integer().notNull(),
    // `keyRelease` by name: "envelope" | "lit" (SDK `KEY_RELEASE_MODES`).
    keyReleaseMode: t.text().notNull(),
    createdAt: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({ recordIdx: index().on(table.recordId) }),
);

/**
 * The latest grant per (record, grantee). `revoked` is stored; whether it has expired depends on
 * the clock, so `grant_state` (below) and the REST API compute live/expired/revoked at query time.
 */
export const grant = onchainTable(
  "grant",
  (t) => ({
    id: t.text().primaryKey(),
    recordId: t.hex().notNull(),
    grantee: t.hex().notNull(),
    granteeKind: t.text().notNull().$type<"account" | "project">(),
    granteeAccount: t.hex(),
    granteeProjectId: t.bigint(),
    owner: t.hex().notNull(),
    recordVersion: t.integer().notNull(),
    purpose: t.integer().notNull(),
    // `purpose` by name: "KYC_REVIEW", ... (SDK `purposeName`).
    purposeName: t.text().notNull(),
    expiry: t.bigint().notNull(),
    fieldMask: t.bigint().notNull(),
    wrappedKey: t.hex().notNull(),
    /**
     * Project grants: the review-key version `wrappedKey` opens with — the project's version when
     * the grant was made (the SDK wraps to the current key), or the one a `GrantRewrapped` names.
     * Null for account grants, and when the project's key was not indexed.
     */
    reviewKeyVersion: t.integer(),
    /** When a project ADMIN last re-wrapped this grant to a rotated review key (null: never). */
    rewrappedAt: t.bigint(),
    revoked: t.boolean().notNull(),
    grantedAt: t.bigint().notNull(),
    revokedAt: t.bigint(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    recordIdx: index().on(table.recordId),
    projectIdx: index().on(table.granteeProjectId, table.grantedAt),
    accountIdx: index().on(table.granteeAccount),
    ownerIdx: index().on(table.owner),
    purposeIdx: index().on(table.purpose),
    purposeNameIdx: index().on(table.purposeName),
    expiryIdx: index().on(table.expiry),
    blockIdx: index().on(table.blockNumber),
  }),
);

export const auditAccess = onchainTable(
  "audit_access",
  (t) => ({
    id: t.text().primaryKey(),
    recordId: t.hex().notNull(),
    projectId: t.bigint().notNull(),
    auditor: t.hex().notNull(),
    authorisationHash: t.hex().notNull(),
    validUntil: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({
    projectIdx: index().on(table.projectId, table.timestamp),
    recordIdx: index().on(table.recordId),
    auditorIdx: index().on(table.auditor),
  }),
);

// --- attestations ------------------------------------------------------------------------------

/** The current attestation per (project, subject), as AttestationRegistry stores it. */
export const attestation = onchainTable(
  "attestation",
  (t) => ({
    id: t.text().primaryKey(),
    projectId: t.bigint().notNull(),
    subject: t.hex().notNull(),
    attester: t.hex().notNull(),
    level: t.integer().notNull(),
    expiry: t.bigint().notNull(),
    // Claim bits (uint32; bigint because bit 31 does not fit a Postgres integer).
    claims: t.bigint().notNull(),
    // The same bits by name (SDK `claimNames`: "AGE_OVER_18", ..., "project:0".."project:15"), the
    // column GraphQL filters claims on: `claimNames_has: "AGE_OVER_18"` (docs/decisions.md).
    claimNames: t.text().array().notNull(),
    recordId: t.hex().notNull(),
    revoked: t.boolean().notNull(),
    revokedBy: t.hex(),
    attestedAt: t.bigint().notNull(),
    revokedAt: t.bigint(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    projectLevelIdx: index().on(table.projectId, table.level),
    // GraphQL appends the primary key to every ORDER BY (cursor stability): include it.
    projectBlockIdx: index().on(table.projectId, table.blockNumber, table.id),
    subjectIdx: index().on(table.subject),
    attesterIdx: index().on(table.attester),
    // `_has` is `claim_names @> ARRAY[...]`, which a GIN index answers.
    claimNamesIdx: index().using("gin", table.claimNames),
    blockIdx: index().on(table.blockNumber),
  }),
);

/** Every Attested / AttestationRevoked event (analytics over time windows read this). */
export const attestationEvent = onchainTable(
  "attestation_event",
  (t) => ({
    id: t.text().primaryKey(),
    kind: t.text().notNull().$type<"attested" | "revoked">(),
    projectId: t.bigint().notNull(),
    subject: t.hex().notNull(),
    actor: t.hex().notNull(),
    level: t.integer(),
    expiry: t.bigint(),
    claims: t.bigint(),
    claimNames: t.text().array(),
    recordId: t.hex(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({
    projectIdx: index().on(table.projectId, table.timestamp),
    subjectIdx: index().on(table.subject),
  }),
);

// --- gas sponsorship (OneKeyPaymaster) -------------------------------------------------------------

export const sponsorship = onchainTable(
  "sponsorship",
  (t) => ({
    id: t.hex().primaryKey(),
    projectId: t.bigint().notNull(),
    sender: t.hex().notNull(),
    actualGasCost: t.bigint().notNull(),
    charged: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({
    projectIdx: index().on(table.projectId, table.timestamp),
    senderIdx: index().on(table.sender),
  }),
);

export const sponsorFunding = onchainTable(
  "sponsor_funding",
  (t) => ({
    id: t.text().primaryKey(),
    projectId: t.bigint().notNull(),
    kind: t.text().notNull().$type<"funded" | "withdrawn">(),
    account: t.hex().notNull(),
    amount: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
  }),
  (table) => ({ projectIdx: index().on(table.projectId, table.timestamp) }),
);

// --- append-only, hash-chained event log ----------------------------------------------------------

/**
 * One chain per scope: scope 0 holds every OneKey event, scope N the events that concern
 * project N. Each row commits to the previous row's hash (canonical form: lib/audit.ts,
 * docs/indexer.md "Audit export"). Rows are only ever inserted.
 */
export const eventLog = onchainTable(
  "event_log",
  (t) => ({
    id: t.text().primaryKey(),
    projectId: t.bigint().notNull(),
    seq: t.integer().notNull(),
    eventId: t.text().notNull(),
    eventType: t.text().notNull(),
    chainId: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    blockHash: t.hex().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
    payload: t.text().notNull(),
    prevHash: t.hex().notNull(),
    hash: t.hex().notNull(),
  }),
  (table) => ({
    chainIdx: index().on(table.projectId, table.seq),
    typeIdx: index().on(table.eventType),
    analyticsIdx: index().on(table.projectId, table.eventType, table.timestamp),
    blockIdx: index().on(table.blockNumber),
    eventIdx: index().on(table.eventId),
  }),
);

export const eventLogHead = onchainTable("event_log_head", (t) => ({
  id: t.bigint().primaryKey(),
  seq: t.integer().notNull(),
  hash: t.hex().notNull(),
}));

// --- webhook outbox and alert state (written by handlers only) ---------------------------------------

/**
 * Webhook messages, one per (event, project). Handlers only insert here; the delivery worker
 * (src/api/webhooks) fans rows out to endpoints. A reorg deletes rows with the block, which is how
 * the worker learns to send `*.reverted`.
 */
export const outbox = onchainTable(
  "outbox",
  (t) => ({
    id: t.text().primaryKey(),
    projectId: t.bigint().notNull(),
    eventId: t.text().notNull(),
    eventType: t.text().notNull(),
    blockNumber: t.bigint().notNull(),
    blockHash: t.hex().notNull(),
    timestamp: t.bigint().notNull(),
    body: t.text().notNull(),
  }),
  (table) => ({
    blockIdx: index().on(table.blockNumber),
    projectIdx: index().on(table.projectId, table.blockNumber),
  }),
);

/** Sliding counters for the security-monitoring rules (lib/alerts.ts). */
export const alertWindow = onchainTable("alert_window", (t) => ({
  id: t.text().primaryKey(),
  windowStart: t.bigint().notNull(),
  count: t.integer().notNull(),
  raised: t.boolean().notNull(),
}));

/** Sponsored spend per project in the current and the previous alert window (the spend-rate rule). */
export const spendWindow = onchainTable("spend_window", (t) => ({
  id: t.text().primaryKey(),
  windowStart: t.bigint().notNull(),
  spent: t.bigint().notNull(),
  previousSpent: t.bigint().notNull(),
  raised: t.boolean().notNull(),
}));

// --- skipped events ------------------------------------------------------------------------------

/**
 * Events a handler could not apply (src/handlers/total.ts): recorded with the reason, alerted to
 * operators, and indexing goes on. Written by handlers, so a reorg removes its rows like any other.
 * With a full history from the deployment block this table stays empty; rows here mean history
 * before `ONEKEY_START_BLOCK`, a misconfigured address, or a bug worth a look.
 */
export const skippedEvent = onchainTable(
  "skipped_event",
  (t) => ({
    id: t.text().primaryKey(),
    contract: t.text().notNull(),
    eventName: t.text().notNull(),
    /** Why, as a stable name (src/handlers/total.ts `SKIP_REASONS`). */
    reasonCode: t.text().notNull(),
    reason: t.text().notNull(),
    /** The error's name when the skip came from a thrown error, else null. */
    errorName: t.text(),
    /** The project the event concerns, when it names one. */
    projectId: t.bigint(),
    chainId: t.integer().notNull(),
    blockNumber: t.bigint().notNull(),
    blockHash: t.hex().notNull(),
    transactionHash: t.hex().notNull(),
    logIndex: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({
    blockIdx: index().on(table.blockNumber),
    projectIdx: index().on(table.projectId),
  }),
);

// --- views -------------------------------------------------------------------------------------------

// Chain time: every time-dependent state below is judged at the indexed head block, the block the
// rest of the answer comes from, never the wall clock or the database clock. The head is Ponder's
// own `_ponder_checkpoint` row (what GraphQL `_meta` reports), whose fixed-width checkpoint string
// starts with the block timestamp, then the chain id and the block number (lib/chain-time.ts).
// Declared with onchainTable so it is qualified with Ponder's schema like the other tables, and
// deliberately NOT exported: Ponder owns and creates it. Joined rather than read in a subquery,
// because Ponder's SQL-over-HTTP client parses every view and refuses subqueries. One chain per
// app, so the join yields one row.
const ponderCheckpoint = onchainTable("_ponder_checkpoint", (t) => ({
  chainName: t.text("chain_name").primaryKey(),
  latestCheckpoint: t.text("latest_checkpoint").notNull(),
}));
const checkpointField = ([start, length]: readonly [number, number]) =>
  sql`substr(${ponderCheckpoint.latestCheckpoint}, ${sql.raw(String(start))}, ${sql.raw(String(length))})::numeric`;
const headTimestamp = checkpointField(CHECKPOINT_FIELDS.timestamp);
const headBlock = checkpointField(CHECKPOINT_FIELDS.blockNumber);

/**
 * Grants with their state at the indexed head (`asOfBlock`, `asOfTimestamp`): `revoked`,
 * `expired` (expiry <= head timestamp, RecordRegistry's `expiry > block.timestamp` rule),
 * `superseded` (the record was rotated or erased since; the contract no longer honours it) or
 * `live` (exactly when `isGrantLive` is true at that block).
 */
export const grantState = onchainView("grant_state").as((qb) =>
  qb
    .select({
      id: grant.id,
      recordId: grant.recordId,
      grantee: grant.grantee,
      granteeKind: grant.granteeKind,
      granteeAccount: grant.granteeAccount,
      granteeProjectId: grant.granteeProjectId,
      owner: grant.owner,
      recordVersion: grant.recordVersion,
      purpose: grant.purpose,
      purposeName: grant.purposeName,
      expiry: grant.expiry,
      fieldMask: grant.fieldMask,
      reviewKeyVersion: grant.reviewKeyVersion,
      rewrappedAt: grant.rewrappedAt,
      revoked: grant.revoked,
      grantedAt: grant.grantedAt,
      revokedAt: grant.revokedAt,
      // The rule is the SDK's (one source with its grantState and RecordRegistry.isGrantLive).
      state: grantStateSql<unknown, SQL<string>>(
        {
          revoked: grant.revoked,
          expiry: grant.expiry,
          now: headTimestamp,
          erased: record.erased,
          recordVersion: record.version,
          grantRecordVersion: grant.recordVersion,
        },
        sql,
      ).as("state"),
      asOfBlock: sql<bigint>`${headBlock}`.as("as_of_block"),
      asOfTimestamp: sql<bigint>`${headTimestamp}`.as("as_of_timestamp"),
    })
    .from(grant)
    .leftJoin(record, sql`${record.id} = ${grant.recordId}`)
    .innerJoin(ponderCheckpoint, sql`true`),
);

/**
 * Attestations with their state at the indexed head: `revoked`, `expired` (expiry <= head
 * timestamp) or `valid` (exactly when `isVerified(subject, projectId, level)` is true there).
 */
export const attestationState = onchainView("attestation_state").as((qb) =>
  qb
    .select({
      id: attestation.id,
      projectId: attestation.projectId,
      subject: attestation.subject,
      attester: attestation.attester,
      level: attestation.level,
      expiry: attestation.expiry,
      claims: attestation.claims,
      claimNames: attestation.claimNames,
      recordId: attestation.recordId,
      revoked: attestation.revoked,
      state: sql<string>`case
        when ${attestation.revoked} then 'revoked'
        when ${attestation.expiry} <= ${headTimestamp} then 'expired'
        else 'valid' end`.as("state"),
      asOfBlock: sql<bigint>`${headBlock}`.as("as_of_block"),
      asOfTimestamp: sql<bigint>`${headTimestamp}`.as("as_of_timestamp"),
    })
    .from(attestation)
    .innerJoin(ponderCheckpoint, sql`true`),
);

/** API-key hashes with their state at the indexed head: `revoked`, `expired` or `active`. */
export const apiKeyState = onchainView("api_key_state").as((qb) =>
  qb
    .select({
      id: apiKey.id,
      projectId: apiKey.projectId,
      keyHash: apiKey.keyHash,
      scopes: apiKey.scopes,
      scopeNames: apiKey.scopeNames,
      expiry: apiKey.expiry,
      revoked: apiKey.revoked,
      state: sql<string>`case
        when ${apiKey.revoked} then 'revoked'
        when ${apiKey.expiry} <= ${headTimestamp} then 'expired'
        else 'active' end`.as("state"),
      asOfBlock: sql<bigint>`${headBlock}`.as("as_of_block"),
      asOfTimestamp: sql<bigint>`${headTimestamp}`.as("as_of_timestamp"),
    })
    .from(apiKey)
    .innerJoin(ponderCheckpoint, sql`true`),
);

// --- relations (GraphQL nesting) -----------------------------------------------------------------------

export const projectRelations = relations(project, ({ many }) => ({
  members: many(member),
  apiKeys: many(apiKey),
  grants: many(grant),
  attestations: many(attestation),
  auditAccesses: many(auditAccess),
  sponsorships: many(sponsorship),
  reviewKeyShares: many(reviewKeyShare),
}));

export const memberRelations = relations(member, ({ one }) => ({
  project: one(project, { fields: [member.projectId], references: [project.id] }),
}));

export const apiKeyRelations = relations(apiKey, ({ one }) => ({
  project: one(project, { fields: [apiKey.projectId], references: [project.id] }),
}));

export const reviewKeyShareRelations = relations(reviewKeyShare, ({ one }) => ({
  project: one(project, { fields: [reviewKeyShare.projectId], references: [project.id] }),
}));

export const recordRelations = relations(record, ({ many }) => ({
  versions: many(recordVersion),
  grants: many(grant),
  auditAccesses: many(auditAccess),
}));

export const recordVersionRelations = relations(recordVersion, ({ one }) => ({
  record: one(record, { fields: [recordVersion.recordId], references: [record.id] }),
}));

export const grantRelations = relations(grant, ({ one }) => ({
  record: one(record, { fields: [grant.recordId], references: [record.id] }),
  project: one(project, { fields: [grant.granteeProjectId], references: [project.id] }),
}));

export const auditAccessRelations = relations(auditAccess, ({ one }) => ({
  record: one(record, { fields: [auditAccess.recordId], references: [record.id] }),
  project: one(project, { fields: [auditAccess.projectId], references: [project.id] }),
}));

export const attestationRelations = relations(attestation, ({ one }) => ({
  project: one(project, { fields: [attestation.projectId], references: [project.id] }),
}));

export const sponsorshipRelations = relations(sponsorship, ({ one }) => ({
  project: one(project, { fields: [sponsorship.projectId], references: [project.id] }),
}));
