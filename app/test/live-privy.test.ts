// Live test of the email-login connector against Privy itself: the app's real Connect screen and
// Privy client (src/shell/privy.ts, @privy-io/js-sdk-core) in Debian's Chromium. It runs only with
// a Privy app and one of its test accounts (Dashboard -> User management -> Authentication ->
// Advanced -> Test accounts gives an email and a fixed one-time code):
//   PRIVY_APP_ID, PRIVY_TEST_EMAIL, PRIVY_TEST_OTP
//   PRIVY_TEST_PORT (optional): the page's port, so its origin http://localhost:<port> can be put
//   in the Privy app's allowed origins; a free port otherwise.
// Without them it is reported as skipped (its title says why). Two logins, each in a fresh browser
// context (no Privy session or key share left from the first): both reach the same embedded
// wallet, and the key the app derives from its EIP-712 signature is the same both times.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import type { Browser } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchChromium } from "../../scripts/lib/chromium.ts";

const env = process.env;
const missing = ["PRIVY_APP_ID", "PRIVY_TEST_EMAIL", "PRIVY_TEST_OTP"].filter((k) => !env[k]);
const reason = missing.length ? `skipped: ${missing.join(", ")} not set` : !hasChromium() ? "skipped: no Chromium" : "";

// A network the page never writes to: only the wallet's signature is exercised here.
const networkConfig = (appId: string) => ({
  chainId: 84532,
  name: "Base Sepolia",
  rpcUrl: "https://sepolia.base.org",
  bundlerUrl: "http://127.0.0.1:9/bundler",
  sponsorUrl: "http://127.0.0.1:9/sponsor",
  indexerUrl: "http://127.0.0.1:9/indexer",
  storageUrls: ["http://127.0.0.1:9/storage"],
  sponsor: { projectId: "1", ticketUrl: "http://127.0.0.1:9/ticket" },
  addresses: {
    projectRegistry: "0x0000000000000000000000000000000000000001",
    recordRegistry: "0x0000000000000000000000000000000000000002",
    attestationRegistry: "0x0000000000000000000000000000000000000003",
    paymaster: "0x0000000000000000000000000000000000000004",
    factory: "0x0000000000000000000000000000000000000005",
  },
  privyAppId: appId,
});

/**
 * The page, built by Vite with the app's own config (so Privy's SDK is the same lazy chunk as in
 * app/dist) and served on loopback for a given Privy app id.
 */
async function servePrivyPage(appId: string, port = 0) {
  const outDir = mkdtempSync(join(tmpdir(), "onekey-privy-page-"));
  await build({
    root: join(import.meta.dirname, "live"),
    configFile: join(import.meta.dirname, "../vite.config.ts"),
    // Privy's chunk is over Vite's 500 kB warning size by design (it is the lazy one).
    logLevel: "error",
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });
  const config = `<script>window.__ONEKEY_CONFIG__ = ${JSON.stringify(networkConfig(appId))};</script>`;
  const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = normalize(join(outDir, path === "/" ? "index.html" : path));
    if (!file.startsWith(outDir) || !existsSync(file)) return res.writeHead(404).end();
    const body = path === "/" ? readFileSync(file, "utf8").replace("<!--onekey-config-->", config) : readFileSync(file);
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://localhost:${(server.address() as { port: number }).port}/`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

// No credentials needed: every request off this machine is aborted by the browser (so the test
// sends nothing anywhere), which is what a person behind a broken connection sees. The real SDK
// loads, starts, fails to reach Privy, and the page says so in plain words.
describe.skipIf(!hasChromium())("Privy email login, with Privy unreachable", () => {
  it("the real client fails in plain words, keeps the email typed, and tries Privy again on retry", async () => {
    const page0 = await servePrivyPage("clonekeyofflinetest0000000");
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const offsite: string[] = [];
      await context.route(
        (u) => !["localhost", "127.0.0.1"].includes(u.hostname),
        (route) => {
          offsite.push(new URL(route.request().url()).hostname);
          return route.abort("internetdisconnected");
        },
      );
      const page = await context.newPage();
      const scripts: string[] = [];
      page.on("request", (r) => {
        if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname);
      });
      await page.goto(page0.url);
      const login = page.getByRole("group", { name: "Email login" });
      await login.getByLabel("Email").fill("ada@example.org");
      // Opening the page reached nothing of Privy's, nor loaded its SDK: that chunk is fetched
      // when the person asks for a code.
      expect(offsite).toEqual([]);
      const privyChunk = (p: string) => /\/assets\/privy-[\w-]+\.js$/.test(p);
      expect(scripts.filter(privyChunk)).toEqual([]);
      await login.getByRole("button", { name: "Send me a code" }).click();
      await expect.poll(() => page.getByRole("alert").textContent(), { timeout: 90_000 }).toContain("The email login service (Privy) is not reachable.");
      expect(await login.getByLabel("Email").inputValue()).toBe("ada@example.org");
      // The SDK's chunk came, and it was Privy the page then tried to reach.
      expect(scripts.filter(privyChunk)).toHaveLength(1);
      expect(offsite.some((h) => h.endsWith("privy.io"))).toBe(true);
      // Trying again starts Privy again (a failed start is not kept), with the same chunk.
      const attempts = offsite.length;
      await login.getByRole("button", { name: "Send me a code" }).click();
      await expect.poll(() => offsite.length, { timeout: 90_000 }).toBeGreaterThan(attempts);
      await expect.poll(() => page.getByRole("alert").textContent(), { timeout: 90_000 }).toContain("The email login service (Privy) is not reachable.");
      expect(scripts.filter(privyChunk)).toHaveLength(1);
      await context.close();
    } finally {
      await browser.close();
      await page0.stop();
    }
  });
});

describe.skipIf(reason !== "")(`Privy email login, live${reason ? ` (${reason})` : ""}`, () => {
  let browser: Browser;
  let served: Awaited<ReturnType<typeof servePrivyPage>>;

  beforeAll(async () => {
    served = await servePrivyPage(env.PRIVY_APP_ID!, Number(env.PRIVY_TEST_PORT ?? 0));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  async function logIn(code: string) {
    const context = await browser.newContext();
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    const lines: string[] = [];
    page.on("console", (m) => lines.push(`[${m.type()}] ${m.text()}`));
    await page.goto(served.url);
    const login = page.getByRole("group", { name: "Email login" });
    await login.getByLabel("Email").fill(env.PRIVY_TEST_EMAIL!);
    await login.getByLabel("Email").press("Enter");
    await login.getByLabel("Code from the email").fill(code);
    await login.getByLabel("Code from the email").press("Enter");
    const fail = async (error: unknown) => {
      const alerts = await page
        .getByRole("alert")
        .allInnerTexts()
        .catch(() => []);
      return new Error(`${(error as Error).message}\npage alerts: ${alerts.join(" | ")}\nconsole:\n${lines.slice(-30).join("\n")}`);
    };
    return { context, page, login, fail };
  }

  async function logInAndDerive() {
    const { context, page, fail } = await logIn(env.PRIVY_TEST_OTP!);
    try {
      const address = (await page.getByLabel("Wallet address").textContent())!;
      await page.getByRole("button", { name: "Derive my keys" }).click();
      const publicKey = (await page.getByLabel("Public key").textContent())!;
      return { address, publicKey };
    } catch (error) {
      throw await fail(error);
    } finally {
      await context.close();
    }
  }

  it("logs in with the test account's one-time code, signs the key-derivation typed data, and derives the same key on a second login", async () => {
    const first = await logInAndDerive();
    expect(first.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(first.publicKey).toMatch(/^0x[0-9a-f]{64}$/);
    const second = await logInAndDerive();
    expect(second).toEqual(first);
  }, 300_000);

  it("a wrong code is refused in plain words and the person stays on the code step", async () => {
    const wrong = env.PRIVY_TEST_OTP === "000000" ? "111111" : "000000";
    const { context, page, login } = await logIn(wrong);
    try {
      await expect.poll(() => page.getByRole("alert").textContent(), { timeout: 60_000 }).toContain("That code is not right");
      expect(await login.getByLabel("Code from the email").inputValue()).toBe(wrong);
    } finally {
      await context.close();
    }
  }, 120_000);
});
