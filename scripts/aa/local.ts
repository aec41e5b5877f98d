// Real ERC-4337 parts for local runs: the canonical EntryPoint v0.8 (through the deterministic
// CREATE2 deployer anvil ships), SimpleAccountFactory, Simple7702Account (the EIP-7702 delegate;
// the chain must run Prague or later), OneKeyPaymaster, alto as the bundler and the ERC-7677
// sponsor service (services/sponsor) with its caps database.
//
//   const aa = await startLocalAA({ rpcUrl, deployerKey });   // free ports, anvil's keys
//   ... aa.bundlerUrl, aa.sponsorUrl, aa.paymaster, aa.factory ...
//   await aa.stop();
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  concat,
  createPublicClient,
  createWalletClient,
  getAddress,
  getContractAddress,
  http,
  parseEther,
  type Abi,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { oneKeyPaymasterAbi } from "@onekey/sdk/abis";
import { privateKeyToAccount } from "viem/accounts";
import { ENTRY_POINT_V08 } from "@onekey/sdk/constants";
import { deployArtifact, deployOneKey, type OneKeyDeployment } from "../lib/artifacts.ts";
import { ANVIL_KEYS } from "../lib/anvil.ts";
import { freePort } from "../lib/ports.ts";
import { startService, rpc, type Service } from "../lib/service.ts";
import type { SponsorPolicy } from "@onekey/sponsor-service";

const require = createRequire(import.meta.url);
const ROOT = new URL("../..", import.meta.url).pathname;

export const DETERMINISTIC_DEPLOYER: Address = "0x4e59b44847b379578588920cA78FbF26c0B4956C";
/** The salt the EntryPoint v0.8 release was deployed with; with the npm bytecode it yields the canonical address. */
export const ENTRY_POINT_V08_SALT: Hex = "0x0a59dbff790c23c976a548690c27297883cc66b4c67024f9117b0238995e35e9";

type Wallet = Parameters<typeof deployArtifact>[0];

/** The EntryPoint init code from @account-abstraction/contracts, checked to land at the canonical address. */
export function entryPointInitCode(): Hex {
  const bytecode = require("@account-abstraction/contracts/artifacts/EntryPoint.json").bytecode as Hex;
  const at = getContractAddress({ opcode: "CREATE2", from: DETERMINISTIC_DEPLOYER, salt: ENTRY_POINT_V08_SALT, bytecode });
  if (at !== ENTRY_POINT_V08) {
    throw new Error(`the installed EntryPoint bytecode deploys to ${at}, not the canonical ${ENTRY_POINT_V08}`);
  }
  return bytecode;
}

/** Deploys EntryPoint v0.8 at its canonical address (no-op when already there). */
export async function deployCanonicalEntryPoint(wallet: Wallet, publicClient: PublicClient): Promise<Address> {
  const existing = await publicClient.getCode({ address: ENTRY_POINT_V08 });
  if (existing && existing !== "0x") return ENTRY_POINT_V08;
  const deployerCode = await publicClient.getCode({ address: DETERMINISTIC_DEPLOYER });
  if (!deployerCode || deployerCode === "0x") throw new Error("the deterministic deployer is missing on this chain");
  const hash = await wallet.sendTransaction({ to: DETERMINISTIC_DEPLOYER, data: concat([ENTRY_POINT_V08_SALT, entryPointInitCode()]), gas: 8_000_000n });
  await publicClient.waitForTransactionReceipt({ hash });
  const code = await publicClient.getCode({ address: ENTRY_POINT_V08 });
  if (!code || code === "0x") throw new Error("EntryPoint did not land at the canonical address");
  return ENTRY_POINT_V08;
}

export interface AADeployment {
  entryPoint: Address;
  factory: Address;
  paymaster: Address;
  /** Simple7702Account: what a person's EOA delegates to (EIP-7702) instead of deploying a SimpleAccount. */
  simple7702Account: Address;
}

/** Deploys Simple7702Account from the npm package's bytecode (its EntryPoint is the canonical v0.8). */
export async function deploySimple7702Account(wallet: Wallet, publicClient: PublicClient): Promise<Address> {
  const { abi, bytecode } = require("@account-abstraction/contracts/artifacts/Simple7702Account.json") as { abi: Abi; bytecode: Hex };
  const hash = await wallet.deployContract({ abi, bytecode });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("deploying Simple7702Account failed");
  return getAddress(receipt.contractAddress);
}

/** EntryPoint (canonical), SimpleAccountFactory, Simple7702Account and a staked OneKeyPaymaster for the registries. */
export async function deployAA(wallet: Wallet, publicClient: PublicClient, oneKey: OneKeyDeployment): Promise<AADeployment> {
  const entryPoint = await deployCanonicalEntryPoint(wallet, publicClient);
  const factory = await deployArtifact(wallet, publicClient, "SimpleAccountFactory", [entryPoint]);
  const simple7702Account = await deploySimple7702Account(wallet, publicClient);
  const paymaster = await deployArtifact(wallet, publicClient, "OneKeyPaymaster", [
    entryPoint,
    oneKey.projectRegistry,
    oneKey.recordRegistry,
    oneKey.attestationRegistry,
    wallet.account.address,
  ]);
  // Bundlers expect a staked paymaster (it reads ProjectRegistry storage during validation).
  const hash = await wallet.writeContract({
    address: paymaster,
    abi: oneKeyPaymasterAbi,
    functionName: "addProtocolStake",
    args: [86_400],
    value: parseEther("1"),
  });
  await publicClient.waitForTransactionReceipt({ hash });
  return { entryPoint, factory: getAddress(factory), paymaster: getAddress(paymaster), simple7702Account };
}

export interface StartAltoOptions {
  rpcUrl: string;
  port: number;
  executorKey: Hex;
  utilityKey: Hex;
  logFile: string;
  /** Blocks searched for a user-operation receipt (default 256). */
  maxBlockRange?: number;
  /** alto's bundling interval bounds in ms (defaults 100 and 250; alto's own are 100 and 1,000). */
  minBundleIntervalMs?: number;
  maxBundleIntervalMs?: number;
  /** alto's debug_bundler_* methods (manual bundling for benchmarks); off by default. */
  debugEndpoints?: boolean;
}

/** Starts alto (unsafe mode: anvil has no ERC-7562 tracer) bound to 127.0.0.1. */
export async function startAlto(o: StartAltoOptions): Promise<Service & { url: string }> {
  const url = `http://127.0.0.1:${o.port}`;
  const service = await startService({
    name: "alto",
    command: process.execPath,
    args: [
      "--import",
      join(ROOT, "scripts/aa/loopback-only.mjs"),
      join(ROOT, "node_modules/@pimlico/alto/esm/cli/alto.js"),
      "--entrypoints",
      ENTRY_POINT_V08,
      "--executor-private-keys",
      o.executorKey,
      "--utility-private-key",
      o.utilityKey,
      "--rpc-url",
      o.rpcUrl,
      "--port",
      String(o.port),
      "--safe-mode",
      "false",
      "--deploy-simulations-contract",
      "true",
      "--block-time",
      "100",
      "--log-level",
      process.env.ONEKEY_ALTO_LOG_LEVEL ?? "warn",
      "--utility-wallet-monitor",
      "false",
      // Receipts are found by eth_getLogs over this many recent blocks; anvil mines a block per
      // transaction, so the default (2,000) makes every receipt poll slower as the chain grows.
      "--max-block-range",
      String(o.maxBlockRange ?? 256),
      // alto waits longer between bundles as operations per minute rise (up to this cap), trading
      // latency for fuller bundles; a local stack favours latency.
      "--min-bundle-interval",
      String(o.minBundleIntervalMs ?? 100),
      "--max-bundle-interval",
      String(o.maxBundleIntervalMs ?? 250),
      // The web app sends user operations from the browser (another origin).
      "--enable-cors",
      "true",
      ...(o.debugEndpoints ? ["--enable-debug-endpoints", "true"] : []),
    ],
    env: { ...process.env, SENTRY_DSN: "" },
    logFile: o.logFile,
    readyTimeoutMs: 60_000,
    ready: async () => Array.isArray(await rpc(url, "eth_supportedEntryPoints")),
  });
  return Object.assign(service, { url });
}

export interface LocalAA extends AADeployment {
  /** The registries the paymaster sponsors (deployed here when not given). */
  oneKey: OneKeyDeployment;
  bundlerUrl: string;
  sponsorUrl: string;
  /** The sponsor service's signing address: make it a SPONSOR of the projects it should sponsor. */
  sponsorSigner: Address;
  services: Service[];
  stop(): Promise<void>;
}

export interface StartLocalAAOptions {
  rpcUrl: string;
  /** A funded key that deploys and stakes (or pass `wallet` + `publicClient`). Default: anvil's first. */
  deployerKey?: Hex;
  wallet?: Wallet;
  publicClient?: PublicClient;
  /** The registries; deployed from the artifacts when omitted. */
  oneKey?: OneKeyDeployment;
  /** Ports; free ones when omitted. */
  bundlerPort?: number;
  sponsorPort?: number;
  /** Alto's keys (funded) and the sponsor service's signing key. Default: anvil keys 8, 9 and 4. */
  executorKey?: Hex;
  utilityKey?: Hex;
  sponsorKey?: Hex;
  /** The sponsor service's policy; default: every project its key sponsors, authorised subjects only, 1,000 ops per subject a day. */
  policy?: SponsorPolicy;
  /** The sponsor service's caps database: PostgreSQL by URL, else PGlite in `sponsorDbDir` (default: a temporary directory removed on stop). */
  sponsorDatabaseUrl?: string;
  sponsorDbDir?: string;
  /** Where alto's log goes; default $ONEKEY_AA_LOGS_DIR, else a temporary directory removed on stop. */
  logsDir?: string;
  /** Reuse an existing deployment (a resumed chain). */
  existing?: Omit<AADeployment, "simple7702Account"> & { simple7702Account?: Address };
  /** Passed to alto (startAlto). */
  alto?: Pick<StartAltoOptions, "maxBlockRange" | "minBundleIntervalMs" | "maxBundleIntervalMs" | "debugEndpoints">;
}

/** Everything a sponsored user operation needs locally, started and health-checked. */
export async function startLocalAA(o: StartLocalAAOptions): Promise<LocalAA> {
  const publicClient = o.publicClient ?? (createPublicClient({ transport: http(o.rpcUrl) }) as PublicClient);
  const wallet =
    o.wallet ??
    createWalletClient({
      account: privateKeyToAccount(o.deployerKey ?? ANVIL_KEYS[0]),
      chain: await chainOf(publicClient),
      transport: http(o.rpcUrl),
    });
  const oneKey = o.oneKey ?? (await deployOneKey(wallet, publicClient));
  const deployment: Omit<AADeployment, "simple7702Account"> & { simple7702Account?: Address } = o.existing ?? (await deployAA(wallet, publicClient, oneKey));
  // A chain saved before Simple7702Account was part of the deployment gets it now.
  if (!deployment.simple7702Account) deployment.simple7702Account = await deploySimple7702Account(wallet, publicClient);
  const keptLogs = o.logsDir ?? process.env.ONEKEY_AA_LOGS_DIR;
  const ownLogs = keptLogs ? undefined : mkdtempSync(join(tmpdir(), "onekey-aa-"));
  const logsDir = keptLogs ?? ownLogs!;
  const alto = await startAlto({
    rpcUrl: o.rpcUrl,
    port: o.bundlerPort ?? (await freePort()),
    executorKey: o.executorKey ?? ANVIL_KEYS[8],
    utilityKey: o.utilityKey ?? ANVIL_KEYS[9],
    logFile: join(logsDir, "alto.log"),
    ...o.alto,
  });
  const { startSponsorService } = await import("@onekey/sponsor-service");
  const ownDb = o.sponsorDatabaseUrl || o.sponsorDbDir ? undefined : mkdtempSync(join(tmpdir(), "onekey-sponsor-db-"));
  const sponsor = await startSponsorService({
    port: o.sponsorPort ?? (await freePort()),
    rpcUrl: o.rpcUrl,
    paymaster: deployment.paymaster,
    signerKey: o.sponsorKey ?? ANVIL_KEYS[4],
    policy: o.policy ?? { validitySeconds: 600, default: { maxOpsPerSubject: 1_000 } },
    databaseUrl: o.sponsorDatabaseUrl,
    dbDir: o.sponsorDbDir ?? ownDb,
    simpleAccountFactory: deployment.factory,
  }).catch(async (error) => {
    await alto.stop();
    throw error;
  });
  const sponsorService: Service = { name: "sponsor service", stop: sponsor.stop, logFile: "", exited: new Promise<number | null>(() => {}) };
  return {
    ...deployment,
    simple7702Account: deployment.simple7702Account,
    oneKey,
    bundlerUrl: alto.url,
    sponsorUrl: sponsor.url,
    sponsorSigner: sponsor.signer,
    services: [alto, sponsorService],
    async stop() {
      await sponsor.stop();
      await alto.stop();
      if (ownLogs) rmSync(ownLogs, { recursive: true, force: true });
      if (ownDb) rmSync(ownDb, { recursive: true, force: true });
    },
  };
}

async function chainOf(publicClient: PublicClient) {
  const id = await publicClient.getChainId();
  return { id, name: `chain ${id}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [] } } };
}
