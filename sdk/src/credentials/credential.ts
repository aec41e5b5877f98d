// An off-chain proof of a OneKey attestation: a W3C Verifiable Credential 2.0 whose proof is an
// EIP-712 signature by the attester's Ethereum key (docs/credentials.md). An integrator's backend
// checks the signature offline, with no RPC; the status is bound to the on-chain attestation
// slot and checked with one `getAttestation` read (credential-status.ts).
//
// The signed content is a fixed EIP-712 struct, not the JSON: verification rebuilds the one
// canonical JSON document from the signed struct and requires the presented credential to equal
// it, so no JSON canonicalisation is needed and any edited, added or dropped field fails.
import {
  getAddress,
  hashTypedData,
  isAddress,
  isHex,
  recoverTypedDataAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type Transport,
  type WalletClient,
} from "viem";
import { signTypedData } from "viem/actions";
import { BaseError } from "../errors.ts";
import { claimMask, claimNames, type ClaimLabel } from "../names.ts";

export const VC_CONTEXT_V2 = "https://www.w3.org/ns/credentials/v2";
export const CREDENTIAL_TYPE = "OneKeyAttestationCredential";
export const CREDENTIAL_STATUS_TYPE = "OneKeyAttestationStatus";
/** The W3C CCG proof type for EIP-712 signatures over a credential. */
export const CREDENTIAL_PROOF_TYPE = "EthereumEip712Signature2021";

/**
 * How the credential's status follows the chain.
 * - `exact`: valid only while the on-chain attestation is the one it was issued from (same
 *   attester, level, claims and expiry); any re-attestation or a revocation makes it invalid.
 * - `minimum`: valid while the same attester's on-chain attestation still states at least its
 *   level and claims (a re-attestation that keeps them keeps it valid).
 */
export type CredentialBinding = "exact" | "minimum";
const BINDINGS: readonly CredentialBinding[] = ["exact", "minimum"];

/** The EIP-712 struct the attester signs. Its domain binds the chain and the AttestationRegistry. */
export const credentialTypes = {
  OneKeyCredential: [
    { name: "issuer", type: "address" },
    { name: "subject", type: "address" },
    { name: "projectId", type: "uint256" },
    { name: "level", type: "uint8" },
    { name: "claims", type: "uint32" },
    { name: "validFrom", type: "uint64" },
    { name: "validUntil", type: "uint64" },
    { name: "binding", type: "uint8" },
  ],
} as const;

export const CREDENTIAL_DOMAIN_NAME = "OneKey Credential";
export const CREDENTIAL_DOMAIN_VERSION = "1";

/** What a credential states, as the attester signs it. */
export interface CredentialStatement {
  chainId: number;
  attestationRegistry: Address;
  issuer: Address;
  subject: Address;
  projectId: bigint;
  level: number;
  /** Claim bits (uint32); in the JSON they appear by name. */
  claims: number;
  /** Unix seconds. */
  validFrom: bigint;
  /** Unix seconds; the attestation's expiry for `exact`. Invalid from this second on (`expiry > now`). */
  validUntil: bigint;
  binding: CredentialBinding;
}

type Did = `did:pkh:eip155:${number}:${Address}`;

/** The credential as JSON (W3C VC Data Model 2.0). Every field is covered by the signature. */
export interface AttestationCredential {
  "@context": [typeof VC_CONTEXT_V2];
  id: `urn:onekey:credential:${Hex}`;
  type: ["VerifiableCredential", typeof CREDENTIAL_TYPE];
  issuer: Did;
  validFrom: string;
  validUntil: string;
  credentialSubject: { id: Did; projectId: string; level: number; claims: ClaimLabel[] };
  credentialStatus: {
    id: string;
    type: typeof CREDENTIAL_STATUS_TYPE;
    chainId: number;
    attestationRegistry: Address;
    binding: CredentialBinding;
  };
  proof: {
    type: typeof CREDENTIAL_PROOF_TYPE;
    created: string;
    proofPurpose: "assertionMethod";
    verificationMethod: `${Did}#blockchainAccountId`;
    proofValue: Hex;
    eip712: {
      domain: { name: string; version: string; chainId: number; verifyingContract: Address };
      primaryType: "OneKeyCredential";
      types: typeof credentialTypes;
    };
  };
}

// --- errors ---------------------------------------------------------------------------------------

export class CredentialFormatError extends BaseError {
  override name = "CredentialFormatError";
  constructor(what: string) {
    super(`Not a OneKey attestation credential: ${what}.`, { docsPath: "credentials.md#what-a-verifier-must-check" });
  }
}

export class CredentialSignatureError extends BaseError {
  override name = "CredentialSignatureError";
  readonly recovered?: Address;
  constructor(issuer: Address, recovered?: Address) {
    super(
      recovered
        ? `The credential is signed by ${recovered}, not by its issuer ${issuer} (a field was changed, or another key signed).`
        : `The credential's signature does not recover.`,
      { docsPath: "credentials.md#what-a-verifier-must-check" },
    );
    this.recovered = recovered;
  }
}

export class CredentialNotYetValidError extends BaseError {
  override name = "CredentialNotYetValidError";
  constructor(validFrom: bigint, now: bigint) {
    super(`The credential is valid from ${validFrom}, it is ${now}.`, { docsPath: "credentials.md#what-a-verifier-must-check" });
  }
}

export class CredentialExpiredError extends BaseError {
  override name = "CredentialExpiredError";
  readonly validUntil: bigint;
  constructor(validUntil: bigint, now: bigint, where = "the verifier's clock") {
    super(`The credential expired at ${validUntil} (${where} reads ${now}).`, { docsPath: "credentials.md#what-a-verifier-must-check" });
    this.validUntil = validUntil;
  }
}

export class CredentialExpectationError extends BaseError {
  override name = "CredentialExpectationError";
  constructor(field: string, expected: unknown, actual: unknown) {
    super(`The credential's ${field} is ${String(actual)}, the verifier expects ${String(expected)}.`, {
      docsPath: "credentials.md#what-a-verifier-must-check",
    });
  }
}

export class CredentialIssueError extends BaseError {
  override name = "CredentialIssueError";
  constructor(what: string) {
    super(`Cannot issue the credential: ${what}.`, { docsPath: "credentials.md" });
  }
}

// --- building -------------------------------------------------------------------------------------

// ISO 8601 with a four-digit year: an expiry past 9999-12-31 has no such form (the slot allows
// 2^48 seconds), and such a credential would outlive any verifier anyway.
const MAX_SECONDS = 253_402_300_799n;
const iso = (seconds: bigint): string => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
const did = (chainId: number, a: Address): Did => `did:pkh:eip155:${chainId}:${getAddress(a)}`;

function checkStatement(s: CredentialStatement): void {
  const bad = (what: string) => {
    throw new CredentialIssueError(what);
  };
  if (!Number.isSafeInteger(s.chainId) || s.chainId <= 0) bad("chainId must be a positive integer");
  for (const [k, v] of [
    ["attestationRegistry", s.attestationRegistry],
    ["issuer", s.issuer],
    ["subject", s.subject],
  ] as const) {
    if (typeof v !== "string" || !isAddress(v, { strict: false })) bad(`${k} is not an address`);
  }
  if (typeof s.projectId !== "bigint" || s.projectId <= 0n || s.projectId >= 2n ** 256n) bad("projectId must be a uint256 above 0");
  if (!Number.isInteger(s.level) || s.level < 1 || s.level > 255) bad("level must be 1..255");
  if (!Number.isInteger(s.claims) || s.claims < 0 || s.claims > 0xffffffff) bad("claims must be a uint32");
  if (claimNames(s.claims).some((n) => n.startsWith("reserved:"))) bad("claims set a reserved bit");
  for (const [k, v] of [
    ["validFrom", s.validFrom],
    ["validUntil", s.validUntil],
  ] as const) {
    if (typeof v !== "bigint" || v < 0n || v > MAX_SECONDS) bad(`${k} must be unix seconds up to 9999-12-31`);
  }
  if (s.validUntil <= s.validFrom) bad("validUntil must be after validFrom");
  if (!BINDINGS.includes(s.binding)) bad(`binding must be one of ${BINDINGS.join(", ")}`);
}

/** The EIP-712 typed data of a statement (what the attester signs and the verifier recovers). */
export function credentialTypedData(s: CredentialStatement) {
  return {
    domain: { name: CREDENTIAL_DOMAIN_NAME, version: CREDENTIAL_DOMAIN_VERSION, chainId: s.chainId, verifyingContract: getAddress(s.attestationRegistry) },
    types: credentialTypes,
    primaryType: "OneKeyCredential" as const,
    message: {
      issuer: getAddress(s.issuer),
      subject: getAddress(s.subject),
      projectId: s.projectId,
      level: s.level,
      claims: s.claims,
      validFrom: s.validFrom,
      validUntil: s.validUntil,
      binding: BINDINGS.indexOf(s.binding),
    },
  };
}

/** The one JSON document a statement and its signature make. */
function render(s: CredentialStatement, proofValue: Hex): AttestationCredential {
  const typed = credentialTypedData(s);
  const issuer = did(s.chainId, s.issuer);
  return {
    "@context": [VC_CONTEXT_V2],
    id: `urn:onekey:credential:${hashTypedData(typed)}`,
    type: ["VerifiableCredential", CREDENTIAL_TYPE],
    issuer,
    validFrom: iso(s.validFrom),
    validUntil: iso(s.validUntil),
    credentialSubject: { id: did(s.chainId, s.subject), projectId: s.projectId.toString(), level: s.level, claims: claimNames(s.claims) },
    credentialStatus: {
      id: `urn:onekey:attestation:${s.chainId}:${getAddress(s.attestationRegistry)}:${s.projectId}:${getAddress(s.subject)}`,
      type: CREDENTIAL_STATUS_TYPE,
      chainId: s.chainId,
      attestationRegistry: getAddress(s.attestationRegistry),
      binding: s.binding,
    },
    proof: {
      type: CREDENTIAL_PROOF_TYPE,
      created: iso(s.validFrom),
      proofPurpose: "assertionMethod",
      verificationMethod: `${issuer}#blockchainAccountId`,
      proofValue,
      eip712: { domain: typed.domain, primaryType: "OneKeyCredential", types: credentialTypes },
    },
  };
}

/** An Ethereum key that signs: a local account, or a wallet client with its account. */
export type CredentialSigner = LocalAccount | WalletClient<Transport, Chain | undefined, Account>;

type WalletSigner = WalletClient<Transport, Chain | undefined, Account>;
// A WalletClient has a `type` too ("walletClient"), so the union needs a guard, not a discriminant.
const isLocal = (signer: CredentialSigner): signer is LocalAccount => (signer as { type?: string }).type === "local";

/** The address that signs (the credential's issuer). */
export const credentialSignerAddress = (signer: CredentialSigner): Address => (isLocal(signer) ? signer.address : signer.account.address);

export type SignCredentialParameters = Omit<CredentialStatement, "issuer">;
export type SignCredentialReturnType = AttestationCredential;
export type SignCredentialErrorType = CredentialIssueError;

/**
 * Signs a statement offline as it is given (the issuer is the signer). Verifiers will hold it to the
 * chain: sign only what the on-chain attestation by this key states (`issueAttestationCredential`
 * reads it first).
 */
export async function signCredential(signer: CredentialSigner, p: SignCredentialParameters): Promise<SignCredentialReturnType> {
  const statement: CredentialStatement = { ...p, issuer: credentialSignerAddress(signer) };
  checkStatement(statement);
  const typed = credentialTypedData(statement);
  let signature: Hex;
  try {
    signature = isLocal(signer) ? await signer.signTypedData(typed) : await signTypedData(signer as WalletSigner, { account: signer.account, ...typed });
  } catch (error) {
    throw new CredentialIssueError(`the signer refused or failed (${(error as Error).message?.split("\n")[0] ?? "unknown"})`);
  }
  return render(statement, signature);
}

// --- offline verification -----------------------------------------------------------------------------

export interface VerifyCredentialOptions {
  /** The verifier's clock, unix seconds (default: now). */
  now?: bigint;
  /** Refuse credentials for another chain, registry or project than these. */
  chainId?: number;
  attestationRegistry?: Address;
  projectId?: bigint;
}

/** What a credential that verified offline states. */
export type VerifiedCredential = CredentialStatement & { id: string; claimNames: ClaimLabel[] };
export type VerifyCredentialErrorType =
  | CredentialFormatError
  | CredentialSignatureError
  | CredentialExpiredError
  | CredentialNotYetValidError
  | CredentialExpectationError;

const DID_RE = /^did:pkh:eip155:(\d{1,12}):(0x[0-9a-fA-F]{40})$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads the statement out of the JSON (shape only; the signature and equality come after). */
function parse(credential: unknown): { statement: CredentialStatement; proofValue: Hex } {
  const fail = (what: string): never => {
    throw new CredentialFormatError(what);
  };
  if (!isObject(credential)) fail("expected a JSON object");
  const c = credential as Record<string, unknown>;
  const subject = isObject(c.credentialSubject) ? c.credentialSubject : fail("credentialSubject is missing");
  const status = isObject(c.credentialStatus) ? c.credentialStatus : fail("credentialStatus is missing");
  const proof = isObject(c.proof) ? c.proof : fail("proof is missing");
  const issuerDid = typeof c.issuer === "string" ? DID_RE.exec(c.issuer) : null;
  const subjectDid = typeof subject.id === "string" ? DID_RE.exec(subject.id) : null;
  if (!issuerDid) fail("issuer must be a did:pkh:eip155 account");
  if (!subjectDid) fail("credentialSubject.id must be a did:pkh:eip155 account");
  const chainId = Number(issuerDid![1]);
  if (typeof subject.projectId !== "string" || !/^[1-9]\d{0,77}$/.test(subject.projectId)) fail("credentialSubject.projectId must be a decimal string");
  if (!Array.isArray(subject.claims)) fail("credentialSubject.claims must be a list of claim names");
  let claims = 0;
  try {
    claims = claimMask(subject.claims as string[]);
  } catch {
    fail("credentialSubject.claims holds a name that is not a claim");
  }
  const seconds = (v: unknown, name: string): bigint => {
    const ms = typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v) ? Date.parse(v) : Number.NaN;
    if (!Number.isFinite(ms)) fail(`${name} must be an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)`);
    return BigInt(ms / 1000);
  };
  if (typeof status.attestationRegistry !== "string" || !isAddress(status.attestationRegistry, { strict: false }))
    fail("credentialStatus.attestationRegistry is not an address");
  if (!BINDINGS.includes(status.binding as CredentialBinding)) fail(`credentialStatus.binding must be one of ${BINDINGS.join(", ")}`);
  const proofValue = proof.proofValue;
  if (typeof proofValue !== "string" || !isHex(proofValue) || proofValue.length !== 132) fail("proof.proofValue must be a 65-byte hex signature");
  if (!Number.isInteger(subject.level)) fail("credentialSubject.level must be an integer");
  const statement: CredentialStatement = {
    chainId,
    attestationRegistry: getAddress(status.attestationRegistry as string),
    issuer: getAddress(issuerDid![2]),
    subject: getAddress(subjectDid![2]),
    projectId: BigInt(subject.projectId as string),
    level: subject.level as number,
    claims,
    validFrom: seconds(c.validFrom, "validFrom"),
    validUntil: seconds(c.validUntil, "validUntil"),
    binding: status.binding as CredentialBinding,
  };
  try {
    checkStatement(statement);
  } catch (error) {
    fail((error as CredentialIssueError).shortMessage.replace(/^Cannot issue the credential: /, "").replace(/\.$/, ""));
  }
  return { statement, proofValue: proofValue as Hex };
}

/** Deep equality of JSON values (key order ignored). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a),
      kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
  }
  return a === b;
}

/**
 * Verifies a credential offline: its shape, that it is exactly the document its signed statement
 * makes, that the issuer's key signed it (ECDSA over the EIP-712 struct), that the verifier's
 * clock is inside [validFrom, validUntil), and the caller's expectations (chain, registry,
 * project). Does not read the chain: add `checkCredentialStatus` for revocation.
 */
export async function verifyCredential(credential: unknown, options: VerifyCredentialOptions = {}): Promise<VerifiedCredential> {
  const { statement, proofValue } = parse(credential);
  if (!sameJson(credential, render(statement, proofValue))) {
    throw new CredentialFormatError("it differs from the document its signed statement makes (a field was added, removed or changed)");
  }
  let recovered: Address;
  try {
    recovered = await recoverTypedDataAddress({ ...credentialTypedData(statement), signature: proofValue });
  } catch {
    throw new CredentialSignatureError(statement.issuer);
  }
  if (recovered !== statement.issuer) throw new CredentialSignatureError(statement.issuer, recovered);

  const now = options.now ?? BigInt(Math.floor(Date.now() / 1000));
  if (now < statement.validFrom) throw new CredentialNotYetValidError(statement.validFrom, now);
  if (now >= statement.validUntil) throw new CredentialExpiredError(statement.validUntil, now);
  if (options.chainId !== undefined && options.chainId !== statement.chainId)
    throw new CredentialExpectationError("chainId", options.chainId, statement.chainId);
  if (options.attestationRegistry !== undefined && getAddress(options.attestationRegistry) !== statement.attestationRegistry) {
    throw new CredentialExpectationError("attestationRegistry", options.attestationRegistry, statement.attestationRegistry);
  }
  if (options.projectId !== undefined && options.projectId !== statement.projectId)
    throw new CredentialExpectationError("projectId", options.projectId, statement.projectId);
  return { ...statement, id: (credential as AttestationCredential).id, claimNames: claimNames(statement.claims) };
}
