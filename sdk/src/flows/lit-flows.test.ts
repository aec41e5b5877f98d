// The flows with Lit key release: real anvil (Base Sepolia's chain id, so conditions name
// "baseSepolia"), real arlocal, the real LitNodeClient against two local Lit-compatible networks
// (to move grants from one network to the next).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicClient, createWalletClient, http, keccak256, toHex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { baseSepolia } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey } from "../../../scripts/lib/artifacts.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { arweaveStorage, arweaveAddress, generateArweaveWallet, type StorageProvider } from "../storage/index.ts";
import { createProject, grantRoles, Roles, type OneKeyWallet } from "../contracts/index.ts";
import type { OneKeyAddresses } from "../addresses.ts";
import { FieldNotGrantedError } from "../crypto/index.ts";
import { startLocalLitNetwork, type LocalLitNetwork } from "@onekey/devstack/lit/network";
import { connectLitClient, litKeyRelease, litNetworkId, LitNetworkMismatchError, parseLitBlob, type LitClientLike } from "../lit/index.ts";
import { accountGrantee, getGrantWrappedKey, projectGrantee } from "../contracts/index.ts";
import {
  AuditAccessNotRecordedError,
  GrantRevokedError,
  KeyReleaseModeMismatchError,
  grantAccess,
  readAsAuditor,
  readRecord,
  recordAuditAccess,
  revoke,
  rewrapGrant,
  rotateRecordKeys,
  submitRecord,
} from "./index.ts";

const FIELDS = { full_name: "Katherine Johnson", date_of_birth: "1918-08-26", document_number: "K-1918" };
const [ADMIN, REVIEWER, AUDITOR, SUBJECT, OTHER] = [1, 2, 3, 5, 6];
const addr = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]).address;

describe("flows with Lit key release", () => {
  let anvil: Anvil;
  let arlocal: LocalArweave;
  let storage: StorageProvider;
  let publicClient: PublicClient;
  let addresses: OneKeyAddresses;
  const networks: LocalLitNetwork[] = [];
  const clients: (LitClientLike & { disconnect(): Promise<void> })[] = [];
  let projectId: bigint;
  let record: Awaited<ReturnType<typeof submitRecord>>;
  const chain = { ...baseSepolia, rpcUrls: { default: { http: [] as string[] } } };
  const as = (i: number): OneKeyWallet => createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain, transport: http(anvil.rpcUrl) });
  const lit = (i: number, network = 0) =>
    litKeyRelease({ litClient: clients[network], chain: "baseSepolia", recordRegistry: addresses.recordRegistry, signer: privateKeyToAccount(ANVIL_KEYS[i]) });
  const days = (n: number) => BigInt(Math.floor(Date.now() / 1000) + n * 86_400);

  beforeAll(async () => {
    anvil = await startAnvil({ chainId: baseSepolia.id });
    chain.rpcUrls.default.http = [anvil.rpcUrl];
    arlocal = await startArlocal({ port: await freePort() });
    const wallet = await generateArweaveWallet();
    await arlocal.mint(await arweaveAddress(wallet));
    storage = arweaveStorage({ url: arlocal.url, wallet, mine: true });
    publicClient = createPublicClient({ transport: http(anvil.rpcUrl) });
    addresses = await deployOneKey(as(0), publicClient);
    for (let n = 0; n < 2; n++) {
      const net = await startLocalLitNetwork({ chains: { baseSepolia: anvil.rpcUrl }, wallet: as(0), publicClient });
      networks.push(net);
      clients.push(await connectLitClient({ network: "custom", contractContext: net.contractContext, rpcUrl: net.rpcUrl, blockhashUrl: net.blockhashUrl }));
    }
    ({ projectId } = await createProject(as(ADMIN), { addresses, metadataURI: "ipfs://lit-project" }));
    await grantRoles(as(ADMIN), { addresses, projectId, account: addr(REVIEWER), roles: Roles.REVIEWER });
    await grantRoles(as(ADMIN), { addresses, projectId, account: addr(AUDITOR), roles: Roles.AUDITOR });
    record = await submitRecord(as(SUBJECT), { addresses, storage, fields: FIELDS, keyRelease: "lit", litNetwork: litNetworkId(clients[0]) });
  });
  afterAll(async () => {
    for (const c of clients) await c.disconnect();
    for (const n of networks) await n.stop();
    await arlocal?.stop();
    await anvil?.stop();
  });

  it("a project's reviewer reads the granted fields through Lit, with no project key at all", async () => {
    expect(record.manifest).toMatchObject({ keyRelease: "lit", litNetwork: litNetworkId(clients[0]) });
    const g = await grantAccess(as(SUBJECT), {
      addresses,
      ...record,
      grantee: { projectId },
      fields: ["full_name", "date_of_birth"],
      purpose: "KYC_REVIEW",
      expiry: days(30),
      keyRelease: lit(SUBJECT),
    });
    expect(g.wrappedKeyBytes).toBeGreaterThan(64);
    const read = (i: number, extra = {}) =>
      readRecord(as(i), { addresses, fromBlock: 0n, recordId: record.recordId, storage, via: { projectId }, keyRelease: lit(i), ...extra });
    expect(await read(REVIEWER)).toEqual({ full_name: FIELDS.full_name, date_of_birth: FIELDS.date_of_birth });
    await expect(read(REVIEWER, { fields: ["document_number"] })).rejects.toThrow(FieldNotGrantedError);
    // A lit record cannot be read with the envelope default.
    await expect(readRecord(as(REVIEWER), { addresses, fromBlock: 0n, recordId: record.recordId, storage, via: { projectId } })).rejects.toThrow(
      KeyReleaseModeMismatchError,
    );
  });

  it("an auditor opens the project grant through Lit only once the audit access is on-chain", async () => {
    const p = { addresses, fromBlock: 0n, recordId: record.recordId, storage, projectId, keyRelease: lit(AUDITOR) };
    await expect(readAsAuditor(as(AUDITOR), p)).rejects.toThrow(AuditAccessNotRecordedError);
    await recordAuditAccess(as(AUDITOR), { addresses, recordId: record.recordId, projectId, authorisationHash: keccak256(toHex("subpoena-9")) });
    expect(await readAsAuditor(as(AUDITOR), p)).toEqual({ full_name: FIELDS.full_name, date_of_birth: FIELDS.date_of_birth });
  });

  it("moves the grant to the next Lit network; the old network's client is refused by name", async () => {
    await rewrapGrant(as(SUBJECT), { addresses, fromBlock: 0n, recordId: record.recordId, grantee: { projectId }, from: lit(SUBJECT, 0), to: lit(SUBJECT, 1) });
    const { wrappedKey } = await getGrantWrappedKey(publicClient, { addresses, fromBlock: 0n, recordId: record.recordId, grantee: projectGrantee(projectId) });
    expect(parseLitBlob(Buffer.from(wrappedKey.slice(2), "hex")).network).toBe(litNetworkId(clients[1]));
    const read = (network: number) =>
      readRecord(as(REVIEWER), { addresses, fromBlock: 0n, recordId: record.recordId, storage, via: { projectId }, keyRelease: lit(REVIEWER, network) });
    expect(await read(1)).toEqual({ full_name: FIELDS.full_name, date_of_birth: FIELDS.date_of_birth });
    await expect(read(0)).rejects.toThrow(LitNetworkMismatchError);
  });

  it("rotation under Lit re-seals only live grants, on the network the owner chooses", async () => {
    await grantAccess(as(SUBJECT), {
      addresses,
      ...record,
      grantee: { account: addr(OTHER) },
      fields: ["document_number"],
      purpose: "SUPPORT",
      expiry: days(1),
      keyRelease: lit(SUBJECT),
    });
    const otherRead = () =>
      readRecord(as(OTHER), { addresses, fromBlock: 0n, recordId: record.recordId, storage, via: { account: addr(OTHER) }, keyRelease: lit(OTHER, 1) });
    expect(await otherRead().catch((e) => e)).toBeInstanceOf(LitNetworkMismatchError); // sealed on network 0
    await revoke(as(SUBJECT), { addresses, recordId: record.recordId, grantee: accountGrantee(addr(OTHER)) });
    const rotated = await rotateRecordKeys(as(SUBJECT), {
      addresses,
      fromBlock: 0n,
      recordId: record.recordId,
      dek: record.dek,
      storage,
      keyRelease: lit(SUBJECT, 1),
    });
    expect(rotated).toMatchObject({ version: 2, regranted: [{ projectId }], dropped: [{ account: addr(OTHER) }] });
    expect(
      await readRecord(as(REVIEWER), { addresses, fromBlock: 0n, recordId: record.recordId, storage, via: { projectId }, keyRelease: lit(REVIEWER, 1) }),
    ).toMatchObject({ full_name: FIELDS.full_name });
    await expect(otherRead()).rejects.toThrow(GrantRevokedError);
  });
});
