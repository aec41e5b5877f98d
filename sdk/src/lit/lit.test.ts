// Lit key release with the REAL @lit-protocol/lit-node-client (v7) against a local Lit-compatible
// network (@onekey/devstack/lit/network) whose nodes evaluate the conditions with eth_call on a real anvil.
// anvil runs with Base Sepolia's chain id, so conditions name "baseSepolia" exactly as in production.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  keccak256,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
  encodeFunctionData,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { baseSepolia } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { projectRegistryAbi, recordRegistryAbi } from "../abis.ts";
import { MalformedWrappedKeyError, randomKey, generateX25519KeyPair } from "../crypto/index.ts";
import { envelopeKeyRelease, granteeKeyOf, rewrapKeys } from "../crypto/release.ts";
import { startLocalLitNetwork, type LocalLitNetwork } from "@onekey/devstack/lit/network";
import {
  connectLitClient,
  encodeLitBlob,
  litKeyRelease,
  parseLitBlob,
  LitAccessDeniedError,
  LitAuthError,
  LitNetworkMismatchError,
  type LitClientLike,
} from "./index.ts";

const wallet = (anvil: Anvil, i: number) =>
  createWalletClient({
    account: privateKeyToAccount(ANVIL_KEYS[i]),
    chain: { ...baseSepolia, rpcUrls: { default: { http: [anvil.rpcUrl] } } },
    transport: http(anvil.rpcUrl),
  });
const addr = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]).address;
const [ADMIN, REVIEWER, AUDITOR, OWNER, FRIEND, STRANGER] = [1, 2, 3, 4, 5, 6];

describe("lit key release: real Lit client, local Lit-compatible nodes, real anvil", () => {
  let anvil: Anvil;
  let publicClient: PublicClient;
  let addresses: OneKeyDeployment;
  let lit: LocalLitNetwork;
  let client: LitClientLike & { disconnect(): Promise<void> };
  let recordId: Hex;
  const projectId = 1n;
  const release = (i: number) =>
    litKeyRelease({ litClient: client, chain: "baseSepolia", recordRegistry: addresses.recordRegistry, signer: privateKeyToAccount(ANVIL_KEYS[i]) });

  // `data` comes from encodeFunctionData at the call site, typed by the ABI there.
  async function send(i: number, to: Address, data: Hex) {
    const hash = await wallet(anvil, i).sendTransaction({ to, data });
    const r = await publicClient.waitForTransactionReceipt({ hash });
    expect(r.status).toBe("success");
  }
  const grant = (grantee: Hex, wrapped: Uint8Array, mask = 0b11n) =>
    send(
      OWNER,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [recordId, grantee, 0, 2n ** 40n, mask, toHex(wrapped)] }),
    );

  // Installed before the SDK wraps console.log, so it sees what would reach the real log.
  const logged: unknown[][] = [];
  const realLog = console.log;

  beforeAll(async () => {
    console.log = (...args: unknown[]) => {
      logged.push(args);
      realLog(...args);
    };
    anvil = await startAnvil({ chainId: baseSepolia.id });
    publicClient = createPublicClient({ transport: http(anvil.rpcUrl) });
    addresses = await deployOneKey(wallet(anvil, 0), publicClient);
    lit = await startLocalLitNetwork({ chains: { baseSepolia: anvil.rpcUrl }, wallet: wallet(anvil, 0), publicClient, nodes: 3, threshold: 2 });
    client = await connectLitClient({ network: "custom", contractContext: lit.contractContext, rpcUrl: lit.rpcUrl, blockhashUrl: lit.blockhashUrl });

    await send(ADMIN, addresses.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "createProject", args: ["ipfs://lit-project"] }));
    await send(
      ADMIN,
      addresses.projectRegistry,
      encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [projectId, addr(REVIEWER), 2] }),
    );
    await send(
      ADMIN,
      addresses.projectRegistry,
      encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [projectId, addr(AUDITOR), 4] }),
    );
    const salt = keccak256(toHex("lit-record"));
    recordId = await publicClient.readContract({
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
        args: [salt, keccak256("0x01"), keccak256("0x02"), keccak256("0x03"), 1, 1],
      }),
    );
  });
  afterAll(async () => {
    console.log = realLog;
    await client?.disconnect();
    await lit?.stop();
    await anvil?.stop();
  });

  it("the real client connected through the chain's Staking stub and handshook with every node", () => {
    expect(client.ready).toBe(true);
    expect(client.config.litNetwork).toBe("custom");
  });

  it("an account grant opens for its grantee and the owner, and for nobody else", async () => {
    const keys = [randomKey(), randomKey()];
    const grantee = { account: addr(FRIEND) };
    const wrapped = await release(OWNER).seal({ recordId, version: 1, grantee, keys });
    const blob = parseLitBlob(wrapped);
    expect(blob).toMatchObject({
      network: `custom:${lit.publicKey.slice(0, 16)}`,
      chain: "baseSepolia",
      recordRegistry: getAddress(addresses.recordRegistry),
      projectId: undefined,
    });
    await grant(granteeKeyOf(grantee), wrapped);

    const open = (i: number) => release(i).open({ recordId, version: 1, grantee, wrappedKey: wrapped, keyCount: 2, reader: addr(i) });
    expect(await open(FRIEND)).toEqual(keys);
    expect(await open(OWNER)).toEqual(keys);
    await expect(open(STRANGER)).rejects.toThrow(LitAccessDeniedError);
    // Counted per user: the third node's share for the owner may land after the owner's open returned.
    expect(lit.stats.signedFor.get(getAddress(addr(STRANGER))) ?? 0).toBe(0); // no node signed a share for the stranger
    expect(lit.stats.signedFor.get(getAddress(addr(FRIEND)))).toBeGreaterThanOrEqual(2); // the count does move
    // Lit 7.4.0 logs the combined decryption key while decrypting; the SDK drops that line.
    expect(logged.some((args) => String(args[0]).includes("signature from encrypt op"))).toBe(false);
  });

  it("revocation stops release at once: the nodes read the chain on every request", async () => {
    const keys = [randomKey()];
    const grantee = { account: addr(STRANGER) };
    const friendRelease = release(STRANGER);
    const wrapped = await release(OWNER).seal({ recordId, version: 1, grantee, keys });
    await grant(granteeKeyOf(grantee), wrapped, 1n);
    const p = { recordId, version: 1, grantee, wrappedKey: wrapped, keyCount: 1, reader: addr(STRANGER) };
    expect(await friendRelease.open(p)).toEqual(keys);
    await send(
      OWNER,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "revoke", args: [recordId, granteeKeyOf(grantee)] }),
    );
    await expect(friendRelease.open(p)).rejects.toThrow(LitAccessDeniedError); // same cached session, new answer
  });

  it("a project grant opens for its reviewers, and for an auditor only after the audit access is on-chain", async () => {
    const keys = [randomKey(), randomKey()];
    const grantee = { projectId };
    const wrapped = await release(OWNER).seal({ recordId, version: 1, grantee, keys });
    expect(parseLitBlob(wrapped).projectId).toBe(projectId);
    await grant(granteeKeyOf(grantee), wrapped);
    const open = (i: number) => release(i).open({ recordId, version: 1, grantee, wrappedKey: wrapped, keyCount: 2, reader: addr(i) });
    expect(await open(REVIEWER)).toEqual(keys);
    await expect(open(AUDITOR)).rejects.toThrow(LitAccessDeniedError);
    await send(
      AUDITOR,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "recordAuditAccess", args: [recordId, projectId, keccak256(toHex("court-order-7"))] }),
    );
    expect(await open(AUDITOR)).toEqual(keys);
  });

  it("refuses a blob from another Lit network, a malformed blob, and a forged wallet signature", async () => {
    const wrapped = await release(OWNER).seal({ recordId, version: 1, grantee: { account: addr(FRIEND) }, keys: [randomKey()] });
    const datil = encodeLitBlob({ ...parseLitBlob(wrapped), network: "datil" });
    const p = { recordId, version: 1, grantee: { account: addr(FRIEND) }, keyCount: 1, reader: addr(FRIEND) };
    await expect(release(FRIEND).open({ ...p, wrappedKey: datil })).rejects.toThrow(LitNetworkMismatchError);
    await expect(release(FRIEND).open({ ...p, wrappedKey: wrapped.subarray(0, 30) })).rejects.toThrow(MalformedWrappedKeyError);
    await expect(release(FRIEND).open({ ...p, wrappedKey: new Uint8Array(100) })).rejects.toThrow(MalformedWrappedKeyError);
    // Claims to be the friend but signs with the stranger's key.
    const forger = { address: addr(FRIEND), signMessage: privateKeyToAccount(ANVIL_KEYS[STRANGER]).signMessage };
    const forged = litKeyRelease({ litClient: client, chain: "baseSepolia", recordRegistry: addresses.recordRegistry, signer: forger });
    await expect(forged.open({ ...p, wrappedKey: wrapped })).rejects.toThrow(LitAuthError);
  });

  it("re-wraps a Lit grant into an envelope wrap (mode change) without the owner's DEK", async () => {
    const keys = [randomKey(), randomKey()];
    const grantee = { account: addr(FRIEND) };
    const wrapped = await release(OWNER).seal({ recordId, version: 1, grantee, keys });
    const friendKey = await generateX25519KeyPair();
    await send(
      FRIEND,
      addresses.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [toHex(friendKey.publicKey)] }),
    );
    const envelope = (keyPair?: typeof friendKey) => envelopeKeyRelease({ client: publicClient, addresses, keyPair });
    const rewrapped = await rewrapKeys({
      from: release(OWNER),
      to: envelope(),
      open: { recordId, version: 1, grantee, wrappedKey: wrapped, keyCount: 2, reader: addr(OWNER) },
    });
    expect(rewrapped.length).toBe(48 + 2 * 32);
    expect(await envelope(friendKey).open({ recordId, version: 1, grantee, wrappedKey: rewrapped, keyCount: 2, reader: addr(FRIEND) })).toEqual(keys);
  });
  it("tolerates a node going down (2 of 3) and fails closed below the threshold", async () => {
    const keys = [randomKey()];
    const grantee = { account: addr(FRIEND) };
    const wrapped = await release(OWNER).seal({ recordId, version: 1, grantee, keys });
    await grant(granteeKeyOf(grantee), wrapped, 1n);
    const p = { recordId, version: 1, grantee, wrappedKey: wrapped, keyCount: 1, reader: addr(FRIEND) };
    await lit.stopNode(2);
    expect(await release(FRIEND).open(p)).toEqual(keys);
    await lit.stopNode(1);
    await expect(release(FRIEND).open(p)).rejects.toThrow(/Lit network error/);
  });
});
