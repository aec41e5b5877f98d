// Real ERC-4337 parts for local runs: the canonical EntryPoint v0.8 (through the deterministic
// CREATE2 deployer anvil ships), SimpleAccountFactory, OneKeyPaymaster, and alto as the bundler.
import { createRequire } from "node:module";
import { join } from "node:path";
import { concat, getAddress, parseEther, type Address, type Hex, type PublicClient } from "viem";
import { deployArtifact, artifact } from "../lib/artifacts.ts";
import { startService, rpc, type Service } from "../lib/service.ts";
import type { OneKeyDeployment } from "../lib/artifacts.ts";

const require = createRequire(import.meta.url);
const ROOT = new URL("../..", import.meta.url).pathname;

export const CANONICAL_ENTRY_POINT_V08: Address = "0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108";
export const DETERMINISTIC_DEPLOYER: Address = "0x4e59b44847b379578588920cA78FbF26c0B4956C";
/** The salt the EntryPoint v0.8 release was deployed with; with the npm bytecode it yields the canonical address. */
export const ENTRY_POINT_V08_SALT: Hex = "0x0a59dbff790c23c976a548690c27297883cc66b4c67024f9117b0238995e35e9";

type Wallet = Parameters<typeof deployArtifact>[0];

/** Deploys EntryPoint v0.8 at its canonical address (no-op when already there). */
export async function deployCanonicalEntryPoint(wallet: Wallet, publicClient: PublicClient): Promise<Address> {
  const existing = await publicClient.getCode({ address: CANONICAL_ENTRY_POINT_V08 });
  if (existing && existing !== "0x") return CANONICAL_ENTRY_POINT_V08;
  const deployerCode = await publicClient.getCode({ address: DETERMINISTIC_DEPLOYER });
  if (!deployerCode || deployerCode === "0x") throw new Error("the deterministic deployer is missing on this chain");
  const bytecode = require("@account-abstraction/contracts/artifacts/EntryPoint.json").bytecode as Hex;
  const hash = await wallet.sendTransaction({ to: DETERMINISTIC_DEPLOYER, data: concat([ENTRY_POINT_V08_SALT, bytecode]), gas: 8_000_000n });
  await publicClient.waitForTransactionReceipt({ hash });
  const code = await publicClient.getCode({ address: CANONICAL_ENTRY_POINT_V08 });
  if (!code || code === "0x") throw new Error("EntryPoint did not land at the canonical address");
  return CANONICAL_ENTRY_POINT_V08;
}

export interface AADeployment {
  entryPoint: Address;
  factory: Address;
  paymaster: Address;
}

/** EntryPoint (canonical), SimpleAccountFactory and a staked OneKeyPaymaster for the registries. */
export async function deployAA(wallet: Wallet, publicClient: PublicClient, oneKey: OneKeyDeployment): Promise<AADeployment> {
  const entryPoint = await deployCanonicalEntryPoint(wallet, publicClient);
  const factory = await deployArtifact(wallet, publicClient, "SimpleAccountFactory", [entryPoint]);
  const paymaster = await deployArtifact(wallet, publicClient, "OneKeyPaymaster", [
    entryPoint, oneKey.projectRegistry, oneKey.recordRegistry, oneKey.attestationRegistry, wallet.account.address,
  ]);
  // Bundlers expect a staked paymaster (it reads ProjectRegistry storage during validation).
  const { abi } = artifact("OneKeyPaymaster");
  const hash = await wallet.writeContract({ address: paymaster, abi, functionName: "addProtocolStake", args: [86_400], value: parseEther("1") } as never);
  await publicClient.waitForTransactionReceipt({ hash });
  return { entryPoint, factory: getAddress(factory), paymaster: getAddress(paymaster) };
}

export interface StartAltoOptions {
  rpcUrl: string;
  port: number;
  executorKey: Hex;
  utilityKey: Hex;
  logFile: string;
}

/** Starts alto (unsafe mode: anvil has no debug_traceCall tracer) bound to 127.0.0.1. */
export async function startAlto(o: StartAltoOptions): Promise<Service & { url: string }> {
  const url = `http://127.0.0.1:${o.port}`;
  const service = await startService({
    name: "alto",
    command: process.execPath,
    args: [
      "--import", join(ROOT, "scripts/aa/loopback-only.mjs"),
      join(ROOT, "node_modules/@pimlico/alto/esm/cli/alto.js"),
      "--entrypoints", CANONICAL_ENTRY_POINT_V08,
      "--executor-private-keys", o.executorKey,
      "--utility-private-key", o.utilityKey,
      "--rpc-url", o.rpcUrl,
      "--port", String(o.port),
      "--safe-mode", "false",
      "--deploy-simulations-contract", "true",
      "--block-time", "100",
      "--log-level", process.env.ONEKEY_ALTO_LOG_LEVEL ?? "warn",
      "--utility-wallet-monitor", "false",
    ],
    env: { ...process.env, SENTRY_DSN: "" },
    logFile: o.logFile,
    readyTimeoutMs: 60_000,
    ready: async () => Array.isArray(await rpc(url, "eth_supportedEntryPoints")),
  });
  return Object.assign(service, { url });
}

export interface LocalAA extends AADeployment {
  bundlerUrl: string;
  sponsorUrl: string;
  services: Service[];
  stop(): Promise<void>;
}

export interface StartLocalAAOptions {
  rpcUrl: string;
  wallet: Wallet;
  publicClient: PublicClient;
  oneKey: OneKeyDeployment;
  bundlerPort: number;
  sponsorPort: number;
  executorKey: Hex;
  utilityKey: Hex;
  sponsorKey: Hex;
  logsDir: string;
  /** Reuse an existing deployment (a resumed chain). */
  existing?: AADeployment;
}

/** Everything a sponsored user operation needs locally, started and health-checked. */
export async function startLocalAA(o: StartLocalAAOptions): Promise<LocalAA> {
  const deployment = o.existing ?? (await deployAA(o.wallet, o.publicClient, o.oneKey));
  const alto = await startAlto({ rpcUrl: o.rpcUrl, port: o.bundlerPort, executorKey: o.executorKey, utilityKey: o.utilityKey, logFile: join(o.logsDir, "alto.log") });
  const { startSponsorService } = await import("./sponsor-service.ts");
  const sponsor = await startSponsorService({
    port: o.sponsorPort, rpcUrl: o.rpcUrl, paymaster: deployment.paymaster, signerKey: o.sponsorKey,
    policy: { maxOpsPerSenderPerDay: 1_000, validitySeconds: 600 },
  }).catch(async (error) => {
    await alto.stop();
    throw error;
  });
  const sponsorService = { name: "sponsor service", stop: sponsor.stop, logFile: "", exited: new Promise<number | null>(() => {}) } as unknown as Service;
  return {
    ...deployment,
    bundlerUrl: alto.url,
    sponsorUrl: sponsor.url,
    services: [alto, sponsorService],
    async stop() {
      await sponsor.stop();
      await alto.stop();
    },
  };
}
