// RecordRegistry actions: encryption keys, record pointers, grants, the audit-access log.
import { getLogs } from "viem/actions";
import { encodeAbiParameters, getAbiItem, keccak256, type Address, type Hex } from "viem";
import { recordRegistryAbi } from "../abis.ts";
import {
  eraseRecordCall,
  grantCall,
  recordAuditAccessCall,
  registerRecordCall,
  revokeCall,
  rotateRecordCall,
  setEncryptionKeyCall,
  type GrantArgs,
  type RecordAuditAccessArgs,
  type RecordIdArgs,
  type RegisterRecordArgs,
  type RevokeArgs,
  type RotateRecordArgs,
  type SetEncryptionKeyArgs,
} from "./calls.ts";
import { readerOf, registryActions, registryAddress } from "./core.ts";
import {
  ContractCallError,
  EventNotFoundError,
  FromBlockRequiredError,
  type RecordRegistryReadErrorType,
  type RecordRegistryWriteErrorType,
} from "./errors.ts";
import { parseRecordRegistryEvents, recordEvent } from "./events.ts";
import type { ClientInput, ReadParameters, RegistryReadReturnType, WriteParameters, WriteResult } from "./types.ts";

const { read, write } = registryActions("recordRegistry");

// --- writes --------------------------------------------------------------------------------------

/** recordId = keccak256(abi.encode(owner, salt)), exactly as RecordRegistry computes it. */
export function computeRecordId(owner: Address, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [owner, salt]));
}

export type SetEncryptionKeyParameters = WriteParameters & SetEncryptionKeyArgs;
export type SetEncryptionKeyReturnType = WriteResult & { keyVersion: number };
export type SetEncryptionKeyErrorType = RecordRegistryWriteErrorType;
/** Registers or rotates the sender's X25519 public key (what grants to this account wrap to). */
export async function setEncryptionKey(client: ClientInput, p: SetEncryptionKeyParameters): Promise<SetEncryptionKeyReturnType> {
  const [r, address] = await write(client, p, setEncryptionKeyCall);
  return { ...r, keyVersion: recordEvent(r, "EncryptionKeySet", address).args.version };
}

export type RegisterRecordParameters = WriteParameters & RegisterRecordArgs;
export type RegisterRecordReturnType = WriteResult & { recordId: Hex; owner: Address };
export type RegisterRecordErrorType = RecordRegistryWriteErrorType;
/** Registers a record owned by the sender; recordId = keccak256(abi.encode(owner, salt)). */
export async function registerRecord(client: ClientInput, p: RegisterRecordParameters): Promise<RegisterRecordReturnType> {
  const [r, address] = await write(client, p, registerRecordCall);
  const { args } = recordEvent(r, "RecordRegistered", address);
  return { ...r, recordId: args.recordId, owner: args.owner };
}

export type RotateRecordParameters = WriteParameters & RotateRecordArgs;
export type RotateRecordReturnType = WriteResult & { version: number };
export type RotateRecordErrorType = RecordRegistryWriteErrorType;
/** Points the record at a new version; every grant of the old version stops opening it. */
export async function rotateRecord(client: ClientInput, p: RotateRecordParameters): Promise<RotateRecordReturnType> {
  const [r, address] = await write(client, p, rotateRecordCall);
  return { ...r, version: recordEvent(r, "RecordRotated", address).args.version };
}

export type EraseRecordParameters = WriteParameters & RecordIdArgs;
export type EraseRecordReturnType = WriteResult;
export type EraseRecordErrorType = RecordRegistryWriteErrorType;
/** Crypto-shreds the record: no access, grant, rotation or key release afterwards. */
export const eraseRecord = async (client: ClientInput, p: EraseRecordParameters): Promise<EraseRecordReturnType> =>
  (await write(client, p, eraseRecordCall))[0];

export type GrantParameters = WriteParameters & GrantArgs;
export type GrantReturnType = WriteResult & { recordVersion: number };
export type GrantErrorType = RecordRegistryWriteErrorType;
/**
 * The low-level grant: `wrappedKey` must already be wrapped for the grantee (the `/flows`
 * grantAccess does that). `grantee` is `accountGrantee(address)` or `projectGrantee(id)`.
 */
export async function grant(client: ClientInput, p: GrantParameters): Promise<GrantReturnType> {
  const [r, address] = await write(client, p, grantCall);
  return { ...r, recordVersion: recordEvent(r, "AccessGranted", address).args.recordVersion };
}

export type RevokeParameters = WriteParameters & RevokeArgs;
export type RevokeReturnType = WriteResult;
export type RevokeErrorType = RecordRegistryWriteErrorType;
/** Revokes a live grant (GrantNotFound when there is none). */
export const revoke = async (client: ClientInput, p: RevokeParameters): Promise<RevokeReturnType> => (await write(client, p, revokeCall))[0];

export type RecordAuditAccessParameters = WriteParameters & RecordAuditAccessArgs;
export type RecordAuditAccessReturnType = WriteResult & { validUntil: bigint };
export type RecordAuditAccessErrorType = RecordRegistryWriteErrorType;
/** Logs an AUDITOR's access through the escrow key; opens that path for AUDIT_ACCESS_WINDOW. */
export async function recordAuditAccess(client: ClientInput, p: RecordAuditAccessParameters): Promise<RecordAuditAccessReturnType> {
  const [r, address] = await write(client, p, recordAuditAccessCall);
  return { ...r, validUntil: recordEvent(r, "AuditAccessRecorded", address).args.validUntil };
}

// --- reads ---------------------------------------------------------------------------------------

export type HasAccessParameters = ReadParameters & { recordId: Hex; user: Address };
export type HasAccessReturnType = boolean;
export type HasAccessErrorType = RecordRegistryReadErrorType;
/** The predicate Lit conditions and the SDK use: may `user` open the record now? */
export const hasAccess = (client: ClientInput, p: HasAccessParameters): Promise<HasAccessReturnType> => read(client, p, "hasAccess", [p.recordId, p.user]);

export type HasAuditAccessParameters = ReadParameters & { recordId: Hex; projectId: bigint; auditor: Address };
export type HasAuditAccessReturnType = boolean;
export type HasAuditAccessErrorType = RecordRegistryReadErrorType;
export const hasAuditAccess = (client: ClientInput, p: HasAuditAccessParameters): Promise<HasAuditAccessReturnType> =>
  read(client, p, "hasAuditAccess", [p.recordId, p.projectId, p.auditor]);

/** The record as `getRecord` returns it (typed from the ABI). */
export type OnChainRecord = RegistryReadReturnType<"recordRegistry", "getRecord">;
export type GetRecordParameters = ReadParameters & RecordIdArgs;
export type GetRecordReturnType = OnChainRecord;
export type GetRecordErrorType = RecordRegistryReadErrorType;
/** The record as stored; RecordNotFound for an unknown id. */
export const getRecord = (client: ClientInput, p: GetRecordParameters): Promise<GetRecordReturnType> => read(client, p, "getRecord", [p.recordId]);

/** The grant as `getGrant` returns it (typed from the ABI). */
export type OnChainGrant = RegistryReadReturnType<"recordRegistry", "getGrant">;
export type GetGrantParameters = ReadParameters & RevokeArgs;
export type GetGrantReturnType = OnChainGrant;
export type GetGrantErrorType = RecordRegistryReadErrorType;
/** The grant as stored (zeroes when none). */
export const getGrant = (client: ClientInput, p: GetGrantParameters): Promise<GetGrantReturnType> => read(client, p, "getGrant", [p.recordId, p.grantee]);

export type IsGrantLiveParameters = ReadParameters & RevokeArgs;
export type IsGrantLiveReturnType = boolean;
export type IsGrantLiveErrorType = RecordRegistryReadErrorType;
export const isGrantLive = (client: ClientInput, p: IsGrantLiveParameters): Promise<IsGrantLiveReturnType> =>
  read(client, p, "isGrantLive", [p.recordId, p.grantee]);

export type EncryptionKeyOfParameters = ReadParameters & { account: Address };
export type EncryptionKeyOfReturnType = { publicKey: Hex; version: number };
export type EncryptionKeyOfErrorType = RecordRegistryReadErrorType;
/** The account's X25519 public key and its version (zeroes when unset). */
export async function encryptionKeyOf(client: ClientInput, p: EncryptionKeyOfParameters): Promise<EncryptionKeyOfReturnType> {
  const [publicKey, version] = await read(client, p, "encryptionKeyOf", [p.account]);
  return { publicKey, version };
}

// --- from the logs -------------------------------------------------------------------------------

export type GetRecordPointerParameters = ReadParameters & RecordIdArgs;
export type GetRecordPointerReturnType = { record: OnChainRecord; storageId: Hex; manifestHash: Hex };
export type GetRecordPointerErrorType = RecordRegistryReadErrorType | EventNotFoundError;
/** The current version's storage id and manifest hash, from the event at the record's `updatedBlock`. */
export async function getRecordPointer(client: ClientInput, p: GetRecordPointerParameters): Promise<GetRecordPointerReturnType> {
  const record = await getRecord(client, p);
  const address = await registryAddress(client, "recordRegistry", p);
  const block = BigInt(record.updatedBlock);
  const logs = await logsOf(() => getLogs(readerOf(client), { address, fromBlock: block, toBlock: block }));
  const last = parseRecordRegistryEvents(logs, { eventName: ["RecordRegistered", "RecordRotated"], address })
    .filter((e) => e.args.recordId === p.recordId)
    .at(-1);
  if (!last) throw new EventNotFoundError("RecordRegistered/RecordRotated", `record ${p.recordId} at block ${block}`);
  return { record, storageId: last.args.storageId, manifestHash: last.args.manifestHash };
}

export type GetGrantWrappedKeyParameters = ReadParameters &
  RevokeArgs & {
    /** Where the log scan starts: required (FromBlockRequiredError without it); 0n is allowed when said. */
    fromBlock?: bigint;
  };
export type GetGrantWrappedKeyReturnType = {
  wrappedKey: Hex;
  recordVersion: number;
  fieldMask: bigint;
  /** Set when the key came from a project ADMIN's re-wrap: the review-key version it opens with. */
  reviewKeyVersion?: number;
};
export type GetGrantWrappedKeyErrorType = RecordRegistryReadErrorType | EventNotFoundError | FromBlockRequiredError;
/**
 * The wrapped key of the latest grant to `grantee` (grants emit it; they do not store it), from
 * the logs since `fromBlock`: the latest `AccessGranted`, or a `GrantRewrapped` after it (a
 * project's re-wrap to its rotated review key; the contract only accepts one for the grant as it
 * stands). The `/flows` reads take an `indexer` instead.
 */
export async function getGrantWrappedKey(client: ClientInput, p: GetGrantWrappedKeyParameters): Promise<GetGrantWrappedKeyReturnType> {
  if (p.fromBlock === undefined) throw new FromBlockRequiredError("getGrantWrappedKey");
  const address = await registryAddress(client, "recordRegistry", p);
  const filter = { address, args: { recordId: p.recordId, grantee: p.grantee }, fromBlock: p.fromBlock, toBlock: "latest" } as const;
  const [granted, rewrapped] = await Promise.all([
    logsOf(() => getLogs(readerOf(client), { ...filter, event: getAbiItem({ abi: recordRegistryAbi, name: "AccessGranted" }) })),
    logsOf(() => getLogs(readerOf(client), { ...filter, event: getAbiItem({ abi: recordRegistryAbi, name: "GrantRewrapped" }) })),
  ]);
  const last = parseRecordRegistryEvents(granted, { eventName: "AccessGranted", address }).at(-1);
  if (!last) throw new EventNotFoundError("AccessGranted", `record ${p.recordId}, grantee ${p.grantee}`);
  const after = (l: { blockNumber: bigint | null; logIndex: number | null }) =>
    l.blockNumber! > last.blockNumber! || (l.blockNumber === last.blockNumber && l.logIndex! > last.logIndex!);
  const rewrap = parseRecordRegistryEvents(rewrapped, { eventName: "GrantRewrapped", address }).filter(after).at(-1);
  if (rewrap) {
    return {
      wrappedKey: rewrap.args.wrappedKey,
      recordVersion: rewrap.args.recordVersion,
      fieldMask: last.args.fieldMask,
      reviewKeyVersion: rewrap.args.reviewKeyVersion,
    };
  }
  return { wrappedKey: last.args.wrappedKey, recordVersion: last.args.recordVersion, fieldMask: last.args.fieldMask };
}

async function logsOf<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    throw new ContractCallError("eth_getLogs", error);
  }
}
