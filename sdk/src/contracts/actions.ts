// Typed viem actions for the three registries: plain functions taking clients first.
import {
  encodeAbiParameters, keccak256, parseEventLogs, type Address, type Hex, type PublicClient, type TransactionReceipt,
} from "viem";
import { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { BaseError } from "../errors.ts";
import { read, resolveAddresses, senderAddress, write, type OneKeyClients, type ContractRevertError, type ChainMismatchError } from "./core.ts";
import type { OneKeyAddresses } from "../addresses.ts";

export const Roles = { ADMIN: 1, REVIEWER: 2, AUDITOR: 4, SPONSOR: 8 } as const;
export const Purpose = { KYC_REVIEW: 0, COMPLIANCE: 1, AUDIT: 2, DISPUTE: 3, SUPPORT: 4 } as const;
export type PurposeName = keyof typeof Purpose;
export const KeyReleaseMode = { envelope: 0, lit: 1 } as const;
export type ActionErrorType = ContractRevertError | ChainMismatchError | Error;

const PROJECT_FLAG = 1n << 255n;

/** A grantee key for an account (its address left-padded, as in GranteeKeys.sol). */
export const accountGrantee = (account: Address): Hex => `0x${account.slice(2).toLowerCase().padStart(64, "0")}`;
/** A grantee key for a project (top bit set). */
export const projectGrantee = (projectId: bigint): Hex => `0x${(PROJECT_FLAG | projectId).toString(16).padStart(64, "0")}`;
/** recordId = keccak256(abi.encode(owner, salt)), as RecordRegistry computes it. */
export const computeRecordId = (owner: Address, salt: Hex): Hex =>
  keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [owner, salt]));

export class EventNotFoundError extends BaseError {
  override name = "EventNotFoundError";
  constructor(event: string, details: string) {
    super(`Expected ${event} event not found.`, { details });
  }
}

async function target(c: OneKeyClients | { publicClient: PublicClient; addresses?: Partial<OneKeyAddresses> }, which: keyof OneKeyAddresses) {
  return (await resolveAddresses(c))[which] as Address;
}

// --- ProjectRegistry ---------------------------------------------------------------------------

export type CreateProjectParameters = { metadataURI: string };
export type CreateProjectReturnType = { projectId: bigint; receipt: TransactionReceipt };
export async function createProject(c: OneKeyClients, p: CreateProjectParameters): Promise<CreateProjectReturnType> {
  const receipt = await write(c, { address: await target(c, "projectRegistry"), abi: projectRegistryAbi, functionName: "createProject", args: [p.metadataURI] });
  const [event] = parseEventLogs({ abi: projectRegistryAbi, logs: receipt.logs, eventName: "ProjectCreated" });
  if (!event) throw new EventNotFoundError("ProjectCreated", receipt.transactionHash);
  return { projectId: event.args.projectId, receipt };
}

const projectWrite = (functionName: string) => async (c: OneKeyClients, args: readonly unknown[]) =>
  write(c, { address: await target(c, "projectRegistry"), abi: projectRegistryAbi, functionName, args });

export type GrantRolesParameters = { projectId: bigint; account: Address; roles: number };
export const grantRoles = (c: OneKeyClients, p: GrantRolesParameters) => projectWrite("grantRoles")(c, [p.projectId, p.account, p.roles]);
export const revokeRoles = (c: OneKeyClients, p: GrantRolesParameters) => projectWrite("revokeRoles")(c, [p.projectId, p.account, p.roles]);
export const suspendProject = (c: OneKeyClients, p: { projectId: bigint }) => projectWrite("suspend")(c, [p.projectId]);
export const resumeProject = (c: OneKeyClients, p: { projectId: bigint }) => projectWrite("resume")(c, [p.projectId]);
export const setReviewKey = (c: OneKeyClients, p: { projectId: bigint; publicKey: Hex }) => projectWrite("setReviewKey")(c, [p.projectId, p.publicKey]);
export const setEscrowKey = (c: OneKeyClients, p: { projectId: bigint; publicKey: Hex }) => projectWrite("setEscrowKey")(c, [p.projectId, p.publicKey]);
export const shareReviewKey = (c: OneKeyClients, p: { projectId: bigint; reviewer: Address; wrappedKey: Hex }) =>
  projectWrite("shareReviewKey")(c, [p.projectId, p.reviewer, p.wrappedKey]);
export type AddApiKeyParameters = { projectId: bigint; keyHash: Hex; scopes: number; expiry: bigint };
export const addApiKey = (c: OneKeyClients, p: AddApiKeyParameters) => projectWrite("addApiKey")(c, [p.projectId, p.keyHash, p.scopes, p.expiry]);
export const revokeApiKey = (c: OneKeyClients, p: { projectId: bigint; keyHash: Hex }) => projectWrite("revokeApiKey")(c, [p.projectId, p.keyHash]);

export async function getProject(c: { publicClient: PublicClient; addresses?: Partial<OneKeyAddresses> }, p: { projectId: bigint }) {
  return read<{ admin: Address; suspended: boolean; reviewKey: Hex; reviewKeyVersion: number; escrowKey: Hex; escrowKeyVersion: number; metadataURI: string }>(
    c.publicClient, { address: await target(c, "projectRegistry"), abi: projectRegistryAbi, functionName: "getProject", args: [p.projectId] },
  );
}

// --- RecordRegistry ----------------------------------------------------------------------------

export const setEncryptionKey = async (c: OneKeyClients, p: { publicKey: Hex }) =>
  write(c, { address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [p.publicKey] });

export async function encryptionKeyOf(c: { publicClient: PublicClient; addresses?: Partial<OneKeyAddresses> }, p: { account: Address }) {
  const [publicKey, version] = await read<[Hex, number]>(c.publicClient, {
    address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "encryptionKeyOf", args: [p.account],
  });
  return { publicKey, version };
}

export type RegisterRecordParameters = { salt: Hex; storageId: Hex; contentHash: Hex; manifestHash: Hex; scheme: number; keyRelease: number };
export async function registerRecord(c: OneKeyClients, p: RegisterRecordParameters) {
  const receipt = await write(c, {
    address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "registerRecord",
    args: [p.salt, p.storageId, p.contentHash, p.manifestHash, p.scheme, p.keyRelease],
  });
  return { recordId: computeRecordId(senderAddress(c), p.salt), receipt };
}

export type RotateRecordParameters = Omit<RegisterRecordParameters, "salt"> & { recordId: Hex };
export const rotateRecord = async (c: OneKeyClients, p: RotateRecordParameters) =>
  write(c, {
    address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "rotateRecord",
    args: [p.recordId, p.storageId, p.contentHash, p.manifestHash, p.scheme, p.keyRelease],
  });

export const eraseRecord = async (c: OneKeyClients, p: { recordId: Hex }) =>
  write(c, { address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "eraseRecord", args: [p.recordId] });

export type GrantParameters = { recordId: Hex; grantee: Hex; purpose: number; expiry: bigint; fieldMask: bigint; wrappedKey: Hex };
export const grant = async (c: OneKeyClients, p: GrantParameters) =>
  write(c, {
    address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "grant",
    args: [p.recordId, p.grantee, p.purpose, p.expiry, p.fieldMask, p.wrappedKey],
  });

export const revoke = async (c: OneKeyClients, p: { recordId: Hex; grantee: Hex }) =>
  write(c, { address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "revoke", args: [p.recordId, p.grantee] });

export const recordAuditAccess = async (c: OneKeyClients, p: { recordId: Hex; projectId: bigint; authorisationHash: Hex }) =>
  write(c, {
    address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName: "recordAuditAccess",
    args: [p.recordId, p.projectId, p.authorisationHash],
  });

type ReadClients = { publicClient: PublicClient; addresses?: Partial<OneKeyAddresses> };
const recordRead = async <T>(c: ReadClients, functionName: string, args: readonly unknown[]) =>
  read<T>(c.publicClient, { address: await target(c, "recordRegistry"), abi: recordRegistryAbi, functionName, args });

export type OnChainRecord = { owner: Address; version: number; scheme: number; keyRelease: number; erased: boolean; updatedBlock: bigint | number; contentHash: Hex };
export const getRecord = (c: ReadClients, p: { recordId: Hex }) => recordRead<OnChainRecord>(c, "getRecord", [p.recordId]);
export type OnChainGrant = { expiry: bigint; fieldMask: bigint; recordVersion: number; purpose: number; revoked: boolean; grantedAt: bigint | number };
export const getGrant = (c: ReadClients, p: { recordId: Hex; grantee: Hex }) => recordRead<OnChainGrant>(c, "getGrant", [p.recordId, p.grantee]);
export const isGrantLive = (c: ReadClients, p: { recordId: Hex; grantee: Hex }) => recordRead<boolean>(c, "isGrantLive", [p.recordId, p.grantee]);
export const hasAccess = (c: ReadClients, p: { recordId: Hex; user: Address }) => recordRead<boolean>(c, "hasAccess", [p.recordId, p.user]);
export const hasAuditAccess = (c: ReadClients, p: { recordId: Hex; projectId: bigint; auditor: Address }) =>
  recordRead<boolean>(c, "hasAuditAccess", [p.recordId, p.projectId, p.auditor]);

/** The storage id and manifest hash of a record's current version, from the event at `updatedBlock`. */
export async function getRecordPointer(c: ReadClients, p: { recordId: Hex }) {
  const record = await getRecord(c, p);
  const address = await target(c, "recordRegistry");
  const block = BigInt(record.updatedBlock);
  const logs = await c.publicClient.getLogs({ address, fromBlock: block, toBlock: block });
  const events = parseEventLogs({ abi: recordRegistryAbi, logs, eventName: ["RecordRegistered", "RecordRotated"] })
    .filter((e) => e.args.recordId === p.recordId);
  const last = events.at(-1);
  if (!last) throw new EventNotFoundError("RecordRegistered/RecordRotated", `record ${p.recordId} at block ${block}`);
  return { record, storageId: last.args.storageId, manifestHash: last.args.manifestHash };
}

/** The wrapped key of the latest grant to `grantee` (from the AccessGranted event at grant time). */
export async function getGrantWrappedKey(c: ReadClients, p: { recordId: Hex; grantee: Hex; fromBlock?: bigint }) {
  const address = await target(c, "recordRegistry");
  const logs = await c.publicClient.getLogs({
    address,
    event: recordRegistryAbi.find((x) => x.type === "event" && x.name === "AccessGranted") as never,
    args: { recordId: p.recordId, grantee: p.grantee } as never,
    fromBlock: p.fromBlock ?? 0n,
    toBlock: "latest",
  });
  const events = parseEventLogs({ abi: recordRegistryAbi, logs, eventName: "AccessGranted" });
  const last = events.at(-1);
  if (!last) throw new EventNotFoundError("AccessGranted", `record ${p.recordId}, grantee ${p.grantee}`);
  return { wrappedKey: last.args.wrappedKey, recordVersion: last.args.recordVersion, fieldMask: last.args.fieldMask };
}

// --- AttestationRegistry -----------------------------------------------------------------------

export type AttestParameters = { projectId: bigint; subject: Address; level: number; expiry: bigint; recordId: Hex };
export const attest = async (c: OneKeyClients, p: AttestParameters) =>
  write(c, {
    address: await target(c, "attestationRegistry"), abi: attestationRegistryAbi, functionName: "attest",
    args: [p.projectId, p.subject, p.level, p.expiry, p.recordId],
  });

export const attestBatch = async (c: OneKeyClients, p: { projectId: bigint; requests: Omit<AttestParameters, "projectId">[] }) =>
  write(c, {
    address: await target(c, "attestationRegistry"), abi: attestationRegistryAbi, functionName: "attestBatch",
    args: [p.projectId, p.requests],
  });

export const revokeAttestation = async (c: OneKeyClients, p: { projectId: bigint; subject: Address }) =>
  write(c, { address: await target(c, "attestationRegistry"), abi: attestationRegistryAbi, functionName: "revoke", args: [p.projectId, p.subject] });

export const isVerified = async (c: ReadClients, p: { subject: Address; projectId: bigint; minLevel: number }) =>
  read<boolean>(c.publicClient, {
    address: await target(c, "attestationRegistry"), abi: attestationRegistryAbi, functionName: "isVerified",
    args: [p.subject, p.projectId, p.minLevel],
  });

export const getAttestation = async (c: ReadClients, p: { subject: Address; projectId: bigint }) =>
  read<{ level: number; expiry: bigint; attester: Address }>(c.publicClient, {
    address: await target(c, "attestationRegistry"), abi: attestationRegistryAbi, functionName: "getAttestation",
    args: [p.subject, p.projectId],
  });
