// Web-app benchmark on the local stack in headless Chromium: open-to-interactive (a fresh browser
// context each run: cold cache), "a person submits a 5 MB document -> the attestation is visible
// on their page" with the reviewer attesting as soon as the indexer shows the record (scripted: no
// human in the loop), and the app's bundle size (gzip, SDK crypto included).
// Run: npm run bench:app (BENCH_RUNS, default 5). Prints a table, writes bench/results/app.json.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createWalletClient, http, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { Roles } from "@onekey/sdk/constants";
import { attest, createProject, grantRoles } from "@onekey/sdk/contracts";
import { launchChromium } from "../lib/chromium.ts";
import { loadStackConfig } from "../stack/config.ts";
import { startStack } from "../stack/index.ts";
import { printTable, writeResults, type Row } from "./report.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DOC_BYTES = 5 * 1024 * 1024;
const ROOT = new URL("../..", import.meta.url).pathname;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];

function bundleSize() {
  const dir = join(ROOT, "app/dist/assets");
  let raw = 0;
  let gz = 0;
  for (const f of readdirSync(dir).filter((f) => /\.(js|css)$/.test(f))) {
    const b = readFileSync(join(dir, f));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
  }
  return { raw, gz };
}

const dataDir = mkdtempSync(join(tmpdir(), "onekey-bench-app-"));
const stack = await startStack(await loadStackConfig({ ...process.env, ONEKEY_DATA_DIR: "" }, { freePorts: true, clean: true, dataDir }), () => {});
const browser = await launchChromium();
try {
  const { info } = stack;
  const app = info.urls.app;
  if (!app) throw new Error("the app is not built: run `npm run build:app`");
  const key = (role: string) => info.accounts.find((a) => a.role === role)!.privateKey;
  const eoa = (k: Hex) => createWalletClient({ account: privateKeyToAccount(k), chain: foundry, transport: http(info.rpcUrl) });
  // The local chain's registries: the SDK records no deployment for it.
  const on = { addresses: info.addresses };
  const admin = eoa(key("org-admin"));
  const reviewer = eoa(key("reviewer"));
  const cfg = (await (await fetch(`${app}/config.json`)).json()) as { indexerApiKey: string };

  // Open -> interactive: the first connect button can be pressed.
  const interactive: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const t = performance.now();
    await page.goto(app);
    await page.getByRole("button", { name: /Dev account 6/ }).waitFor();
    const ms = performance.now() - t;
    if (i > 0) interactive.push(ms); // the first run warms the OS page cache and Chromium itself
    await context.close();
  }

  // Submit 5 MB -> attestation visible.
  const context = await browser.newContext();
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  await page.goto(app);
  await page.getByRole("button", { name: /Dev account 6/ }).click();
  await page.getByRole("button", { name: "Set up my account and keys" }).click();
  await page.getByRole("heading", { name: "My OneKey account" }).waitFor();
  const subject = (await page.getByLabel("Smart account address").textContent()) as Address;
  const records = async () => {
    const res = await fetch(`${info.urls.api}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${cfg.indexerApiKey}` },
      body: JSON.stringify({ query: `{ records(where: { owner: "${subject.toLowerCase()}" }, limit: 1000) { items { id } } }` }),
    });
    return ((await res.json()) as { data: { records: { items: { id: Hex }[] } } }).data.records.items.map((r) => r.id);
  };
  const submitToVisible: number[] = [];
  const submitToRegistered: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { projectId } = await createProject(admin, {
      ...on,
      metadataURI: `data:application/json,${encodeURIComponent(JSON.stringify({ name: `Bench ${i}` }))}`,
    });
    await grantRoles(admin, { ...on, projectId, account: reviewer.account.address, roles: Roles.REVIEWER });
    const before = new Set(await records());
    await page.getByLabel("First name").fill(`Bench person ${i}`);
    await page.getByLabel("Front of the document").setInputFiles({
      name: "document.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(DOC_BYTES - 9)]),
    });
    await page.getByText("1 document chosen").waitFor();
    const t = performance.now();
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    // The reviewer, scripted: attests the moment the indexer shows the new record.
    let recordId: Hex | undefined;
    while (!recordId) {
      recordId = (await records()).find((id) => !before.has(id));
      if (!recordId) await new Promise((r) => setTimeout(r, 50));
    }
    submitToRegistered.push(performance.now() - t);
    await attest(reviewer, { ...on, projectId, subject, level: 2, expiry: BigInt(Math.floor(Date.now() / 1000) + 86_400), claims: 0, recordId });
    await page
      .getByTestId("attestation")
      .filter({ hasText: `Bench ${i} (#${projectId})` })
      .waitFor();
    submitToVisible.push(performance.now() - t);
  }
  await context.close();

  const size = bundleSize();
  const rows: Row[] = [
    { metric: "open -> interactive (ms)", p50: quantile(interactive, 0.5), p95: quantile(interactive, 0.95), target: "<= 1500", runs: interactive.length },
    { metric: "submit 5 MB -> record indexed (ms)", p50: quantile(submitToRegistered, 0.5), p95: quantile(submitToRegistered, 0.95), target: "", runs: RUNS },
    {
      metric: "submit 5 MB -> attestation visible (ms)",
      p50: quantile(submitToVisible, 0.5),
      p95: quantile(submitToVisible, 0.95),
      target: "<= 5000",
      runs: RUNS,
    },
    { metric: "bundle js+css gzip (KiB)", p50: Math.round(size.gz / 1024), p95: undefined, target: "", runs: 1 },
    { metric: "bundle js+css raw (KiB)", p50: Math.round(size.raw / 1024), p95: undefined, target: "", runs: 1 },
  ];
  printTable(`Web app on the local stack (Chromium, ${RUNS} runs)`, rows);
  // With a handful of runs p95 is the slowest run: show every run, so one outlier on a shared
  // machine reads as one.
  console.log(`submit -> attestation visible, each run (ms): ${submitToVisible.map((ms) => Math.round(ms)).join(", ")}`);
  console.log(
    `wrote ${writeResults("app", {
      interactive_p50_ms: quantile(interactive, 0.5),
      interactive_p95_ms: quantile(interactive, 0.95),
      submit_5mb_to_indexed_p50_ms: quantile(submitToRegistered, 0.5),
      submit_5mb_to_indexed_p95_ms: quantile(submitToRegistered, 0.95),
      submit_5mb_to_attestation_visible_p50_ms: quantile(submitToVisible, 0.5),
      submit_5mb_to_attestation_visible_p95_ms: quantile(submitToVisible, 0.95),
      bundle_gzip_bytes: size.gz,
      bundle_raw_bytes: size.raw,
    })}`,
  );
} finally {
  await browser.close();
  await stack.stop();
}
