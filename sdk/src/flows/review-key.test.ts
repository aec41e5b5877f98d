// Review-key share/receive and reviewer offboarding (rotateReviewKey) against a real anvil and a
// real arlocal: persons grant once; a reviewer leaves; the project rotates and re-wraps; the
// reviewer who stays reads with the new key, the one who left learns nothing from the re-wraps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, createWalletClient, http, type Hex, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey } from "../../../scripts/lib/artifacts.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { arweaveStorage, arweaveAddress, generateArweaveWallet, type StorageProvider } from "../storage/index.ts";
import {
  DecryptionFailedError,
  generateX25519KeyPair,
  grantContext,
  localKeyAgreement,
  splitProjectWrap,
  toHex as bytesHex,
  unwrapKeysWith,
  fromHex,
  type X25519KeyPair,
} from "../crypto/index.ts";
import {
  createProject,
  getGrant,
  getGrantWrappedKey,
  getReviewKey,
  grantRoles,
  hasAccess,
  hasRole,
  isContractRevert,
  projectGrantee,
  rewrapGrants,
  rewrapGrantsCall,
  revoke,
  Roles,
  setEncryptionKey,
  setEscrowKey,
  setReviewKey,
  type ContractRevertError,
  InvalidActionInputError,
  MAX_REWRAP_BATCH,
  type OneKeyWallet,
} from "../contracts/index.ts";
import type { OneKeyAddresses } from "../addresses.ts";
import {
  grantAccess,
  readAsAuditor,
  readRecord,
  receiveReviewKey,
  recordAuditAccess,
  rotateReviewKey,
  shareReviewKeyWith,
  submitRecord,
  ReviewKeyMismatchError,
  ReviewKeyNotSharedError,
  GranteeKeyNotSetError,
  FromBlockRequiredError,
} from "./index.ts";

const FIELDS = { full_name: "Dorothy Vaughan canary-rk-7c1", date_of_birth: "1910-09-20 canary-rk-7c1", nationality: "US canary-rk-7c1" };
const [ADMIN, STAYS, LEAVES, AUDITOR, SUBJECT, OTHER_ADMIN, NOBODY] = [1, 2, 3, 4, 5, 6, 7];
const addr = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]).address;
const keccakOrder = (ids: Hex[]) => [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

describe("review key: share, receive, rotate on reviewer offboarding (anvil + arlocal)", () => {
  let anvil: Anvil;
  let arlocal: LocalArweave;
  let storage: StorageProvider;
  let publicClient: PublicClient;
  let addresses: OneKeyAddresses;
  const as = (i: number): OneKeyWallet => createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) });
  const own: Record<number, X25519KeyPair> = {};
  let escrow: X25519KeyPair;
  let reviewV1: X25519KeyPair;
  let projectId: bigint;
  const records: Hex[] = [];
  const days = (n: number) => BigInt(Math.floor(Date.now() / 1000) + n * 86_400);
  const grantee = () => projectGrantee(projectId);

  beforeAll(async () => {
    anvil = await startAnvil();
    arlocal = await startArlocal({ port: await freePort() });
    const wallet = await generateArweaveWallet();
    await arlocal.mint(await arweaveAddress(wallet));
    storage = arweaveStorage({ url: arlocal.url, wallet, mine: true });
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    addresses = await deployOneKey(as(0), publicClient);
    ({ projectId } = await createProject(as(ADMIN), { addresses, metadataURI: "ipfs://review-key-project" }));
    for (const i of [STAYS, LEAVES]) await grantRoles(as(ADMIN), { addresses, projectId, account: addr(i), roles: Roles.REVIEWER });
    await grantRoles(as(ADMIN), { addresses, projectId, account: addr(AUDITOR), roles: Roles.AUDITOR });
    reviewV1 = await generateX25519KeyPair();
    escrow = await generateX25519KeyPair();
    await setReviewKey(as(ADMIN), { addresses, projectId, publicKey: bytesHex(reviewV1.publicKey) });
    await setEscrowKey(as(ADMIN), { addresses, projectId, publicKey: bytesHex(escrow.publicKey) });
    for (const i of [STAYS, LEAVES]) {
      own[i] = await generateX25519KeyPair();
      await setEncryptionKey(as(i), { addresses, publicKey: bytesHex(own[i].publicKey) });
    }
    // Twelve persons' records granted to the project (one subject, twelve records, two fields each).
    for (let n = 0; n < 12; n++) {
      const r = await submitRecord(as(SUBJECT), { addresses, storage, fields: FIELDS });
      await grantAccess(as(SUBJECT), {
        addresses,
        ...r,
        grantee: { projectId },
        fields: ["full_name", "nationality"],
        purpose: "KYC_REVIEW",
        expiry: days(30),
      });
      records.push(r.recordId);
    }
  }, 300_000);
  afterAll(async () => {
    await arlocal?.stop();
    await anvil?.stop();
  });

  const read = (who: number, recordId: Hex, keyPair: X25519KeyPair) =>
    readRecord(as(who), { addresses, fromBlock: 0n, recordId, storage, via: { projectId }, keyPair });

  it("shares the review key through the chain; each reviewer receives exactly the project's key", async () => {
    for (const i of [STAYS, LEAVES]) {
      const r = await shareReviewKeyWith(as(ADMIN), { addresses, projectId, reviewer: addr(i), reviewKey: reviewV1 });
      expect(r.keyVersion).toBe(1);
      const got = await receiveReviewKey(as(i), { addresses, fromBlock: 0n, projectId, keyPair: own[i] });
      expect(got.keyVersion).toBe(1);
      expect(bytesHex(got.publicKey)).toBe(bytesHex(reviewV1.publicKey));
      expect(await read(i, records[0], got)).toEqual({ full_name: FIELDS.full_name, nationality: FIELDS.nationality });
    }
    // Refused by name: a key pair that is not the project's; a reviewer without a registered key;
    // a reviewer it was never shared with; another reviewer's own key cannot open the share.
    const stranger = await generateX25519KeyPair();
    await expect(shareReviewKeyWith(as(ADMIN), { addresses, projectId, reviewer: addr(STAYS), reviewKey: stranger })).rejects.toThrow(ReviewKeyMismatchError);
    await expect(shareReviewKeyWith(as(ADMIN), { addresses, projectId, reviewer: addr(NOBODY), reviewKey: reviewV1 })).rejects.toThrow(GranteeKeyNotSetError);
    await expect(receiveReviewKey(as(NOBODY), { addresses, fromBlock: 0n, projectId, keyPair: stranger })).rejects.toThrow(ReviewKeyNotSharedError);
    await expect(receiveReviewKey(publicClient, { addresses, fromBlock: 0n, projectId, reviewer: addr(STAYS), keyPair: own[LEAVES] })).rejects.toThrow(
      DecryptionFailedError,
    );
  });

  it("the action refuses outsiders by name: no role, a REVIEWER, another project's ADMIN, a dozen fresh accounts; bad input before any RPC", async () => {
    const g = await getGrant(publicClient, { addresses, recordId: records[0], grantee: grantee() });
    const items = [{ recordId: records[0], recordVersion: g.recordVersion, grantedAt: g.grantedAt, wrappedKey: "0x01" as Hex }];
    await createProject(as(OTHER_ADMIN), { addresses, metadataURI: "ipfs://other" });
    for (const i of [NOBODY, STAYS, OTHER_ADMIN]) {
      const e = await rewrapGrants(as(i), { addresses, projectId, reviewKeyVersion: 1, rewraps: items }).catch((x) => x);
      expect(isContractRevert(e, "NotProjectAdmin")).toBe(true);
      expect((e as ContractRevertError).args).toEqual([projectId, addr(i)]);
    }
    const fresh = Array.from({ length: 12 }, () => privateKeyToAccount(generatePrivateKey()));
    await Promise.all(fresh.map((a) => publicClient.request({ method: "anvil_setBalance" as never, params: [a.address, "0xde0b6b3a7640000"] as never })));
    const errors = await Promise.all(
      fresh.map((account) =>
        rewrapGrants(createWalletClient({ account, chain: foundry, transport: http(anvil.rpcUrl) }), {
          addresses,
          projectId,
          reviewKeyVersion: 1,
          rewraps: items,
        }).catch((x) => x),
      ),
    );
    expect(errors.every((e) => isContractRevert(e, "NotProjectAdmin"))).toBe(true);
    const to = addresses.recordRegistry;
    expect(() => rewrapGrantsCall(to, { projectId, reviewKeyVersion: 1, rewraps: [] })).toThrow(InvalidActionInputError);
    expect(() => rewrapGrantsCall(to, { projectId, reviewKeyVersion: 1, rewraps: Array(Number(MAX_REWRAP_BATCH) + 1).fill(items[0]) })).toThrow(
      InvalidActionInputError,
    );
    expect(() => rewrapGrantsCall(to, { projectId, reviewKeyVersion: 1, rewraps: [{ ...items[0], recordId: "0x1234" }] })).toThrow(InvalidActionInputError);
    expect(() => rewrapGrantsCall(to, { projectId, reviewKeyVersion: 1, rewraps: [{ ...items[0], wrappedKey: "0x" }] })).toThrow(InvalidActionInputError);
    expect(() => rewrapGrantsCall(to, { projectId, reviewKeyVersion: -1, rewraps: items })).toThrow(InvalidActionInputError);
    // The builder sorts: the contract's ascending-order rule is never the caller's problem.
    const two = [
      { ...items[0], recordId: keccakOrder(records)[1] },
      { ...items[0], recordId: keccakOrder(records)[0] },
    ];
    expect(rewrapGrantsCall(to, { projectId, reviewKeyVersion: 1, rewraps: two }).args[2]).toEqual([two[1], two[0]]);
    // The admin's own call with a wrong version is refused with the current one named.
    const e = await rewrapGrants(as(ADMIN), { addresses, projectId, reviewKeyVersion: 2, rewraps: items }).catch((x) => x);
    expect(isContractRevert(e, "ReviewKeyVersionMismatch") && e.args).toEqual([projectId, 2, 1]);
  });

  let reviewV2: X25519KeyPair;
  it("offboarding: one reviewer leaves, the key rotates, every live grant is re-wrapped in batches; nobody grants again", async () => {
    // One person revoked meanwhile: its grant is not live and is not re-wrapped.
    await revoke(as(SUBJECT), { addresses, recordId: records[11], grantee: grantee() });
    const before = await Promise.all(records.map((recordId) => getGrantWrappedKey(publicClient, { addresses, fromBlock: 0n, recordId, grantee: grantee() })));
    const kept: X25519KeyPair[] = [];
    const progress: [number, number][] = [];
    const r = await rotateReviewKey(as(ADMIN), {
      addresses,
      fromBlock: 0n,
      projectId,
      previousKeys: [reviewV1],
      remove: [addr(LEAVES)],
      shareWith: [addr(STAYS)],
      batchSize: 4,
      onNewKey: (k) => void kept.push(k),
      onProgress: (done, total) => progress.push([done, total]),
    });
    reviewV2 = r.newKey;
    expect(kept).toEqual([r.newKey]);
    expect(r.keyVersion).toBe(2);
    expect(r.removed).toEqual([addr(LEAVES)]);
    expect(r.shared).toEqual([addr(STAYS)]);
    expect(keccakOrder(r.rewrapped)).toEqual(keccakOrder(records.slice(0, 11)));
    expect(r.failed).toEqual([]);
    expect(r.batches).toBe(3);
    expect(progress).toEqual([
      [4, 11],
      [8, 11],
      [11, 11],
    ]);
    expect(await getReviewKey(publicClient, { addresses, projectId })).toEqual({ publicKey: bytesHex(reviewV2.publicKey), keyVersion: 2 });

    // The reviewer who stays gets v2 through the chain and reads every live record with it.
    const got = await receiveReviewKey(as(STAYS), { addresses, fromBlock: 0n, projectId, keyPair: own[STAYS] });
    expect(bytesHex(got.privateKey)).toBe(bytesHex(reviewV2.privateKey));
    for (const recordId of records.slice(0, 11)) {
      expect(await read(STAYS, recordId, got)).toEqual({ full_name: FIELDS.full_name, nationality: FIELDS.nationality });
      const now = await getGrantWrappedKey(publicClient, { addresses, fromBlock: 0n, recordId, grantee: grantee() });
      expect(now.reviewKeyVersion).toBe(2);
      // The old key opens none of the new wraps; the escrow half is the person's, byte for byte.
      const old = before[records.indexOf(recordId)];
      const [newHalves, oldHalves] = [splitProjectWrap(fromHex(now.wrappedKey)), splitProjectWrap(fromHex(old.wrappedKey))];
      await expect(unwrapKeysWith(localKeyAgreement(reviewV1), newHalves.review, grantContext(recordId, 1, grantee()))).rejects.toThrow(DecryptionFailedError);
      expect(bytesHex(newHalves.escrow)).toBe(bytesHex(oldHalves.escrow));
      expect(bytesHex(newHalves.review)).not.toBe(bytesHex(oldHalves.review));
    }
    // With the old key the reviewer who stays cannot read any more either: the current wrap is to v2.
    await expect(read(STAYS, records[0], reviewV1)).rejects.toThrow(DecryptionFailedError);
    // The one who left: no access on-chain, no share of v2.
    expect(await hasAccess(publicClient, { addresses, recordId: records[0], user: addr(LEAVES) })).toBe(false);
    await expect(receiveReviewKey(as(LEAVES), { addresses, fromBlock: 0n, projectId, keyPair: own[LEAVES] })).rejects.toThrow(ReviewKeyNotSharedError);
    // The auditor's path is untouched (its escrow wrap was copied, not re-made).
    await recordAuditAccess(as(AUDITOR), { addresses, recordId: records[0], projectId, authorisationHash: `0x${"ab".repeat(32)}` });
    expect(await readAsAuditor(as(AUDITOR), { addresses, fromBlock: 0n, recordId: records[0], storage, projectId, keyPair: escrow })).toEqual({
      full_name: FIELDS.full_name,
      nationality: FIELDS.nationality,
    });
  });

  it("a second run with the same key is a no-op; a grant made after the rotation is already current", async () => {
    const r = await submitRecord(as(SUBJECT), { addresses, storage, fields: FIELDS });
    await grantAccess(as(SUBJECT), { addresses, ...r, grantee: { projectId }, fields: ["date_of_birth"], purpose: "KYC_REVIEW", expiry: days(30) });
    const again = await rotateReviewKey(as(ADMIN), {
      addresses,
      fromBlock: 0n,
      projectId,
      previousKeys: [reviewV1],
      newKey: reviewV2,
      shareWith: [addr(STAYS)],
    });
    expect(again.keyVersion).toBe(2);
    expect(again.rewrapped).toEqual([]);
    expect(again.batches).toBe(0);
    expect(again.shared).toEqual([]);
    expect(keccakOrder(again.alreadyCurrent)).toEqual(keccakOrder([...records.slice(0, 11), r.recordId]));
    records.push(r.recordId);
  });

  it("interrupted and resumed: a crash after the first batch, then the same key again finishes only what is left", async () => {
    let v3: X25519KeyPair | undefined;
    const crash = new Error("process killed after the first batch");
    await expect(
      rotateReviewKey(as(ADMIN), {
        addresses,
        fromBlock: 0n,
        projectId,
        previousKeys: [reviewV2],
        batchSize: 5,
        onNewKey: (k) => void (v3 = k),
        onProgress: () => {
          throw crash;
        },
      }),
    ).rejects.toBe(crash);
    expect((await getReviewKey(publicClient, { addresses, projectId })).keyVersion).toBe(3);
    const done = (
      await Promise.all(records.map((recordId) => getGrantWrappedKey(publicClient, { addresses, fromBlock: 0n, recordId, grantee: grantee() })))
    ).filter((w) => w.reviewKeyVersion === 3).length;
    expect(done).toBe(5);
    // The resumed run needs no old key for what is done, but v2 for the rest; it sets no new key.
    const resumed = await rotateReviewKey(as(ADMIN), { addresses, fromBlock: 0n, projectId, previousKeys: [reviewV2], newKey: v3!, shareWith: [addr(STAYS)] });
    expect(resumed.keyVersion).toBe(3);
    expect(resumed.alreadyCurrent.length).toBe(5);
    expect(resumed.rewrapped.length).toBe(records.length - 1 - 5); // records[11] was revoked
    expect(resumed.shared).toEqual([addr(STAYS)]);
    const got = await receiveReviewKey(as(STAYS), { addresses, fromBlock: 0n, projectId, keyPair: own[STAYS] });
    for (const recordId of records.filter((_, i) => i !== 11)) expect(Object.keys(await read(STAYS, recordId, got)).length).toBeGreaterThan(0);
  });

  it("a grant no given key opens is reported, not thrown; a later run with the right key completes it", async () => {
    const v3 = await receiveReviewKey(as(STAYS), { addresses, fromBlock: 0n, projectId, keyPair: own[STAYS] });
    const wrong = await generateX25519KeyPair();
    const r = await rotateReviewKey(as(ADMIN), { addresses, fromBlock: 0n, projectId, previousKeys: [wrong] });
    expect(r.keyVersion).toBe(4);
    expect(r.rewrapped).toEqual([]);
    expect(r.failed.length).toBe(records.length - 1);
    expect(r.failed.every((f) => f.reason === "no previous review key opens it")).toBe(true);
    const fixed = await rotateReviewKey(as(ADMIN), {
      addresses,
      fromBlock: 0n,
      projectId,
      previousKeys: [wrong, v3],
      newKey: r.newKey,
      shareWith: [addr(STAYS)],
    });
    expect(fixed.failed).toEqual([]);
    expect(fixed.rewrapped.length).toBe(records.length - 1);
    // Not ADMIN: a REVIEWER cannot rotate (refused on setReviewKey, before anything else is sent).
    const e = await rotateReviewKey(as(STAYS), { addresses, fromBlock: 0n, projectId, previousKeys: [v3] }).catch((x) => x);
    expect(isContractRevert(e, "MissingRole")).toBe(true);
    expect((await getReviewKey(publicClient, { addresses, projectId })).keyVersion).toBe(4);
  });

  it("without fromBlock (a scan from genesis, which Base RPCs refuse) both scans are refused by name before anything is sent", async () => {
    const nonce = await publicClient.getTransactionCount({ address: addr(ADMIN) });
    const leaverIsReviewer = await hasRole(publicClient, { addresses, projectId, account: addr(STAYS), role: Roles.REVIEWER });
    const noStart = { addresses, projectId } as { addresses: OneKeyAddresses; projectId: bigint; fromBlock: bigint };
    await expect(receiveReviewKey(as(STAYS), { ...noStart, keyPair: own[STAYS] })).rejects.toThrow(FromBlockRequiredError);
    await expect(rotateReviewKey(as(ADMIN), { ...noStart, previousKeys: [reviewV1], remove: [addr(STAYS)] })).rejects.toThrow(FromBlockRequiredError);
    expect(await publicClient.getTransactionCount({ address: addr(ADMIN) })).toBe(nonce);
    expect(await hasRole(publicClient, { addresses, projectId, account: addr(STAYS), role: Roles.REVIEWER })).toBe(leaverIsReviewer);
    expect((await getReviewKey(publicClient, { addresses, projectId })).keyVersion).toBe(4);
  });
});
