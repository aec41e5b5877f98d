// A credential's status, bound to the on-chain attestation slot: one `getAttestation` read (the
// slot is [level | expiry | claims | attester], so the read answers revoked, expired, re-attested
// and "signed by someone who is not this attestation's attester" at once), judged at the block it
// was read at with the contract's own rule (`expiry > block.timestamp`).
import { getAddress, type Address, type ContractFunctionArgs, type ContractFunctionReturnType } from "viem";
import { getBlock, readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.ts";
import { readerOf } from "../contracts/core.ts";
import { ChainMismatchError, ContractCallError } from "../contracts/errors.ts";
import type { ClientInput } from "../contracts/types.ts";
import { BaseError } from "../errors.ts";
import {
  CredentialExpiredError,
  verifyCredential,
  type VerifiedCredential,
  type VerifyCredentialErrorType,
  type VerifyCredentialOptions,
} from "./credential.ts";

type GetAttestationArgs = ContractFunctionArgs<typeof attestationRegistryAbi, "view", "getAttestation">;
export type AttestationSlot = ContractFunctionReturnType<typeof attestationRegistryAbi, "view", "getAttestation">;

export class CredentialRevokedError extends BaseError {
  override name = "CredentialRevokedError";
  constructor(projectId: bigint, subject: Address) {
    super(`Project ${projectId} holds no attestation of ${subject}: it was revoked (or never made on this registry).`, {
      docsPath: "credentials.md#what-a-verifier-must-check",
    });
  }
}

export class CredentialAttesterMismatchError extends BaseError {
  override name = "CredentialAttesterMismatchError";
  readonly attester: Address;
  constructor(issuer: Address, attester: Address) {
    super(`The on-chain attestation is by ${attester}, not by the credential's issuer ${issuer}.`, {
      details: "Either the signer never attested this subject for this project, or another reviewer re-attested since.",
      docsPath: "credentials.md#what-a-verifier-must-check",
    });
    this.attester = attester;
  }
}

export class CredentialSupersededError extends BaseError {
  override name = "CredentialSupersededError";
  constructor(what: string) {
    super(`The attestation was replaced since the credential was issued: ${what}.`, { docsPath: "credentials.md#what-a-verifier-must-check" });
  }
}

export type CredentialStatusErrorType =
  | CredentialRevokedError
  | CredentialAttesterMismatchError
  | CredentialSupersededError
  | CredentialExpiredError
  | ChainMismatchError
  | ContractCallError;

export type CheckCredentialStatusReturnType = {
  /** The block the slot was read at, and its timestamp (the "now" of the status). */
  blockNumber: bigint;
  timestamp: bigint;
  attestation: AttestationSlot;
};

/**
 * Checks a verified credential against the chain: one `getAttestation(subject, projectId)` read at
 * the latest block of the client's chain, which must be the credential's. Throws the named reason
 * when the credential no longer holds; returns the slot and the block it was judged at.
 */
export async function checkCredentialStatus(client: ClientInput, credential: VerifiedCredential): Promise<CheckCredentialStatusReturnType> {
  const reader = readerOf(client);
  if (reader.chain?.id !== undefined && reader.chain.id !== credential.chainId) throw new ChainMismatchError(credential.chainId, reader.chain.id);
  const read = async () => {
    const block = await getBlock(reader, { blockTag: "latest" });
    if (block.number === null) throw new Error("the latest block has no number");
    const args: GetAttestationArgs = [credential.subject, credential.projectId];
    const slot = await readContract(reader, {
      address: credential.attestationRegistry,
      abi: attestationRegistryAbi,
      functionName: "getAttestation",
      args,
      blockNumber: block.number,
    });
    return { block: { number: block.number, timestamp: block.timestamp }, slot };
  };
  let got: Awaited<ReturnType<typeof read>>;
  try {
    got = await read();
  } catch (error) {
    throw new ContractCallError("getAttestation", error);
  }
  const { block, slot } = got;
  judgeCredentialStatus(credential, slot, block.timestamp, `the chain at block ${block.number}`);
  return { blockNumber: block.number, timestamp: block.timestamp, attestation: slot };
}

/**
 * The status rule, whoever read the slot (the chain, or an indexer at its head): throws the named
 * reason when the credential no longer holds at `timestamp`.
 */
export function judgeCredentialStatus(credential: VerifiedCredential, slot: AttestationSlot, timestamp: bigint, where: string): void {
  if (slot.level === 0) throw new CredentialRevokedError(credential.projectId, credential.subject);
  if (getAddress(slot.attester) !== credential.issuer) throw new CredentialAttesterMismatchError(credential.issuer, getAddress(slot.attester));
  if (slot.expiry <= timestamp) throw new CredentialExpiredError(slot.expiry, timestamp, where);
  if (credential.binding === "exact") {
    const changed = [
      slot.level !== credential.level && `level ${credential.level} -> ${slot.level}`,
      slot.claims !== credential.claims && `claims ${credential.claims} -> ${slot.claims}`,
      slot.expiry !== credential.validUntil && `expiry ${credential.validUntil} -> ${slot.expiry}`,
    ].filter(Boolean);
    if (changed.length) throw new CredentialSupersededError(changed.join(", "));
  } else {
    if (slot.level < credential.level) throw new CredentialSupersededError(`level is now ${slot.level}, below the credential's ${credential.level}`);
    if ((slot.claims & credential.claims) >>> 0 !== credential.claims)
      throw new CredentialSupersededError("the attestation no longer carries every claim the credential states");
  }
}

// Chain ids are checked against the RPC when the client has no chain configured.
async function rpcChainMatches(client: ClientInput, chainId: number): Promise<void> {
  const reader = readerOf(client);
  if (reader.chain?.id !== undefined) return;
  let actual: number;
  try {
    actual = Number(await reader.request({ method: "eth_chainId" }));
  } catch (error) {
    throw new ContractCallError("eth_chainId", error);
  }
  if (actual !== chainId) throw new ChainMismatchError(chainId, actual);
}

export type VerifyCredentialWithStatusReturnType = VerifiedCredential & { status: CheckCredentialStatusReturnType };

/** `verifyCredential` (offline) and then `checkCredentialStatus` (one read): what a verifier runs. */
export async function verifyCredentialWithStatus(
  client: ClientInput,
  credential: unknown,
  options: VerifyCredentialOptions = {},
): Promise<VerifyCredentialWithStatusReturnType> {
  const verified = await verifyCredential(credential, options);
  await rpcChainMatches(client, verified.chainId);
  return { ...verified, status: await checkCredentialStatus(client, verified) };
}

export type VerifyCredentialWithStatusErrorType = VerifyCredentialErrorType | CredentialStatusErrorType;
