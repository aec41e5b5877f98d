// The PII canary: run the whole local stack on free ports, run the demo with a unique canary in
// every field of the person's document, then search every place data could leak — chain logs,
// calldata and all contract storage (through RPC), every file the stack wrote (Arweave store,
// indexer database files, process logs, the API/GraphQL responses and webhook bodies the demo
// received), the Ignition journal, and a table-by-table dump of the indexer database. The canary must appear nowhere.
// Positive controls prove each scanner does find it when it is there.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createPublicClient, createWalletClient, http, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { loadStackConfig, PORT_ENV_NAMES } from "../../scripts/stack/config.ts";
import { ignitionDeploymentId, startStack, type Stack } from "../../scripts/stack/index.ts";
import { scanBrowserCapture, scanChain, scanPaths, scanPgliteDump, submitThroughApp, type BrowserCapture } from "../../scripts/canary.ts";
import { execFileSync } from "node:child_process";
import { ANVIL_KEYS } from "../../scripts/lib/anvil.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("PII canary over the whole local stack", { timeout: 600_000 }, () => {
  const canary = `CANARY-${randomBytes(8).toString("hex")}`;
  const dataDir = mkdtempSync(join(tmpdir(), "onekey-canary-"));
  let stack: Stack;
  let demoOutput = "";
  let browser: (BrowserCapture & { recordId: string }) | undefined;

  before(async () => {
    // The web app is served by the stack once built: the browser path submits through it.
    execFileSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: join(ROOT, "app"), stdio: "inherit" });
    const config = await loadStackConfig({}, { freePorts: true, dataDir, clean: true });
    const stackLog = join(dataDir, "stack.log");
    stack = await startStack(config, (line) => appendFileSync(stackLog, `${line}\n`));
    const env: NodeJS.ProcessEnv = { ...process.env, ONEKEY_DATA_DIR: dataDir, ONEKEY_CANARY: canary };
    for (const [key, name] of Object.entries(PORT_ENV_NAMES)) env[name] = String(config.ports[key as keyof typeof config.ports]);
    demoOutput = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, "scripts/demo.ts")], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`demo exited ${code}:\n${out}`))));
    });
    // The browser path: a person submits through the app in Chromium, canary in every field and a document.
    browser = await submitThroughApp({ appUrl: stack.info.urls.app, canary });
  });

  after(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(join(ROOT, "ignition", "deployments", ignitionDeploymentId(dataDir)), { recursive: true, force: true });
  });

  it("the demo really carried the canary through encryption and decryption", () => {
    assert.match(demoOutput, /Demo complete/);
    assert.match(demoOutput, /full_name: \d+ characters, matches what the person entered: true/);
    assert.match(demoOutput, /after logging: opened full_name, date_of_birth, nationality/);
    // Reviewer offboarding: re-wrapped on-chain, read with the new key, the old key refused.
    assert.match(demoOutput, /review key version 2; 1 grant\(s\) re-wrapped in 1 transaction\(s\)/);
    assert.match(demoOutput, /the reviewer who stays reads 3 granted fields with the new key/);
    assert.match(demoOutput, /the old key on the current wrap: refused \(DecryptionFailedError\); the leaver's hasAccess: false/);
    assert.ok(!demoOutput.includes(canary), "the demo itself prints no field values");
  });

  it("the browser path: submitted through the app, and the canary is in no request the browser sent (bodies included) nor its console", () => {
    assert.ok(browser && /^0x[0-9a-f]{8}$/.test(browser.recordId), "the app registered a record");
    assert.ok(
      browser.requests.some((r) => r.method === "POST" && r.url.startsWith(stack.info.urls.arweave) && r.body.length > 0),
      "the upload was captured",
    );
    assert.ok(
      browser.requests.some((r) => r.url.startsWith(stack.info.urls.bundler)),
      "the user operation was captured",
    );
    assert.deepEqual(scanBrowserCapture(browser, canary), []);
    assert.ok(existsSync(join(stack.info.logsDir, "app-server.log")), "the app server's log is in the scanned data dir");
  });

  it("positive control: the browser-capture scanner finds a canary in a body, a URL and the console", () => {
    const planted = (where: "body" | "url" | "console") =>
      scanBrowserCapture(
        {
          requests: [
            {
              method: "POST",
              url: `http://127.0.0.1/${where === "url" ? encodeURIComponent(canary) : ""}`,
              headers: {},
              body: where === "body" ? Buffer.from(canary).toString("base64") : "",
            },
          ],
          console: where === "console" ? [`[log] ${canary}`] : [],
        },
        canary,
      );
    for (const where of ["body", "url", "console"] as const) assert.ok(planted(where).length > 0, where);
  });

  it("appears nowhere on the chain: blocks, calldata, receipts, logs, all contract storage", async () => {
    const hits = await scanChain(stack.info.rpcUrl, canary);
    assert.deepEqual(hits, []);
  });

  it("the indexer answered: GraphQL and API responses and signed webhooks were captured for the scan", () => {
    const responses = JSON.parse(readFileSync(join(dataDir, "demo", "responses.json"), "utf8")) as unknown[];
    const hooks = JSON.parse(readFileSync(join(dataDir, "demo", "webhooks.json"), "utf8")) as { verified: boolean; type: string; body: string }[];
    assert.ok(responses.length >= 3, "GraphQL/API responses recorded");
    assert.ok(hooks.length > 0 && hooks.every((h) => h.verified), "webhooks arrived with valid signatures");
    assert.ok(hooks.some((h) => h.type === "grant.created") && hooks.some((h) => h.type === "record.erased"));
    assert.ok(
      hooks.some((h) => h.type === "grant.rewrapped" && JSON.parse(h.body).data.reviewKeyVersion === "2"),
      "grant.rewrapped webhook with its review-key version",
    );
    assert.match(demoOutput, /audit log hash chain: \{"ok":true/);
    assert.ok(existsSync(join(dataDir, "ponder")), "the indexer database is in the scanned data dir");
  });

  it("appears nowhere in what the stack wrote: Arweave store, indexer database, API/GraphQL responses, webhook bodies, process logs", () => {
    const paths = [dataDir];
    const journal = join(ROOT, "ignition", "deployments");
    if (existsSync(journal)) paths.push(journal);
    const hits = scanPaths(paths, canary);
    assert.deepEqual(hits, [], `canary found: ${JSON.stringify(hits)}`);
  });

  it("positive controls: each scanner finds a planted canary", async () => {
    const planted = join(mkdtempSync(join(tmpdir(), "onekey-canary-control-")), "leak.log");
    writeFileSync(planted, `some log line ${Buffer.from(canary).toString("base64")} and more`);
    assert.ok(scanPaths([planted], canary).length > 0, "file scanner misses a base64 canary");
    rmSync(planted, { force: true });
    const wallet = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[7]), chain: foundry, transport: http(stack.info.rpcUrl) });
    const hash = await wallet.sendTransaction({ to: privateKeyToAccount(ANVIL_KEYS[6]).address, data: toHex(`leak ${canary}`) });
    await createPublicClient({ chain: foundry, transport: http(stack.info.rpcUrl) }).waitForTransactionReceipt({ hash });
    const hits = await scanChain(stack.info.rpcUrl, canary);
    assert.ok(
      hits.some((h) => h.encoding === "hex"),
      "chain scanner misses canary calldata",
    );
  });

  it("appears nowhere in a table-by-table dump of the indexer database (taken after the stack stops)", async () => {
    await stack.stop(); // PGlite is single-process: the indexer must release its database first
    const { hits, tables, rows } = await scanPgliteDump(join(dataDir, "ponder"), canary);
    assert.ok(tables >= 10 && rows > 0, `the dump read the indexer's tables (${tables} tables, ${rows} rows)`);
    assert.deepEqual(hits, [], `canary found: ${JSON.stringify(hits)}`);
  });

  it("positive control: the dump finds a canary stored compressed, which a raw file scan misses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-canary-pglite-"));
    try {
      const { PGlite } = await import("@electric-sql/pglite");
      const db = new PGlite(dir);
      await db.exec(`CREATE SCHEMA app; CREATE TABLE app.notes (body text)`);
      // 8 KB of repeated text is TOAST-compressed on disk; the canary sits in the middle.
      await db.query(`INSERT INTO app.notes VALUES ($1)`, [`${"x".repeat(4096)}${canary}${"x".repeat(4096)}`]);
      await db.close();
      assert.deepEqual(scanPaths([dir], canary), [], "compressed on disk: the raw scan alone would miss it");
      assert.ok((await scanPgliteDump(dir, canary)).hits.some((h) => h.source === "indexer table app.notes"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
