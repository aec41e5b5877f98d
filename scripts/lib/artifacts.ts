import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Address, Hex, PublicClient, WalletClient, Chain, Account, Transport } from "viem";

const ROOT = new URL("../..", import.meta.url).pathname;

const PATHS: Record<string, string> = {
  ProjectRegistry: "contracts/ProjectRegistry.sol/ProjectRegistry.json",
  RecordRegistry: "contracts/RecordRegistry.sol/RecordRegistry.json",
  AttestationRegistry: "contracts/AttestationRegistry.sol/AttestationRegistry.json",
  KycGatedVault: "contracts/examples/KycGatedVault.sol/KycGatedVault.json",
  IsVerifiedProbe: "contracts/test/IsVerifiedProbe.sol/IsVerifiedProbe.json",
  OneKeyPaymaster: "contracts/OneKeyPaymaster.sol/OneKeyPaymaster.json",
  EntryPoint: "@account-abstraction/contracts/core/EntryPoint.sol/EntryPoint.json",
  SimpleAccountFactory: "@account-abstraction/contracts/accounts/SimpleAccountFactory.sol/SimpleAccountFactory.json",
};

/** Registers another artifact path (relative to artifacts/) under a name. */
export function registerArtifact(name: string, relativePath: string): void {
  PATHS[name] = relativePath;
}

/** ABI and creation bytecode of a compiled contract (run `npx hardhat build` first). */
export function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const rel = PATHS[name];
  if (!rel) throw new Error(`unknown artifact ${name}`);
  const json = JSON.parse(readFileSync(join(ROOT, "artifacts", rel), "utf8"));
  return { abi: json.abi, bytecode: json.bytecode };
}

type Wallet = WalletClient<Transport, Chain, Account>;

/** Deploys an artifact with viem and waits for the receipt. */
export async function deployArtifact(wallet: Wallet, publicClient: PublicClient, name: string, args: unknown[] = []): Promise<Address> {
  const { abi, bytecode } = artifact(name);
  const hash = await wallet.deployContract({ abi, bytecode, args });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`deploying ${name} failed`);
  return receipt.contractAddress;
}

export interface OneKeyDeployment {
  projectRegistry: Address;
  recordRegistry: Address;
  attestationRegistry: Address;
}

/**
 * Deploys the three registries straight from the artifacts (fast; for tests). The local stack
 * and live networks deploy through Ignition instead (ignition/modules/OneKey.ts).
 */
export async function deployOneKey(wallet: Wallet, publicClient: PublicClient): Promise<OneKeyDeployment> {
  const projectRegistry = await deployArtifact(wallet, publicClient, "ProjectRegistry");
  const recordRegistry = await deployArtifact(wallet, publicClient, "RecordRegistry", [projectRegistry]);
  const attestationRegistry = await deployArtifact(wallet, publicClient, "AttestationRegistry", [projectRegistry]);
  return { projectRegistry, recordRegistry, attestationRegistry };
}
