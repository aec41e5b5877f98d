// The console's refusals, end to end: real refusals from the running sponsor service (an
// unauthorised request, an expired ticket), then the Sponsorship screen in Chromium reads them
// with the project's read-scope key and shows them in plain words, per hour and as a table.
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { createPublicClient, createWalletClient, encodeFunctionData, http, keccak256, parseAbi, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { recordRegistryAbi } from "@onekey/sdk/abis";
import { signSponsorshipTicket } from "@onekey/sdk/aa";
import { ApiKeyScopes } from "@onekey/sdk/constants";
import { addApiKey, apiKeyHash } from "@onekey/sdk/contracts";
import { launchChromium, newActor } from "./harness.ts";

const info = inject("stack");
const app = info.urls.app!;
const projectId = BigInt(info.appProjectId!);
const key = (role: string) => info.accounts.find((a) => a.role === role)!.privateKey as Hex;
const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) });
const wallet = (role: string) => createWalletClient({ account: privateKeyToAccount(key(role)), chain: foundry, transport: http(info.rpcUrl) });
const READ_KEY = `ok_refusals_${Date.now()}`;
const executeAbi = parseAbi(["function execute(address target, uint256 value, bytes data)"]);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  const expiry = (await publicClient.getBlock()).timestamp + 86_400n;
  await addApiKey(wallet("deployer"), { addresses: info.addresses, projectId, keyHash: apiKeyHash(READ_KEY), scopes: ApiKeyScopes.read, expiry });
});
afterAll(async () => {
  await browser?.close();
});

/** One ERC-7677 stub request for `sender`, as an app would send it; returns the refusal's reason. */
async function ask(sender: Address, ticket?: unknown): Promise<string> {
  const callData = encodeFunctionData({
    abi: executeAbi,
    args: [
      info.addresses.recordRegistry as Address,
      0n,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [keccak256(toHex(sender))] }),
    ],
  });
  const res = await fetch(info.urls.sponsor, {
    method: "POST",
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "pm_getPaymasterStubData",
      params: [
        { sender, nonce: "0x0", callData },
        info.addresses.entryPoint,
        toHex(foundry.id),
        { projectId: toHex(projectId), ...(ticket ? { ticket } : {}) },
      ],
    }),
  });
  return ((await res.json()) as { error?: { data: { reason: string } } }).error?.data.reason ?? "signed";
}

test("refusals produced against the running sponsor service show on the Sponsorship screen, in plain words", async () => {
  const strangers = Array.from({ length: 3 }, () => privateKeyToAccount(generatePrivateKey()).address);
  for (const s of strangers) expect(await ask(s)).toBe("NOT_AUTHORISED");
  const late = privateKeyToAccount(generatePrivateKey()).address;
  const expired = await signSponsorshipTicket(wallet("sponsor-signer"), {
    chainId: foundry.id,
    paymaster: info.addresses.paymaster as Address,
    projectId,
    subject: late,
    maxOps: 1,
    validUntil: Number((await publicClient.getBlock()).timestamp) - 60,
  });
  expect(await ask(late, expired)).toBe("TICKET_EXPIRED");

  const org = await newActor(browser, "org-refusals", `${app}/org/p/${projectId}/sponsorship`);
  const { page } = org;
  await org.step("enter the read key", async () => {
    await page.getByLabel("Project API key").fill(READ_KEY);
    await page.getByRole("button", { name: "Use this key" }).click();
  });
  const table = page.getByRole("table", { name: "Recent refusals" });
  await org.step("the refusals are listed", async () => {
    await table.waitFor();
    for (const s of [...strangers, late])
      await table
        .getByRole("row")
        .filter({ hasText: `${s.slice(0, 6)}...${s.slice(-4)}` })
        .waitFor();
  });
  const short = (a: string) => `${a.slice(0, 6)}...${a.slice(-4)}`;
  const rowOf = (a: string) => table.getByRole("row").filter({ hasText: short(a) });
  for (const s of strangers) expect(await rowOf(s).textContent()).toContain("Not authorised: no API key and no ticket from the project");
  expect(await rowOf(late).textContent()).toContain("The sponsorship ticket had expired");
  expect(await rowOf(late).textContent()).toContain("RecordRegistry.setEncryptionKey");
  // Newest first: the expired ticket came last.
  expect(await table.getByRole("row").nth(1).textContent()).toContain(short(late));
  await org.step("the chart and the total", async () => {
    await page.getByRole("img", { name: /^Refusals per hour: \d+ hours?, \d+ in total$/ }).waitFor();
    const text = (await page.getByTestId("refusal-total").textContent()) ?? "";
    const total = Number(/(\d+) refused/.exec(text)![1]);
    expect(total).toBeGreaterThanOrEqual(4);
  });
  // The key went to the sponsor service (and the indexer) only; nothing left loopback.
  for (const r of org.requests) expect(new URL(r.url).hostname, r.url).toBe("127.0.0.1");
  expect(org.requests.some((r) => r.url.startsWith(`${info.urls.sponsor}/v1/projects/${projectId}/refusals`))).toBe(true);
  await org.context.close();
});

test("a key of another project reads nothing, in plain words", async () => {
  const org = await newActor(browser, "org-refusals-wrong-key", `${app}/org/p/${projectId + 1000n}/sponsorship`);
  const { page } = org;
  await org.step("enter another project's key", async () => {
    await page.getByLabel("Project API key").fill(READ_KEY);
    await page.getByRole("button", { name: "Use this key" }).click();
    await page.getByRole("alert").filter({ hasText: "does not know this API key for this project" }).waitFor();
  });
  expect(await page.getByRole("table", { name: "Recent refusals" }).count()).toBe(0);
  await org.context.close();
});
