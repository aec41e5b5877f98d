// @onekey/sdk/flows — the private path as a few calls: submit, grant, read, audit, rotate, erase.
import { type Address, type Hex, toHex } from "viem";
import { randomBytes } from "node:crypto";
import { BaseError } from "../errors.ts";
import {
  decryptRecord, encryptRecord, fieldKeysFor, fieldMaskOf, fieldsOfMask, grantContext, parseBundle, unwrapKeys, wrapKeys,
  splitProjectWrap, type FieldValue, type Manifest,
} from "../crypto/index.ts";
import { fromHex } from "../crypto/bytes.ts";
import type { X25519KeyPair } from "../crypto/primitives.ts";
import { downloadVerified, type StorageProvider } from "../storage/index.ts";
import {
  accountGrantee, computeRecordId, encryptionKeyOf, getGrantWrappedKey, getProject, getRecordPointer, grant, hasAccess,
  hasAuditAccess, isGrantLive, KeyReleaseMode, projectGrantee, registerRecord, rotateRecord, Purpose, type PurposeName,
} from "../contracts/actions.ts";
import { senderAddress, type OneKeyClients } from "../contracts/core.ts";
import type { PublicClient } from "viem";
import type { OneKeyAddresses } from "../addresses.ts";

export class AccessDeniedError extends BaseError {
  override name = "AccessDeniedError";
  constructor(recordId: Hex, who: Address) {
    super(`${who} has no live access to record ${recordId} (no grant, expired, revoked, or erased).`);
  }
}

export class GranteeKeyNotSetError extends BaseError {
  override name = "GranteeKeyNotSetError";
  constructor(what: string) {
    super(`${what} has no X25519 public key registered on-chain; it cannot receive a grant yet.`);
  }
}

export class AuditAccessNotRecordedError extends BaseError {
  override name = "AuditAccessNotRecordedError";
  constructor(recordId: Hex, projectId: bigint, auditor: Address) {
    super(`No audit access by ${auditor} for record ${recordId} in project ${projectId} is on-chain; the escrow key stays closed.`, {
      details: "Call recordAuditAccess(recordId, projectId, authorisationHash) first.",
    });
  }
}

export class StaleGrantError extends BaseError {
  override name = "StaleGrantError";
  constructor(recordId: Hex, grantVersion: number, recordVersion: number) {
    super(`The grant for record ${recordId} wraps version ${grantVersion} but the record is at version ${recordVersion}.`);
  }
}

type ReadClients = { publicClient: PublicClient; addresses?: Partial<OneKeyAddresses> };
export type Grantee = { account: Address } | { projectId: bigint };
const granteeKey = (g: Grantee): Hex => ("account" in g ? accountGrantee(g.account) : projectGrantee(g.projectId));

// --- submit -------------------------------------------------------------------------------------

export type SubmitRecordParameters = {
  storage: StorageProvider;
  fields: Record<string, FieldValue>;
  /** Upload progress in bytes (a single bundle: 0 then total). */
  onProgress?: (sent: number, total: number) => void;
};
export type SubmitRecordReturnType = { recordId: Hex; version: number; dek: Uint8Array; manifest: Manifest; storageId: Hex; contentHash: Hex };

/** Encrypts on this device, uploads the ciphertext, registers pointer and hash on-chain. */
export async function submitRecord(c: OneKeyClients, p: SubmitRecordParameters): Promise<SubmitRecordReturnType> {
  const salt = toHex(randomBytes(32));
  const recordId = computeRecordId(senderAddress(c), salt);
  const enc = encryptRecord({ recordId, version: 1, fields: p.fields });
  p.onProgress?.(0, enc.bundle.length);
  const { storageId } = await p.storage.upload(enc.bundle, [{ name: "App-Name", value: "OneKey" }, { name: "OneKey-Scheme", value: "1" }]);
  p.onProgress?.(enc.bundle.length, enc.bundle.length);
  await registerRecord(c, {
    salt, storageId, contentHash: enc.contentHash, manifestHash: enc.manifestHash, scheme: enc.manifest.scheme, keyRelease: KeyReleaseMode.envelope,
  });
  return { recordId, version: 1, dek: enc.dek, manifest: enc.manifest, storageId, contentHash: enc.contentHash };
}

// --- grant --------------------------------------------------------------------------------------

export type GrantAccessParameters = {
  recordId: Hex;
  version: number;
  dek: Uint8Array;
  manifest: Manifest;
  grantee: Grantee;
  /** Field names to disclose. */
  fields: string[];
  purpose: PurposeName;
  expiry: bigint;
};

/** Wraps only the chosen fields' keys to the grantee (a project: its review and escrow keys) and grants. */
export async function grantAccess(c: OneKeyClients, p: GrantAccessParameters) {
  const mask = fieldMaskOf(p.manifest, p.fields);
  const keys = [...fieldKeysFor(p.dek, p.manifest, mask).values()];
  const key = granteeKey(p.grantee);
  let wrapped: Uint8Array;
  if ("account" in p.grantee) {
    const { publicKey } = await encryptionKeyOf(c, { account: p.grantee.account });
    if (BigInt(publicKey) === 0n) throw new GranteeKeyNotSetError(p.grantee.account);
    wrapped = wrapKeys(fromHex(publicKey, 32), keys, grantContext(p.recordId, p.version, key));
  } else {
    const project = await getProject(c, { projectId: p.grantee.projectId });
    if (project.reviewKeyVersion === 0) throw new GranteeKeyNotSetError(`project ${p.grantee.projectId} (review key)`);
    if (project.escrowKeyVersion === 0) throw new GranteeKeyNotSetError(`project ${p.grantee.projectId} (escrow key)`);
    wrapped = new Uint8Array(Buffer.concat([
      wrapKeys(fromHex(project.reviewKey, 32), keys, grantContext(p.recordId, p.version, key)),
      wrapKeys(fromHex(project.escrowKey, 32), keys, grantContext(p.recordId, p.version, key, "escrow")),
    ]));
  }
  const receipt = await grant(c, {
    recordId: p.recordId, grantee: key, purpose: Purpose[p.purpose], expiry: p.expiry, fieldMask: mask, wrappedKey: toHex(wrapped),
  });
  return { receipt, fieldMask: mask, wrappedKeyBytes: wrapped.length };
}

// --- read ---------------------------------------------------------------------------------------

export type ReadRecordParameters = {
  recordId: Hex;
  storage: StorageProvider;
  /** The address whose access is checked (the reviewer's own account for project grants). */
  reader: Address;
  /** Whose grant to open: the reader's own, or a project's (then `keyPair` is the project review key). */
  via: Grantee;
  keyPair: X25519KeyPair;
  fields?: string[];
};

/** Checks access, fetches, verifies the content hash, unwraps and decrypts only granted fields. */
export async function readRecord(c: ReadClients, p: ReadRecordParameters): Promise<Record<string, FieldValue>> {
  if (!(await hasAccess(c, { recordId: p.recordId, user: p.reader }))) throw new AccessDeniedError(p.recordId, p.reader);
  return openGrant(c, { ...p, role: "grantee" });
}

export type ReadAsAuditorParameters = Omit<ReadRecordParameters, "via" | "reader"> & { projectId: bigint; auditor: Address };

/** The escrow path: refuses unless this auditor's audit access is on-chain and current. */
export async function readAsAuditor(c: ReadClients, p: ReadAsAuditorParameters): Promise<Record<string, FieldValue>> {
  if (!(await hasAuditAccess(c, { recordId: p.recordId, projectId: p.projectId, auditor: p.auditor }))) {
    throw new AuditAccessNotRecordedError(p.recordId, p.projectId, p.auditor);
  }
  return openGrant(c, { ...p, via: { projectId: p.projectId }, role: "escrow" });
}

async function openGrant(
  c: ReadClients,
  p: { recordId: Hex; storage: StorageProvider; via: Grantee; keyPair: X25519KeyPair; fields?: string[]; role: "grantee" | "escrow" },
) {
  const { record, storageId } = await getRecordPointer(c, { recordId: p.recordId });
  const key = granteeKey(p.via);
  const g = await getGrantWrappedKey(c, { recordId: p.recordId, grantee: key });
  if (g.recordVersion !== record.version) throw new StaleGrantError(p.recordId, g.recordVersion, record.version);
  const bundle = await downloadVerified(p.storage, storageId, record.contentHash);
  const { manifest } = parseBundle(bundle);
  let wrapped = fromHex(g.wrappedKey);
  if ("projectId" in p.via) wrapped = splitProjectWrap(wrapped)[p.role === "escrow" ? "escrow" : "review"];
  const keys = unwrapKeys(p.keyPair.privateKey, p.keyPair.publicKey, wrapped, grantContext(p.recordId, record.version, key, p.role));
  const names = fieldsOfMask(manifest, g.fieldMask).map((f) => f.name);
  const fieldKeys = new Map(names.map((n, i) => [n, keys[i]]));
  return decryptRecord({ bundle, recordId: p.recordId, version: record.version, keys: { fieldKeys }, fields: p.fields, expectedContentHash: record.contentHash });
}

// --- rotate -------------------------------------------------------------------------------------

export type RotateRecordKeysParameters = {
  recordId: Hex;
  version: number;
  dek: Uint8Array;
  storage: StorageProvider;
  /** Grants to carry over if still live before rotation: re-wrapped under the new key. */
  grants: Omit<GrantAccessParameters, "recordId" | "version" | "dek" | "manifest">[];
};

/** New DEK and version, re-encrypted and re-uploaded; only grants live right now are re-wrapped. */
export async function rotateRecordKeys(c: OneKeyClients, p: RotateRecordKeysParameters) {
  const { record, storageId } = await getRecordPointer(c, { recordId: p.recordId });
  const bundle = await downloadVerified(p.storage, storageId, record.contentHash);
  const fields = decryptRecord({ bundle, recordId: p.recordId, version: p.version, keys: { dek: p.dek } });
  const live = [];
  for (const g of p.grants) if (await isGrantLive(c, { recordId: p.recordId, grantee: granteeKey(g.grantee) })) live.push(g);
  const version = p.version + 1;
  const enc = encryptRecord({ recordId: p.recordId, version, fields });
  const up = await p.storage.upload(enc.bundle, [{ name: "App-Name", value: "OneKey" }]);
  await rotateRecord(c, {
    recordId: p.recordId, storageId: up.storageId, contentHash: enc.contentHash, manifestHash: enc.manifestHash, scheme: 1, keyRelease: KeyReleaseMode.envelope,
  });
  for (const g of live) await grantAccess(c, { ...g, recordId: p.recordId, version, dek: enc.dek, manifest: enc.manifest });
  return { version, dek: enc.dek, manifest: enc.manifest, regranted: live.length, dropped: p.grants.length - live.length };
}

export { eraseRecord, attest, isVerified, revoke, recordAuditAccess } from "../contracts/actions.ts";
