// Names for every number with a meaning: claim bits, role bits, purposes, key-release modes, grantee
// kinds and the states the indexer computes. The values come from the generated constants (one
// source: contracts/libraries/Common.sol); this file only maps values <-> names, so the app, the
// indexer, webhooks and credentials all spell a claim or a purpose the same way.
//
// Value -> name functions are total: a value a later contract version may define (a new purpose, a
// reserved claim bit) gets a marked name (`unknown:5`, `reserved:9`) instead of a throw, because
// the indexer must keep indexing whatever the chain emits. Name -> value functions are strict: a
// name that means nothing is an InvalidNameError naming it.
import { BaseError } from "./errors.ts";
import { Claim, type ClaimName, KeyReleaseMode, PURPOSES, Purpose, type PurposeName, Roles, type RoleName } from "./constants.ts";

export class InvalidNameError extends BaseError {
  override name = "InvalidNameError";
  constructor(kind: string, what: string) {
    super(`Invalid ${kind} name: ${what}.`, { docsPath: "sdk.md#names" });
  }
}

const quote = (v: unknown): string => JSON.stringify(String(v).slice(0, 40));

// --- claims ------------------------------------------------------------------------------------------

/** Project-defined claim `n` (0..15) is bit 16 + n; OneKey gives it no meaning. */
export type ProjectClaimName = `project:${number}`;
/** A bit in 9..15 that this SDK version does not know (attest refuses them today). */
export type ReservedClaimName = `reserved:${number}`;
/** What `claimNames` returns for one set bit. */
export type ClaimLabel = ClaimName | ProjectClaimName | ReservedClaimName;

/** The standard claim names in bit order (bit 0 first). */
export const CLAIM_NAMES = (Object.keys(Claim) as ClaimName[]).sort((a, b) => Claim[a] - Claim[b]);

function claimWord(bitmap: number | bigint): number {
  const ok = typeof bitmap === "bigint" ? bitmap >= 0n && bitmap <= 0xffffffffn : Number.isSafeInteger(bitmap) && bitmap >= 0 && bitmap <= 0xffffffff;
  if (!ok) throw new InvalidNameError("claim", `${quote(bitmap)} is not a uint32 claims word`);
  return Number(bitmap);
}

/**
 * The name of every bit set in a claims word, in bit order: standard claims by their name
 * (`AGE_OVER_18`), bits 16..31 as `project:0`..`project:15`, an undefined standard bit (9..15) as
 * `reserved:<bit>`. Throws only for a value that is not a uint32.
 */
export function claimNames(bitmap: number | bigint): ClaimLabel[] {
  const word = claimWord(bitmap);
  const names: ClaimLabel[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const value = 2 ** bit;
    if (Math.floor(word / value) % 2 !== 1) continue;
    const standard = CLAIM_NAMES.find((n) => Claim[n] === value);
    if (standard) names.push(standard);
    else if (bit >= 16) names.push(`project:${bit - 16}`);
    else names.push(`reserved:${bit}`);
  }
  return names;
}

/**
 * The claims word for a list of names, the inverse of `claimNames` for what attest accepts: standard
 * names and `project:<0..15>`. A reserved or unknown name is refused (attest would refuse the bit).
 */
export function claimMask(names: readonly string[]): number {
  if (!Array.isArray(names)) throw new InvalidNameError("claim", "expected a list of claim names");
  let word = 0;
  for (const name of names) {
    if (typeof name === "string" && Object.hasOwn(Claim, name)) {
      word = (word | Claim[name as ClaimName]) >>> 0;
      continue;
    }
    const m = typeof name === "string" ? /^project:(\d{1,2})$/.exec(name) : null;
    if (!m || Number(m[1]) > 15) throw new InvalidNameError("claim", `${quote(name)} is not a standard claim or project:0..15`);
    word = (word | (2 ** (16 + Number(m[1])))) >>> 0;
  }
  return word;
}

/** Whether `name` is a claim name `claimMask` accepts. */
export const isClaimName = (name: string): boolean => {
  try {
    claimMask([name]);
    return true;
  } catch {
    return false;
  }
};

// --- roles -------------------------------------------------------------------------------------------

/** The standard role names in bit order. */
export const ROLE_NAMES = (Object.keys(Roles) as RoleName[]).sort((a, b) => Roles[a] - Roles[b]);

/** The role names set in a member's roles mask, in bit order; bits no role has are left out. */
export function roleNames(mask: number | bigint): RoleName[] {
  const m = Number(mask);
  return ROLE_NAMES.filter((n) => (m & Roles[n]) !== 0);
}

/** The roles mask for a list of role names. */
export function roleMask(names: readonly string[]): number {
  if (!Array.isArray(names)) throw new InvalidNameError("role", "expected a list of role names");
  let mask = 0;
  for (const name of names) {
    if (typeof name !== "string" || !Object.hasOwn(Roles, name)) throw new InvalidNameError("role", `${quote(name)} is not one of ${ROLE_NAMES.join(", ")}`);
    mask |= Roles[name as RoleName];
  }
  return mask;
}

// --- purposes, key-release modes, grantee kinds -----------------------------------------------------------

/** A purpose value this SDK version does not define (the contract appends new ones). */
export type UnknownName = `unknown:${number}`;

/** The purpose's name (`KYC_REVIEW`, ...), or `unknown:<value>` for a value defined after this SDK. */
export function purposeName(value: number | bigint): PurposeName | UnknownName {
  const v = Number(value);
  return PURPOSES[v] ?? `unknown:${v}`;
}

/** The purpose value for a name. */
export function purposeValue(name: string): number {
  if (typeof name !== "string" || !Object.hasOwn(Purpose, name)) throw new InvalidNameError("purpose", `${quote(name)} is not one of ${PURPOSES.join(", ")}`);
  return Purpose[name as PurposeName];
}

/**
 * The key-release mode names by value (`KeyRelease` enum order). The strict value -> name function is
 * `keyReleaseModeName` in /crypto (it throws for a mode the SDK cannot release with).
 */
export const KEY_RELEASE_MODES = (Object.keys(KeyReleaseMode) as KeyReleaseMode[]).sort((a, b) => KeyReleaseMode[a] - KeyReleaseMode[b]);

/** What a grantee key names (see grantees.ts): one account, or a project (all its REVIEWERs). */
export const GRANTEE_KINDS = ["account", "project"] as const;
export type GranteeKind = (typeof GRANTEE_KINDS)[number];

// --- states the indexer and the SDK compute at a point in time ----------------------------------------------

/** A grant's state (RecordRegistry `isGrantLive` is true exactly for `live`): the rule's own list. */
export { GRANT_STATES } from "./contracts/grant-state.ts";
/** An attestation's state (`isVerified` at its level is true exactly for `valid`). */
export const ATTESTATION_STATES = ["valid", "expired", "revoked"] as const;
export type AttestationState = (typeof ATTESTATION_STATES)[number];
/** An API key's state. */
export const API_KEY_STATES = ["active", "expired", "revoked"] as const;
export type ApiKeyState = (typeof API_KEY_STATES)[number];

/** An attestation's state at `now` (seconds): the contract's `expiry > block.timestamp` rule. */
export function attestationStateAt(a: { revoked: boolean; expiry: bigint }, now: bigint): AttestationState {
  if (a.revoked) return "revoked";
  return a.expiry <= now ? "expired" : "valid";
}
