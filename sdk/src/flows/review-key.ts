// The project's review key as flows: the admin shares it with a reviewer (wrapped to the
// reviewer's registered key, through the chain), the reviewer receives it, and — when a reviewer
// leaves — the admin rotates it and re-wraps the project's own live grants to the new key, so no
// person has to grant again.
//
// What a departed reviewer keeps and loses is in docs/threat-model.md: the old key still opens
// every wrap made to it (they are public, in old events); the re-wraps are to the new key, with
// fresh ephemeral keys, and the escrow half is copied byte for byte, so an old-key holder learns
// nothing from them it could not already open.
import { getLogs } from "viem/actions";
import { concat as concatHex, toHex, type Address, type Hex, type Log } from "viem";
import { recordRegistryAbi, projectRegistryAbi } from "../abis.ts";
import { BaseError } from "../errors.ts";
import { equalBytes, fromHex } from "../crypto/bytes.ts";
import { generateX25519KeyPair, type X25519KeyPair } from "../crypto/primitives.ts";
import { unwrapReviewKey, wrapReviewKey } from "../crypto/release.ts";
import { grantContext, localKeyAgreement, splitProjectWrap, unwrapKeysWith, wrapKeys, type KeyAgreement } from "../crypto/wrap.ts";
import { GranteeKeyNotSetError, InvalidKeyError } from "../crypto/errors.ts";
import {
  ContractRevertError,
  TransactionRevertedError,
  encryptionKeyOf,
  getGrant,
  getRecord,
  getReviewKey,
  hasRole,
  isGrantLive,
  projectGrantee,
  parseProjectRegistryEvents,
  parseRecordRegistryEvents,
  readerOf,
  registryAddress,
  revokeRoles,
  rewrapGrants,
  Roles,
  senderAddress,
  setReviewKey,
  shareReviewKey,
  ContractCallError,
  FromBlockRequiredError,
  MAX_REWRAP_BATCH,
  type ClientInput,
  type ReadParameters,
  type RewrapItem,
  type WriteParameters,
  type WriteResult,
} from "../contracts/index.ts";

type Target = Pick<ReadParameters, "addresses" | "chainId">;
type Writer = Target & Pick<WriteParameters, "account" | "sender">;
const target = (p: Target): Target => ({ addresses: p.addresses, chainId: p.chainId });
const writer = (p: Writer): Writer => ({ ...target(p), account: p.account, sender: p.sender });

/** The key pair given is not the project's review key on-chain (at the version asked for). */
export class ReviewKeyMismatchError extends BaseError {
  override name = "ReviewKeyMismatchError";
  constructor(projectId: bigint, keyVersion: number) {
    super(`The key pair is not project ${projectId}'s review key version ${keyVersion}.`, { docsPath: "sdk.md#review-key" });
  }
}

/** The project has no review key on-chain yet. */
export class ReviewKeyNotSetError extends BaseError {
  override name = "ReviewKeyNotSetError";
  constructor(projectId: bigint) {
    super(`Project ${projectId} has no review key set.`, { docsPath: "sdk.md#review-key" });
  }
}

/** No `ReviewKeyShared` for this reviewer at that version: the admin has not shared it (yet). */
export class ReviewKeyNotSharedError extends BaseError {
  override name = "ReviewKeyNotSharedError";
  constructor(projectId: bigint, reviewer: Address, keyVersion: number) {
    super(`Project ${projectId}'s review key version ${keyVersion} was not shared with ${reviewer}.`, { docsPath: "sdk.md#review-key" });
  }
}

type Positioned = { blockNumber: bigint | null; logIndex: number | null };
const before = (a: Positioned, b: Positioned) => a.blockNumber! < b.blockNumber! || (a.blockNumber === b.blockNumber && a.logIndex! < b.logIndex!);
const agreementOf = (k: X25519KeyPair | KeyAgreement): KeyAgreement => ("agree" in k ? k : localKeyAgreement(k));
const popcount = (x: bigint) => x.toString(2).replaceAll("0", "").length;

/** A log scan's start, required: a scan from genesis is refused by Base RPC providers. */
function scanStart(fromBlock: bigint | undefined, what: string): bigint {
  if (fromBlock === undefined) throw new FromBlockRequiredError(what);
  return fromBlock;
}

async function logs(client: ClientInput, filter: Record<string, unknown>): Promise<Log[]> {
  try {
    return await getLogs(readerOf(client), { toBlock: "latest", ...filter } as never);
  } catch (error) {
    throw new ContractCallError("eth_getLogs", error);
  }
}
const projectEventAbi = (name: string) => projectRegistryAbi.find((x) => x.type === "event" && x.name === name);
const recordEventAbi = (name: string) => recordRegistryAbi.find((x) => x.type === "event" && x.name === name);

/** Every review key the project set, by version, with where it was set (to date a grant's wrap). */
async function reviewKeyHistory(client: ClientInput, p: Target & { projectId: bigint; fromBlock: bigint }) {
  const address = await registryAddress(client, "projectRegistry", target(p));
  const found = await logs(client, { address, event: projectEventAbi("ReviewKeySet"), args: { projectId: p.projectId }, fromBlock: p.fromBlock });
  return parseProjectRegistryEvents(found, { eventName: "ReviewKeySet", address }).map((e) => ({
    version: e.args.version,
    publicKey: fromHex(e.args.publicKey, 32),
    blockNumber: e.blockNumber,
    logIndex: e.logIndex,
  }));
}

// --- share / receive ----------------------------------------------------------------------------

export type ShareReviewKeyWithParameters = Writer & {
  projectId: bigint;
  reviewer: Address;
  /** The project's current review key pair (checked against the chain before anything is sent). */
  reviewKey: X25519KeyPair;
};
export type ShareReviewKeyWithReturnType = WriteResult & { keyVersion: number };

/** Admin side: wraps the current review private key to the reviewer's registered key and publishes it. */
export async function shareReviewKeyWith(client: ClientInput, p: ShareReviewKeyWithParameters): Promise<ShareReviewKeyWithReturnType> {
  const [onChain, reviewerKey] = await Promise.all([
    getReviewKey(client, { ...target(p), projectId: p.projectId }),
    encryptionKeyOf(client, { ...target(p), account: p.reviewer }),
  ]);
  if (onChain.keyVersion === 0) throw new ReviewKeyNotSetError(p.projectId);
  if (!equalBytes(fromHex(onChain.publicKey, 32), p.reviewKey.publicKey)) throw new ReviewKeyMismatchError(p.projectId, onChain.keyVersion);
  if (BigInt(reviewerKey.publicKey) === 0n) throw new GranteeKeyNotSetError(p.reviewer);
  const wrapped = await wrapReviewKey({
    reviewKey: p.reviewKey.privateKey,
    reviewerPublicKey: fromHex(reviewerKey.publicKey, 32),
    projectId: p.projectId,
    keyVersion: onChain.keyVersion,
    reviewer: p.reviewer,
  });
  const r = await shareReviewKey(client, { ...writer(p), projectId: p.projectId, reviewer: p.reviewer, wrappedKey: toHex(wrapped) });
  return { ...r, keyVersion: r.keyVersion };
}

export type ReceiveReviewKeyParameters = Target & {
  projectId: bigint;
  /** Default: the client's account. */
  reviewer?: Address;
  /** The reviewer's own key pair (the one registered with setEncryptionKey), or a KeyAgreement. */
  keyPair: X25519KeyPair | KeyAgreement;
  /** Default: the project's current version. */
  keyVersion?: number;
  /**
   * Where the scan of ReviewKeySet / ReviewKeyShared events starts: the registry's deployment
   * block (0n on a local chain). Required: FromBlockRequiredError without it.
   */
  fromBlock: bigint;
};
export type ReceiveReviewKeyReturnType = X25519KeyPair & { keyVersion: number };

/**
 * Reviewer side: reads the latest `ReviewKeyShared` for this reviewer at the version, unwraps it
 * with the reviewer's own key and checks it against the public key the project set for it.
 */
export async function receiveReviewKey(client: ClientInput, p: ReceiveReviewKeyParameters): Promise<ReceiveReviewKeyReturnType> {
  const fromBlock = scanStart(p.fromBlock, "receiveReviewKey");
  const reviewer = p.reviewer ?? senderAddress(client);
  const history = await reviewKeyHistory(client, { ...p, fromBlock });
  const keyVersion = p.keyVersion ?? history.at(-1)?.version ?? 0;
  const set = history.find((h) => h.version === keyVersion);
  if (!set) throw new ReviewKeyNotSetError(p.projectId);
  const address = await registryAddress(client, "projectRegistry", target(p));
  const found = await logs(client, {
    address,
    event: projectEventAbi("ReviewKeyShared"),
    args: { projectId: p.projectId, reviewer },
    fromBlock,
  });
  const shared = parseProjectRegistryEvents(found, { eventName: "ReviewKeyShared", address })
    .filter((e) => e.args.keyVersion === keyVersion)
    .at(-1);
  if (!shared) throw new ReviewKeyNotSharedError(p.projectId, reviewer, keyVersion);
  const pair = await unwrapReviewKey({
    wrappedKey: fromHex(shared.args.wrappedKey),
    keyPair: p.keyPair,
    projectId: p.projectId,
    keyVersion,
    reviewer,
    expectedPublicKey: set.publicKey,
  });
  return { ...pair, keyVersion };
}

// --- rotate and re-wrap -------------------------------------------------------------------------

export type RotateReviewKeyParameters = Writer & {
  projectId: bigint;
  /**
   * Review keys that open the project's grants as they stand: the current one, and any older one
   * a grant may still be wrapped to. Each grant is tried with the key its wrap was made for first.
   */
  previousKeys: (X25519KeyPair | KeyAgreement)[];
  /** To resume an interrupted rotation: the key pair that run generated (and `onNewKey` kept). */
  newKey?: X25519KeyPair;
  /**
   * Called with a freshly generated key pair before it goes on-chain: keep it in a key store
   * here. A rotation whose new private key is lost leaves later grants unreadable.
   */
  onNewKey?: (key: X25519KeyPair) => void | Promise<void>;
  /** Reviewers that leave: their REVIEWER role is revoked first (closing `hasAccess` at once). */
  remove?: Address[];
  /** Reviewers that stay: each gets the new key, wrapped to its own (skipped when already shared). */
  shareWith?: Address[];
  /** Grants per transaction (default 20, at most MAX_REWRAP_BATCH). */
  batchSize?: number;
  /**
   * Where the scan of the project's grants and review keys starts: the registry's deployment
   * block (0n on a local chain). Required: FromBlockRequiredError without it, before anything is sent.
   */
  fromBlock: bigint;
  /** After each published batch: how many grants are done of how many need it. */
  onProgress?: (done: number, total: number) => void;
};
export type RotateReviewKeyReturnType = {
  keyVersion: number;
  newKey: X25519KeyPair;
  /** Grants re-wrapped by this run. */
  rewrapped: Hex[];
  /** Live grants already wrapped to the new key (granted after it was set, or re-wrapped by an earlier run). */
  alreadyCurrent: Hex[];
  /** Live grants this run could not re-wrap, with why (no previous key opens it; refused on-chain meanwhile). */
  failed: { recordId: Hex; reason: string }[];
  removed: Address[];
  shared: Address[];
  /** Transactions this run sent for the re-wraps. */
  batches: number;
};

// Refusals that concern one item (its record or grant changed under us): drop it, send the rest.
const ITEM_ERRORS = new Set([
  "RecordNotFound",
  "RecordIsErased",
  "KeyReleaseNotEnvelope",
  "StaleRecordVersion",
  "GrantNotFound",
  "GrantRevoked",
  "GrantExpired",
  "GrantChanged",
]);

/**
 * Offboarding without asking anyone to grant again: revoke the leavers' role, generate and set a
 * new review key (or resume with `newKey`), share it with the reviewers who stay, then for each
 * live grant to the project open the keys with a previous review key, wrap them to the new one
 * (the escrow wrap stays as it is) and publish them in batches through `rewrapGrants`.
 * Idempotent: run it again with the same `newKey` after an interruption and it does only what is
 * left (the chain says which grants are already wrapped to the new version).
 */
export async function rotateReviewKey(client: ClientInput, p: RotateReviewKeyParameters): Promise<RotateReviewKeyReturnType> {
  const fromBlock = scanStart(p.fromBlock, "rotateReviewKey");
  const batchSize = p.batchSize ?? 20;
  if (!Number.isInteger(batchSize) || batchSize < 1 || BigInt(batchSize) > MAX_REWRAP_BATCH) {
    throw new InvalidKeyError(`batchSize must be 1..${MAX_REWRAP_BATCH}; got ${batchSize}`);
  }
  const t = target(p);
  const removed: Address[] = [];
  for (const account of p.remove ?? []) {
    if (!(await hasRole(client, { ...t, projectId: p.projectId, account, role: Roles.REVIEWER }))) continue;
    await revokeRoles(client, { ...writer(p), projectId: p.projectId, account, roles: Roles.REVIEWER });
    removed.push(account);
  }

  const onChain = await getReviewKey(client, { ...t, projectId: p.projectId });
  let newKey = p.newKey;
  let keyVersion: number;
  if (newKey && equalBytes(fromHex(onChain.publicKey, 32), newKey.publicKey)) {
    keyVersion = onChain.keyVersion;
  } else {
    if (!newKey) {
      newKey = await generateX25519KeyPair();
      await p.onNewKey?.(newKey);
    }
    keyVersion = (await setReviewKey(client, { ...writer(p), projectId: p.projectId, publicKey: toHex(newKey.publicKey) })).keyVersion;
  }

  const shared: Address[] = [];
  if (p.shareWith?.length) {
    const address = await registryAddress(client, "projectRegistry", t);
    const found = await logs(client, { address, event: projectEventAbi("ReviewKeyShared"), args: { projectId: p.projectId }, fromBlock });
    const done = new Set(
      parseProjectRegistryEvents(found, { eventName: "ReviewKeyShared", address })
        .filter((e) => e.args.keyVersion === keyVersion)
        .map((e) => e.args.reviewer.toLowerCase()),
    );
    for (const reviewer of p.shareWith) {
      if (done.has(reviewer.toLowerCase())) continue;
      await shareReviewKeyWith(client, { ...writer(p), projectId: p.projectId, reviewer, reviewKey: newKey });
      shared.push(reviewer);
    }
  }

  const plan = await planRewraps(client, { ...p, fromBlock, keyVersion, newKey });
  const result: RotateReviewKeyReturnType = {
    keyVersion,
    newKey,
    rewrapped: [],
    alreadyCurrent: plan.alreadyCurrent,
    failed: plan.failed,
    removed,
    shared,
    batches: 0,
  };
  const total = plan.items.length;
  for (let i = 0; i < plan.items.length; i += batchSize) {
    let batch = plan.items.slice(i, i + batchSize);
    let reverted = 0;
    while (batch.length) {
      try {
        const r = await rewrapGrants(client, { ...writer(p), projectId: p.projectId, reviewKeyVersion: keyVersion, rewraps: batch });
        result.rewrapped.push(...r.rewrapped.map((x) => x.recordId));
        result.batches++;
        break;
      } catch (error) {
        // Simulation names the item that changed since it was read; drop it and send the rest.
        if (error instanceof ContractRevertError && ITEM_ERRORS.has(error.errorName)) {
          const recordId = (error.args as readonly unknown[])[0] as Hex;
          result.failed.push({ recordId, reason: error.errorName });
          batch = batch.filter((b) => b.recordId !== recordId);
          continue;
        }
        // Reverted after a clean simulation (a change landed in between): simulate again once.
        if (error instanceof TransactionRevertedError && reverted++ === 0) continue;
        throw error;
      }
    }
    p.onProgress?.(result.rewrapped.length, total);
  }
  return result;
}

type Plan = { items: RewrapItem[]; alreadyCurrent: Hex[]; failed: { recordId: Hex; reason: string }[] };

/** The live grants to the project not yet wrapped to `keyVersion`, each opened and re-wrapped. */
async function planRewraps(client: ClientInput, p: RotateReviewKeyParameters & { keyVersion: number; newKey: X25519KeyPair }): Promise<Plan> {
  const t = target(p);
  const grantee = projectGrantee(p.projectId);
  const address = await registryAddress(client, "recordRegistry", t);
  const [granted, rewrapped, history] = await Promise.all([
    logs(client, { address, event: recordEventAbi("AccessGranted"), args: { grantee }, fromBlock: p.fromBlock }),
    logs(client, { address, event: recordEventAbi("GrantRewrapped"), args: { grantee }, fromBlock: p.fromBlock }),
    reviewKeyHistory(client, p),
  ]);
  // The latest wrap per record: its last grant, or a re-wrap after it; and the review-key version
  // it was made for (a grant's: the version in force when it was made, as the SDK wraps to it).
  type Wrap = { wrappedKey: Hex; fieldMask: bigint; keyVersion: number };
  const latest = new Map<Hex, Wrap & Positioned>();
  for (const e of parseRecordRegistryEvents(granted, { eventName: "AccessGranted", address })) {
    const inForce = history.filter((h) => before(h, e)).at(-1)?.version ?? 0;
    latest.set(e.args.recordId, {
      wrappedKey: e.args.wrappedKey,
      fieldMask: e.args.fieldMask,
      keyVersion: inForce,
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
    });
  }
  for (const e of parseRecordRegistryEvents(rewrapped, { eventName: "GrantRewrapped", address })) {
    const g = latest.get(e.args.recordId);
    if (g && before(g, e))
      latest.set(e.args.recordId, {
        ...g,
        wrappedKey: e.args.wrappedKey,
        keyVersion: e.args.reviewKeyVersion,
        blockNumber: e.blockNumber,
        logIndex: e.logIndex,
      });
  }

  const keys = p.previousKeys.map((k) => ({ agreement: agreementOf(k), publicKey: agreementOf(k).publicKey }));
  const plan: Plan = { items: [], alreadyCurrent: [], failed: [] };
  for (const [recordId, wrap] of latest) {
    const live = await isGrantLive(client, { ...t, recordId, grantee });
    if (!live) continue;
    const record = await getRecord(client, { ...t, recordId });
    if (record.keyRelease !== 0) continue; // Lit records have no review-key wrap: Lit checks hasAccess itself.
    if (wrap.keyVersion === p.keyVersion) {
      plan.alreadyCurrent.push(recordId);
      continue;
    }
    const g = await getGrant(client, { ...t, recordId, grantee });
    const context = grantContext(recordId, record.version, grantee);
    let halves: ReturnType<typeof splitProjectWrap>;
    try {
      halves = splitProjectWrap(fromHex(wrap.wrappedKey));
    } catch (error) {
      plan.failed.push({ recordId, reason: (error as Error).name });
      continue;
    }
    // The key the wrap was made for first, then the others (a subject may have wrapped to a key
    // replaced while its transaction was pending).
    const madeFor = history.find((h) => h.version === wrap.keyVersion)?.publicKey;
    const ordered = [...keys].sort((a, b) => Number(!!madeFor && equalBytes(b.publicKey, madeFor)) - Number(!!madeFor && equalBytes(a.publicKey, madeFor)));
    let opened: Uint8Array[] | undefined;
    for (const k of ordered) {
      opened = await unwrapKeysWith(k.agreement, halves.review, context).catch(() => undefined);
      if (opened) break;
    }
    if (!opened || opened.length !== popcount(g.fieldMask)) {
      plan.failed.push({ recordId, reason: opened ? "the wrap holds another number of keys than the grant's mask" : "no previous review key opens it" });
      continue;
    }
    const review = await wrapKeys(p.newKey.publicKey, opened, context);
    for (const k of opened) k.fill(0);
    plan.items.push({ recordId, recordVersion: g.recordVersion, grantedAt: g.grantedAt, wrappedKey: concatHex([toHex(review), toHex(halves.escrow)]) });
  }
  return plan;
}
