// End-to-end harness: the local stack on free ports in this process, the app built once, Debian's
// Chromium through playwright-core, one browser context per actor. A failing step leaves a
// screenshot and the page's console under .onekey/test-logs/app/.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
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
