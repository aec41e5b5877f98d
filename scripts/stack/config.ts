import { resolve } from "node:path";
import { freePort } from "../lib/ports.ts";

/** Every port of the local stack; each one configurable by env or picked free for tests. */
export interface StackPorts {
  rpc: number;
  arweave: number;
  irys: number;
  bundler: number;
  sponsor: number;
  indexer: number;
  review: number;
  /** The web app's static server. */
  app: number;
  /** The app's sponsoring project's ticket desk (its backend, locally). */
  tickets: number;
}

export interface StackConfig {
  root: string;
  dataDir: string;
  ports: StackPorts;
  /** Start from an empty chain and indexer database even when state exists. */
  clean: boolean;
  /** Stream child logs to the console as well as the log files. */
  verbose: boolean;
  /**
   * Serve the web app: its sponsoring project (created on a fresh chain, so it takes the first
   * project id), ticket desk and static server. Default on; ONEKEY_APP=0 turns it off.
   */
  app?: boolean;
}

const DEFAULT_PORTS: StackPorts = {
  rpc: 8545,
  arweave: 1984,
  irys: 1985,
  bundler: 4337,
  sponsor: 4338,
  indexer: 42069,
  review: 4340,
  app: 3000,
  tickets: 4339,
};
const ENV_NAMES: Record<keyof StackPorts, string> = {
  rpc: "ONEKEY_RPC_PORT",
  arweave: "ONEKEY_ARWEAVE_PORT",
  irys: "ONEKEY_IRYS_PORT",
  bundler: "ONEKEY_BUNDLER_PORT",
  sponsor: "ONEKEY_SPONSOR_PORT",
  indexer: "ONEKEY_INDEXER_PORT",
  review: "ONEKEY_REVIEW_PORT",
  app: "ONEKEY_APP_PORT",
  tickets: "ONEKEY_TICKETS_PORT",
};

export class InvalidPortError extends Error {
  override name = "InvalidPortError";
}

function parsePort(name: string, raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidPortError(`${name}=${raw} is not a TCP port (1-65535)`);
  }
  return port;
}

/** Reads the stack's configuration from env; `freePorts` picks every unset port at random. */
export async function loadStackConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<StackConfig> & { freePorts?: boolean } = {},
): Promise<StackConfig> {
  const root = resolve(new URL("../..", import.meta.url).pathname);
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[]) {
    const raw = env[ENV_NAMES[key]];
    if (raw !== undefined && raw !== "") ports[key] = parsePort(ENV_NAMES[key], raw);
    else if (overrides.freePorts) ports[key] = await freePort();
  }
  return {
    root,
    dataDir: resolve(root, overrides.dataDir ?? env.ONEKEY_DATA_DIR ?? ".onekey/stack"),
    ports: { ...ports, ...overrides.ports },
    clean: overrides.clean ?? env.ONEKEY_CLEAN === "1",
    verbose: overrides.verbose ?? env.ONEKEY_VERBOSE === "1",
    app: overrides.app ?? env.ONEKEY_APP !== "0",
  };
}

export { ENV_NAMES as PORT_ENV_NAMES };
