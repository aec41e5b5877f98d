// The call-builder layer: every registry write as a plain `{ to, data }` call (plus the ABI and the
// typed arguments, so a sender can simulate and decode reverts). Actions send one call; a smart
// account can batch several through `sendCalls`. Builders take the registry address explicitly and
// touch no network.
import {
  encodeFunctionData,
  isAddress,
  isHex,
  size,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type EncodeFunctionDataParameters,
  type Hex,
} from "viem";
import { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { InvalidActionInputError } from "./errors.ts";
import { claimsValue, type Claims } from "./claims.ts";
import { Purpose, type PurposeName } from "../constants.ts";
import type { OneKeyCallOf, RegistryAbis, RegistryName, RegistryWriteArgs, RegistryWriteName } from "./types.ts";

export const registryAbis: RegistryAbis = {
  projectRegistry: projectRegistryAbi,
  recordRegistry: recordRegistryAbi,
  attestationRegistry: attestationRegistryAbi,
};

/**
 * Any registry write as a call, typed from the ABI: `registryCall("recordRegistry", to, "revoke",
 * [recordId, grantee])`. The named builders below are this with friendlier arguments; tests and
 * tools that drive a function by name use this one.
 */
export function registryCall<C extends RegistryName, const F extends RegistryWriteName<C>>(
  contract: C,
  to: Address,
  functionName: F,
  args: RegistryWriteArgs<C, F>,
): OneKeyCallOf<C, F> {
  const abi = registryAbis[contract];
  const entries: Abi = abi;
  const fn = entries.find((x): x is AbiFunction => x.type === "function" && x.name === functionName);
  // viem encodes some bad values without complaint (e.g. non-hex `bytes`): check every argument first.
  for (const [i, input] of (fn?.inputs ?? []).entries()) checkArg(functionName, input, (args as readonly unknown[])[i], input.name || `#${i}`);
  // The signature above ties `args` to `functionName` for every caller; inside this one generic
  // function TypeScript cannot follow ABI-indexed generics through viem's conditional types, so the
  // parameters are widened to viem's own untyped form here, and only here.
  const parameters: EncodeFunctionDataParameters = { abi, functionName, args } as EncodeFunctionDataParameters;
  try {
    return { to, data: encodeFunctionData(parameters), contract, abi, functionName, args };
  } catch (error) {
    throw new InvalidActionInputError(functionName, error);
  }
}

// `label` names the function in the error only.
function checkArg(label: string, param: AbiParameter, value: unknown, path: string): void {
  const bad = (why: string) => new InvalidActionInputError(label, new Error(`${path} (${param.type}) ${why}`));
  const array = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (array) {
    if (!Array.isArray(value) || (array[2] && value.length !== Number(array[2]))) throw bad("must be an array of that length");
    for (const [i, v] of value.entries()) checkArg(label, { ...param, type: array[1] } as AbiParameter, v, `${path}[${i}]`);
    return;
  }
  if (param.type === "tuple") {
    if (typeof value !== "object" || value === null) throw bad("must be an object");
    for (const c of (param as { components: readonly AbiParameter[] }).components)
      checkArg(label, c, (value as Record<string, unknown>)[c.name!], `${path}.${c.name}`);
    return;
  }
  const uint = /^uint(\d+)$/.exec(param.type);
  if (uint) {
    const ok =
      (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value))) && BigInt(value) >= 0n && BigInt(value) < 1n << BigInt(uint[1]);
    if (!ok) throw bad("is not an integer in range");
    return;
  }
  const fixed = /^bytes(\d+)$/.exec(param.type);
  if (fixed && !(isHex(value, { strict: true }) && size(value) === Number(fixed[1]))) throw bad(`must be ${fixed[1]} bytes of hex`);
  if (param.type === "bytes" && !(isHex(value, { strict: true }) && value.length % 2 === 0)) throw bad("must be whole bytes of hex");
  if (param.type === "address" && !(typeof value === "string" && isAddress(value, { strict: false }))) throw bad("is not an address");
  if (param.type === "string" && typeof value !== "string") throw bad("must be a string");
  if (param.type === "bool" && typeof value !== "boolean") throw bad("must be a boolean");
}
const project = <const F extends RegistryWriteName<"projectRegistry">>(to: Address, fn: F, args: RegistryWriteArgs<"projectRegistry", F>) =>
  registryCall("projectRegistry", to, fn, args);
const record = <const F extends RegistryWriteName<"recordRegistry">>(to: Address, fn: F, args: RegistryWriteArgs<"recordRegistry", F>) =>
  registryCall("recordRegistry", to, fn, args);
const attestation = <const F extends RegistryWriteName<"attestationRegistry">>(to: Address, fn: F, args: RegistryWriteArgs<"attestationRegistry", F>) =>
  registryCall("attestationRegistry", to, fn, args);

const purposeValue = (p: number | PurposeName): number => (typeof p === "number" ? p : Purpose[p]);

// --- ProjectRegistry ---------------------------------------------------------------------------

export type CreateProjectArgs = { metadataURI: string };
export const createProjectCall = (to: Address, p: CreateProjectArgs) => project(to, "createProject", [p.metadataURI]);
export type SetMetadataURIArgs = { projectId: bigint; metadataURI: string };
export const setMetadataURICall = (to: Address, p: SetMetadataURIArgs) => project(to, "setMetadataURI", [p.projectId, p.metadataURI]);
export type ProjectIdArgs = { projectId: bigint };
export const suspendProjectCall = (to: Address, p: ProjectIdArgs) => project(to, "suspend", [p.projectId]);
export const resumeProjectCall = (to: Address, p: ProjectIdArgs) => project(to, "resume", [p.projectId]);
export type TransferAdminArgs = { projectId: bigint; newAdmin: Address };
export const transferAdminCall = (to: Address, p: TransferAdminArgs) => project(to, "transferAdmin", [p.projectId, p.newAdmin]);
export const acceptAdminCall = (to: Address, p: ProjectIdArgs) => project(to, "acceptAdmin", [p.projectId]);
export type RolesArgs = { projectId: bigint; account: Address; roles: number };
type MemberArgs = { projectId: bigint; member: Address; roles: number };
const memberOf = (p: RolesArgs | MemberArgs) => ("member" in p ? p.member : p.account);
export const grantRolesCall = (to: Address, p: RolesArgs | MemberArgs) => project(to, "grantRoles", [p.projectId, memberOf(p), p.roles]);
export const revokeRolesCall = (to: Address, p: RolesArgs | MemberArgs) => project(to, "revokeRoles", [p.projectId, memberOf(p), p.roles]);
export type ProjectKeyArgs = { projectId: bigint; publicKey: Hex };
export const setReviewKeyCall = (to: Address, p: ProjectKeyArgs) => project(to, "setReviewKey", [p.projectId, p.publicKey]);
export const setEscrowKeyCall = (to: Address, p: ProjectKeyArgs) => project(to, "setEscrowKey", [p.projectId, p.publicKey]);
export type ShareReviewKeyArgs = { projectId: bigint; reviewer: Address; wrappedKey: Hex };
export const shareReviewKeyCall = (to: Address, p: ShareReviewKeyArgs) => project(to, "shareReviewKey", [p.projectId, p.reviewer, p.wrappedKey]);
export type AddApiKeyArgs = { projectId: bigint; keyHash: Hex; scopes: number; expiry: bigint };
export const addApiKeyCall = (to: Address, p: AddApiKeyArgs) => project(to, "addApiKey", [p.projectId, p.keyHash, p.scopes, p.expiry]);
export type ApiKeyArgs = { projectId: bigint; keyHash: Hex };
export const revokeApiKeyCall = (to: Address, p: ApiKeyArgs) => project(to, "revokeApiKey", [p.projectId, p.keyHash]);

// --- RecordRegistry ----------------------------------------------------------------------------

export type SetEncryptionKeyArgs = { publicKey: Hex };
export const setEncryptionKeyCall = (to: Address, p: SetEncryptionKeyArgs) => record(to, "setEncryptionKey", [p.publicKey]);
export type RecordPointerArgs = { storageId: Hex; contentHash: Hex; manifestHash: Hex; scheme: number; keyRelease: number };
export type RegisterRecordArgs = RecordPointerArgs & { salt: Hex };
export const registerRecordCall = (to: Address, p: RegisterRecordArgs) =>
  record(to, "registerRecord", [p.salt, p.storageId, p.contentHash, p.manifestHash, p.scheme, p.keyRelease]);
export type RotateRecordArgs = RecordPointerArgs & { recordId: Hex };
export const rotateRecordCall = (to: Address, p: RotateRecordArgs) =>
  record(to, "rotateRecord", [p.recordId, p.storageId, p.contentHash, p.manifestHash, p.scheme, p.keyRelease]);
export type RecordIdArgs = { recordId: Hex };
export const eraseRecordCall = (to: Address, p: RecordIdArgs) => record(to, "eraseRecord", [p.recordId]);
export type GrantArgs = { recordId: Hex; grantee: Hex; purpose: number | PurposeName; expiry: bigint; fieldMask: bigint; wrappedKey: Hex };
export const grantCall = (to: Address, p: GrantArgs) =>
  record(to, "grant", [p.recordId, p.grantee, purposeValue(p.purpose), p.expiry, p.fieldMask, p.wrappedKey]);
export type RevokeArgs = { recordId: Hex; grantee: Hex };
export const revokeCall = (to: Address, p: RevokeArgs) => record(to, "revoke", [p.recordId, p.grantee]);
export type RecordAuditAccessArgs = { recordId: Hex; projectId: bigint; authorisationHash: Hex };
export const recordAuditAccessCall = (to: Address, p: RecordAuditAccessArgs) => record(to, "recordAuditAccess", [p.recordId, p.projectId, p.authorisationHash]);

// --- AttestationRegistry -----------------------------------------------------------------------

/** One attestation. `claims` are claim bits or names (see ./claims.ts); default none. */
export type AttestationRequest = { subject: Address; level: number; expiry: bigint; claims?: Claims; recordId: Hex };
/** The request as the contract takes it: claims as the uint32. */
export type AttestationRequestValue = { subject: Address; level: number; expiry: bigint; claims: number; recordId: Hex };
/** Fills in the default claims and turns names into bits (throws InvalidClaimError on a bad value). */
export const attestationRequestValue = (r: AttestationRequest): AttestationRequestValue => ({
  subject: r.subject,
  level: r.level,
  expiry: r.expiry,
  claims: claimsValue(r.claims),
  recordId: r.recordId,
});
export type AttestArgs = AttestationRequest & { projectId: bigint };
export const attestCall = (to: Address, p: AttestArgs) =>
  attestation(to, "attest", [p.projectId, p.subject, p.level, p.expiry, claimsValue(p.claims), p.recordId]);
export type AttestBatchArgs = { projectId: bigint; requests: AttestationRequest[] };
export const attestBatchCall = (to: Address, p: AttestBatchArgs) =>
  attestation(to, "attestBatch", [p.projectId, Array.isArray(p.requests) ? p.requests.map(attestationRequestValue) : p.requests]);
export type AttestBySigArgs = { projectId: bigint; request: AttestationRequest; attester: Address; deadline: bigint; signature: Hex };
export const attestBySigCall = (to: Address, p: AttestBySigArgs) =>
  attestation(to, "attestBySig", [p.projectId, attestationRequestValue(p.request), p.attester, p.deadline, p.signature]);
export type RevokeAttestationArgs = { projectId: bigint; subject: Address };
export const revokeAttestationCall = (to: Address, p: RevokeAttestationArgs) => attestation(to, "revoke", [p.projectId, p.subject]);
