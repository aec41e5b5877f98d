// @onekey/sdk/flows — the private path as a few calls: submit, grant, read, audit, rotate,
// re-wrap, erase, attest/verify. Each takes one viem client first (a wallet client for an EOA, a
// bundler client for a smart account, or a public client plus a `sender`) and does its chain reads
// and writes through /contracts.
import { getBlock, getLogs } from "viem/actions";
import { getAbiItem, toHex, type Address, type Hex } from "viem";
import { decryptRecord, encryptRecord, fieldKeysFor, fieldMaskOf, fieldsOfMask, parseBundle, type FieldValue, type Manifest } from "../crypto/record.ts";
import {
  assertMode,
  envelopeKeyRelease,
  granteeKeyOf,
  keyReleaseModeName,
  type GranteeRef,
  type KeyRelease,
  type KeyReleaseModeName,
} from "../crypto/release.ts";
import { AuditAccessNotRecordedError, FieldNotGrantedError, KeyReleaseModeMismatchError, UnknownFieldError } from "../crypto/errors.ts";
import type { X25519KeyPair } from "../crypto/primitives.ts";
import type { KeyAgreement } from "../crypto/wrap.ts";
import { prepareRotation } from "../keys/rotation.ts";
import { fromHex } from "../crypto/bytes.ts";
import { randomBytes } from "../crypto/webcrypto.ts";
import { downloadVerified } from "../storage/verify.ts";
import type { StorageProvider } from "../storage/types.ts";
import { recordRegistryAbi } from "../abis.ts";
import {
  computeRecordId,
  getGrant,
  getGrantWrappedKey,
  grantState,
  getRecord,
  getRecordPointer,
  grant,
  hasAccess,
  hasAuditAccess,
  isGrantLive,
  parseGrantee,
  parseRecordRegistryEvents,
  readerOf,
  registerRecord,
  registryAddress,
  rotateRecord,
  senderAddress,
  type ClientInput,
  type PurposeName,
  type ReadParameters,
  type WriteParameters,
  type WriteResult,
} from "../contracts/index.ts";
import { FromBlockRequiredError } from "../contracts/errors.ts";
import { KeyReleaseMode } from "../constants.ts";
import { IndexerBehindError, readFromIndexer, type IndexerSource } from "./indexer.ts";
import { AccessDeniedError, GrantExpiredError, GrantRevokedError, RecordErasedError, StaleGrantError } from "./errors.ts";

export * from "./errors.ts";
export { IndexerBehindError, IndexerRequestError, type IndexerSource } from "./indexer.ts";
export { FromBlockRequiredError } from "../contracts/errors.ts";
export { AuditAccessNotRecordedError, GranteeKeyNotSetError, KeyReleaseModeMismatchError, UnknownKeyReleaseModeError } from "../crypto/errors.ts";
export type { GranteeRef as Grantee, KeyRelease } from "../crypto/release.ts";

/** Which deployment and chain: the SDK's recorded addresses unless overridden. */
type Target = Pick<ReadParameters, "addresses" | "chainId">;
type Writer = Target & Pick<WriteParameters, "account" | "sender">;
const target = (p: Target): Target => ({ addresses: p.addresses, chainId: p.chainId });
const writer = (p: Writer): Writer => ({ ...target(p), account: p.account, sender: p.sender });

async function registries(client: ClientInput, p: Target) {
  const [recordRegistry, projectRegistry] = await Promise.all([
    registryAddress(client, "recordRegistry", target(p)),
    registryAddress(client, "projectRegistry", target(p)),
  ]);
  return { recordRegistry, projectRegistry };
}

async function envelopeFor(client: ClientInput, p: Target, keyPair?: X25519KeyPair | KeyAgreement, as?: "grantee" | "auditor"): Promise<KeyRelease> {
  return envelopeKeyRelease({ client: readerOf(client), addresses: await registries(client, p), keyPair, as });
}

/** The key release to use for a record in `mode`: the caller's (checked), or envelope by default. */
async function releaseFor(
  client: ClientInput,
  p: Target,
  mode: number,
  given?: KeyRelease,
  keyPair?: X25519KeyPair | KeyAgreement,
  as?: "grantee" | "auditor",
) {
  const name = keyReleaseModeName(mode);
  const release = given ?? (name === "envelope" ? await envelopeFor(client, p, keyPair, as) : undefined);
  if (!release) throw new KeyReleaseModeMismatchError(name, "envelope (default; pass a lit key release)");
  assertMode(release, mode);
  return release;
}

// --- submit -------------------------------------------------------------------------------------

export type SubmitRecordParameters = Writer & {
  storage: StorageProvider;
  fields: Record<string, FieldValue>;
  /** How grants of this record will release keys (default envelope). */
  keyRelease?: KeyReleaseModeName;
  /** For lit records: the Lit network the owner intends grants for (recorded in the manifest). */
  litNetwork?: string;
  /** Default: 32 random bytes. recordId = keccak256(abi.encode(owner, salt)). */
  salt?: Hex;
  /** Upload progress in bytes. */
  onProgress?: (sent: number, total: number) => void;
  /** The DEK, when the owner derives it (keys/owner.ts `recordDek`); default a fresh random key. */
  dek?: Uint8Array;
};
export type SubmitRecordReturnType = WriteResult & {
  recordId: Hex;
  version: number;
  dek: Uint8Array;
  manifest: Manifest;
  storageId: Hex;
  contentHash: Hex;
  manifestHash: Hex;
};

/** Encrypts on this device, uploads only ciphertext, then registers pointer and hashes on-chain. */
export async function submitRecord(client: ClientInput, p: SubmitRecordParameters): Promise<SubmitRecordReturnType> {
  const mode = keyReleaseModeName(p.keyRelease ?? "envelope");
  const salt = p.salt ?? toHex(randomBytes(32));
  const recordId = computeRecordId(senderAddress(client, p), salt);
  const enc = await encryptRecord({ recordId, version: 1, fields: p.fields, keyRelease: mode, litNetwork: p.litNetwork, dek: p.dek });
  const { storageId } = await p.storage.upload(
    enc.bundle,
    [
      { name: "App-Name", value: "OneKey" },
      { name: "OneKey-Scheme", value: "1" },
    ],
    {
      onProgress: p.onProgress,
    },
  );
  const r = await registerRecord(client, {
    ...writer(p),
    salt,
    storageId,
    contentHash: enc.contentHash,
    manifestHash: enc.manifestHash,
    scheme: enc.manifest.scheme,
    keyRelease: KeyReleaseMode[mode],
  });
  return { ...r, recordId, version: 1, dek: enc.dek, manifest: enc.manifest, storageId, contentHash: enc.contentHash, manifestHash: enc.manifestHash };
}

// --- grant --------------------------------------------------------------------------------------

export type GrantAccessParameters = Writer & {
  recordId: Hex;
  version: number;
  dek: Uint8Array;
  manifest: Manifest;
  grantee: GranteeRef;
  /** Field names to disclose; only their keys are sealed. */
  fields: string[];
  purpose: PurposeName;
  expiry: bigint;
  /** Required for lit records; envelope (keys read from the chain) by default. */
  keyRelease?: KeyRelease;
};
export type GrantAccessReturnType = WriteResult & { fieldMask: bigint; wrappedKeyBytes: number };

/** Seals only the chosen fields' keys for the grantee and records the grant on-chain. */
export async function grantAccess(client: ClientInput, p: GrantAccessParameters): Promise<GrantAccessReturnType> {
  const fieldMask = fieldMaskOf(p.manifest, p.fields);
  const release = await releaseFor(client, p, KeyReleaseMode[keyReleaseModeName(p.manifest.keyRelease)], p.keyRelease);
  const keys = [...(await fieldKeysFor(p.dek, p.manifest, fieldMask)).values()];
  const wrapped = await release.seal({ recordId: p.recordId, version: p.version, grantee: p.grantee, keys });
  const r = await grant(client, {
    ...writer(p),
    recordId: p.recordId,
    grantee: granteeKeyOf(p.grantee),
    purpose: p.purpose,
    expiry: p.expiry,
    fieldMask,
    wrappedKey: toHex(wrapped),
  });
  return { ...r, fieldMask, wrappedKeyBytes: wrapped.length };
}

// --- read ---------------------------------------------------------------------------------------

export type ReadRecordParameters = Target & {
  recordId: Hex;
  storage: StorageProvider;
  /** Whose grant to open: the reader's own account, or a project the reader reviews for. */
  via: GranteeRef;
  /** The account whose access is checked; default the client's account. */
  reader?: Address;
  /** Envelope: the grantee's key pair (the project's review key for project grants), or a KMS/HSM KeyAgreement. */
  keyPair?: X25519KeyPair | KeyAgreement;
  /** Lit records: a lit key release whose signer is the reader. */
  keyRelease?: KeyRelease;
  /** Fields to decrypt (default: all the grant discloses). */
  fields?: string[];
  /**
   * Reads the storage id and the wrapped key through the OneKey indexer (GraphQL, an API key with
   * the read scope): no log scan. The content hash, version and access still come from the chain.
   */
  indexer?: IndexerSource;
  /**
   * Without an indexer: the block the log scan for the grant starts at (the registry's deployment
   * block; 0n on a local chain). Required then: FromBlockRequiredError otherwise.
   */
  fromBlock?: bigint;
};

/** Why `hasAccess` said no, as a named error (erased, revoked, expired, stale or none). */
async function whyDenied(client: ClientInput, p: Target, recordId: Hex, via: GranteeRef, reader: Address): Promise<AccessDeniedError> {
  const record = await getRecord(client, { ...target(p), recordId });
  if (record.erased) return new RecordErasedError(recordId, reader);
  const g = await getGrant(client, { ...target(p), recordId, grantee: granteeKeyOf(via) });
  const state = grantState(g, record, (await getBlock(readerOf(client))).timestamp);
  if (state === "none") return new AccessDeniedError(recordId, reader, "no grant to that grantee");
  if (state === "revoked") return new GrantRevokedError(recordId, reader);
  if (state === "expired") return new GrantExpiredError(recordId, reader, g.expiry);
  if (state === "superseded") return new StaleGrantError(recordId, reader, g.recordVersion, record.version);
  return new AccessDeniedError(recordId, reader, "projectId" in via ? `not an active REVIEWER of project ${via.projectId}` : "the grant is another account's");
}

type OpenParameters = ReadRecordParameters & { reader: Address; as: "grantee" | "auditor" };

/** Fetch → verify the content hash → check the fields asked for → open the keys → decrypt. */
async function openRecord(client: ClientInput, p: OpenParameters): Promise<Record<string, FieldValue>> {
  const { record, storageId, grant: g } = await pointerAndGrant(client, p, granteeKeyOf(p.via));
  const release = await releaseFor(client, p, record.keyRelease, p.keyRelease, p.keyPair, p.as);
  if (g.recordVersion !== record.version) throw new StaleGrantError(p.recordId, p.reader, g.recordVersion, record.version);
  const bundle = await downloadVerified(p.storage, storageId, record.contentHash);
  const { manifest } = parseBundle(bundle);
  const granted = fieldsOfMask(manifest, g.fieldMask).map((f) => f.name);
  // Refuse before any key is unwrapped or asked of Lit.
  for (const name of p.fields ?? []) {
    if (!manifest.fields.some((f) => f.name === name)) throw new UnknownFieldError(name);
    if (!granted.includes(name)) throw new FieldNotGrantedError(name);
  }
  const keys = await release.open({
    recordId: p.recordId,
    version: record.version,
    grantee: p.via,
    wrappedKey: fromHex(g.wrappedKey),
    keyCount: granted.length,
    reader: p.reader,
  });
  const fieldKeys = new Map(granted.map((name, i) => [name, keys[i]]));
  // The bundle was hashed against the chain in downloadVerified; no second pass here.
  return decryptRecord({ bundle, recordId: p.recordId, version: record.version, keys: { fieldKeys }, fields: p.fields });
}

/**
 * The record (from the chain), its current storage id and the latest grant's wrapped key: through
 * the indexer when given one, else from the logs (the pointer from the record's own update block,
 * the grant from `fromBlock`, which must be given). An indexer that lags the chain is caught by
 * comparing versions with the chain, never trusted over it.
 */
async function pointerAndGrant(client: ClientInput, p: ReadRecordParameters, grantee: Hex) {
  if (!p.indexer) {
    if (p.fromBlock === undefined) throw new FromBlockRequiredError("readRecord without an indexer");
    const [{ record, storageId }, grant] = await Promise.all([
      getRecordPointer(client, { ...target(p), recordId: p.recordId }),
      getGrantWrappedKey(client, { ...target(p), recordId: p.recordId, grantee, fromBlock: p.fromBlock }),
    ]);
    return { record, storageId, grant };
  }
  const [record, onChainGrant, indexed] = await Promise.all([
    getRecord(client, { ...target(p), recordId: p.recordId }),
    getGrant(client, { ...target(p), recordId: p.recordId, grantee }),
    readFromIndexer(p.indexer, p.recordId, grantee),
  ]);
  if (!indexed.record || indexed.record.version !== record.version) {
    throw new IndexerBehindError(`record ${p.recordId}: version ${record.version} on-chain, ${indexed.record?.version ?? "none"} indexed`);
  }
  if (!indexed.grant || indexed.grant.recordVersion !== onChainGrant.recordVersion || indexed.grant.fieldMask !== onChainGrant.fieldMask) {
    throw new IndexerBehindError(`grant of record ${p.recordId} to ${grantee}: the indexed grant is not the chain's latest`);
  }
  return { record, storageId: indexed.record.storageId, grant: indexed.grant };
}

/** Checks access on-chain, fetches, verifies the hash, unwraps and decrypts only granted fields. */
export async function readRecord(client: ClientInput, p: ReadRecordParameters): Promise<Record<string, FieldValue>> {
  const reader = p.reader ?? senderAddress(client);
  // Both: the reader may open the record at all, and the grant asked for is itself live (a
  // reader with another live grant must not keep using a revoked one's keys).
  const [access, live] = await Promise.all([
    hasAccess(client, { ...target(p), recordId: p.recordId, user: reader }),
    isGrantLive(client, { ...target(p), recordId: p.recordId, grantee: granteeKeyOf(p.via) }),
  ]);
  if (!access || !live) throw await whyDenied(client, p, p.recordId, p.via, reader);
  return openRecord(client, { ...p, reader, as: "grantee" });
}

export type ReadAsAuditorParameters = Omit<ReadRecordParameters, "via" | "reader"> & {
  projectId: bigint;
  /** Default: the client's account. */
  auditor?: Address;
};

/** The escrow path: refuses unless this auditor's audit access is on-chain and current. */
export async function readAsAuditor(client: ClientInput, p: ReadAsAuditorParameters): Promise<Record<string, FieldValue>> {
  const auditor = p.auditor ?? senderAddress(client);
  if (!(await hasAuditAccess(client, { ...target(p), recordId: p.recordId, projectId: p.projectId, auditor }))) {
    throw new AuditAccessNotRecordedError(p.recordId, p.projectId, auditor);
  }
  return openRecord(client, { ...p, via: { projectId: p.projectId }, reader: auditor, as: "auditor" });
}

// --- rotate and re-wrap -------------------------------------------------------------------------

type GrantEntry = { grantee: GranteeRef; key: Hex; purpose: number; expiry: bigint; fieldMask: bigint; live: boolean };

/** Every grantee the record ever granted to, with its latest grant and whether it is live now. */
async function grantsOf(client: ClientInput, p: Target & { recordId: Hex; fromBlock?: bigint }): Promise<GrantEntry[]> {
  if (p.fromBlock === undefined) throw new FromBlockRequiredError("rotateRecordKeys");
  const address = await registryAddress(client, "recordRegistry", target(p));
  const event = getAbiItem({ abi: recordRegistryAbi, name: "AccessGranted" });
  const logs = await getLogs(readerOf(client), { address, event, args: { recordId: p.recordId }, fromBlock: p.fromBlock, toBlock: "latest" });
  const latest = new Map<Hex, GrantEntry>();
  for (const e of parseRecordRegistryEvents(logs, { eventName: "AccessGranted", address })) {
    latest.set(e.args.grantee, {
      grantee: parseGrantee(e.args.grantee),
      key: e.args.grantee,
      purpose: e.args.purpose,
      expiry: e.args.expiry,
      fieldMask: e.args.fieldMask,
      live: false,
    });
  }
  const states = [...latest.values()];
  await Promise.all(states.map(async (s) => (s.live = await isGrantLive(client, { ...target(p), recordId: p.recordId, grantee: s.key }))));
  return states;
}

export type RotateRecordKeysParameters = Writer & {
  recordId: Hex;
  /** The current version's DEK (the owner's). */
  dek: Uint8Array;
  storage: StorageProvider;
  /** Seals the re-wraps; its mode becomes the record's (a lit release here moves an envelope record to Lit). */
  keyRelease?: KeyRelease;
  updates?: Record<string, FieldValue>;
  litNetwork?: string;
  /** Where the scan for the record's grants starts (required: FromBlockRequiredError without it; 0n on a local chain). */
  fromBlock?: bigint;
  /** The new version's DEK, when the owner derives it (keys/owner.ts `recordDek`); default random. */
  newDek?: Uint8Array;
};
export type RotateRecordKeysReturnType = {
  version: number;
  dek: Uint8Array;
  manifest: Manifest;
  storageId: Hex;
  contentHash: Hex;
  regranted: GranteeRef[];
  dropped: GranteeRef[];
};

/** New DEK and version, re-encrypted and re-uploaded; only grants live right now are re-sealed and re-granted. */
export async function rotateRecordKeys(client: ClientInput, p: RotateRecordKeysParameters): Promise<RotateRecordKeysReturnType> {
  const { record, storageId } = await getRecordPointer(client, { ...target(p), recordId: p.recordId });
  const release = p.keyRelease ?? (await releaseFor(client, p, record.keyRelease));
  const bundle = await downloadVerified(p.storage, storageId, record.contentHash);
  const grants = await grantsOf(client, p);
  const plan = await prepareRotation({
    recordId: p.recordId,
    version: record.version,
    dek: p.dek,
    bundle,
    grants,
    keyRelease: release,
    updates: p.updates,
    litNetwork: p.litNetwork,
    newDek: p.newDek,
  });
  const up = await p.storage.upload(plan.encrypted.bundle, [
    { name: "App-Name", value: "OneKey" },
    { name: "OneKey-Scheme", value: "1" },
  ]);
  await rotateRecord(client, {
    ...writer(p),
    recordId: p.recordId,
    storageId: up.storageId,
    contentHash: plan.encrypted.contentHash,
    manifestHash: plan.encrypted.manifestHash,
    scheme: plan.encrypted.manifest.scheme,
    keyRelease: KeyReleaseMode[release.mode],
  });
  const byKey = new Map(grants.map((g) => [g.key, g]));
  for (const w of plan.rewraps) {
    const old = byKey.get(granteeKeyOf(w.grantee))!;
    await grant(client, {
      ...writer(p),
      recordId: p.recordId,
      grantee: old.key,
      purpose: old.purpose,
      expiry: old.expiry,
      fieldMask: w.fieldMask,
      wrappedKey: toHex(w.wrappedKey),
    });
  }
  return {
    version: plan.version,
    dek: plan.encrypted.dek,
    manifest: plan.encrypted.manifest,
    storageId: up.storageId,
    contentHash: plan.encrypted.contentHash,
    regranted: plan.rewraps.map((w) => w.grantee),
    dropped: plan.dropped,
  };
}

export type RewrapGrantParameters = Writer & {
  recordId: Hex;
  grantee: GranteeRef;
  /** Opens the current wrap (the owner's own access suffices under Lit). */
  from: KeyRelease;
  /** Seals the new one: e.g. the same mode on the next Lit network. */
  to: KeyRelease;
  /** Where the log scan for the current wrap starts (required; 0n on a local chain). */
  fromBlock?: bigint;
};

/**
 * Re-seals one live grant under another key release of the same mode (a Lit network migration)
 * and re-grants it with the same purpose, expiry and mask. Changing mode is a rotation.
 */
export async function rewrapGrant(client: ClientInput, p: RewrapGrantParameters): Promise<GrantAccessReturnType> {
  const record = await getRecord(client, { ...target(p), recordId: p.recordId });
  assertMode(p.from, record.keyRelease);
  if (p.to.mode !== p.from.mode) throw new KeyReleaseModeMismatchError(p.from.mode, `${p.to.mode} (changing mode needs rotateRecordKeys)`);
  const key = granteeKeyOf(p.grantee);
  const [g, w] = await Promise.all([
    getGrant(client, { ...target(p), recordId: p.recordId, grantee: key }),
    getGrantWrappedKey(client, { ...target(p), recordId: p.recordId, grantee: key, fromBlock: p.fromBlock }),
  ]);
  const reader = senderAddress(client, p);
  if (!(await isGrantLive(client, { ...target(p), recordId: p.recordId, grantee: key }))) throw await whyDenied(client, p, p.recordId, p.grantee, reader);
  const keyCount = g.fieldMask.toString(2).replaceAll("0", "").length;
  const keys = await p.from.open({ recordId: p.recordId, version: record.version, grantee: p.grantee, wrappedKey: fromHex(w.wrappedKey), keyCount, reader });
  const wrapped = await p.to.seal({ recordId: p.recordId, version: record.version, grantee: p.grantee, keys });
  const r = await grant(client, {
    ...writer(p),
    recordId: p.recordId,
    grantee: key,
    purpose: g.purpose,
    expiry: g.expiry,
    fieldMask: g.fieldMask,
    wrappedKey: toHex(wrapped),
  });
  return { ...r, fieldMask: g.fieldMask, wrappedKeyBytes: wrapped.length };
}

// Erase, revoke, attest and verify are single contract calls; the flows export them so one import serves the whole path.
export { eraseRecord, revoke, recordAuditAccess, attest, isVerified, revokeAttestation } from "../contracts/index.ts";
export * from "./review-key.ts";
