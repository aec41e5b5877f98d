import { network } from "hardhat";
import { getAddress, type Address, type Hex } from "viem";
import { attestTypes, computeRecordId, Roles } from "@onekey/sdk/contracts";

export const DAY = 86_400n;

export const bytes32 = (n: number | bigint): Hex => `0x${BigInt(n).toString(16).padStart(64, "0")}`;
/** An 80-byte wrapped key (32 ephemeral pub + 32 ciphertext + 16 tag), the benchmark's size. */
export const WRAPPED_KEY: Hex = `0x${"ab".repeat(80)}`;

/** Deploys the registries on a fresh in-process network and names the actors. */
export async function deployFixture() {
  const connection = await network.create();
  const { viem, networkHelpers } = connection;
  const [deployer, admin, reviewer, auditor, sponsor, subject, other, reviewerB, adminB] = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const projects = await viem.deployContract("ProjectRegistry");
  const records = await viem.deployContract("RecordRegistry", [projects.address]);
  const attestations = await viem.deployContract("AttestationRegistry", [projects.address]);
  const at = {
    projects: (w: (typeof wallets)[number]) => viem.getContractAt("ProjectRegistry", projects.address, { client: { wallet: w } }),
    records: (w: (typeof wallets)[number]) => viem.getContractAt("RecordRegistry", records.address, { client: { wallet: w } }),
    attestations: (w: (typeof wallets)[number]) => viem.getContractAt("AttestationRegistry", attestations.address, { client: { wallet: w } }),
  };
  const wallets = [deployer, admin, reviewer, auditor, sponsor, subject, other, reviewerB, adminB];
  const now = async () => BigInt(await networkHelpers.time.latest());
  return {
    connection,
    viem,
    networkHelpers,
    publicClient,
    projects,
    records,
    attestations,
    at,
    now,
    deployer,
    admin,
    reviewer,
    auditor,
    sponsor,
    subject,
    other,
    reviewerB,
    adminB,
    addr: (w: { account: { address: Address } }) => getAddress(w.account.address),
  };
}

export type Fixture = Awaited<ReturnType<typeof deployFixture>>;

export interface AttestRequest {
  subject: Address;
  level: number;
  expiry: bigint;
  claims: number;
  recordId: Hex;
}

/** The EIP-712 `Attest` message a reviewer signs for `attestBySig`. */
export async function signAttest(
  f: Fixture,
  signer: Fixture["reviewer"],
  projectId: bigint,
  request: AttestRequest,
  nonce: bigint,
  deadline: bigint,
  opts: { chainId?: number; verifyingContract?: Address; attester?: Address } = {},
): Promise<Hex> {
  return signer.signTypedData({
    account: signer.account,
    domain: {
      name: "OneKey AttestationRegistry",
      version: "1",
      chainId: opts.chainId ?? (await f.publicClient.getChainId()),
      verifyingContract: opts.verifyingContract ?? f.attestations.address,
    },
    // The SDK's one definition of the typed data: this checks the contract agrees with it.
    types: attestTypes,
    primaryType: "Attest",
    // A smart-account attester (ERC-1271) is named here; its owner's key signs.
    message: { projectId, ...request, attester: opts.attester ?? signer.account.address, nonce, deadline },
  });
}

/** A project created by `admin` with reviewer/auditor/sponsor roles; returns its id. */
export async function setupProject(f: Fixture): Promise<bigint> {
  const p = await f.at.projects(f.admin);
  await p.write.createProject(["ipfs://project-a"]);
  const id = await f.projects.read.projectCount();
  await p.write.grantRoles([id, f.addr(f.reviewer), Roles.REVIEWER]);
  await p.write.grantRoles([id, f.addr(f.auditor), Roles.AUDITOR]);
  await p.write.grantRoles([id, f.addr(f.sponsor), Roles.SPONSOR]);
  return id;
}

/** Registers a record for `subject` with a fixed salt; returns its id. */
export async function setupRecord(f: Fixture, salt: Hex = bytes32(1)): Promise<Hex> {
  const r = await f.at.records(f.subject);
  await r.write.registerRecord([salt, bytes32(0xa1), bytes32(0xc1), bytes32(0xf1), 1, 0]);
  return computeRecordId(f.addr(f.subject), salt);
}
