// Issuing a credential from the chain: read the attestation slot, refuse unless the signer is its
// attester, and sign what the slot states (or, with `minimum` binding, a part of it: a lower level,
// fewer claims, an earlier end, so a subject can show "over 18" without the rest).
import { getAddress, type Address, type ContractFunctionArgs } from "viem";
import { getBlock, getChainId, readContract } from "viem/actions";
import { attestationRegistryAbi } from "../abis.ts";
import { readerOf, registryAddress } from "../contracts/core.ts";
import { ContractCallError } from "../contracts/errors.ts";
import type { ClientInput, ReadParameters } from "../contracts/types.ts";
import { claimMask } from "../names.ts";
import {
  CredentialIssueError,
  credentialSignerAddress,
  signCredential,
  type AttestationCredential,
  type CredentialBinding,
  type CredentialSigner,
} from "./credential.ts";

type GetAttestationArgs = ContractFunctionArgs<typeof attestationRegistryAbi, "view", "getAttestation">;

export type IssueAttestationCredentialParameters = ReadParameters & {
  projectId: bigint;
  subject: Address;
  /** Default `exact`. */
  binding?: CredentialBinding;
  /** `minimum` only: state this level (at most the attested one) instead. */
  level?: number;
  /** `minimum` only: state only these claims (names or bits; a subset of the attested ones). */
  claims?: readonly string[] | number;
  /** `minimum` only: end earlier than the attestation does (unix seconds). */
  validUntil?: bigint;
  /** Unix seconds; default the latest block's timestamp. */
  validFrom?: bigint;
};
export type IssueAttestationCredentialReturnType = AttestationCredential;
export type IssueAttestationCredentialErrorType = CredentialIssueError | ContractCallError;

/** The attester signs a credential for a subject it attested in a project, from the slot on-chain. */
export async function issueAttestationCredential(
  client: ClientInput,
  signer: CredentialSigner,
  p: IssueAttestationCredentialParameters,
): Promise<IssueAttestationCredentialReturnType> {
  const reader = readerOf(client);
  const attestationRegistry = await registryAddress(client, "attestationRegistry", p);
  const read = async () => {
    const block = await getBlock(reader, { blockTag: "latest" });
    if (block.number === null) throw new Error("the latest block has no number");
    const args: GetAttestationArgs = [p.subject, p.projectId];
    const [chainId, slot] = await Promise.all([
      getChainId(reader),
      readContract(reader, { address: attestationRegistry, abi: attestationRegistryAbi, functionName: "getAttestation", args, blockNumber: block.number }),
    ]);
    return { block, chainId, slot };
  };
  let got: Awaited<ReturnType<typeof read>>;
  try {
    got = await read();
  } catch (error) {
    throw new ContractCallError("getAttestation", error);
  }
  const { block, chainId, slot } = got;
  if (slot.level === 0) throw new CredentialIssueError(`project ${p.projectId} holds no attestation of ${getAddress(p.subject)}`);
  if (slot.expiry <= block.timestamp) throw new CredentialIssueError(`the attestation expired at ${slot.expiry}`);
  const issuer = credentialSignerAddress(signer);
  if (getAddress(slot.attester) !== getAddress(issuer)) {
    throw new CredentialIssueError(
      `the attestation is by ${getAddress(slot.attester)}; only its attester may issue credentials for it, not ${getAddress(issuer)}`,
    );
  }
  const binding = p.binding ?? "exact";
  const claims = p.claims === undefined ? slot.claims : typeof p.claims === "number" ? p.claims : claimMask(p.claims);
  const level = p.level ?? slot.level;
  const validUntil = p.validUntil ?? slot.expiry;
  if (binding === "exact" && (level !== slot.level || claims !== slot.claims || validUntil !== slot.expiry)) {
    throw new CredentialIssueError("an exact credential states the attestation as it is (use binding `minimum` to state less)");
  }
  if (level > slot.level) throw new CredentialIssueError(`level ${level} is above the attested ${slot.level}`);
  if ((slot.claims & claims) >>> 0 !== claims) throw new CredentialIssueError("claims must be a subset of the attested claims");
  if (validUntil > slot.expiry) throw new CredentialIssueError("validUntil must not be after the attestation's expiry");
  return signCredential(signer, {
    chainId,
    attestationRegistry,
    subject: getAddress(p.subject),
    projectId: p.projectId,
    level,
    claims,
    validFrom: p.validFrom ?? block.timestamp,
    validUntil,
    binding,
  });
}
