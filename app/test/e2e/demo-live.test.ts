// `npm start -- --demo`, watched in the app: the console is open, connected as the demo's
// org-admin (anvil's dev account 1, as start.ts tells people), when the scripted demo
// (scripts/demo.ts) runs against the same stack. Without a reload, the demo's project appears under
// "Your projects" and, with the API key the demo prints, its record's grant shows in the review
// queue while the demo is still running; its attestation and audit access then show in the audit
// log. The demo is paced (ONEKEY_DEMO_STEP_MS, as start.ts sets it) so a person can follow.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { privateKeyToAccount } from "viem/accounts";
import { ANVIL_KEYS, eventually, launchChromium, newActor, ROOT, type Actor } from "./harness.ts";

const info = inject("stack");
const app = info.urls.app;
// start.ts tells people to pick the demo's org-admin: its index in anvil's keys is its dev account number.
const ADMIN_DEV = info.accounts.findIndex((a) => a.role === "org-admin");

let browser: Browser;
let demo: ChildProcess | undefined;
let out = "";
let exited: Promise<number | null>;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  if (demo && demo.exitCode === null) demo.kill("SIGTERM");
  await browser?.close();
});

const running = () => demo !== undefined && demo.exitCode === null;
const printed = (re: RegExp) => eventually(`the demo to print ${re}`, async () => re.exec(out)?.[1], 180_000);

test("the demo's project, record, attestation and audit entries appear in the open console as the demo makes them", async () => {
  const admin: Actor = await newActor(browser, "demo-watcher", `${app}/org`);
  const { page } = admin;
  expect(privateKeyToAccount(ANVIL_KEYS[ADMIN_DEV]).address).toBe(privateKeyToAccount(info.accounts[ADMIN_DEV].privateKey).address);
  await admin.step("connect as the demo's org-admin", async () => {
    await page.getByRole("button", { name: new RegExp(`Connect Dev account ${ADMIN_DEV} `) }).click();
    await page.getByRole("heading", { name: "Your projects" }).waitFor();
  });

  demo = spawn(process.execPath, [join(ROOT, "scripts/demo.ts")], {
    cwd: ROOT,
    env: { ...process.env, ONEKEY_DATA_DIR: info.dataDir, ONEKEY_DEMO_STEP_MS: "2500" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  demo.stdout!.on("data", (d) => (out += d));
  demo.stderr!.on("data", (d) => (out += d));
  exited = new Promise((r) => demo!.once("exit", r));

  const projectId = await printed(/project (\d+); reviewer/);
  await admin.step("the project appears under Your projects, no reload", async () => {
    await page.getByRole("link", { name: `Project ${projectId}`, exact: true }).waitFor({ timeout: 30_000 });
  });
  expect(running(), "the demo was still running when its project showed").toBe(true);
  expect(out).toContain(`watch it live: ${app}/org/p/${projectId}`);

  await page.getByRole("link", { name: `Project ${projectId}`, exact: true }).click();
  await page.getByRole("heading", { name: `Project ${projectId}` }).waitFor();
  const apiKey = await printed(/shown once, for the console: (ok_[A-Za-z0-9_-]+)/);
  await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Reviews", exact: true }).click();
  await admin.step("the demo's grant shows in the review queue while it runs", async () => {
    await page.getByLabel("Project API key").fill(apiKey);
    await page.getByRole("button", { name: "Use this key" }).click();
    const recordId = await printed(/record (0x[0-9a-f]{64}) registered/);
    await page.getByRole("button", { name: `Review record ${recordId}` }).waitFor({ timeout: 60_000 });
    expect(running(), "the demo was still running when its grant showed").toBe(true);
  });

  await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name: "Audit", exact: true }).click();
  await admin.step("the audit log fills as the demo goes on", async () => {
    for (const type of ["project.created", "member.roles_granted", "grant.created", "attestation.created"])
      await page.getByTestId("audit-row").filter({ hasText: type }).first().waitFor({ timeout: 120_000 });
  });
  expect(await exited).toBe(0);
  await admin.step("the revocation at the demo's end arrives too", async () => {
    await page.getByTestId("audit-row").filter({ hasText: "grant.revoked" }).first().waitFor({ timeout: 60_000 });
  });
  expect(out).toContain("Demo complete.");
});
