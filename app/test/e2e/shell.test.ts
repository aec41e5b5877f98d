// The shell in Chromium: the app server serves the app and /config.json, refuses what is not a
// file, and the page loads its config and connects a dev wallet.
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, newActor } from "./harness.ts";

const info = inject("stack");
const app = info.urls.app;
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test("the app server serves files and config only, and refuses the rest with a 4xx", async () => {
  const config = await (await fetch(`${app}/config.json`)).json();
  expect(config.chainId).toBe(31337);
  expect(config.addresses.recordRegistry).toBe(info.addresses.recordRegistry);
  expect(config.sponsor.projectId).toBe(info.appProjectId);
  const index = await fetch(`${app}/some/client/route`);
  expect(index.status).toBe(200);
  expect(await index.text()).toContain('<div id="root">');
  expect((await fetch(`${app}/assets/missing.js`)).status).toBe(404);
  expect((await fetch(`${app}/`, { method: "POST", body: "x" })).status).toBe(405);
  // Path traversal, raw and encoded: never a file outside app/dist.
  for (const path of ["/..%2f..%2fpackage.json", "/%2e%2e/%2e%2e/package.json", "/assets/..%5c..%5cpackage.json", "/%00"]) {
    const res = await fetch(`${app}${path}`);
    expect(res.status, path).toBeGreaterThanOrEqual(400);
    expect(res.status, path).toBeLessThan(500);
    expect(await res.text(), path).not.toContain('"workspaces"');
  }
  expect((await fetch(`${app}/${"a".repeat(3000)}`)).status).toBe(414);
});

test("the page loads its config, lists the wallets and connects a dev account", async () => {
  const person = await newActor(browser, "shell-person", app);
  const { page } = person;
  await person.step("connect", async () => {
    await page.getByRole("heading", { name: "Connect a wallet" }).waitFor();
    expect(await page.getByText("You never need ETH").isVisible()).toBe(true);
    await page.getByRole("button", { name: /Dev account 6/ }).click();
    await page.getByRole("heading", { name: "Wallet" }).waitFor();
  });
  await person.context.close();
});
