// A person's documents uploaded to Irys from the browser, as in production: the page's config
// names the stack's Irys bundler (what `ONEKEY_APP_STORAGE=irys` writes), the tab's throwaway
// upload key is approved by the project's backend (the stack's ticket desk) to spend the
// sponsor's Irys balance, the signed ANS-104 item goes up in chunks with progress, and the record
// on-chain points at that item, which the gateway serves byte for byte (its sha256 = the on-chain
// content hash). Nothing is uploaded to the Arweave gateway directly.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { getRecordPointer } from "@onekey/sdk/contracts";
import { bytes32ToStorageId } from "@onekey/sdk/storage";
import { eventually, launchChromium, newActor } from "./harness.ts";

const info = inject("stack");
const app = info.urls.app;
const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) });
const payer = privateKeyToAccount(info.accounts.find((a) => a.role === "sponsor-signer")!.privateKey).address;
const approvalUrl = `${info.urls.tickets}/storage-approval`;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const approve = (body: unknown) =>
  fetch(approvalUrl, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

test("the ticket desk's storage approval refuses by name what outsiders send", async () => {
  const cases: [unknown, number, string][] = [
    ["not json", 400, "InvalidJson"],
    [{}, 400, "InvalidAddress"],
    [{ address: "0x1234" }, 400, "InvalidAddress"],
    [{ address: "0x000000000000000000000000000000000000dEaD", token: "solana" }, 400, "UnsupportedToken"],
    [{ address: "0x000000000000000000000000000000000000dEaD", pad: "x".repeat(2_000) }, 413, "BodyTooLarge"],
  ];
  for (const [body, status, error] of cases) {
    const res = await approve(body);
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([status, error]);
  }
  // One approval per upload key: a second ask is refused, and the first still holds.
  const fresh = privateKeyToAccount(`0x${"5a".repeat(32)}`).address;
  const first = await approve({ address: fresh });
  expect(first.status).toBe(200);
  expect(await first.json()).toMatchObject({ approved: fresh, paidBy: payer });
  const again = await approve({ address: fresh.toLowerCase() });
  expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([409, "AlreadyApproved"]);
  const approval = await fetch(`${info.urls.irys}/account/approval?payingAddress=${payer}&approvedAddress=${fresh}&token=base-eth`);
  expect(approval.status).toBe(200);
});

test("a person's record goes to Irys from the browser, paid by the sponsor's approval, and reads back", async () => {
  const a = await newActor(browser, "person-irys", app);
  const { page, context } = a;
  // The stack's /config.json, with Irys storage: what ONEKEY_APP_STORAGE=irys serves.
  await context.route(`${app}/config.json`, async (route) => {
    const res = await route.fetch();
    // One network object, or { networks: [...] } when an operator file adds more.
    const cfg = (await res.json()) as Record<string, unknown> & { networks?: Record<string, unknown>[] };
    (cfg.networks?.[0] ?? cfg).storage = { kind: "irys", bundlerUrl: info.urls.irys, token: "base-eth", paidBy: payer, approvalUrl };
    await route.fulfill({ response: res, json: cfg });
  });
  await page.reload();
  const account = await a.step("connect and set up", async () => {
    await page.getByRole("button", { name: /Dev account 7/ }).click();
    await page.getByRole("button", { name: "Set up my account and keys" }).click();
    await page.getByRole("heading", { name: "My OneKey account" }).waitFor({ timeout: 60_000 });
    return (await page.getByLabel("Smart account address").textContent()) as Address;
  });
  // 1.5 MB: above Irys' free 100 KiB (the approval pays) and above the chunked-upload threshold.
  const doc = Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), Buffer.alloc(1_500_000, 9)]);
  await a.step("fill and submit", async () => {
    await page.getByLabel("First name").fill("Grace");
    await page.getByLabel("Last name").fill("Hopper");
    await page.getByLabel("Front of the document").setInputFiles({ name: "id-front.png", mimeType: "image/png", buffer: doc });
    const sawProgress = page
      .getByRole("progressbar", { name: "Upload progress" })
      .waitFor({ timeout: 60_000 })
      .then(
        () => true,
        () => false,
      );
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    await page.getByRole("status").filter({ hasText: "Submitted." }).waitFor({ timeout: 90_000 });
    expect(await sawProgress).toBe(true);
  });
  await a.step("the chain points at the Irys item; the gateway serves it byte for byte", async () => {
    const recordId = await eventually("record indexed", async () => {
      const res = await fetch(`${info.urls.api}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${(await (await fetch(`${app}/config.json`)).json()).indexerApiKey}` },
        body: JSON.stringify({ query: `{ records(where: { owner: "${account.toLowerCase()}" }) { items { id } } }` }),
      });
      return ((await res.json()) as { data: { records: { items: { id: Hex }[] } } }).data.records.items[0]?.id;
    });
    const { record, storageId } = await getRecordPointer(publicClient, { addresses: info.addresses, recordId });
    const id = bytes32ToStorageId(storageId);
    const stored = new Uint8Array(await (await fetch(`${info.urls.arweave}/${id}`)).arrayBuffer());
    expect(`0x${createHash("sha256").update(stored).digest("hex")}`).toBe(record.contentHash);
    expect(stored.length).toBeGreaterThan(1_500_000);
    // The page uploaded through the bundler only: an approval, then the item; nothing posted to the gateway.
    const posts = a.requests.filter((r) => r.method === "POST").map((r) => r.url);
    expect(posts.some((u) => u === approvalUrl)).toBe(true);
    expect(posts.some((u) => u.startsWith(`${info.urls.irys}/chunks/base-eth/`))).toBe(true);
    expect(posts.filter((u) => u.startsWith(info.urls.arweave))).toEqual([]);
  });
  await a.step("the page opens the record from the gateway", async () => {
    await page.getByText("Hopper", { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByText(/id-front\.png/).waitFor();
  });
  await context.close();
});
