// Which chain the indexer follows and where OneKey lives on it, from the environment. Shared by
// ponder.config.ts and the API so both agree; nothing here touches the network.
import { getAddress, type Address } from "viem";
import { oneKeyDeployments } from "@onekey/sdk/addresses";

export type ChainName = "local" | "baseSepolia" | "base";

export interface IndexerTarget {
  chain: ChainName;
  chainId: number;
  rpcUrl: string;
  wsUrl?: string;
  pollingInterval: number;
  startBlock: number;
  projectRegistry: Address;
  recordRegistry: Address;
  attestationRegistry: Address;
  /** Indexed only when known: the paymaster is optional. */
  paymaster?: Address;
}

const CHAIN_IDS: Record<ChainName, number> = { local: 31337, baseSepolia: 84532, base: 8453 };

export class IndexerConfigError extends Error {
  override name = "IndexerConfigError";
}

function need(env: NodeJS.ProcessEnv, key: string): string {
  const value = env[key];
  if (!value) throw new IndexerConfigError(`${key} is not set (see docs/indexer.md, "Configuration").`);
  return value;
}

function address(env: NodeJS.ProcessEnv, key: string, fallback?: string): Address | undefined {
  const value = env[key] || fallback;
  return value ? getAddress(value) : undefined;
}

/** Reads ONEKEY_CHAIN (local | baseSepolia | base) and the matching RPC, addresses and start block. */
export function indexerTarget(env: NodeJS.ProcessEnv = process.env): IndexerTarget {
  const chain = (env.ONEKEY_CHAIN ?? "local") as ChainName;
  if (!(chain in CHAIN_IDS)) throw new IndexerConfigError(`ONEKEY_CHAIN must be local, baseSepolia or base, not "${chain}".`);
  const chainId = Number(env.ONEKEY_CHAIN_ID ?? CHAIN_IDS[chain]);
  // Live chains default to the SDK's recorded deployment; the local chain is redeployed per run,
  // so its addresses always come from the environment.
  const known = chain === "local" ? undefined : oneKeyDeployments[chainId];
  const projectRegistry = address(env, "ONEKEY_PROJECT_REGISTRY", known?.projectRegistry);
  const recordRegistry = address(env, "ONEKEY_RECORD_REGISTRY", known?.recordRegistry);
  const attestationRegistry = address(env, "ONEKEY_ATTESTATION_REGISTRY", known?.attestationRegistry);
  if (!projectRegistry || !recordRegistry || !attestationRegistry) {
    throw new IndexerConfigError(
      `No OneKey addresses for chain ${chainId}: set ONEKEY_PROJECT_REGISTRY, ONEKEY_RECORD_REGISTRY and ONEKEY_ATTESTATION_REGISTRY.`,
    );
  }
  return {
    chain,
    chainId,
    rpcUrl: chain === "local" ? env.ONEKEY_RPC_URL || "http://127.0.0.1:8545" : need(env, "ONEKEY_RPC_URL"),
    wsUrl: env.ONEKEY_WS_URL || undefined,
    pollingInterval: Number(env.ONEKEY_POLLING_INTERVAL_MS ?? (chain === "local" ? 200 : 1000)),
    startBlock: Number(env.ONEKEY_START_BLOCK ?? 0),
    projectRegistry,
    recordRegistry,
    attestationRegistry,
    paymaster: address(env, "ONEKEY_PAYMASTER", known?.paymaster),
  };
}
