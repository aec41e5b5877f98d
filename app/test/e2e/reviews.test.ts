// The console's review screen on the review service, in Chromium: a person, in their own browser
// and wallet, submits a passport record through their page's form (the SDK's record schema, which
// the service reads too) and grants it, in the page, to the project the service serves; the service opens a
// case, checks it with its provider (the Sumsub simulator) and, by the project's policy (level 2
// needs a person), queues it for manual review; the reviewer pastes a project API key (a wrong one
// first), sees the case with its provider step and result, is refused in plain words while the
// service is unreachable and while connected with a wallet that lacks REVIEWER, then takes the
// case and approves it — each request signed by the wallet — and the service attests on-chain;
// the person's page then shows the attestation. The console's API key goes to the review service
// only, and no field value leaves the person's page or reaches the console's traffic.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { createPublicClient, http, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { getAttestation, isVerified } from "@onekey/sdk/contracts";
import { FIELD_NAMES, fieldLabel } from "@onekey/sdk/schema";
import { ANVIL_KEYS, eventually, launchChromium, newActor, type Actor } from "./harness.ts";

const info = inject("stack");
const served = inject("served");
const app = info.urls.app;
const reviewUrl = info.urls.review;
const projectId = BigInt(served.projectId);
const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) });
const on = { addresses: info.addresses };
const role = (r: string) => info.accounts.find((a) => a.role === r)!.privateKey;

// The dev-account picker lists anvil's first eight keys; 2 is the project's reviewer (and the
// service's attester), 4 the ticket desk (SPONSOR), 3 holds no role in this project.
const REVIEWER_DEV = 2;
const OUTSIDER_DEV = 3;
const PERSON_DEV = 1;
const CANARY = "QQXREVIEWCANARY";
// A JPEG by its magic bytes (the provider simulator checks the upload, not the picture).
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new TextEncoder().encode(`${CANARY}-scan`), 0xff, 0xd9]);
const { firstName, lastName, dateOfBirth, country, documentType, documentCountry, documentFront } = FIELD_NAMES;
const GRANTED = [firstName, lastName, dateOfBirth, country, documentType, documentCountry, documentFront];

let browser: Browser;
let person: Actor;
let reviewer: Actor;
let subject: Address;
let recordId: Hex;
let caseId = "";

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function section(actor: Actor, name: string) {
  await actor.page.getByRole("navigation", { name: "Project" }).getByRole("link", { name, exact: true }).click();
}

describe.sequential("reviews through the review service", () => {
  test("a person submits a passport record through their page and grants the served project in their browser", async () => {
    person = await newActor(browser, "reviews-person", app);
    const { page } = person;
    await person.step("connect and set up", async () => {
      await page.getByRole("button", { name: new RegExp(`Dev account ${PERSON_DEV} `) }).click();
      await page.getByRole("button", { name: "Set up my account and keys" }).click();
      await page.getByRole("heading", { name: "My OneKey account" }).waitFor({ timeout: 60_000 });
    });
    subject = (await page.getByLabel("Smart account address").textContent()) as Address;

    // The person's own form: the names it writes are the SDK's record schema, which the service
    // reads through the same module, so the record reaches the provider step.
    await person.step("submit a passport record through the page", async () => {
      await page.getByLabel("First name").fill(`Ada${CANARY}`);
      await page.getByLabel("Last name").fill("Lovelace");
      await page.getByLabel("Date of birth").fill("1990-02-03");
      await page.getByLabel("Nationality").selectOption({ label: "Germany" });
      await page.getByLabel("Type of identity document").selectOption({ label: "Passport" });
      await page.getByLabel("Country that issued the document").selectOption("DEU");
      await page.getByLabel("Document number").fill(`P${CANARY}42`);
      await page.getByLabel("Front of the document").setInputFiles({ name: `${CANARY}-passport.jpg`, mimeType: "image/jpeg", buffer: Buffer.from(JPEG) });
      await page.getByText("1 document chosen").waitFor();
      await page.getByRole("button", { name: "Encrypt and submit" }).click();
      await page.getByRole("status").filter({ hasText: "Submitted." }).waitFor({ timeout: 90_000 });
    });
    recordId = await eventually(
      "the person's record in the indexer",
      async () => {
        const cfg = await (await fetch(`${app}/config.json`)).json();
        const res = await fetch(`${info.urls.api}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${cfg.indexerApiKey}` },
          body: JSON.stringify({ query: `{ records(where: { owner: "${subject.toLowerCase()}" }) { items { id } } }` }),
        });
        const items = ((await res.json()) as { data: { records: { items: { id: Hex }[] } } }).data.records.items;
        return items[0]?.id;
      },
      60_000,
    );

    await person.step("grant the served project every field but the id number", async () => {
      const item = page.getByRole("listitem", { name: `Record ${recordId.slice(0, 10)}` });
      await item.waitFor({ timeout: 60_000 });
      await item.getByRole("button", { name: "Grant a project..." }).click();
      const form = item.getByRole("form", { name: "Grant a project" });
      await form.getByLabel("Find a project by id or name").fill("Northwind");
      await form.getByRole("radio", { name: new RegExp(served.name) }).check();
      await form.getByLabel("Purpose").selectOption("KYC_REVIEW");
      // The picker shows the schema's labels, the same words the form used.
      for (const f of GRANTED) await form.getByRole("checkbox", { name: fieldLabel(f), exact: true }).check();
      await form.getByRole("button", { name: "Grant access" }).click();
      await form.waitFor({ state: "detached", timeout: 90_000 });
      await page.getByRole("row").filter({ hasText: served.name }).getByText("live").waitFor({ timeout: 60_000 });
    });
  });

  test("the reviewer sees the case in the console's queue with its provider step; a wrong key is refused in plain words", async () => {
    reviewer = await newActor(browser, "reviews-reviewer", `${app}/org`);
    const { page } = reviewer;
    await reviewer.step("connect and open the project's reviews", async () => {
      await page.getByRole("button", { name: new RegExp(`Connect Dev account ${REVIEWER_DEV} `) }).click();
      await page.getByLabel("Open a project by id").fill(served.projectId);
      await page.getByRole("button", { name: "Open", exact: true }).click();
      await section(reviewer, "Reviews");
    });
    await reviewer.step("a wrong API key", async () => {
      await page.getByLabel("Project API key for the review service").fill("ok_not_this_projects_key");
      await page.getByRole("button", { name: "Use this key" }).click();
      await page.getByRole("alert").filter({ hasText: "does not accept this API key" }).waitFor();
      await page.getByRole("button", { name: "Enter another key" }).click();
    });
    await reviewer.step("the right key: the case, with the provider step done, waiting for a person", async () => {
      await page.getByLabel("Project API key for the review service").fill(served.consoleKey);
      await page.getByRole("button", { name: "Use this key" }).click();
      const mine = page.locator(`[data-testid=case-row][data-record="${recordId}"]`);
      await mine.getByTestId("case-state").filter({ hasText: "manual review" }).waitFor({ timeout: 90_000 });
      expect(await mine.getByTestId("case-provider").textContent()).toBe("sumsub (done)");
      caseId = (await mine.getAttribute("data-case")) as string;
    });
    expect(caseId).toMatch(/^case_[0-9a-f]{24}$/);
    await reviewer.step("the case: steps, provider result, history", async () => {
      await page.getByRole("button", { name: `Open case ${caseId}` }).click();
      await page.getByTestId("case-panel-state").filter({ hasText: "manual review" }).waitFor();
      await page.getByTestId("provider-result").filter({ hasText: "approved" }).waitFor();
      const steps = page.getByRole("table", { name: "Steps" });
      await steps.getByRole("row", { name: /documents done/ }).waitFor();
      await steps.getByRole("row", { name: /provider done/ }).waitFor();
      const history = await page.getByRole("table", { name: "History" }).textContent();
      expect(history).toContain("documents_verified");
      expect(history).toContain("check_started");
    });
    // The key went to the review service and nowhere else.
    const withKey = reviewer.requests.filter((r) => Object.values(r.headers).some((v) => v.includes(served.consoleKey)));
    expect(withKey.length).toBeGreaterThan(0);
    expect(new Set(withKey.map((r) => new URL(r.url).origin))).toEqual(new Set([new URL(reviewUrl).origin]));
  });

  test("the service down, then a wallet without REVIEWER: plain words, nothing decided", async () => {
    const { page, context } = reviewer;
    await reviewer.step("service unreachable", async () => {
      await context.route(`${reviewUrl}/**`, (r) => r.abort("connectionrefused"));
      await page.getByRole("button", { name: "Take this case" }).click();
      await page.getByRole("alert").filter({ hasText: "The review service cannot be reached" }).first().waitFor();
      await context.unroute(`${reviewUrl}/**`);
    });
    const outsider = await newActor(browser, "reviews-outsider", `${app}/org`);
    await outsider.step("no REVIEWER role", async () => {
      const p = outsider.page;
      await p.getByRole("button", { name: new RegExp(`Connect Dev account ${OUTSIDER_DEV} `) }).click();
      await p.getByLabel("Open a project by id").fill(served.projectId);
      await p.getByRole("button", { name: "Open", exact: true }).click();
      await section(outsider, "Reviews");
      await p.getByLabel("Project API key for the review service").fill(served.consoleKey);
      await p.getByRole("button", { name: "Use this key" }).click();
      await p.getByRole("button", { name: `Open case ${caseId}` }).click();
      await p.getByRole("button", { name: "Take this case" }).click();
      await p.getByRole("alert").filter({ hasText: "does not hold this project's REVIEWER role" }).waitFor();
    });
    await outsider.context.close();
    const c = await (
      await fetch(`${reviewUrl}/v1/projects/${projectId}/cases/${caseId}`, { headers: { authorization: `Bearer ${served.consoleKey}` } })
    ).json();
    expect(c).toMatchObject({ status: "manual_review", assignee: null, reviews: [] });
  });

  test("the reviewer takes the case and approves it; the service attests; the person's page shows it", async () => {
    const { page } = reviewer;
    await reviewer.step("take and approve", async () => {
      await page.getByRole("button", { name: "Take this case" }).click();
      await page.getByLabel("Level to attest").waitFor();
      expect(await page.getByLabel("Level to attest").inputValue()).toBe("2");
      await page.getByRole("button", { name: "Approve", exact: true }).click();
      await page.getByTestId("case-panel-state").filter({ hasText: "closed: approved" }).waitFor({ timeout: 90_000 });
    });
    const reviewerAddress = privateKeyToAccount(ANVIL_KEYS[REVIEWER_DEV]).address;
    const c = await (
      await fetch(`${reviewUrl}/v1/projects/${projectId}/cases/${caseId}`, { headers: { authorization: `Bearer ${served.consoleKey}` } })
    ).json();
    expect(c).toMatchObject({ status: "closed", outcome: "approved", level: 2 });
    expect(c.reviews).toEqual([expect.objectContaining({ reviewer: reviewerAddress.toLowerCase(), decision: "approve", level: 2 })]);
    expect(c.transitions.filter((t: { actor: string | null }) => t.actor === reviewerAddress.toLowerCase()).map((t: { event: string }) => t.event)).toEqual([
      "claim",
      "review",
    ]);
    expect(await isVerified(publicClient, { ...on, subject, projectId, minLevel: 2 })).toBe(true);
    const a = await getAttestation(publicClient, { ...on, subject, projectId });
    // The service's attester signed it (a REVIEWER of the project), for this record.
    expect(a).toMatchObject({ level: 2, attester: privateKeyToAccount(role("reviewer")).address });

    await person.step("the person's page shows the attestation", async () => {
      const row = person.page.getByTestId("attestation").filter({ hasText: served.name });
      await row.getByText("Level 2").waitFor({ timeout: 60_000 });
      await row.getByText(/document verified/).waitFor();
    });
    // One attestation event for this subject and project: the service did not attest twice.
    const logs = await eventually("the attestation in the indexer", async () => {
      const cfg = await (await fetch(`${app}/config.json`)).json();
      const res = await fetch(`${info.urls.api}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${cfg.indexerApiKey}` },
        body: JSON.stringify({ query: `{ attestations(where: { subject: "${subject.toLowerCase()}" }) { items { projectId level recordId } } }` }),
      });
      const items = ((await res.json()) as { data: { attestations: { items: { projectId: string; level: number; recordId: Hex }[] } } }).data.attestations
        .items;
      return items.length ? items : undefined;
    });
    // For this record, once.
    expect(logs.map((l) => [String(l.projectId), Number(l.level), l.recordId])).toEqual([[served.projectId, 2, recordId]]);
    // No field value in anything the console sent or printed.
    const traffic = reviewer.requests.map((r) => `${r.url} ${r.body}`).join("\n");
    expect(traffic).not.toContain(CANARY);
    expect(reviewer.console.join("\n")).not.toContain(CANARY);
  });
});
