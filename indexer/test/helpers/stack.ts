// Real processes for the indexer tests: anvil on a free port, the registries deployed from the
// Hardhat artifacts, and `ponder start` (or `serve`) as a child with its own PGlite directory or
// PostgreSQL database, its own port and the addresses in its environment.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, type Account, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { ANVIL_KEYS, startAnvil, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startService, tail, type Service } from "../../../scripts/lib/service.ts";

export const INDEXER_DIR = new URL("../..", import.meta.url).pathname;
const ROOT = new URL("../../..", import.meta.url).pathname;

export type Wallet = WalletClient<Transport, Chain, Account>;

export interface Chain31337 {
  anvil: Anvil;
  publicClient: PublicClient;
  wallets: Wallet[];
  deployment: OneKeyDeployment;
  stop(): Promise<void>;
}

export function requireArtifacts(): void {
  if (!existsSync(join(ROOT, "artifacts/contracts/ProjectRegistry.sol/ProjectRegistry.json"))) {
    throw new Error("Contract artifacts missing: run `flock /tmp/onekey-hardhat.lock npx hardhat build` at the repo root first.");
  }
}

/** anvil (mining on every transaction unless `blockTime`) with OneKey deployed by account 0. */
export async function startChain(options: { blockTime?: number } = {}): Promise<Chain31337> {
  requireArtifacts();
  const anvil = await startAnvil({ blockTime: options.blockTime });
  const transport = http(anvil.rpcUrl);
  // cacheTime 0: a test that reads the head right after a receipt must see that block, not a cached one.
  const publicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 50, cacheTime: 0 }) as PublicClient;
  const wallets = ANVIL_KEYS.map((key) => createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport })) as Wallet[];
  const deployment = await deployOneKey(wallets[0], publicClient);
  return { anvil, publicClient, wallets, deployment, stop: () => anvil.stop() };
}

export interface IndexerOptions {
  chain: Chain31337;
  /** `start` indexes (and runs the webhook worker); `serve` only answers HTTP (PostgreSQL only). */
  command?: "start" | "serve";
  /** PostgreSQL connection string; PGlite in a temp dir when omitted. */
  databaseUrl?: string;
  /** Reuse a PGlite directory (restart tests). */
  pgliteDir?: string;
  schema?: string;
  env?: Record<string, string>;
  useWebSocket?: boolean;
  paymaster?: `0x${string}`;
}

export interface Indexer {
  url: string;
  port: number;
  pgliteDir?: string;
  service: Service;
  stop(signal?: NodeJS.Signals): Promise<void>;
  logTail(lines?: number): string;
}

/** Node 22 from the repo (what npm scripts use), whatever node runs vitest. */
function nodeBinary(): string {
  const local = join(ROOT, "node_modules/.bin/node");
  return existsSync(local) ? local : process.execPath;
}

export async function startIndexer(options: IndexerOptions): Promise<Indexer> {
  const command = options.command ?? "start";
  const port = await freePort();
  const pgliteDir = options.databaseUrl ? undefined : (options.pgliteDir ?? mkdtempSync(join(tmpdir(), "onekey-pglite-")));
  const logDir = mkdtempSync(join(tmpdir(), "onekey-ponder-log-"));
  const { deployment, anvil } = options.chain;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PONDER_TELEMETRY_DISABLED: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    ONEKEY_CHAIN: "local",
    ONEKEY_CHAIN_ID: String(anvil.chainId),
    ONEKEY_RPC_URL: anvil.rpcUrl,
    ONEKEY_WS_URL: options.useWebSocket === false ? "" : anvil.wsUrl,
    ONEKEY_POLLING_INTERVAL_MS: "100",
    ONEKEY_PROJECT_REGISTRY: deployment.projectRegistry,
    ONEKEY_RECORD_REGISTRY: deployment.recordRegistry,
    ONEKEY_ATTESTATION_REGISTRY: deployment.attestationRegistry,
    ONEKEY_PAYMASTER: options.paymaster ?? "",
    ONEKEY_START_BLOCK: "0",
    ONEKEY_WEBHOOK_ALLOW_PRIVATE: "127.0.0.1/32",
    ...(pgliteDir ? { ONEKEY_PGLITE_DIR: pgliteDir, DATABASE_URL: "" } : { DATABASE_URL: options.databaseUrl }),
    ...options.env,
  };
  const args = [
    join(ROOT, "node_modules/ponder/dist/esm/bin/ponder.js"),
    command,
    "--schema",
    options.schema ?? "onekey",
    "--port",
    String(port),
    "--hostname",
    "127.0.0.1",
    "--log-format",
    "json",
    "--log-level",
    process.env.ONEKEY_TEST_PONDER_LOG_LEVEL ?? "info",
  ];
  const url = `http://127.0.0.1:${port}`;
  const service = await startService({
    name: `ponder ${command}`,
    command: nodeBinary(),
    args,
    cwd: INDEXER_DIR,
    env,
    logFile: join(logDir, "ponder.log"),
    readyTimeoutMs: 90_000,
    ready: async () => (await fetch(`${url}/ready`)).status === 200,
  });
  const indexer: Indexer = {
    url,
    port,
    pgliteDir,
    service,
    logTail: (lines = 40) => tail(service.logFile, lines),
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      await service.stop(signal, 10_000);
      rmSync(logDir, { recursive: true, force: true });
    },
  };
  // /ready comes before Ponder's newHeads subscription is up; blocks mined in between are only
  // indexed once another head arrives. Mining until the indexer has caught up proves it is live.
  if (command === "start") await nudgeUntilIndexed(options.chain, indexer);
  return indexer;
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Polls until `check` returns a truthy value (tests wait on the indexer, never sleep blindly). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
}

export async function indexedBlock(indexer: Indexer): Promise<number> {
  const status = (await (await fetch(`${indexer.url}/status`)).json()) as Record<string, { block: { number: number } }>;
  return Object.values(status)[0]?.block.number ?? -1;
}

/**
 * Mines an empty block, then another every 300 ms, until the indexer has indexed the newest one:
 * proof that its newHeads subscription is live. (After a start or restart Ponder 0.16 indexes
 * unfinalized blocks only when a new head arrives, which an idle anvil never sends.)
 */
export async function nudgeUntilIndexed(chain: Chain31337, indexer: Indexer, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await chain.publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method: "evm_mine", params: [] });
    const head = Number(await chain.publicClient.getBlockNumber());
    for (let i = 0; i < 6; i++) {
      if ((await indexedBlock(indexer)) >= head) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`indexer did not catch up with the chain within ${timeoutMs} ms`);
}

/**
 * Waits until the indexer accepts `key` for the project: what an integrator does after
 * registering a key (the head being indexed is not always enough under load).
 */
export async function keyAccepted(indexer: Indexer, key: string, projectId: bigint): Promise<void> {
  await eventually(
    "the API key to be accepted",
    async () => (await fetch(`${indexer.url}/v1/projects/${projectId}/audit/head`, { headers: { authorization: `Bearer ${key}` } })).status === 200,
    20_000,
  );
}
