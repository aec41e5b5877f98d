// Base Sepolia and Base in the app, without live Base traffic: the operator's file (what
// ONEKEY_APP_CONFIG names) merged over the local entry by the real app server, bad files refused
// in plain words (in process and by the standalone server), and the network picker in Chromium.
// Every URL of the test entries is loopback: Base Sepolia's RPC is an anvil started with chain id
// 84532; Base's points at the same node, so the page must notice it answers for another chain.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { createPublicClient, http } from "viem";
import { startAnvil, type Anvil } from "../../../scripts/lib/anvil.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { AppConfigFileError, loadAppConfigFile, startAppServer, type AppServer } from "../../../scripts/stack/app-server.ts";
import { ChainMismatchError, verifyRpcChain } from "../../src/shell/config.ts";
import { launchChromium, newActor, ROOT } from "./harness.ts";

const info = inject("stack");
let anvil: Anvil;
let dir: string;
let local: Record<string, unknown>;
let served: AppServer;
let browser: Browser;

const addresses = {
  projectRegistry: "0x1000000000000000000000000000000000000001",
  recordRegistry: "0x1000000000000000000000000000000000000002",
  attestationRegistry: "0x1000000000000000000000000000000000000003",
  paymaster: "0x1000000000000000000000000000000000000004",
  factory: "0x1000000000000000000000000000000000000005",
};
/** The docs' Base Sepolia example with loopback URLs (ports nobody listens on, except the RPC). */
const entry = (chainId: number, name: string, rpcUrl: string) => ({
  chainId,
  name,
  rpcUrl,
  bundlerUrl: "http://127.0.0.1:9/bundler",
  sponsorUrl: "http://127.0.0.1:9/sponsor",
  indexerUrl: "http://127.0.0.1:9/indexer",
  indexerApiKey: "ok_pub_example",
  storageUrls: ["http://127.0.0.1:9/arweave"],
  fromBlock: "1",
  sponsor: { projectId: "1", ticketUrl: "http://127.0.0.1:9/ticket" },
  addresses,
});
const file = (name: string, body: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof body === "string" ? body : JSON.stringify(body, null, 2));
  return path;
};
let good: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "onekey-app-networks-"));
  anvil = await startAnvil({ chainId: 84532 });
  local = (await (await fetch(`${info.urls.app}/config.json`)).json()) as Record<string, unknown>;
  good = file("networks.json", { networks: [entry(84532, "Base Sepolia", anvil.rpcUrl), entry(8453, "Base", anvil.rpcUrl)] });
  served = await startAppServer({ distDir: join(ROOT, "app/dist"), config: loadAppConfigFile(good, local), port: await freePort() });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the operator's file", () => {
  test("the app server serves the local network and the file's Base Sepolia and Base entries", async () => {
    const config = (await (await fetch(`${served.url}/config.json`)).json()) as {
      networks: { chainId: number; addresses: typeof addresses }[];
      defaultChainId: number;
    };
    expect(config.networks.map((n) => n.chainId)).toEqual([31337, 84532, 8453]);
    // The local stack stays the default unless the file says otherwise.
    expect(config.defaultChainId).toBe(31337);
    expect(config.networks[1].addresses.factory).toBe(addresses.factory);
    // The file's entry for a chain replaces the local one; its defaultChainId wins.
    const override = loadAppConfigFile(
      file("override.json", { defaultChainId: 84532, networks: [{ ...local, name: "Local (operator)" }, entry(84532, "Base Sepolia", anvil.rpcUrl)] }),
      local,
    );
    expect(override.networks.map((n) => [n.chainId, n.name])).toEqual([
      [31337, "Local (operator)"],
      [84532, "Base Sepolia"],
    ]);
    expect(override.defaultChainId).toBe(84532);
  });

  test("a bad file is refused at start, in plain words naming the file and what is wrong", () => {
    const refused = (path: string) => {
      try {
        loadAppConfigFile(path, local);
      } catch (e) {
        expect(e).toBeInstanceOf(AppConfigFileError);
        return (e as Error).message;
      }
      throw new Error(`${path} was accepted`);
    };
    expect(refused(join(dir, "missing.json"))).toMatch(/missing\.json: the file cannot be read/);
    expect(refused(file("broken.json", "{ networks: ["))).toMatch(/broken\.json: it is not valid JSON/);
    expect(refused(file("array.json", []))).toMatch(/it is not a JSON object/);
    const { factory: _, ...noFactory } = addresses;
    expect(refused(file("nofactory.json", { networks: [{ ...entry(84532, "Base Sepolia", anvil.rpcUrl), addresses: noFactory }] }))).toMatch(
      /network 84532 \(Base Sepolia\) lacks addresses\.factory/,
    );
    const { bundlerUrl: _b, ...noBundler } = entry(8453, "Base", anvil.rpcUrl);
    expect(refused(file("nobundler.json", noBundler))).toMatch(/network 8453: bundlerUrl is missing/);
    expect(refused(file("wrongid.json", { ...entry(8453, "Base", anvil.rpcUrl), chainId: "base" }))).toMatch(/chainId base is not a chain id/);
  });

  test("the standalone app server: a bad file exits 1 with the reason; a good one is served", async () => {
    const run = (env: Record<string, string>) => {
      const child = spawn(process.execPath, [join(ROOT, "scripts/stack/app-server.ts")], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      return { child, out: () => out, exited: new Promise<number | null>((r) => child.on("exit", r)) };
    };
    const bad = run({ ONEKEY_APP_CONFIG: file("bad-cli.json", { chainId: 84532 }) });
    expect(await bad.exited).toBe(1);
    expect(bad.out()).toMatch(/app-server: ONEKEY_APP_CONFIG=.*bad-cli\.json: .*not usable: network 84532 \(Base Sepolia\) lacks addresses\.projectRegistry/);
    const port = await freePort();
    const ok = run({ ONEKEY_APP_CONFIG: good, ONEKEY_APP_PORT: String(port) });
    try {
      const deadline = Date.now() + 60_000;
      while (!ok.out().includes("app: http://127.0.0.1") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const config = (await (await fetch(`http://127.0.0.1:${port}/config.json`)).json()) as { networks: { chainId: number }[] };
      expect(config.networks.map((n) => n.chainId)).toEqual([84532, 8453]);
    } finally {
      ok.child.kill("SIGTERM");
      await ok.exited;
    }
  });

  test("an RPC that answers for another chain is refused by name", async () => {
    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    await expect(verifyRpcChain(client, { name: "Base Sepolia", chainId: 84532 })).resolves.toBeUndefined();
    await expect(verifyRpcChain(client, { name: "Base", chainId: 8453 })).rejects.toThrow(ChainMismatchError);
  });
});

test("Chromium: the header says which network; the picker switches to Base Sepolia and Base and back, with traffic to loopback only", async () => {
  const person = await newActor(browser, "network-picker", served.url);
  const { page } = person;
  const now = page.getByTestId("network-now");
  const picker = page.getByLabel("Network", { exact: true });
  await person.step("starts on the local chain", async () => {
    await now.filter({ hasText: "On Local chain (chain 31337)" }).waitFor();
    expect(await picker.locator("option").allInnerTexts()).toEqual(["Local chain", "Base Sepolia", "Base"]);
  });
  await person.step("switch to Base Sepolia", async () => {
    await picker.selectOption({ label: "Base Sepolia" });
    await now.filter({ hasText: "On Base Sepolia (chain 84532)" }).waitFor();
    // Its RPC (anvil on chain 84532) answers for the right chain: no mismatch shown.
    await page.getByRole("heading", { name: "Connect a wallet" }).waitFor();
    expect(await page.getByRole("alert").filter({ hasText: "answers for chain" }).count()).toBe(0);
  });
  await person.step("the choice survives a reload", async () => {
    await page.reload();
    await now.filter({ hasText: "On Base Sepolia (chain 84532)" }).waitFor();
  });
  await person.step("switch to Base, whose RPC answers for another chain", async () => {
    await picker.selectOption({ label: "Base" });
    await now.filter({ hasText: "On Base (chain 8453)" }).waitFor();
    await page.getByRole("alert").filter({ hasText: "The RPC configured for Base answers for chain 84532, not 8453" }).waitFor();
  });
  await person.step("back to the local chain", async () => {
    await picker.selectOption({ label: "Local chain" });
    await now.filter({ hasText: "On Local chain (chain 31337)" }).waitFor();
    await page.getByRole("button", { name: /Dev account 6/ }).waitFor();
    expect(await page.getByRole("alert").filter({ hasText: "answers for chain" }).count()).toBe(0);
  });
  for (const r of person.requests) expect(new URL(r.url).hostname, r.url).toBe("127.0.0.1");
  // The Base Sepolia RPC was really asked (not just the local one).
  expect(person.requests.some((r) => r.url.startsWith(anvil.rpcUrl))).toBe(true);
  await person.context.close();
});
