// End-to-end harness: the local stack on free ports in this process, the app built once, Debian's
// Chromium through playwright-core, one browser context per actor. A failing step leaves a
// screenshot and the page's console under .onekey/test-logs/app/.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { createPublicClient, createWalletClient, http, parseEther, type Address, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { fundProject } from "@onekey/sdk/aa";
import { ApiKeyScopes, Roles } from "@onekey/sdk/constants";
import { addApiKey, apiKeyHash, createProject, getProject, grantRoles, setEscrowKey } from "@onekey/sdk/contracts";
import { generateX25519KeyPair, toHex as bytesHex } from "@onekey/sdk/crypto";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil.ts";
import { connectStackReview } from "../../../scripts/stack/review.ts";
import { launchChromium } from "../../../scripts/lib/chromium.ts";
import { loadStackConfig } from "../../../scripts/stack/config.ts";
import type { Stack, StackInfo } from "../../../scripts/stack/index.ts";

export const ROOT = resolve(new URL("../../..", import.meta.url).pathname);
export const LOG_DIR = join(ROOT, ".onekey/test-logs/app");

/** Builds app/dist (vite, browser conditions: the SDK's browser entries). */
export function buildApp(): void {
  execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: join(ROOT, "app"), stdio: "inherit" });
}

/** The whole local stack on free ports with a fresh data dir (the app server included). */
export async function startTestStack(): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), "onekey-app-e2e-"));
  const config = await loadStackConfig({ ...process.env, ONEKEY_DATA_DIR: "" }, { freePorts: true, clean: true, dataDir });
  const { startStack } = await import("../../../scripts/stack/index.ts");
  return startStack(config, () => {});
}

export interface Actor {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Everything the page printed to its console. */
  console: string[];
  /** Every request the page sent: method, URL, headers and body (for the PII canary). */
  requests: { method: string; url: string; headers: Record<string, string>; body: string }[];
  /** Runs one step; on failure saves a screenshot and the console, then rethrows. */
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

const slug = (s: string) =>
  s
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);

export async function newActor(browser: Browser, name: string, appUrl: string): Promise<Actor> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const consoleLines: string[] = [];
  const requests: Actor["requests"] = [];
  page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`[pageerror] ${e.message}`));
  context.on("request", (r: Request) => {
    const buf = r.postDataBuffer();
    requests.push({ method: r.method(), url: r.url(), headers: r.headers(), body: buf ? buf.toString("latin1") : "" });
  });
  await page.goto(appUrl);
  return {
    name,
    context,
    page,
    console: consoleLines,
    requests,
    async step(title, fn) {
      try {
        return await fn();
      } catch (error) {
        mkdirSync(LOG_DIR, { recursive: true });
        const base = join(LOG_DIR, `${slug(name)}--${slug(title)}`);
        // The errors the page shows, with their folded-away technical detail.
        for (const b of await page.getByRole("button", { name: "Details" }).all()) await b.click().catch(() => undefined);
        const shown = await page
          .locator("[role=alert]")
          .allInnerTexts()
          .catch(() => []);
        consoleLines.push(...shown.map((t) => `[page alert] ${t}`));
        await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => undefined);
        writeFileSync(`${base}.console.log`, `${consoleLines.join("\n")}\n\nerror: ${(error as Error).stack ?? String(error)}\n`);
        throw error;
      }
    },
  };
}

export { launchChromium };
export type { StackInfo };

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

/** The project the stack's review service serves, set up once per run (global-setup.ts). */
export interface ServedProject {
  projectId: string;
  name: string;
  /** A read-scope API key the console's reviewer pastes for the review service (a test value). */
  consoleKey: string;
}

export const SERVED_PROJECT_NAME = "Northwind Review Desk";

/**
 * Creates the project the review service serves (the stack's next project id, so it runs before
 * any test file creates one) and connects it to the service as its admin would: the service's
 * API key and review key, REVIEWER for the service's attester (anvil's "reviewer" account, which
 * is also the console's reviewer), SPONSOR for the ticket desk with a funded budget (people's
 * grants to it are sponsored), an escrow key, and a key for the console.
 */
export async function setUpServedProject(info: StackInfo): Promise<ServedProject> {
  if (!info.review) throw new Error("the stack reports no review service project");
  const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) }) as PublicClient;
  const role = (r: string) => info.accounts.find((a) => a.role === r)!.privateKey;
  const admin = createWalletClient({ account: privateKeyToAccount(role("org-admin")), chain: foundry, transport: http(info.rpcUrl) });
  const on = { addresses: info.addresses };
  const projectId = BigInt(info.review.projectId);
  const exists = (await getProject(publicClient, { ...on, projectId }).catch(() => undefined))?.admin;
  if (!exists || /^0x0+$/.test(exists)) {
    const meta = `data:application/json,${encodeURIComponent(JSON.stringify({ name: SERVED_PROJECT_NAME }))}`;
    const created = await createProject(admin, { ...on, metadataURI: meta });
    if (created.projectId !== projectId) throw new Error(`project ${created.projectId} was created, but the review service serves ${projectId}`);
    await setEscrowKey(admin, { ...on, projectId, publicKey: bytesHex((await generateX25519KeyPair()).publicKey) });
    await grantRoles(admin, { ...on, projectId, account: privateKeyToAccount(role("sponsor-signer")).address, roles: Roles.SPONSOR });
    await fundProject(admin, { paymaster: info.addresses.paymaster as Address, projectId, value: parseEther("2") });
  }
  await connectStackReview(admin, publicClient, {
    projectId,
    reviewPublicKey: info.review.publicKey,
    attesterKey: role("reviewer"),
    addresses: info.addresses,
  });
  const consoleKey = `ok_console_${randomBytes(12).toString("base64url")}`;
  const expiry = (await publicClient.getBlock()).timestamp + 86_400n;
  await addApiKey(admin, { ...on, projectId, keyHash: apiKeyHash(consoleKey), scopes: ApiKeyScopes.read, expiry });
  return { projectId: projectId.toString(), name: SERVED_PROJECT_NAME, consoleKey };
}

export { ANVIL_KEYS };
