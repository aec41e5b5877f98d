// The organisation's story in Chromium, clicked through: an admin (its own browser context) creates
// a project, generates its review and escrow keys (backups downloaded), adds a reviewer, creates an
// API key, registers a webhook endpoint and sends a test event, funds sponsorship; a person grants
// the project access to two of three fields; the reviewer (a second org context) imports the
// review key's backup, opens the record — only the granted fields, decrypted in that browser —
// and approves; the admin verifies and exports the audit log, reads analytics, uses the offline
// GraphQL explorer, suspends and resumes, revokes the key. Every step checks what the page shows
// and what the chain or the indexer then holds.
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import type { Browser, Download, Page } from "playwright-core";
import { createPublicClient, createWalletClient, http, parseEther, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { getProjectBalance } from "@onekey/sdk/aa";
import { verifyExport, type AuditExport } from "@onekey/sdk/audit";
import { apiKeyHash, Claim, getApiKey, getAttestation, getProject, isProjectActive, isVerified, rolesOf, Roles } from "@onekey/sdk/contracts";
import { grantAccess, submitRecord } from "@onekey/sdk/flows";
import { arweaveStorage, generateArweaveWallet, arweaveAddress } from "@onekey/sdk/storage";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil.ts";
import { eventually, launchChromium, LOG_DIR, newActor, type Actor } from "./harness.ts";

const info = inject("stack");
const app = info.urls.app;
const api = info.urls.api;
const addresses = info.addresses;
const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) });
const target = { addresses } as const;

// anvil's public dev keys the app offers in its picker (the shell's and person's tests use 6).
const ADMIN_DEV = 3;
const PERSON_DEV = 5;
const REVIEWER_DEV = 7;
// The picker offers anvil's first eight keys, in this order (scripts/stack/app.ts).
const devAddress = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]).address;

// The person's fields: a canary in each, so the test can look for them where they must not be.
const CANARY = "ZQXCANARY";
const FIELDS = { firstName: `Ada ${CANARY}`, nationality: "GBR", idNumber: `P${CANARY}0042` };
const PASSPHRASE = "orbit lantern quietly 42";

let browser: Browser;
let admin: Actor;
let reviewer: Actor;
let receiver: Server;
let receiverUrl = "";
const received: { headers: IncomingMessage["headers"]; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ headers: req.headers, body });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/onekey`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
});

const project = { id: 0n, apiKey: "", reviewBackup: "" };

async function saved(download: Download, name: string): Promise<string> {
  const path = join(LOG_DIR, name);
  await download.saveAs(path);
  return readFileSync(path, "utf8");
}

async function section(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Project" }).getByRole("link", { name, exact: true }).click();
}

async function connect(actor: Actor, dev: number) {
  await actor.page.goto(`${app}/org`);
  await actor.page.getByRole("button", { name: new RegExp(`Connect Dev account ${dev} `) }).click();
}

describe.sequential("organisation console", () => {
  test("the admin creates a project with the keyboard only", async () => {
    admin = await newActor(browser, "org-admin", `${app}/org`);
    const { page } = admin;
    await admin.step("connect and create", async () => {
      await connect(admin, ADMIN_DEV);
      const name = page.getByLabel("Project name (public, on-chain)");
      await name.focus();
      await page.keyboard.type("Orbit Bank");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: /^Project \d+$/ }).waitFor();
    });
    project.id = BigInt(/\/org\/p\/(\d+)/.exec(page.url())![1]);
    const onChain = await getProject(publicClient, { ...target, projectId: project.id });
    expect(onChain.admin).toBe(devAddress(ADMIN_DEV));
    expect(decodeURIComponent(onChain.metadataURI)).toContain('"name":"Orbit Bank"');
    expect(await page.getByTestId("project-status").textContent()).toBe("Active");
  });

  test("review and escrow keys are generated in the browser; only public keys reach the chain", async () => {
    const { page } = admin;
    await section(page, "Keys");
    for (const [kind, title] of [
      ["review", "Review key"],
      ["escrow", "Audit-escrow key"],
    ] as const) {
      await admin.step(`generate ${kind} key`, async () => {
        const card = page.getByRole("region", { name: title });
        await card.getByLabel(/^Backup passphrase/).fill(PASSPHRASE);
        await card.getByLabel("Repeat the passphrase").fill(PASSPHRASE);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          card.getByRole("button", { name: new RegExp(`^Generate ${title.toLowerCase()}`) }).click(),
        ]);
        const backup = await saved(download, `org-${kind}-backup.json`);
        if (kind === "review") project.reviewBackup = backup;
        await card.getByText("This browser holds its private half.").waitFor();
        const parsed = JSON.parse(backup) as { publicKey: Hex; ciphertext: Hex; format: string };
        expect(parsed.format).toBe("onekey-project-key-backup-v1");
        const p = await getProject(publicClient, { ...target, projectId: project.id });
        expect(kind === "review" ? p.reviewKey : p.escrowKey).toBe(parsed.publicKey);
        expect(kind === "review" ? p.reviewKeyVersion : p.escrowKeyVersion).toBe(1);
      });
    }
    // No private key left the browser: no request carried a backup's ciphertext or anything else of it.
    const sent = admin.requests.map((r) => r.body).join("\n");
    expect(sent).not.toContain(JSON.parse(project.reviewBackup).ciphertext.slice(2));
  });

  test("the admin grants REVIEWER to a second member (keyboard: type, Enter)", async () => {
    const { page } = admin;
    await section(page, "Members");
    await admin.step("grant reviewer", async () => {
      await page.getByLabel("Member address").focus();
      await page.keyboard.type(devAddress(REVIEWER_DEV));
      await page.keyboard.press("Enter");
      await page.getByText("The account's roles are now: REVIEWER.").waitFor();
      await page.getByRole("row", { name: new RegExp(`${devAddress(REVIEWER_DEV)}.*REVIEWER`, "i") }).waitFor();
    });
    expect(await rolesOf(publicClient, { ...target, projectId: project.id, account: devAddress(REVIEWER_DEV) })).toBe(Roles.REVIEWER);
    // The stack's ticket desk signs sponsorship tickets for projects whose SPONSOR its key is: with
    // it, the project pays for people's grants to it.
    const desk = privateKeyToAccount(info.accounts.find((a) => a.role === "sponsor-signer")!.privateKey).address;
    await admin.step("grant sponsor", async () => {
      await page.getByLabel("Member address").fill(desk);
      await page.getByRole("checkbox", { name: "REVIEWER" }).uncheck();
      await page.getByRole("checkbox", { name: "SPONSOR" }).check();
      await page.getByRole("button", { name: "Grant roles" }).click();
      await page.getByText("The account's roles are now: SPONSOR.").waitFor();
    });
    expect(await rolesOf(publicClient, { ...target, projectId: project.id, account: desk })).toBe(Roles.SPONSOR);
  });

  test("an API key is shown once and only its hash is registered", async () => {
    const { page } = admin;
    await section(page, "API keys");
    await admin.step("create key", async () => {
      await page.getByRole("button", { name: "Create API key" }).click();
      const field = page.getByLabel("New API key");
      await field.waitFor();
      project.apiKey = await field.inputValue();
      await page.getByRole("button", { name: "Use this key in this console" }).click();
    });
    expect(project.apiKey).toMatch(/^onekey_/);
    const onChain = await getApiKey(publicClient, { ...target, projectId: project.id, keyHash: apiKeyHash(project.apiKey) });
    expect(onChain).toMatchObject({ scopes: 15, revoked: false });
    expect(admin.requests.some((r) => r.body.includes(project.apiKey.slice(7)) && r.url.startsWith(info.rpcUrl))).toBe(false);
    await page.getByRole("button", { name: "I have copied it" }).click();
    expect(await page.getByLabel("New API key").count()).toBe(0);
  });

  test("webhooks: endpoint with a filter, secret once, a test event delivered and signed, redelivered", async () => {
    const { page } = admin;
    await section(page, "Webhooks");
    let secret = "";
    await admin.step("add endpoint", async () => {
      await page.getByLabel("Endpoint URL").fill(receiverUrl);
      await page.getByLabel(/^Event filter/).fill("project.*");
      await page.getByRole("button", { name: "Add endpoint" }).click();
      secret = await page.getByLabel(/^Signing secret for/).inputValue();
      await page.getByRole("row", { name: new RegExp(receiverUrl.replaceAll(".", "\\.")) }).waitFor();
    });
    expect(secret).toMatch(/^whsec_/);
    await admin.step("send test event", async () => {
      await page.getByRole("button", { name: "Send a test event" }).click();
      await page.getByText(/^Test event sent/).waitFor();
      await page
        .getByTestId("delivery-row")
        .filter({ hasText: "project.metadata_updated" })
        .filter({ hasText: "delivered" })
        .first()
        .waitFor({ timeout: 60_000 });
    });
    const first = await eventually("the test event at the receiver", async () => received.find((r) => r.body.includes("project.metadata_updated")));
    const id = String(first.headers["webhook-id"]);
    const mac = createHmac("sha256", Buffer.from(secret.slice(6), "base64"))
      .update(`${id}.${first.headers["webhook-timestamp"]}.${first.body}`)
      .digest("base64");
    expect(first.headers["webhook-signature"]).toBe(`v1,${mac}`);
    await admin.step("attempt log and redeliver", async () => {
      const row = page.getByTestId("delivery-row").filter({ hasText: "project.metadata_updated" }).first();
      await row.getByRole("button", { name: /^Show attempts/ }).click();
      await page.getByRole("table", { name: "Attempts" }).getByRole("cell", { name: "204" }).first().waitFor();
      await row.getByRole("button", { name: /^Redeliver/ }).click();
      await page.getByText(/queued again/).waitFor();
    });
    await eventually("the redelivery", async () => received.filter((r) => r.headers["webhook-id"] === id).length >= 2, 60_000);
  });

  test("sponsorship is funded from the wallet and the balance follows", async () => {
    const { page } = admin;
    await section(page, "Sponsorship");
    await admin.step("fund", async () => {
      await page.getByLabel(/^Fund the project's sponsorship/).fill("1.5");
      await page.getByRole("button", { name: "Fund", exact: true }).click();
      await page.getByTestId("sponsor-balance").filter({ hasText: "1.5 ETH" }).waitFor();
    });
    expect(await getProjectBalance(publicClient, { paymaster: addresses.paymaster as Address, projectId: project.id })).toBe(parseEther("1.5"));
  });

  let subject: Address;
  let recordId: Hex;
  let declined: { subject: Address; recordId: Hex };
  /** A fresh person (an EOA funded on the local chain) submits and grants the project, through the SDK. */
  async function personGrants(fields: Record<string, string>, granted: string[]) {
    const account = privateKeyToAccount(generatePrivateKey());
    await publicClient.request({ method: "anvil_setBalance" as never, params: [account.address, "0xde0b6b3a7640000"] as never });
    const person = createWalletClient({ account, chain: foundry, transport: http(info.rpcUrl) });
    const wallet = await generateArweaveWallet();
    await fetch(`${info.urls.arweave}/mint/${await arweaveAddress(wallet)}/1000000000000`);
    const storage = arweaveStorage({ url: info.urls.arweave, wallet, mine: true });
    const r = await submitRecord(person, { ...target, storage, fields });
    const expiry = (await publicClient.getBlock()).timestamp + 30n * 86400n;
    await grantAccess(person, {
      ...target,
      recordId: r.recordId,
      version: r.version,
      dek: r.dek,
      manifest: r.manifest,
      grantee: { projectId: project.id },
      fields: granted,
      purpose: "KYC_REVIEW",
      expiry,
    });
    return { subject: account.address, recordId: r.recordId };
  }

  test("a person, in their own browser, submits a record and grants the project two of its fields", async () => {
    const person = await newActor(browser, "org-person", app);
    const { page } = person;
    await person.step("connect and set up", async () => {
      await page.getByRole("button", { name: new RegExp(`Dev account ${PERSON_DEV} `) }).click();
      await page.getByRole("button", { name: "Set up my account and keys" }).click();
      await page.getByRole("heading", { name: "My OneKey account" }).waitFor({ timeout: 60_000 });
    });
    subject = (await page.getByLabel("Smart account address").textContent()) as Address;
    await person.step("submit", async () => {
      await page.getByLabel("First name").fill(FIELDS.firstName);
      await page.getByLabel("Last name").fill("Lovelace");
      await page.getByLabel("Date of birth").fill("1990-04-01");
      await page.getByLabel("Nationality").selectOption(FIELDS.nationality);
      await page.getByLabel("Document number").fill(FIELDS.idNumber);
      await page.getByLabel("Home address").fill(`1 ${CANARY} Street`);
      await page.getByRole("button", { name: "Encrypt and submit" }).click();
      await page.getByRole("status").filter({ hasText: "Submitted." }).waitFor({ timeout: 90_000 });
    });
    const records = await eventually(
      "the person's record in the indexer",
      async () => {
        const cfg = await (await fetch(`${app}/config.json`)).json();
        const res = await fetch(`${api}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${cfg.indexerApiKey}` },
          body: JSON.stringify({ query: `{ records(where: { owner: "${subject.toLowerCase()}" }) { items { id } } }` }),
        });
        const items = ((await res.json()) as { data: { records: { items: { id: Hex }[] } } }).data.records.items;
        return items.length ? items : undefined;
      },
      60_000,
    );
    recordId = records[0].id;
    await person.step("grant the project two fields", async () => {
      const item = page.getByRole("listitem", { name: `Record ${recordId.slice(0, 10)}` });
      await item.getByRole("button", { name: "Grant a project..." }).click();
      const form = item.getByRole("form", { name: "Grant a project" });
      await form.getByLabel("Find a project by id or name").fill("Orbit");
      await form.getByRole("radio", { name: /Orbit Bank/ }).check();
      await form.getByLabel("Purpose").selectOption("KYC_REVIEW");
      await form.getByRole("checkbox", { name: "First name" }).check();
      await form.getByRole("checkbox", { name: "Nationality" }).check();
      await form.getByRole("button", { name: "Grant access" }).click();
      await form.waitFor({ state: "detached", timeout: 90_000 });
      await page.getByRole("row").filter({ hasText: "Orbit Bank" }).getByText("live").waitFor({ timeout: 60_000 });
    });
    await person.context.close();
  });

  test("a second person grants the project too (through the SDK, an EOA of their own)", async () => {
    declined = await personGrants({ first_name: `Bob ${CANARY}`, country: "XXX" }, ["first_name", "country"]);
  });

  test("the reviewer imports the review key in their own browser, decrypts only the granted fields and approves", async () => {
    reviewer = await newActor(browser, "org-reviewer", `${app}/org`);
    const { page } = reviewer;
    await reviewer.step("open the project", async () => {
      await connect(reviewer, REVIEWER_DEV);
      await page.getByLabel("Open a project by id").fill(project.id.toString());
      await page.getByRole("button", { name: "Open", exact: true }).click();
      await page.getByRole("heading", { name: `Project ${project.id}` }).waitFor();
    });
    await section(page, "Keys");
    await reviewer.step("import review key", async () => {
      const card = page.getByRole("region", { name: "Review key" });
      await card.getByText("This browser does not hold its private half.").waitFor();
      const file = join(LOG_DIR, "org-review-backup.json");
      writeFileSync(file, project.reviewBackup);
      await card.getByLabel("Import a backup into this browser").setInputFiles(file);
      await card.getByLabel("Its passphrase").fill("not the passphrase");
      await card.getByRole("button", { name: "Import backup" }).click();
      await card.getByRole("alert").filter({ hasText: "Wrong passphrase" }).waitFor();
      await card.getByLabel("Its passphrase").fill(PASSPHRASE);
      await card.getByRole("button", { name: "Import backup" }).click();
      await card.getByText("This browser holds its private half.").waitFor();
    });
    await section(page, "Reviews");
    await reviewer.step("open the record", async () => {
      await page.getByLabel("Project API key").fill(project.apiKey);
      await page.getByRole("button", { name: "Use this key" }).click();
      await page.getByRole("button", { name: `Review record ${recordId}` }).click();
      await page.getByRole("button", { name: "Decrypt in this browser" }).click();
      await page.getByLabel("Granted fields").getByText(FIELDS.firstName).waitFor();
    });
    const shown = await page.getByLabel("Granted fields").textContent();
    expect(shown).toContain("GBR");
    // Last name, date of birth, ID number and address were not granted: neither their names nor values appear.
    expect(shown).not.toMatch(/last_name|Last name|Lovelace|date_of_birth|Date of birth|id_number|Document number|\baddress\b|Home address/);
    expect(await page.getByText(FIELDS.idNumber).count()).toBe(0);
    await reviewer.step("approve", async () => {
      await page.getByLabel("Level").fill("2");
      await page.getByRole("checkbox", { name: "AGE_OVER_18" }).check();
      await page.getByRole("checkbox", { name: "COUNTRY_ALLOWED" }).check();
      await page.getByRole("button", { name: "Approve and attest" }).click();
      await page.getByText(/approved \(level 2\)/).waitFor();
    });
    await reviewer.step("reject the second record", async () => {
      await page.getByRole("button", { name: `Review record ${declined.recordId}` }).click();
      await page.getByRole("button", { name: "Decrypt in this browser" }).click();
      await page.getByLabel("Granted fields").getByText(`Bob ${CANARY}`).waitFor();
      await page.getByLabel("Reason for rejecting").selectOption("DATA_MISMATCH");
      await page.getByRole("button", { name: "Reject", exact: true }).click();
      await page.getByText(/rejected \(DATA_MISMATCH\)/).waitFor();
      expect(await page.getByTestId("review-row").count()).toBe(0);
    });
    expect(await getAttestation(publicClient, { ...target, subject: declined.subject, projectId: project.id })).toMatchObject({ level: 0 });
    expect(await isVerified(publicClient, { ...target, subject, projectId: project.id, minLevel: 2 })).toBe(true);
    const a = await getAttestation(publicClient, { ...target, subject, projectId: project.id });
    expect(a).toMatchObject({ level: 2, attester: devAddress(REVIEWER_DEV), claims: Claim.AGE_OVER_18 | Claim.COUNTRY_ALLOWED });
    // The fields were decrypted in the reviewer's page only: no request either org browser sent carries them.
    for (const actor of [admin, reviewer]) {
      const traffic = actor.requests.map((r) => `${r.url} ${r.body}`).join("\n");
      expect(traffic).not.toContain(CANARY);
      expect(actor.console.join("\n")).not.toContain(CANARY);
    }
  });

  test("the audit log verifies in the browser, exports, and a tampered export fails", async () => {
    const { page } = admin;
    await section(page, "Audit");
    await admin.step("verify and filter", async () => {
      await page.getByTestId("audit-row").filter({ hasText: "attestation.created" }).waitFor({ timeout: 60_000 });
      await page.getByTestId("audit-verdict").filter({ hasText: "rows verified" }).waitFor();
      await page.getByLabel("Event type").selectOption("grant.*");
      const types = await page.getByTestId("audit-row").locator("td:nth-child(2)").allTextContents();
      expect(types.length).toBeGreaterThan(0);
      expect(types.every((t) => t.startsWith("grant."))).toBe(true);
    });
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export JSON" }).click()]);
    const text = await saved(download, "org-audit-export.json");
    const exported = JSON.parse(text) as AuditExport;
    expect(verifyExport(exported)).toMatchObject({ ok: true });
    expect(exported.rows.map((r) => r.eventType)).toEqual(
      expect.arrayContaining(["project.created", "member.roles_granted", "grant.created", "attestation.created"]),
    );
    // The indexer's own head matches what the browser exported.
    const head = await (await fetch(`${api}/v1/projects/${project.id}/audit/head`, { headers: { authorization: `Bearer ${project.apiKey}` } })).json();
    expect(BigInt(head.seq)).toBeGreaterThanOrEqual(BigInt(exported.head.seq));
    const tampered = structuredClone(exported);
    const at = tampered.rows.findIndex((r) => r.eventType === "attestation.created");
    tampered.rows[at].payload = tampered.rows[at].payload.replace('"level":"2"', '"level":"3"');
    expect(tampered.rows[at].payload).toContain('"level":"3"');
    const file = join(LOG_DIR, "org-audit-tampered.json");
    writeFileSync(file, JSON.stringify(tampered));
    await admin.step("tampered export", async () => {
      await page.getByLabel("An export (JSON or CSV) to check in this browser").setInputFiles(file);
      await page
        .getByRole("alert")
        .filter({ hasText: `verification failed at row seq ${tampered.rows[at].seq}` })
        .waitFor();
    });
  });

  test("analytics show the two grants and the one attestation", async () => {
    const { page } = admin;
    await section(page, "Analytics");
    await admin.step("totals", async () => {
      await page.getByTestId("total-grants").filter({ hasText: /^2$/ }).waitFor();
      await page.getByTestId("total-attestations").filter({ hasText: /^1$/ }).waitFor();
      await page.getByRole("img", { name: /Grants by purpose: KYC_REVIEW 2/ }).waitFor();
    });
  });

  test("the GraphQL explorer loads from the app itself and answers with the project's key", async () => {
    const { page } = admin;
    const before = admin.requests.length;
    const introspection = page.waitForResponse((r) => r.url().endsWith("/graphql") && (r.request().postData() ?? "").includes("OneKeyIntrospection"));
    await section(page, "GraphQL");
    await admin.step("explorer", async () => {
      // The schema (docs, autocompletion) loads within the indexer's depth limit.
      expect((await introspection).status()).toBe(200);
      await page.locator(".graphiql-container").waitFor({ timeout: 60_000 });
      // GraphiQL wires its run button once its editors are up: retry the click until it sends.
      const body = await eventually(
        "the explorer's answer",
        async () => {
          const answer = page.waitForResponse((r) => r.url().endsWith("/graphql") && (r.request().postData() ?? "").includes("Public chain data"), {
            timeout: 5_000,
          });
          await page.getByRole("button", { name: /Execute query/ }).click();
          return (await (await answer).json()) as { data: { project: { admin: string; reviewKeyVersion: number } } };
        },
        60_000,
      );
      expect(body.data.project).toMatchObject({ admin: devAddress(ADMIN_DEV).toLowerCase(), reviewKeyVersion: 1 });
      // And the page shows it (Monaco wraps long lines, so look for a short piece).
      await page.locator(".graphiql-response").getByText('"reviewKeyVersion"').waitFor();
    });
    const hosts = new Set(admin.requests.slice(before).map((r) => new URL(r.url).hostname));
    expect([...hosts].filter((h) => h !== "127.0.0.1")).toEqual([]);
    expect(admin.requests.slice(before).some((r) => r.url.endsWith("/graphql") && r.headers.authorization === `Bearer ${project.apiKey}`)).toBe(true);
  });

  test("neither org browser sent a request off this machine", () => {
    for (const actor of [admin, reviewer]) {
      const off = actor.requests.map((r) => new URL(r.url)).filter((u) => u.protocol !== "blob:" && u.protocol !== "data:" && u.hostname !== "127.0.0.1");
      expect(
        off.map((u) => u.href),
        actor.name,
      ).toEqual([]);
    }
  });

  test("suspend and resume; a revoked API key is refused by the indexer", async () => {
    const { page } = admin;
    await section(page, "Overview");
    await admin.step("suspend", async () => {
      await page.getByRole("button", { name: "Suspend project" }).click();
      await page.getByTestId("project-status").filter({ hasText: "Suspended" }).waitFor();
    });
    expect(await isProjectActive(publicClient, { ...target, projectId: project.id })).toBe(false);
    await admin.step("resume", async () => {
      await page.getByRole("button", { name: "Resume project" }).click();
      await page.getByTestId("project-status").filter({ hasText: "Active" }).waitFor();
    });
    expect(await isProjectActive(publicClient, { ...target, projectId: project.id })).toBe(true);
    await section(page, "API keys");
    await admin.step("revoke", async () => {
      await page
        .getByRole("button", { name: /^Revoke key / })
        .first()
        .click();
      await page.getByRole("cell", { name: "revoked" }).waitFor();
    });
    expect((await getApiKey(publicClient, { ...target, projectId: project.id, keyHash: apiKeyHash(project.apiKey) })).revoked).toBe(true);
    const refused = await eventually("the indexer to refuse the revoked key", async () => {
      const res = await fetch(`${api}/v1/projects/${project.id}/events`, { headers: { authorization: `Bearer ${project.apiKey}` } });
      return res.status === 401 ? await res.json() : undefined;
    });
    expect(refused.error).toBe("ApiKeyRevoked");
  });
});
