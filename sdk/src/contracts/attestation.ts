// AttestationRegistry actions: attest (one, batch, by EIP-712 signature), revoke, and the reads
// dApps gate on.
import type { Account, Address, Hex } from "viem";
import { parseAccount } from "viem/accounts";
import { getChainId, signTypedData } from "viem/actions";
import {
  attestationRequestValue,
  attestBatchCall,
  attestBySigCall,
  attestCall,
  revokeAttestationCall,
  type AttestArgs,
  type AttestationRequest,
  type AttestBatchArgs,
  type AttestBySigArgs,
  type RevokeAttestationArgs,
} from "./calls.ts";
import { claimsValue, type Claims, type InvalidClaimError } from "./claims.ts";
import { readerOf, registryActions, registryAddress } from "./core.ts";
import { ContractCallError, NoSignerError, type AttestationRegistryReadErrorType, type AttestationRegistryWriteErrorType } from "./errors.ts";
import { attestationEvent, parseAttestationRegistryEvents } from "./events.ts";
import type { ClientInput, ReadParameters, RegistryReadReturnType, WriteParameters, WriteResult } from "./types.ts";

const { read, write } = registryActions("attestationRegistry");

// --- writes --------------------------------------------------------------------------------------

export type AttestParameters = WriteParameters & AttestArgs;
export type AttestReturnType = WriteResult & { attester: Address };
export type AttestErrorType = AttestationRegistryWriteErrorType;
/**
 * A project REVIEWER attests `subject` at `level` until `expiry` with `claims` (bits or names,
 * default none: derive them with `ageClaims` / `countryClaims`); `recordId` (may be zero) is
 * emitted only.
 */
export async function attest(client: ClientInput, p: AttestParameters): Promise<AttestReturnType> {
  const [r, address] = await write(client, p, attestCall);
  return { ...r, attester: attestationEvent(r, "Attested", address).args.attester };
}

export type AttestBatchParameters = WriteParameters & AttestBatchArgs;
export type AttestBatchReturnType = WriteResult & { attested: number };
export type AttestBatchErrorType = AttestationRegistryWriteErrorType;
export async function attestBatch(client: ClientInput, p: AttestBatchParameters): Promise<AttestBatchReturnType> {
  const [r, address] = await write(client, p, attestBatchCall);
  return { ...r, attested: parseAttestationRegistryEvents(r, { eventName: "Attested", address }).length };
}

export type AttestBySigParameters = WriteParameters & AttestBySigArgs;
export type AttestBySigReturnType = WriteResult;
export type AttestBySigErrorType = AttestationRegistryWriteErrorType;
/** Submits a reviewer's signed attestation (`signAttestation`); anyone may relay it. */
export const attestBySig = async (client: ClientInput, p: AttestBySigParameters): Promise<AttestBySigReturnType> =>
  (await write(client, p, attestBySigCall))[0];

export type RevokeAttestationParameters = WriteParameters & RevokeAttestationArgs;
export type RevokeAttestationReturnType = WriteResult;
export type RevokeAttestationErrorType = AttestationRegistryWriteErrorType;
/** Revokes a subject's attestation (REVIEWER or ADMIN of the project). */
export const revokeAttestation = async (client: ClientInput, p: RevokeAttestationParameters): Promise<RevokeAttestationReturnType> =>
  (await write(client, p, revokeAttestationCall))[0];

// --- EIP-712 -------------------------------------------------------------------------------------

export const attestTypes = {
  Attest: [
    { name: "projectId", type: "uint256" },
    { name: "subject", type: "address" },
    { name: "level", type: "uint8" },
    { name: "expiry", type: "uint64" },
    { name: "claims", type: "uint32" },
    { name: "recordId", type: "bytes32" },
    { name: "attester", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

export type AttestationTypedDataParameters = {
  chainId: number;
  verifyingContract: Address;
  projectId: bigint;
  request: AttestationRequest;
  attester: Address;
  nonce: bigint;
  deadline: bigint;
};
/** The EIP-712 message `attestBySig` checks (domain "OneKey AttestationRegistry", version "1"). */
export function attestationTypedData(p: AttestationTypedDataParameters) {
  return {
    domain: { name: "OneKey AttestationRegistry", version: "1", chainId: p.chainId, verifyingContract: p.verifyingContract },
    types: attestTypes,
    primaryType: "Attest" as const,
    message: { projectId: p.projectId, ...attestationRequestValue(p.request), attester: p.attester, nonce: p.nonce, deadline: p.deadline },
  };
}

export type SignAttestationParameters = ReadParameters & {
  projectId: bigint;
  request: AttestationRequest;
  /** Unix seconds after which a relayer can no longer submit it. */
  deadline: bigint;
  /** Default: the attester's next nonce, read from the registry. */
  nonce?: bigint;
  /** The reviewer that signs; default the client's account. */
  account?: Account | Address;
};
export type SignAttestationReturnType = AttestBySigArgs & { nonce: bigint };
export type SignAttestationErrorType = AttestationRegistryReadErrorType | NoSignerError;
/** A reviewer signs an attestation for a relayer to submit with `attestBySig`. */
export async function signAttestation(client: ClientInput, p: SignAttestationParameters): Promise<SignAttestationReturnType> {
  const account = p.account ?? client.account;
  if (!account) throw new NoSignerError();
  const attester = parseAccount(account).address;
  const verifyingContract = await registryAddress(client, "attestationRegistry", p);
  const nonce = p.nonce ?? (await getNonce(client, { ...p, attester }));
  const chainId = await getChainId(readerOf(client));
  const typed = attestationTypedData({ chainId, verifyingContract, projectId: p.projectId, request: p.request, attester, nonce, deadline: p.deadline });
  let signature: Hex;
  try {
    // A local account signs in-process; an address is signed by the wallet behind the client.
    signature = await signTypedData(client, { account, ...typed });
  } catch (error) {
    throw new ContractCallError("signTypedData", error);
  }
  // The request returned is the one signed (claims as bits), so relaying it cannot drift.
  return { projectId: p.projectId, request: attestationRequestValue(p.request), attester, deadline: p.deadline, nonce, signature };
}

// --- reads ---------------------------------------------------------------------------------------

export type IsVerifiedParameters = ReadParameters & { subject: Address; projectId: bigint; minLevel: number };
export type IsVerifiedReturnType = boolean;
export type IsVerifiedErrorType = AttestationRegistryReadErrorType;
/** What dApps gate on: an unexpired attestation of at least `minLevel` from the project. */
export const isVerified = (client: ClientInput, p: IsVerifiedParameters): Promise<IsVerifiedReturnType> =>
  read(client, p, "isVerified", [p.subject, p.projectId, p.minLevel]);

export type HasClaimsParameters = ReadParameters & { subject: Address; projectId: bigint; minLevel: number; claims: Claims };
export type HasClaimsReturnType = boolean;
export type HasClaimsErrorType = AttestationRegistryReadErrorType | InvalidClaimError;
/** `isVerified` and the attestation carries every claim asked for (bits or names). */
export const hasClaims = async (client: ClientInput, p: HasClaimsParameters): Promise<HasClaimsReturnType> =>
  read(client, p, "hasClaims", [p.subject, p.projectId, p.minLevel, claimsValue(p.claims)]);

/** The attestation as `getAttestation` returns it (typed from the ABI). */
export type OnChainAttestation = RegistryReadReturnType<"attestationRegistry", "getAttestation">;
export type GetAttestationParameters = ReadParameters & { subject: Address; projectId: bigint };
export type GetAttestationReturnType = OnChainAttestation;
export type GetAttestationErrorType = AttestationRegistryReadErrorType;
/** The attestation as stored (zeroes when none; expired ones as they are). */
export const getAttestation = (client: ClientInput, p: GetAttestationParameters): Promise<GetAttestationReturnType> =>
  read(client, p, "getAttestation", [p.subject, p.projectId]);

export type GetNonceParameters = ReadParameters & { attester: Address };
export type GetNonceReturnType = bigint;
export type GetNonceErrorType = AttestationRegistryReadErrorType;
/** The nonce `attestBySig` expects next from `attester`. */
export const getNonce = (client: ClientInput, p: GetNonceParameters): Promise<GetNonceReturnType> => read(client, p, "nonces", [p.attester]);

export type GetDomainSeparatorParameters = ReadParameters;
export type GetDomainSeparatorReturnType = Hex;
export type GetDomainSeparatorErrorType = AttestationRegistryReadErrorType;
export const getDomainSeparator = (client: ClientInput, p: GetDomainSeparatorParameters = {}): Promise<GetDomainSeparatorReturnType> =>
  read(client, p, "domainSeparator", []);
