// The person's whole story clicked through in Chromium, each step checked on the page and then on
// the chain / indexer: connect, sponsored account, submit (through a storage outage and a retry
// that keeps everything), the same wallet in a second browser, grant exactly some fields, the
// reviewer's attestation, an audit access, revoke, rotate, erase.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { createPublicClient, createWalletClient, http, keccak256, parseEther, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { Roles } from "@onekey/sdk/constants";
import { fundProject } from "@onekey/sdk/aa";
import {
  Claim,
  attest,
  createProject,
  getRecord,
  grantRoles,
  isGrantLive,
  projectGrantee,
  recordAuditAccess,
  setEscrowKey,
  setReviewKey,
} from "@onekey/sdk/contracts";
import { generateX25519KeyPair, toHex as bytesHex } from "@onekey/sdk/crypto";
import { readRecord } from "@onekey/sdk/flows";
import { arweaveStorage, generateArweaveWallet } from "@onekey/sdk/storage";
import { eventually, launchChromium, newActor, ROOT, type Actor } from "./harness.ts";

const info = inject("stack");
const app = info.urls.app;
const key = (role: string) => info.accounts.find((a) => a.role === role)!.privateKey;
const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) });
const eoa = (k: Hex) => createWalletClient({ account: privateKeyToAccount(k), chain: foundry, transport: http(info.rpcUrl) });
// The local chain's registries, which the SDK does not record: every action gets them.
const on = { addresses: info.addresses };
const admin = eoa(key("org-admin"));
const reviewer = eoa(key("reviewer"));
const auditor = eoa(key("auditor"));
const screenshots = process.env.ONEKEY_UPDATE_SCREENSHOTS === "1";

let browser: Browser;
let projectId: bigint;
let reviewKeys: Awaited<ReturnType<typeof generateX25519KeyPair>>;
beforeAll(async () => {
  browser = await launchChromium();
  // The organisation, scripted: a project named "Acme Exchange" with a review key, a reviewer and an auditor.
  const meta = `data:application/json,${encodeURIComponent(JSON.stringify({ name: "Acme Exchange" }))}`;
  ({ projectId } = await createProject(admin, { ...on, metadataURI: meta }));
  reviewKeys = await generateX25519KeyPair();
  await setReviewKey(admin, { ...on, projectId, publicKey: bytesHex(reviewKeys.publicKey) });
  await setEscrowKey(admin, { ...on, projectId, publicKey: bytesHex((await generateX25519KeyPair()).publicKey) });
  await grantRoles(admin, { ...on, projectId, account: reviewer.account.address, roles: Roles.REVIEWER });
  await grantRoles(admin, { ...on, projectId, account: auditor.account.address, roles: Roles.AUDITOR });
  // Acme pays for the calls about itself (grants to it, their revocation): its backend's key is a
  // SPONSOR (locally the stack's ticket desk) and its budget is funded.
  await grantRoles(admin, { ...on, projectId, account: privateKeyToAccount(key("sponsor-signer")).address, roles: Roles.SPONSOR });
  await fundProject(admin, { paymaster: info.addresses.paymaster as Address, projectId, value: parseEther("1") });
});
afterAll(async () => {
  await browser?.close();
});

async function connectAndSetUp(a: Actor, keyboard = false) {
  const { page } = a;
  await a.step("connect a dev wallet", async () => {
    const button = page.getByRole("button", { name: /Dev account 6/ });
    if (keyboard) {
      await button.focus();
      await page.keyboard.press("Enter");
    } else await button.click();
    await page.getByRole("heading", { name: "Set up OneKey" }).waitFor();
    expect(await page.getByText("you never need ETH").isVisible()).toBe(true);
  });
  await a.step("set up account and keys", async () => {
    const button = page.getByRole("button", { name: "Set up my account and keys" });
    if (keyboard) {
      await button.focus();
      await page.keyboard.press("Enter");
    } else await button.click();
    await page.getByRole("heading", { name: "My OneKey account" }).waitFor();
  });
  return (await page.getByLabel("Smart account address").textContent()) as Address;
}

const graphql = async <T>(query: string): Promise<T> => {
  const cfg = await (await fetch(`${app}/config.json`)).json();
  const res = await fetch(`${info.urls.api}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${cfg.indexerApiKey}` },
    body: JSON.stringify({ query }),
  });
  return ((await res.json()) as { data: T }).data;
};

test("a person submits, grants, is verified, sees who looked, revokes, rotates and erases", async () => {
  const a = await newActor(browser, "person-A", app);
  const { page } = a;
  const account = await connectAndSetUp(a);
  expect(await publicClient.getBalance({ address: account })).toBe(0n);

  // --- submit, through a storage outage -------------------------------------------------------
  const doc = Buffer.concat([Buffer.from("\x89PNG\r\n\x1a\n", "latin1"), Buffer.alloc(600_000, 7)]);
  await a.step("fill the form", async () => {
    // The SDK's record schema, as the form offers it (the same names the review service reads).
    await page.getByLabel("First name").fill("Ada");
    await page.getByLabel("Last name").fill("Lovelace");
    await page.getByLabel("Date of birth").fill("1815-12-10");
    await page.getByLabel("Nationality").selectOption({ label: "United Kingdom" });
    await page.getByLabel("Home address").fill("12 St James's Square, London");
    await page.getByLabel("Type of identity document").selectOption({ label: "Passport" });
    await page.getByLabel("Country that issued the document").selectOption("GBR");
    await page.getByLabel("Document number").fill("P1234567");
    await page.getByLabel("Front of the document").setInputFiles({ name: "passport-scan.png", mimeType: "image/png", buffer: doc });
    await page.getByText("1 document chosen").waitFor();
  });
  await a.step("storage down: a plain-words error, nothing lost", async () => {
    await a.context.route(`${info.urls.arweave}/**`, (r) => r.abort("connectionrefused"));
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    await page.getByRole("alert").filter({ hasText: "The storage service is not reachable." }).waitFor();
    expect(await page.getByLabel("Last name").inputValue()).toBe("Lovelace");
    expect(await page.getByLabel("Nationality").inputValue()).toBe("GBR");
    expect(await page.getByLabel("Home address").inputValue()).toBe("12 St James's Square, London");
    expect(await page.getByText("1 document chosen").isVisible()).toBe(true);
    await a.context.unroute(`${info.urls.arweave}/**`);
  });
  const shownId = await a.step("retry: encrypted, uploaded with progress, registered", async () => {
    const sawProgress = page
      .getByRole("progressbar", { name: "Upload progress" })
      .waitFor({ timeout: 60_000 })
      .then(
        () => true,
        () => false,
      );
    await page.getByRole("button", { name: "Try again" }).first().click();
    await page.getByRole("status").filter({ hasText: "Submitted." }).waitFor({ timeout: 60_000 });
    expect(await sawProgress).toBe(true);
    return ((await page.getByRole("status").locator("code").textContent()) ?? "").replace("...", "");
  });
  const recordId = await a.step("the record is on-chain, owned by the smart account", async () => {
    const data = await eventually("record indexed", async () => {
      const d = await graphql<{ records: { items: { id: Hex; owner: string }[] } }>(
        `{ records(where: { owner: "${account.toLowerCase()}" }) { items { id owner } } }`,
      );
      return d.records.items.find((r) => r.id.startsWith(shownId));
    });
    const r = await getRecord(publicClient, { ...on, recordId: data.id });
    expect(r.owner.toLowerCase()).toBe(account.toLowerCase());
    expect(r.erased).toBe(false);
    return data.id;
  });
  await a.step("the page opens the record on this device", async () => {
    const item = page.getByRole("listitem", { name: `Record ${recordId.slice(0, 10)}` });
    await item.getByText("Lovelace", { exact: true }).waitFor();
    await item.getByText(/passport-scan\.png/).waitFor();
    expect(await publicClient.getBalance({ address: account })).toBe(0n);
  });
  if (screenshots) {
    mkdirSync(join(ROOT, "docs/img"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "docs/img/app-person.png"), fullPage: true });
  }

  // --- the same wallet in a second browser --------------------------------------------------
  const b = await newActor(browser, "person-B-same-wallet", app);
  await b.step("second browser, keyboard only: same account, same record opened", async () => {
    const again = await connectAndSetUp(b, true);
    expect(again).toBe(account);
    const item = b.page.getByRole("listitem", { name: `Record ${recordId.slice(0, 10)}` });
    await item.getByText("Lovelace", { exact: true }).waitFor();
    await item.getByText("12 St James's Square, London").waitFor();
  });
  await b.context.close();

  // --- grant exactly three fields -------------------------------------------------------------
  const item = page.getByRole("listitem", { name: `Record ${recordId.slice(0, 10)}` });
  await a.step("grant Acme three fields for KYC review", async () => {
    await item.getByRole("button", { name: "Grant a project..." }).click();
    const form = item.getByRole("form", { name: "Grant a project" });
    await form.getByLabel("Find a project by id or name").fill("Acme");
    await form.getByRole("radio", { name: /Acme Exchange/ }).check();
    await form.getByLabel("Purpose").selectOption("KYC_REVIEW");
    await form.getByRole("checkbox", { name: "Last name" }).check();
    await form.getByRole("checkbox", { name: "Date of birth" }).check();
    await form.getByRole("checkbox", { name: "Front of the document" }).check();
    await form.getByText("Sharing 3 of 9 fields").waitFor();
    // Acme's backend refuses a ticket first: plain words, the form keeps every choice, and a retry goes through.
    const ticketUrl = `${info.urls.tickets}/ticket`;
    await a.context.route(ticketUrl, (r) =>
      r.fulfill({ status: 403, contentType: "application/json", body: JSON.stringify({ error: "NotAuthorised", message: "not now" }) }),
    );
    await form.getByRole("button", { name: "Grant access" }).click();
    await form.getByRole("alert").filter({ hasText: "refused to cover this account" }).waitFor();
    expect(await form.getByRole("checkbox", { name: "Date of birth" }).isChecked()).toBe(true);
    expect(await form.getByRole("radio", { name: /Acme Exchange/ }).isChecked()).toBe(true);
    expect(await isGrantLive(publicClient, { ...on, recordId, grantee: projectGrantee(projectId) })).toBe(false);
    await a.context.unroute(ticketUrl);
    await form.getByRole("button", { name: "Try again" }).click();
    await form.waitFor({ state: "detached", timeout: 60_000 });
    await page.getByRole("row").filter({ hasText: "Acme Exchange" }).getByText("live").waitFor();
    expect(await isGrantLive(publicClient, { ...on, recordId, grantee: projectGrantee(projectId) })).toBe(true);
  });
  await a.step("the reviewer opens only the granted fields and attests", async () => {
    const storage = arweaveStorage({ url: info.urls.arweave, wallet: await generateArweaveWallet() });
    const seen = await readRecord(reviewer, {
      ...on,
      fromBlock: 0n,
      recordId,
      storage,
      via: { projectId },
      reader: reviewer.account.address,
      keyPair: reviewKeys,
    });
    expect(Object.keys(seen).sort()).toEqual(["date_of_birth", "document_front", "last_name"]);
    expect(seen.last_name).toBe("Lovelace");
    await attest(reviewer, {
      ...on,
      projectId,
      subject: account,
      level: 2,
      expiry: BigInt(Math.floor(Date.now() / 1000) + 365 * 86_400),
      claims: Claim.AGE_OVER_18 | Claim.DOCUMENT_VERIFIED,
      recordId,
    });
    const row = page.getByTestId("attestation").filter({ hasText: "Acme Exchange" });
    await row.getByText("Level 2").waitFor();
    await row.getByText("age over 18, document verified").waitFor();
  });
  const authorisation = keccak256(toHex("court-order-2026-77"));
  await a.step("an audit access shows up with its authorisation hash", async () => {
    await recordAuditAccess(auditor, { ...on, recordId, projectId, authorisationHash: authorisation });
    await page.getByTestId("audit-access").filter({ hasText: authorisation }).getByText("Acme Exchange").waitFor();
  });
  if (screenshots) await page.screenshot({ path: join(ROOT, "docs/img/app-person-verified.png"), fullPage: true });

  // --- revoke, rotate, erase ------------------------------------------------------------------
  await a.step("revoke Acme's grant", async () => {
    await page.getByRole("button", { name: `Revoke Acme Exchange (#${projectId})'s access to record ${recordId.slice(0, 10)}` }).click();
    await page.getByRole("row").filter({ hasText: "Acme Exchange" }).getByText("revoked").waitFor({ timeout: 60_000 });
    expect(await isGrantLive(publicClient, { ...on, recordId, grantee: projectGrantee(projectId) })).toBe(false);
  });
  await a.step("rotate keys: version 2, still opened here", async () => {
    await item.getByRole("button", { name: "Rotate keys" }).click();
    await item.getByText("version 2").waitFor({ timeout: 60_000 });
    await item.getByText("Lovelace", { exact: true }).waitFor();
    expect((await getRecord(publicClient, { ...on, recordId })).version).toBe(2);
  });
  await a.step("erase, after an honest confirmation", async () => {
    await item.getByRole("button", { name: "Erase..." }).click();
    const dialog = item.getByRole("dialog", { name: "Erase this record?" });
    await dialog.getByText("cannot be undone").first().waitFor();
    await dialog.getByText("may have kept what it read").waitFor();
    expect(await dialog.getByRole("button", { name: "Erase for good" }).isDisabled()).toBe(true);
    await dialog.getByLabel("I understand that erasing cannot be undone").check();
    await dialog.getByRole("button", { name: "Erase for good" }).click();
    await item.getByText("· erased").waitFor({ timeout: 60_000 });
    expect((await getRecord(publicClient, { ...on, recordId })).erased).toBe(true);
  });
  expect(a.console.filter((l) => l.startsWith("[pageerror]"))).toEqual([]);
  await a.context.close();
});
