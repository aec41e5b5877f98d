// Envelope key release against a real anvil: recipient keys and the audit log are read from the
// deployed registries, never passed in by the test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  parseEventLogs,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
  encodeFunctionData,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { generateX25519KeyPair, randomKey } from "./primitives.ts";
import { fromHex } from "./bytes.ts";
import { assertMode, envelopeKeyRelease, granteeKeyOf, keyReleaseModeName, unwrapReviewKey, wrapReviewKey, type KeyRelease } from "./release.ts";
import {
  AuditAccessNotRecordedError,
  DecryptionFailedError,
  GranteeKeyNotSetError,
  InvalidKeyError,
  KeyReleaseModeMismatchError,
  MalformedWrappedKeyError,
  UnknownKeyReleaseModeError,
} from "./errors.ts";

const addr = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]).address;
const [ADMIN, REVIEWER, AUDITOR, OWNER, FRIEND, NOKEY] = [1, 2, 3, 4, 5, 6];

describe("key-release modes", () => {
  it("maps on-chain numbers and names, and refuses what it does not know", () => {
    expect(keyReleaseModeName(0)).toBe("envelope");
    expect(keyReleaseModeName(1)).toBe("lit");
    expect(keyReleaseModeName("lit")).toBe("lit");
    expect(() => keyReleaseModeName(7)).toThrow(UnknownKeyReleaseModeError);
    expect(() => keyReleaseModeName("naga-tee")).toThrow(UnknownKeyReleaseModeError);
    expect(() => assertMode({ mode: "envelope" } as KeyRelease, 1)).toThrow(KeyReleaseModeMismatchError);
    expect(() => assertMode({ mode: "envelope" } as KeyRelease, 9)).toThrow(UnknownKeyReleaseModeError);
  });

  it("encodes grantees exactly like GranteeKeys.sol", () => {
    expect(granteeKeyOf({ account: "0x00000000000000000000000000000000000000aB" })).toBe(`0x${"0".repeat(62)}ab`);
    expect(granteeKeyOf({ projectId: 5n })).toBe(`0x8${"0".repeat(62)}5`);
  });
});

describe("envelope key release on anvil", async () => {
  let anvil: Anvil;
  let publicClient: PublicClient;
  let addresses: OneKeyDeployment;
  const projectId = 1n;
  const review = await generateX25519KeyPair();
  const escrow = await generateX25519KeyPair();
  const friend = await generateX25519KeyPair();
  const recordId = keccak256(toHex("envelope-record"));
  const release = (o: Partial<Parameters<typeof envelopeKeyRelease>[0]> = {}) => envelopeKeyRelease({ client: publicClient, addresses, ...o });

  // `data` comes from encodeFunctionData at the call site, typed by the ABI there.
  async function send(i: number, to: Address, data: Hex) {
    const wallet = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) });
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await wallet.sendTransaction({ to, data }) });
    expect(receipt.status).toBe("success");
    return receipt;
  }

  beforeAll(async () => {
    anvil = await startAnvil();
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    addresses = await deployOneKey(
      createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[0]), chain: foundry, transport: http(anvil.rpcUrl) }),
      publicClient,
    );
    const pr = addresses.projectRegistry;
    await send(ADMIN, pr, encodeFunctionData({ abi: projectRegistryAbi, functionName: "createProject", args: ["ipfs://p"] }));
    await send(ADMIN, pr, encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [projectId, addr(REVIEWER), 2] }));
    await send(ADMIN, pr, encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [projectId, addr(AUDITOR), 4] }));
    await send(ADMIN, pr, encodeFunctionData({ abi: projectRegistryAbi, functionName: "setReviewKey", args: [projectId, toHex(review.publicKey)] }));
    await send(ADMIN, pr, encodeFunctionData({ abi: projectRegistryAbi, functionName: "setEscrowKey", args: [projectId, toHex(escrow.publicKey)] }));
    await send(
      FRIEND,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [toHex(friend.publicKey)] }),
    );
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it("an account grant is one 48 + 32·n wrap to the key the account registered", async () => {
    const keys = [randomKey(), randomKey(), randomKey()];
    const grantee = { account: addr(FRIEND) };
    const wrapped = await release().seal({ recordId, version: 1, grantee, keys });
    expect(wrapped.length).toBe(48 + 3 * 32);
    const p = { recordId, version: 1, grantee, wrappedKey: wrapped, keyCount: 3, reader: addr(FRIEND) };
    expect(await release({ keyPair: friend }).open(p)).toEqual(keys);
    await expect(release({ keyPair: review }).open(p)).rejects.toThrow(DecryptionFailedError);
    await expect(release({ keyPair: friend }).open({ ...p, version: 2 })).rejects.toThrow(DecryptionFailedError);
    await expect(release({ keyPair: friend }).open({ ...p, keyCount: 2 })).rejects.toThrow(MalformedWrappedKeyError);
    await expect(release({ keyPair: friend, as: "auditor" }).open(p)).rejects.toThrow(MalformedWrappedKeyError);
    await expect(release().open(p)).rejects.toThrow(InvalidKeyError);
  });

  it("refuses to seal for an account or project without registered keys", async () => {
    await expect(release().seal({ recordId, version: 1, grantee: { account: addr(NOKEY) }, keys: [randomKey()] })).rejects.toThrow(GranteeKeyNotSetError);
    await expect(release().seal({ recordId, version: 1, grantee: { projectId: 99n }, keys: [randomKey()] })).rejects.toThrow();
  });

  it("a project grant wraps to the review key and the escrow key; the escrow half opens only after the audit access is on-chain", async () => {
    const keys = [randomKey()];
    const grantee = { projectId };
    const wrapped = await release().seal({ recordId, version: 1, grantee, keys });
    expect(wrapped.length).toBe(2 * 80);
    const p = { recordId, version: 1, grantee, wrappedKey: wrapped, keyCount: 1 };
    expect(await release({ keyPair: review }).open({ ...p, reader: addr(REVIEWER) })).toEqual(keys);
    // The escrow key cannot open the review half, nor the review key the escrow half.
    await expect(release({ keyPair: escrow }).open({ ...p, reader: addr(AUDITOR) })).rejects.toThrow(DecryptionFailedError);

    // The audit log needs a record that granted to the project.
    const salt = keccak256(toHex("audited"));
    const audited = await publicClient.readContract({
      address: addresses.recordRegistry,
      abi: recordRegistryAbi,
      functionName: "computeRecordId",
      args: [addr(OWNER), salt],
    });
    await send(
      OWNER,
      addresses.recordRegistry,
      encodeFunctionData({
        abi: recordRegistryAbi,
        functionName: "registerRecord",
        args: [salt, keccak256("0x01"), keccak256("0x02"), keccak256("0x03"), 1, 0],
      }),
    );
    const auditedWrap = await release().seal({ recordId: audited, version: 1, grantee, keys });
    await send(
      OWNER,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [audited, granteeKeyOf(grantee), 2, 2n ** 40n, 1n, toHex(auditedWrap)] }),
    );
    const auditor = release({ keyPair: escrow, as: "auditor" });
    const q = { recordId: audited, version: 1, grantee, wrappedKey: auditedWrap, keyCount: 1, reader: addr(AUDITOR) };
    await expect(auditor.open(q)).rejects.toThrow(AuditAccessNotRecordedError);
    await send(
      AUDITOR,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "recordAuditAccess", args: [audited, projectId, keccak256(toHex("court-order"))] }),
    );
    expect(await auditor.open(q)).toEqual(keys);
    // The entry is this auditor's: a reviewer holding the escrow key is still refused.
    await expect(auditor.open({ ...q, reader: addr(REVIEWER) })).rejects.toThrow(AuditAccessNotRecordedError);
    await expect(auditor.open({ ...q, wrappedKey: auditedWrap.subarray(1) })).rejects.toThrow(MalformedWrappedKeyError);
  });

  it("hands the project review key to a reviewer through ReviewKeyShared, checked against the on-chain key", async () => {
    const reviewerKey = await generateX25519KeyPair();
    await send(
      REVIEWER,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [toHex(reviewerKey.publicKey)] }),
    );
    const [onChainKey] = await publicClient.readContract({
      address: addresses.recordRegistry,
      abi: recordRegistryAbi,
      functionName: "encryptionKeyOf",
      args: [addr(REVIEWER)],
    });
    const project = await publicClient.readContract({
      address: addresses.projectRegistry,
      abi: projectRegistryAbi,
      functionName: "getProject",
      args: [projectId],
    });
    const wrapped = await wrapReviewKey({
      reviewKey: review.privateKey,
      reviewerPublicKey: fromHex(onChainKey, 32),
      projectId,
      keyVersion: project.reviewKeyVersion,
      reviewer: addr(REVIEWER),
    });
    expect(wrapped.length).toBe(80);
    const receipt = await send(
      ADMIN,
      addresses.projectRegistry,
      encodeFunctionData({ abi: projectRegistryAbi, functionName: "shareReviewKey", args: [projectId, addr(REVIEWER), toHex(wrapped)] }),
    );
    const [event] = parseEventLogs({ abi: projectRegistryAbi, logs: receipt.logs, eventName: "ReviewKeyShared" });
    const base = { projectId, keyVersion: event.args.keyVersion, reviewer: addr(REVIEWER), expectedPublicKey: fromHex(project.reviewKey, 32) };
    const got = await unwrapReviewKey({ ...base, wrappedKey: fromHex(event.args.wrappedKey as Hex), keyPair: reviewerKey });
    expect(got).toEqual({ privateKey: review.privateKey, publicKey: review.publicKey });
    await expect(unwrapReviewKey({ ...base, wrappedKey: wrapped, keyPair: friend })).rejects.toThrow(DecryptionFailedError);
    await expect(unwrapReviewKey({ ...base, keyVersion: base.keyVersion + 1, wrappedKey: wrapped, keyPair: reviewerKey })).rejects.toThrow(
      DecryptionFailedError,
    );
    await expect(unwrapReviewKey({ ...base, wrappedKey: wrapped, keyPair: reviewerKey, expectedPublicKey: escrow.publicKey })).rejects.toThrow(InvalidKeyError);
  });
});
