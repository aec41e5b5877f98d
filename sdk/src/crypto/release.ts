// Key release: how the keys a grant discloses reach its grantee. One interface, two real
// implementations: `envelope` here (X25519 wraps carried in the grant) and `lit` in ../lit.
//
// A grant's `wrappedKey` bytes are whatever the record's key-release mode seals:
//   envelope, account grantee:  wrap(account key)                         48 + 32·n bytes
//   envelope, project grantee:  wrap(review key) ‖ wrap(audit-escrow key)  2·(48 + 32·n) bytes
//   lit:                        a Lit key-release blob (see ../lit/blob.ts)
// The mode is the record's on-chain `keyRelease`, never guessed from the bytes.
import { readContract } from "viem/actions";
import type { Address, Client, Hex } from "viem";
import { projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { granteeKeyOf, type GranteeRef } from "../grantees.ts";
import { equalBytes, fromHex } from "./bytes.ts";
import { x25519PublicKey, type X25519KeyPair } from "./primitives.ts";
import { KeyReleaseMode } from "../constants.ts";
import { grantContext, localKeyAgreement, reviewKeyContext, splitProjectWrap, unwrapKeys, unwrapKeysWith, wrapKeys, type KeyAgreement } from "./wrap.ts";
import {
  AuditAccessNotRecordedError,
  GranteeKeyNotSetError,
  InvalidKeyError,
  KeyReleaseModeMismatchError,
  MalformedWrappedKeyError,
  UnknownKeyReleaseModeError,
} from "./errors.ts";

/** A key-release mode by name (the generated `KeyReleaseMode` from contracts/libraries/Common.sol). */
export type KeyReleaseModeName = keyof typeof KeyReleaseMode;
/**
 * The first cut's name for the generated `KeyReleaseMode` (from `@onekey/sdk/constants`): the
 * same object, not a copy.
 * @deprecated import `KeyReleaseMode`.
 */
export const KeyReleaseModes = KeyReleaseMode;

/** The mode name of an on-chain `keyRelease` value; a value this SDK does not know is refused. */
export function keyReleaseModeName(value: number | string): KeyReleaseModeName {
  for (const [name, n] of Object.entries(KeyReleaseMode)) if (value === n || value === name) return name as KeyReleaseModeName;
  throw new UnknownKeyReleaseModeError(value);
}

export { granteeKeyOf, type GranteeRef };

export type SealKeysParameters = {
  recordId: Hex;
  version: number;
  grantee: GranteeRef;
  /** The keys the grant discloses (field keys of its mask, in manifest order). */
  keys: Uint8Array[];
};

export type OpenKeysParameters = {
  recordId: Hex;
  version: number;
  grantee: GranteeRef;
  /** The grant's `wrappedKey` bytes. */
  wrappedKey: Uint8Array;
  /** How many keys the grant carries (the popcount of its field mask). */
  keyCount: number;
  /** The account opening it (a reviewer or auditor for project grants). */
  reader: Address;
};

export interface KeyRelease {
  readonly mode: KeyReleaseModeName;
  /** Owner side: seals keys into a grant's `wrappedKey` bytes. */
  seal(p: SealKeysParameters): Promise<Uint8Array>;
  /** Grantee side: recovers the keys, or throws a named error and recovers nothing. */
  open(p: OpenKeysParameters): Promise<Uint8Array[]>;
}

/** Refuses to open a grant with a key release of another mode than the record's. */
export function assertMode(release: KeyRelease, onChain: number): void {
  const mode = keyReleaseModeName(onChain);
  if (release.mode !== mode) throw new KeyReleaseModeMismatchError(mode, release.mode);
}

// --- envelope -----------------------------------------------------------------------------------

export type EnvelopeKeyReleaseParameters = {
  /** Reads recipient keys and the audit log. Any viem client with a transport. */
  client: Client;
  addresses: { recordRegistry: Address; projectRegistry: Address };
  /**
   * What opens grants: the account's own key, a project's review key, or its escrow key — as a
   * key pair, or as a KeyAgreement when a KMS/HSM holds the private key.
   */
  keyPair?: X25519KeyPair | KeyAgreement;
  /**
   * Which half of a project grant to open. `auditor` opens the escrow wrap and refuses unless
   * `hasAuditAccess(recordId, projectId, reader)` holds on-chain at that moment.
   */
  as?: "grantee" | "auditor";
};

async function accountKey(p: EnvelopeKeyReleaseParameters, account: Address): Promise<Uint8Array> {
  const [publicKey] = await readContract(p.client, {
    address: p.addresses.recordRegistry,
    abi: recordRegistryAbi,
    functionName: "encryptionKeyOf",
    args: [account],
  });
  if (BigInt(publicKey) === 0n) throw new GranteeKeyNotSetError(account);
  return fromHex(publicKey, 32);
}

async function projectKeys(p: EnvelopeKeyReleaseParameters, projectId: bigint) {
  const project = await readContract(p.client, {
    address: p.addresses.projectRegistry,
    abi: projectRegistryAbi,
    functionName: "getProject",
    args: [projectId],
  });
  if (project.reviewKeyVersion === 0) throw new GranteeKeyNotSetError(`project ${projectId} (review key)`);
  if (project.escrowKeyVersion === 0) throw new GranteeKeyNotSetError(`project ${projectId} (audit-escrow key)`);
  return { review: fromHex(project.reviewKey, 32), escrow: fromHex(project.escrowKey, 32) };
}

/** The vendor-free default: keys wrapped to the grantee's registered X25519 key(s). */
export function envelopeKeyRelease(p: EnvelopeKeyReleaseParameters): KeyRelease {
  const agreement = p.keyPair && ("agree" in p.keyPair ? p.keyPair : localKeyAgreement(p.keyPair));
  return {
    mode: "envelope",
    async seal({ recordId, version, grantee, keys }) {
      const key = granteeKeyOf(grantee);
      if ("account" in grantee) return wrapKeys(await accountKey(p, grantee.account), keys, grantContext(recordId, version, key));
      const { review, escrow } = await projectKeys(p, grantee.projectId);
      const [a, b] = await Promise.all([
        wrapKeys(review, keys, grantContext(recordId, version, key)),
        wrapKeys(escrow, keys, grantContext(recordId, version, key, "escrow")),
      ]);
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    },
    async open({ recordId, version, grantee, wrappedKey, keyCount, reader }) {
      if (!agreement) throw new InvalidKeyError("this envelope key release has no private key to open grants with");
      const key = granteeKeyOf(grantee);
      let wrap = wrappedKey;
      let role: "grantee" | "escrow" = "grantee";
      if ("projectId" in grantee) {
        const halves = splitProjectWrap(wrappedKey);
        if (p.as === "auditor") {
          const ok = await readContract(p.client, {
            address: p.addresses.recordRegistry,
            abi: recordRegistryAbi,
            functionName: "hasAuditAccess",
            args: [recordId, grantee.projectId, reader],
          });
          if (!ok) throw new AuditAccessNotRecordedError(recordId, grantee.projectId, reader);
          wrap = halves.escrow;
          role = "escrow";
        } else {
          wrap = halves.review;
        }
      } else if (p.as === "auditor") {
        throw new MalformedWrappedKeyError("an account grant has no audit-escrow wrap");
      }
      const keys = await unwrapKeysWith(agreement, wrap, grantContext(recordId, version, key, role));
      if (keys.length !== keyCount) throw new MalformedWrappedKeyError(`the grant's mask names ${keyCount} fields but the wrap holds ${keys.length} keys`);
      return keys;
    },
  };
}

// --- project review key distribution ------------------------------------------------------------

export type WrapReviewKeyParameters = {
  /** The project's review private key. */
  reviewKey: Uint8Array;
  /** The reviewer's registered X25519 public key (RecordRegistry.encryptionKeyOf). */
  reviewerPublicKey: Uint8Array;
  projectId: bigint;
  /** The project's `reviewKeyVersion` this key belongs to. */
  keyVersion: number;
  reviewer: Address;
};

/** The 80 bytes `ProjectRegistry.shareReviewKey(projectId, reviewer, wrappedKey)` carries. */
export function wrapReviewKey(p: WrapReviewKeyParameters): Promise<Uint8Array> {
  return wrapKeys(p.reviewerPublicKey, [p.reviewKey], reviewKeyContext(p.projectId, p.keyVersion, p.reviewer));
}

export type UnwrapReviewKeyParameters = Omit<WrapReviewKeyParameters, "reviewKey" | "reviewerPublicKey"> & {
  wrappedKey: Uint8Array;
  /** The reviewer's own key pair, or a KeyAgreement when a key store holds the private key. */
  keyPair: X25519KeyPair | KeyAgreement;
  /** The project's on-chain review public key; the unwrapped key must match it. */
  expectedPublicKey?: Uint8Array;
};

/** The project's review key pair, from a `ReviewKeyShared` event's wrapped key. */
export async function unwrapReviewKey(p: UnwrapReviewKeyParameters): Promise<X25519KeyPair> {
  if (p.wrappedKey.length !== 80) throw new MalformedWrappedKeyError("a shared review key is one 80-byte wrap");
  const ctx = reviewKeyContext(p.projectId, p.keyVersion, p.reviewer);
  const [privateKey] =
    "agree" in p.keyPair ? await unwrapKeysWith(p.keyPair, p.wrappedKey, ctx) : await unwrapKeys(p.keyPair.privateKey, p.keyPair.publicKey, p.wrappedKey, ctx);
  const publicKey = await x25519PublicKey(privateKey);
  if (p.expectedPublicKey && !equalBytes(publicKey, p.expectedPublicKey)) {
    throw new InvalidKeyError(`the shared key is not project ${p.projectId}'s review key version ${p.keyVersion}`);
  }
  return { privateKey, publicKey };
}

/**
 * Moves a grant's keys from one key release to another: to the next Lit network before one is
 * retired, or between envelope and lit (with a rotation, since the record's mode is on-chain).
 * Whoever can open with `from` can re-seal — in practice the owner, who always has access.
 */
export async function rewrapKeys(p: { from: KeyRelease; to: KeyRelease; open: OpenKeysParameters }): Promise<Uint8Array> {
  const keys = await p.from.open(p.open);
  return p.to.seal({ recordId: p.open.recordId, version: p.open.version, grantee: p.open.grantee, keys });
}
