// The whole private path against a real anvil and a real arlocal: no mocked RPC or storage.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, createWalletClient, defineChain, http, keccak256, toHex, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey } from "../../../scripts/lib/artifacts.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startArlocal, type LocalArweave } from "../storage/arlocal.ts";
import { arweaveStorage, arweaveAddress, generateArweaveWallet, StorageIdNotFoundError, type StorageProvider } from "../storage/index.ts";
import { generateX25519KeyPair, reviewKeyContext, unwrapKeys, wrapKeys, FieldNotGrantedError, toHex as bytesHex } from "../crypto/index.ts";
import { x25519PublicKey } from "../crypto/primitives.ts";
import {
  accountGrantee, createProject, eraseRecord, grantRoles, projectGrantee, recordAuditAccess, registerRecord, revoke, Roles,
  setEncryptionKey, setEscrowKey, setReviewKey, shareReviewKey, attest, isVerified, grant,
} from "../contracts/actions.ts";
import { ChainMismatchError, ContractRevertError, type OneKeyClients } from "../contracts/core.ts";
import type { OneKeyAddresses } from "../addresses.ts";
import {
  AccessDeniedError, AuditAccessNotRecordedError, GranteeKeyNotSetError, grantAccess, readAsAuditor, readRecord, rotateRecordKeys, submitRecord,
} from "./index.ts";

const CANARY = "canary-flows-51d2";
const FIELDS = {
  full_name: `Grace Hopper ${CANARY}`,
  date_of_birth: `1906-12-09 ${CANARY}`,
  document_number: `X9876543 ${CANARY}`,
  nationality: `US ${CANARY}`,
};

describe("flows on anvil + arlocal", () => {
  let anvil: Anvil;
  let arlocal: LocalArweave;
  let storage: StorageProvider;
  let publicClient: PublicClient;
  let addresses: OneKeyAddresses;
  const as = (i: number): OneKeyClients => ({
    publicClient,
    walletClient: createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) }),
    addresses,
  });
  const [ADMIN, REVIEWER, AUDITOR, SUBJECT, OTHER] = [1, 2, 3, 5, 6];
  const addr = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]).address;
  const review = generateX25519KeyPair();
  const escrow = generateX25519KeyPair();
  const otherKeys = generateX25519KeyPair();
  let projectId: bigint;
  let submitted: Awaited<ReturnType<typeof submitRecord>>;

  beforeAll(async () => {
    anvil = await startAnvil();
    arlocal = await startArlocal({ port: await freePort() });
    const wallet = await generateArweaveWallet();
    await arlocal.mint(await arweaveAddress(wallet));
    storage = arweaveStorage({ url: arlocal.url, wallet, mine: true });
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    const deployer = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[0]), chain: foundry, transport: http(anvil.rpcUrl) });
    addresses = await deployOneKey(deployer, publicClient);

    const admin = as(ADMIN);
    ({ projectId } = await createProject(admin, { metadataURI: "ipfs://kyc-project" }));
    await grantRoles(admin, { projectId, account: addr(REVIEWER), roles: Roles.REVIEWER });
    await grantRoles(admin, { projectId, account: addr(AUDITOR), roles: Roles.AUDITOR });
    await setReviewKey(admin, { projectId, publicKey: bytesHex(review.publicKey) });
    await setEscrowKey(admin, { projectId, publicKey: bytesHex(escrow.publicKey) });
    await setEncryptionKey(as(OTHER), { publicKey: bytesHex(otherKeys.publicKey) });
    submitted = await submitRecord(as(SUBJECT), { storage, fields: FIELDS });
  });
  afterAll(async () => {
    await arlocal?.stop();
    await anvil?.stop();
  });

  it("submits ciphertext only: the bundle on storage has no plaintext", async () => {
    const stored = await storage.download(submitted.storageId);
    expect(Buffer.from(stored).includes(Buffer.from(CANARY))).toBe(false);
    expect(submitted.manifest.fields.map((f) => f.name)).toEqual(Object.keys(FIELDS));
  });

  it("hands the review key to a reviewer through the chain, wrapped to the reviewer's key", async () => {
    const reviewerKeys = generateX25519KeyPair();
    await setEncryptionKey(as(REVIEWER), { publicKey: bytesHex(reviewerKeys.publicKey) });
    const ctx = reviewKeyContext(projectId, 1, addr(REVIEWER));
    const wrapped = wrapKeys(reviewerKeys.publicKey, [review.privateKey], ctx);
    await shareReviewKey(as(ADMIN), { projectId, reviewer: addr(REVIEWER), wrappedKey: bytesHex(wrapped) });
    const [unwrapped] = unwrapKeys(reviewerKeys.privateKey, reviewerKeys.publicKey, wrapped, ctx);
    expect(x25519PublicKey(unwrapped)).toEqual(review.publicKey);
  });

  it("grants the project two fields; its reviewer decrypts exactly those and attests", async () => {
    const { wrappedKeyBytes } = await grantAccess(as(SUBJECT), {
      ...submitted, grantee: { projectId }, fields: ["full_name", "date_of_birth"], purpose: "KYC_REVIEW",
      expiry: BigInt(Math.floor(Date.now() / 1000) + 30 * 86400),
    });
    expect(wrappedKeyBytes).toBe(2 * (48 + 2 * 32));
    const read = { recordId: submitted.recordId, storage, reader: addr(REVIEWER), via: { projectId }, keyPair: review };
    const out = await readRecord(as(REVIEWER), read);
    expect(out).toEqual({ full_name: FIELDS.full_name, date_of_birth: FIELDS.date_of_birth });
    await expect(readRecord(as(REVIEWER), { ...read, fields: ["document_number"] })).rejects.toThrow(FieldNotGrantedError);
    // Someone holding the review key but no REVIEWER role is refused before any download.
    await expect(readRecord(as(OTHER), { ...read, reader: addr(OTHER) })).rejects.toThrow(AccessDeniedError);

    await attest(as(REVIEWER), { projectId, subject: addr(SUBJECT), level: 2, expiry: BigInt(Math.floor(Date.now() / 1000) + 365 * 86400), recordId: submitted.recordId });
    expect(await isVerified(as(REVIEWER), { subject: addr(SUBJECT), projectId, minLevel: 2 })).toBe(true);
  });

  it("the escrow path stays closed until the audit access is on-chain", async () => {
    const p = { recordId: submitted.recordId, storage, projectId, auditor: addr(AUDITOR), keyPair: escrow };
    await expect(readAsAuditor(as(AUDITOR), p)).rejects.toThrow(AuditAccessNotRecordedError);
    await recordAuditAccess(as(AUDITOR), { recordId: submitted.recordId, projectId, authorisationHash: keccak256(toHex("court-order-42")) });
    expect(await readAsAuditor(as(AUDITOR), p)).toEqual({ full_name: FIELDS.full_name, date_of_birth: FIELDS.date_of_birth });
  });

  it("an account grant opens for that account until revoked", async () => {
    await grantAccess(as(SUBJECT), {
      ...submitted, grantee: { account: addr(OTHER) }, fields: ["nationality"], purpose: "SUPPORT",
      expiry: BigInt(Math.floor(Date.now() / 1000) + 86400),
    });
    const read = { recordId: submitted.recordId, storage, reader: addr(OTHER), via: { account: addr(OTHER) }, keyPair: otherKeys };
    expect(await readRecord(as(OTHER), read)).toEqual({ nationality: FIELDS.nationality });
    await revoke(as(SUBJECT), { recordId: submitted.recordId, grantee: accountGrantee(addr(OTHER)) });
    await expect(readRecord(as(OTHER), read)).rejects.toThrow(AccessDeniedError);
  });

  it("refuses grants to accounts without a key, and decodes contract reverts by name", async () => {
    await expect(grantAccess(as(SUBJECT), {
      ...submitted, grantee: { account: addr(7) }, fields: ["nationality"], purpose: "SUPPORT", expiry: 2n ** 40n,
    })).rejects.toThrow(GranteeKeyNotSetError);
    const err = await grant(as(SUBJECT), {
      recordId: submitted.recordId, grantee: projectGrantee(42n), purpose: 0, expiry: 2n ** 40n, fieldMask: 1n, wrappedKey: "0x01",
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ContractRevertError);
    expect(err.errorName).toBe("GranteeProjectInactive");
    expect(err.args).toEqual([42n]);
  });

  it("an expired grant stops opening the record", async () => {
    const now = (await publicClient.getBlock()).timestamp;
    await grantAccess(as(SUBJECT), { ...submitted, grantee: { account: addr(OTHER) }, fields: ["nationality"], purpose: "SUPPORT", expiry: now + 100n });
    const read = { recordId: submitted.recordId, storage, reader: addr(OTHER), via: { account: addr(OTHER) }, keyPair: otherKeys };
    expect(await readRecord(as(OTHER), read)).toEqual({ nationality: FIELDS.nationality });
    await publicClient.request({ method: "evm_increaseTime" as never, params: [200] as never });
    await publicClient.request({ method: "evm_mine" as never, params: [] as never });
    await expect(readRecord(as(OTHER), read)).rejects.toThrow(AccessDeniedError);
  });

  it("rotation re-encrypts under a new key and re-wraps only live grants", async () => {
    const rotated = await rotateRecordKeys(as(SUBJECT), {
      recordId: submitted.recordId, version: 1, dek: submitted.dek, storage,
      grants: [
        { grantee: { projectId }, fields: ["full_name", "date_of_birth"], purpose: "KYC_REVIEW", expiry: 2n ** 40n },
        { grantee: { account: addr(OTHER) }, fields: ["nationality"], purpose: "SUPPORT", expiry: 2n ** 40n },
      ],
    });
    expect(rotated).toMatchObject({ version: 2, regranted: 1, dropped: 1 });
    const out = await readRecord(as(REVIEWER), { recordId: submitted.recordId, storage, reader: addr(REVIEWER), via: { projectId }, keyPair: review });
    expect(out.full_name).toBe(FIELDS.full_name);
    await expect(readRecord(as(OTHER), { recordId: submitted.recordId, storage, reader: addr(OTHER), via: { account: addr(OTHER) }, keyPair: otherKeys }))
      .rejects.toThrow(AccessDeniedError);
  });

  it("a pointer to nothing surfaces as StorageIdNotFoundError", async () => {
    const salt = keccak256(toHex("ghost"));
    const { recordId } = await registerRecord(as(OTHER), {
      salt, storageId: `0x${"66".repeat(32)}`, contentHash: `0x${"67".repeat(32)}`, manifestHash: `0x${"68".repeat(32)}`, scheme: 1, keyRelease: 0,
    });
    const keys = generateX25519KeyPair();
    await setEncryptionKey(as(AUDITOR), { publicKey: bytesHex(keys.publicKey) });
    await grant(as(OTHER), { recordId, grantee: accountGrantee(addr(AUDITOR)), purpose: 0, expiry: 2n ** 40n, fieldMask: 1n, wrappedKey: `0x${"01".repeat(80)}` });
    await expect(readRecord(as(AUDITOR), { recordId, storage, reader: addr(AUDITOR), via: { account: addr(AUDITOR) }, keyPair: keys }))
      .rejects.toThrow(StorageIdNotFoundError);
  });

  it("refuses a wallet on another chain than the RPC", async () => {
    const other = defineChain({ ...foundry, id: 999 });
    const c = { publicClient, addresses, walletClient: createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[SUBJECT]), chain: other, transport: http(anvil.rpcUrl) }) };
    await expect(revoke(c, { recordId: submitted.recordId, grantee: projectGrantee(projectId) })).rejects.toThrow(ChainMismatchError);
  });

  it("after erasure nobody reads and nothing can be granted", async () => {
    await eraseRecord(as(SUBJECT), { recordId: submitted.recordId });
    await expect(readRecord(as(REVIEWER), { recordId: submitted.recordId, storage, reader: addr(REVIEWER), via: { projectId }, keyPair: review }))
      .rejects.toThrow(AccessDeniedError);
    const err = await grantAccess(as(SUBJECT), { ...submitted, version: 2, grantee: { projectId }, fields: ["full_name"], purpose: "KYC_REVIEW", expiry: 2n ** 40n }).catch((e) => e);
    expect(err).toBeInstanceOf(ContractRevertError);
    expect(err.errorName).toBe("RecordIsErased");
  });
});
