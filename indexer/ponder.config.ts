import { createConfig } from "ponder";
import { attestationRegistryAbi, oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { indexerTarget } from "./lib/env.ts";

const target = indexerTarget();

const chain = target.chain;
const startBlock = target.startBlock;

export default createConfig({
  // PGlite (embedded) unless DATABASE_URL points at PostgreSQL.
  database: process.env.DATABASE_URL
    ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
    : { kind: "pglite", directory: process.env.ONEKEY_PGLITE_DIR ?? ".ponder/pglite" },
  chains: {
    [chain]: {
      id: target.chainId,
      rpc: target.rpcUrl,
      ws: target.wsUrl,
      pollingInterval: target.pollingInterval,
      // A local chain is thrown away between runs; caching its RPC answers only invites the
      // chain-reset trap (docs/indexer.md).
      disableCache: chain === "local",
    },
  } as Record<"local", { id: number; rpc: string; ws?: string; pollingInterval: number; disableCache: boolean }>,
  contracts: {
    ProjectRegistry: { abi: projectRegistryAbi, chain: chain as "local", address: target.projectRegistry, startBlock },
    RecordRegistry: { abi: recordRegistryAbi, chain: chain as "local", address: target.recordRegistry, startBlock },
    AttestationRegistry: { abi: attestationRegistryAbi, chain: chain as "local", address: target.attestationRegistry, startBlock },
    // Without a paymaster address the contract filter matches nothing and the tables stay empty.
    OneKeyPaymaster: {
      abi: oneKeyPaymasterAbi,
      chain: chain as "local",
      address: target.paymaster ?? "0x000000000000000000000000000000000000dEaD",
      startBlock,
    },
  },
});
