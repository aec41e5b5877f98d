// Deploys the OneKey registries with Ignition and records the addresses the SDK exports.
//
//   node scripts/deploy.ts --network localhost [--rpc-url http://127.0.0.1:8545] [--reset]
//   node scripts/deploy.ts --network baseSepolia   (needs BASE_SEPOLIA_RPC_URL, DEPLOYER_PRIVATE_KEY)
//   node scripts/deploy.ts --network base          (needs BASE_RPC_URL, DEPLOYER_PRIVATE_KEY)
//
// Afterwards the addresses are merged into sdk/src/deployments.json under the chain id the node
// reported (`--no-write-sdk` skips that). See docs/deploy.md.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

const ROOT = new URL("..", import.meta.url).pathname;
// The chain each network is expected to be; the recorded chain id is the one the node reported.
const CHAIN_IDS: Record<string, number> = { localhost: 31337, baseSepolia: 84532, base: 8453 };
const SDK_DEPLOYMENTS = join(ROOT, "sdk", "src", "deployments.json");

export interface DeployOptions {
  network: string;
  /** Only for `localhost`: the node to deploy to. */
  rpcUrl?: string;
  deploymentId?: string;
  reset?: boolean;
  /** Where Ignition's output goes (default: inherit). */
  onOutput?: (chunk: string) => void;
}

export interface DeployedAddresses {
  chainId: number;
  projectRegistry: `0x${string}`;
  recordRegistry: `0x${string}`;
  attestationRegistry: `0x${string}`;
}

/** Runs `hardhat ignition deploy` for the OneKey module and returns the registry addresses. */
export async function deployWithIgnition(options: DeployOptions): Promise<DeployedAddresses> {
  const chainId = CHAIN_IDS[options.network];
  if (chainId === undefined) throw new Error(`unknown network ${options.network}; one of ${Object.keys(CHAIN_IDS).join(", ")}`);
  const deploymentId = options.deploymentId ?? `chain-${chainId}`;
  const args = ["ignition", "deploy", "ignition/modules/OneKey.ts", "--network", options.network, "--deployment-id", deploymentId];
  const parameters = join("ignition", "parameters", `${options.network}.json`);
  if (existsSync(join(ROOT, parameters))) args.push("--parameters", parameters);
  if (options.reset) args.push("--reset");
  const env = {
    ...process.env,
    HARDHAT_DISABLE_TELEMETRY: "true",
    HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "true",
    PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
    ...(options.rpcUrl ? { ONEKEY_RPC_URL: options.rpcUrl } : {}),
  };
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(join(ROOT, "node_modules/.bin/hardhat"), args, {
      cwd: ROOT,
      env,
      stdio: options.onOutput ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    child.stdout?.on("data", (d) => options.onOutput?.(String(d)));
    child.stderr?.on("data", (d) => options.onOutput?.(String(d)));
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0) throw new Error(`ignition deploy to ${options.network} failed (exit ${code})`);
  const dir = join(ROOT, "ignition", "deployments", deploymentId);
  const deployed = JSON.parse(readFileSync(join(dir, "deployed_addresses.json"), "utf8")) as Record<string, `0x${string}`>;
  return {
    chainId: journalChainId(dir),
    projectRegistry: deployed["OneKey#ProjectRegistry"],
    recordRegistry: deployed["OneKey#RecordRegistry"],
    attestationRegistry: deployed["OneKey#AttestationRegistry"],
  };
}

/** The chain id Ignition recorded when it started the deployment (first journal entry). */
function journalChainId(deploymentDir: string): number {
  // The journal starts with an empty line; the first entry is DEPLOYMENT_INITIALIZE.
  const line = readFileSync(join(deploymentDir, "journal.jsonl"), "utf8")
    .split("\n")
    .find((l) => l.trim() !== "");
  const first = JSON.parse(line ?? "{}") as { chainId?: unknown };
  if (typeof first.chainId !== "number") throw new Error(`no chain id in ${deploymentDir}/journal.jsonl`);
  return first.chainId;
}

/**
 * Merges a deployment into sdk/src/deployments.json (what `getAddresses(chainId)` returns). Other
 * chains and other keys of the same chain (e.g. the paymaster) are kept.
 */
export function writeSdkDeployment(deployed: DeployedAddresses, file = SDK_DEPLOYMENTS): void {
  const all = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const { chainId, ...addresses } = deployed;
  all[String(chainId)] = { ...all[String(chainId)], ...addresses };
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      network: { type: "string", default: "localhost" },
      "rpc-url": { type: "string" },
      "deployment-id": { type: "string" },
      reset: { type: "boolean", default: false },
      "write-sdk": { type: "boolean", default: true },
    },
    allowNegative: true,
  });
  const deployed = await deployWithIgnition({
    network: values.network!,
    rpcUrl: values["rpc-url"],
    deploymentId: values["deployment-id"],
    reset: values.reset,
  });
  console.log(JSON.stringify(deployed, null, 2));
  if (deployed.chainId !== CHAIN_IDS[values.network!]) {
    console.warn(`note: ${values.network} reported chain ${deployed.chainId}, not ${CHAIN_IDS[values.network!]}`);
  }
  if (values["write-sdk"]) {
    writeSdkDeployment(deployed);
    console.log(`recorded chain ${deployed.chainId} in ${relative(ROOT, SDK_DEPLOYMENTS)} (commit it)`);
  }
}
