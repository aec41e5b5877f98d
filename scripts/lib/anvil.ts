import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { freePort, waitFor } from "./ports.ts";

const require = createRequire(import.meta.url);

export interface Anvil {
  port: number;
  rpcUrl: string;
  wsUrl: string;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  port?: number;
  chainId?: number;
  /** Seconds per block; omitted = mine on every transaction. */
  blockTime?: number;
  /** EVM hardfork (anvil's default is its latest); "prague" is what Base runs, EIP-7702 included. */
  hardfork?: string;
  /** Extra CLI flags. */
  args?: string[];
  /** Where anvil's stdout/stderr go (default: discarded). */
  log?: (line: string) => void;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "@foundry-rs/anvil-linux-amd64",
  "linux-arm64": "@foundry-rs/anvil-linux-arm64",
  "darwin-x64": "@foundry-rs/anvil-darwin-amd64",
  "darwin-arm64": "@foundry-rs/anvil-darwin-arm64",
};

/** The native anvil binary from @foundry-rs/anvil's platform package (no node wrapper). */
export function anvilBinary(): string {
  const name = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!name) throw new Error(`no anvil binary package for ${process.platform}-${process.arch}`);
  return require.resolve(`${name}/package.json`).replace(/package\.json$/, "bin/anvil");
}

/**
 * Starts a real anvil on 127.0.0.1 (a free port unless one is given) and waits until it answers.
 * Its default accounts are funded with 10,000 ETH; chain id 31337 unless told otherwise.
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const port = options.port ?? (await freePort());
  const chainId = options.chainId ?? 31337;
  const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--silent"];
  if (options.blockTime) args.push("--block-time", String(options.blockTime));
  if (options.hardfork) args.push("--hardfork", options.hardfork);
  args.push(...(options.args ?? []));
  const child = spawn(anvilBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const log = options.log;
  child.stdout?.on("data", (d) => log?.(String(d)));
  child.stderr?.on("data", (d) => log?.(String(d)));
  let exited = false;
  child.once("exit", () => (exited = true));
  const rpcUrl = `http://127.0.0.1:${port}`;
  await waitFor(`anvil on port ${port}`, async () => {
    if (exited) throw new Error(`anvil exited early (port ${port} in use?)`);
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  });
  return {
    port,
    rpcUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    chainId,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** anvil's well-known default dev keys (public test keys, funded only on local chains). */
export const ANVIL_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
] as const satisfies readonly `0x${string}`[];
