// `npm run demo`: the OneKey story end to end against the running local stack (`npm start`).
// Personal data exists only inside this process (the person's device and the reviewer's); every
// field carries a canary string so `test/e2e/canary.ts` can prove none of it leaks anywhere else.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { join } from "node:path";
import { createPublicClient, createWalletClient, encodeFunctionData, http, keccak256, parseEther, toHex, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { loadStackConfig } from "./stack/config.ts";
import type { StackInfo } from "./stack/index.ts";
import { artifact } from "./lib/artifacts.ts";
import { oneKeyPaymasterAbi } from "@onekey/sdk/abis";
import { arweaveStorage, arweaveAddress, generateArweaveWallet } from "@onekey/sdk/storage";
import { generateX25519KeyPair, toHex as bytesHex, FieldNotGrantedError } from "@onekey/sdk/crypto";
import { deriveEncryptionKey } from "@onekey/sdk/keys";
import {
  addApiKey,
  ageClaims,
  ALL_API_KEY_SCOPES,
  apiKeyHash,
  attest,
  Claim,
  countryClaims,
  createProject,
  decodeClaims,
  grantRoles,
  hasAccess,
  hasClaims,
  isVerified,
  projectGrantee,
  recordAuditAccess,
  Roles,
  setEncryptionKey,
  setEscrowKey,
  setReviewKey,
  revoke,
  eraseRecord,
} from "@onekey/sdk/contracts";
import {
  grantAccess,
  readAsAuditor,
  readRecord,
  receiveReviewKey,
  rotateReviewKey,
  shareReviewKeyWith,
  submitRecord,
  AccessDeniedError,
  IndexerBehindError,
} from "@onekey/sdk/flows";
import { createSponsoredClient, signSponsorshipTicket, smartAccountSender, toOneKey7702Account, toOneKeyAccount } from "@onekey/sdk/aa";

const config = await loadStackConfig();
const infoPath = join(config.dataDir, "stack.json");
if (!existsSync(infoPath)) {
  console.error(`No running stack found (${infoPath} is missing). Start it first with \`npm start\`, with the same ONEKEY_DATA_DIR.`);
  process.exit(1);
}
const info = JSON.parse(readFileSync(infoPath, "utf8")) as StackInfo;
const canary = process.env.ONEKEY_CANARY ?? `CANARY-${randomBytes(6).toString("hex")}`;
const demoDir = join(config.dataDir, "demo");
mkdirSync(demoDir, { recursive: true });

let step = 0;
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
// ONEKEY_DEMO_STEP_MS pauses before each step, so someone watching the app can follow along
// (`npm start -- --demo` sets it); 0 by default.
const stepMs = Number(process.env.ONEKEY_DEMO_STEP_MS ?? "0") || 0;
const say = async (title: string) => {
  if (stepMs > 0 && step > 0) await new Promise((r) => setTimeout(r, stepMs));
  console.log(`\n${++step}. ${title}`);
};
const note = (line: string) => console.log(`   ${line}`);

const publicClient = createPublicClient({ chain: foundry, transport: http(info.rpcUrl) });
const key = (role: string) => info.accounts.find((a) => a.role === role)!.privateKey;
const eoa = (role: string) => createWalletClient({ account: privateKeyToAccount(key(role)), chain: foundry, transport: http(info.rpcUrl) });
// The local deployment is not one the SDK records: every action is told where it is.
const on = { addresses: info.addresses };
const addressOf = (role: string) => privateKeyToAccount(key(role)).address;
const admin = eoa("org-admin");
const reviewer = eoa("reviewer");
const auditor = eoa("auditor");
const days = (n: number) => BigInt(Math.floor(Date.now() / 1000) + n * 86_400);

// --- the organisation ---------------------------------------------------------------------------
await say("An organisation creates a project and staffs it");
const { projectId } = await createProject(admin, { ...on, metadataURI: "https://example.org/onekey/kyc-tier-2.json" });
await grantRoles(admin, { ...on, projectId, account: addressOf("reviewer"), roles: Roles.REVIEWER });
await grantRoles(admin, { ...on, projectId, account: addressOf("auditor"), roles: Roles.AUDITOR });
await grantRoles(admin, { ...on, projectId, account: addressOf("sponsor-signer"), roles: Roles.SPONSOR });
note(`project ${projectId}; reviewer ${addressOf("reviewer")}, auditor ${addressOf("auditor")}, sponsor signer ${addressOf("sponsor-signer")}`);
if (info.urls.app) note(`watch it live: ${info.urls.app}/org/p/${projectId} (connect "Dev account 1", the demo's org-admin, or "Dev account 2", its reviewer)`);

const reviewKeys = await generateX25519KeyPair();
const escrowKeys = await generateX25519KeyPair();
await setReviewKey(admin, { ...on, projectId, publicKey: bytesHex(reviewKeys.publicKey) });
await setEscrowKey(admin, { ...on, projectId, publicKey: bytesHex(escrowKeys.publicKey) });
note("review and audit-escrow X25519 public keys registered");

const fundHash = await admin.writeContract({
  address: info.addresses.paymaster as Address,
  abi: oneKeyPaymasterAbi,
  functionName: "fundProject",
  args: [projectId],
  value: parseEther("0.5"),
});
await publicClient.waitForTransactionReceipt({ hash: fundHash });
note("0.5 ETH of gas sponsorship funded in the paymaster");

const apiKey = `ok_${randomBytes(24).toString("base64url")}`;
await addApiKey(admin, { ...on, projectId, keyHash: apiKeyHash(apiKey), scopes: ALL_API_KEY_SCOPES, expiry: days(365) });
// Shown once, in full: the key a person watching pastes into the console (Audit, Reviews,
// Analytics) to see the project's data as the demo makes it. A local-chain demo key.
note(`API key registered (only its hash is on-chain); shown once, for the console: ${apiKey}`);

// Everything the demo receives from the indexer is kept for the PII canary check.
const received: { what: string; body: unknown }[] = [];
const webhooks: { id: string; type: string; body: string; verified: boolean }[] = [];
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${info.urls.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  received.push({ what: `${method} ${path} -> ${res.status}`, body: json });
  return { status: res.status, json: json as Record<string, unknown> };
};
const graphql = async (query: string) => {
  const res = await fetch(info.urls.graphql, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const json = (await res.json()) as { data?: Record<string, { items?: unknown[] } | null>; errors?: unknown };
  received.push({ what: `graphql ${query.slice(0, 60)}`, body: json });
  return json;
};
let receiver: Server | undefined;
let verifier: Webhook | undefined;
if (info.urls.api) {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      let verified = false;
      try {
        verifier?.verify(body, headers);
        verified = true;
      } catch {}
      webhooks.push({ id: headers["webhook-id"], type: (JSON.parse(body) as { type: string }).type, body, verified });
      res.writeHead(verified ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  await waitUntil("the indexer to see the API key", async () => (await api("GET", `/v1/projects/${projectId}/webhooks`)).status === 200);
  const endpoint = await api("POST", `/v1/projects/${projectId}/webhooks`, { url: `http://127.0.0.1:${port}/onekey`, eventTypes: ["*"], fromBlock: "0" });
  if (endpoint.status !== 201) throw new Error(`webhook registration failed: ${JSON.stringify(endpoint.json)}`);
  verifier = new Webhook(String(endpoint.json.secret));
  note(`webhook endpoint ${String(endpoint.json.id)} registered for every event; Standard Webhooks secret shown once`);
}

await say("The reviewer gets the project's review key, wrapped to its own wallet-derived key");
const reviewerKeys = await deriveEncryptionKey(reviewer);
await setEncryptionKey(reviewer, { ...on, publicKey: bytesHex(reviewerKeys.publicKey) });
await shareReviewKeyWith(admin, { ...on, projectId, reviewer: addressOf("reviewer"), reviewKey: reviewKeys });
// The reviewer's side: its ReviewKeyShared event, opened with its own key, checked against the chain.
let reviewKeyPair = await receiveReviewKey(reviewer, { ...on, projectId, keyPair: reviewerKeys, fromBlock: 0n });
note(`review key version ${reviewKeyPair.keyVersion} received by the reviewer through the chain`);

// A second reviewer, who will leave later; it gets the key the same way.
const leaverAccount = privateKeyToAccount(generatePrivateKey());
const leaver = createWalletClient({ account: leaverAccount, chain: foundry, transport: http(info.rpcUrl) });
await publicClient.waitForTransactionReceipt({ hash: await admin.sendTransaction({ to: leaverAccount.address, value: parseEther("0.05") }) });
await grantRoles(admin, { ...on, projectId, account: leaverAccount.address, roles: Roles.REVIEWER });
const leaverKeys = await generateX25519KeyPair();
await setEncryptionKey(leaver, { ...on, publicKey: bytesHex(leaverKeys.publicKey) });
await shareReviewKeyWith(admin, { ...on, projectId, reviewer: leaverAccount.address, reviewKey: reviewKeys });
const leaverReviewKey = await receiveReviewKey(leaver, { ...on, projectId, keyPair: leaverKeys, fromBlock: 0n });
note(`a second reviewer ${leaverAccount.address} holds the same review key`);

// --- the person ----------------------------------------------------------------------------------
await say("A person with zero ETH uses their own wallet as a smart account (EIP-7702), sponsored under a ticket");
const owner = privateKeyToAccount(generatePrivateKey());
// A resumed stack saved before Simple7702Account was deployed falls back to a SimpleAccount.
const account = info.addresses.simple7702Account
  ? await toOneKey7702Account({ client: publicClient, owner, implementation: info.addresses.simple7702Account as Address })
  : await toOneKeyAccount({ client: publicClient, owner, factory: info.addresses.factory as Address });
// The project's backend authorises this person: a short-lived ticket signed by its SPONSOR key.
// Without it the sponsor service refuses (NOT_AUTHORISED): strangers cannot spend the budget.
const ticket = await signSponsorshipTicket(eoa("sponsor-signer"), {
  chainId: info.chainId,
  paymaster: info.addresses.paymaster as Address,
  projectId,
  subject: account.address,
  maxOps: 50,
  validUntil: Number((await publicClient.getBlock()).timestamp) + 3_600,
});
const bundler = createSponsoredClient({ account, publicClient, bundlerUrl: info.urls.bundler, paymasterUrl: info.urls.sponsor, projectId, ticket });
// The person's writes go through the sponsored smart account; reads through the public client.
const person = publicClient;
const asPerson = { ...on, sender: smartAccountSender(bundler) };
note(
  `account ${account.address}${info.addresses.simple7702Account ? " (the person's EOA, delegated on its first operation)" : ""}, balance ${await publicClient.getBalance({ address: account.address })} wei`,
);
note(`ticket for ${ticket.maxOps} sponsored operations until ${new Date(ticket.validUntil * 1000).toISOString()}; every write below is sponsored`);
const personKeys = await deriveEncryptionKey(createWalletClient({ account: owner, chain: foundry, transport: http(info.rpcUrl) }));
await setEncryptionKey(person, { ...asPerson, publicKey: bytesHex(personKeys.publicKey) });

await say("They encrypt a KYC document on their device and upload only ciphertext");
const arWallet = await generateArweaveWallet();
await fetch(`${info.urls.arweave}/mint/${await arweaveAddress(arWallet)}/1000000000000000`);
const storage = arweaveStorage({ url: info.urls.arweave, wallet: arWallet, mine: true });
const document = {
  full_name: `Ada Lovelace ${canary}`,
  date_of_birth: `1815-12-10 ${canary}`,
  nationality: `GB ${canary}`,
  document_number: `P1234567 ${canary}`,
  address: `12 St James's Square, London ${canary}`,
};
const record = await submitRecord(person, {
  ...asPerson,
  storage,
  fields: document,
  onProgress: (sent, total) => note(`upload ${sent}/${total} bytes`),
});
note(`record ${record.recordId} registered: storage id ${record.storageId.slice(0, 18)}…, content hash ${record.contentHash.slice(0, 18)}…`);

await say("They grant the project KYC_REVIEW on three of five fields for 30 days");
const granted = await grantAccess(person, {
  ...asPerson,
  ...record,
  grantee: { projectId },
  fields: ["full_name", "date_of_birth", "nationality"],
  purpose: "KYC_REVIEW",
  expiry: days(30),
});
note(`field mask 0b${granted.fieldMask.toString(2)}, ${granted.wrappedKeyBytes} bytes of wrapped keys (review + escrow) in the grant`);

// --- review --------------------------------------------------------------------------------------
await say("The reviewer decrypts exactly the granted fields and attests level 2 with the claims it derived");
// The storage id and the wrapped key come through the indexer (no log scan); access, version and
// content hash from the chain. The indexer may be a block behind the grant just sent: wait for it.
const viaIndexer = { indexer: { url: info.urls.api, apiKey } };
const reviewerRead = (fields?: string[]) =>
  readRecord(reviewer, {
    ...on,
    ...viaIndexer,
    recordId: record.recordId,
    storage,
    reader: addressOf("reviewer"),
    via: { projectId },
    keyPair: reviewKeyPair,
    fields,
  });
const deadline = Date.now() + 20_000;
let seen: Awaited<ReturnType<typeof reviewerRead>> | undefined;
while (!seen) {
  seen = await reviewerRead().catch((error: unknown) => {
    if (error instanceof IndexerBehindError && Date.now() < deadline) return new Promise<undefined>((r) => setTimeout(r, 100));
    throw error;
  });
}
note("storage id and wrapped key read through the indexer's GraphQL");
for (const [name, value] of Object.entries(seen)) {
  note(`${name}: ${String(value).length} characters, matches what the person entered: ${value === document[name as keyof typeof document]}`);
}
const denied = await reviewerRead(["document_number"])
  .then(() => "decrypted (unexpected!)")
  .catch((e: Error) => (e instanceof FieldNotGrantedError ? "refused: not in the grant" : e.message));
note(`document_number: ${denied}`);
// Claims are derived here, in the reviewer's memory, from the granted fields (each carries the
// canary after a space); only the bits go on-chain.
const plain = (v: unknown) => String(v).split(" ")[0];
const claims = ageClaims(plain(seen.date_of_birth)) | countryClaims(plain(seen.nationality), ["GB", "FR", "DE", "NL"]) | Claim.SANCTIONS_SCREENED;
await attest(reviewer, { ...on, projectId, subject: account.address, level: 2, expiry: days(365), claims, recordId: record.recordId });
note(`claims attested: ${decodeClaims(claims).names.join(", ")} (bits 0x${claims.toString(16)}; no birth date or country on-chain)`);
note(`isVerified(person, project ${projectId}, 2) = ${await isVerified(reviewer, { ...on, subject: account.address, projectId, minLevel: 2 })}`);
note(
  `hasClaims(person, project ${projectId}, 2, [AGE_OVER_18, COUNTRY_ALLOWED]) = ${await hasClaims(reviewer, { ...on, subject: account.address, projectId, minLevel: 2, claims: ["AGE_OVER_18", "COUNTRY_ALLOWED"] })}`,
);

await say("The second reviewer leaves: the project rotates its review key and re-wraps its live grant; the person does nothing");
const rotation = await rotateReviewKey(admin, {
  ...on,
  fromBlock: 0n,
  projectId,
  previousKeys: [reviewKeys],
  remove: [leaverAccount.address],
  shareWith: [addressOf("reviewer")],
  // A real organisation persists the new key here, in its key store, before it goes on-chain.
  onNewKey: () => {},
});
note(
  `review key version ${rotation.keyVersion}; ${rotation.rewrapped.length} grant(s) re-wrapped in ${rotation.batches} transaction(s); reviewer role revoked from ${rotation.removed.join(", ")}`,
);
reviewKeyPair = await receiveReviewKey(reviewer, { ...on, projectId, keyPair: reviewerKeys, fromBlock: 0n });
// Read from the logs (fromBlock) here: the indexer may not have the re-wrap of the block just sent.
const reread = await readRecord(reviewer, {
  ...on,
  fromBlock: 0n,
  recordId: record.recordId,
  storage,
  reader: addressOf("reviewer"),
  via: { projectId },
  keyPair: reviewKeyPair,
});
note(`the reviewer who stays reads ${Object.keys(reread).length} granted fields with the new key`);
const oldKeyNow = await readRecord(reviewer, {
  ...on,
  fromBlock: 0n,
  recordId: record.recordId,
  storage,
  reader: addressOf("reviewer"),
  via: { projectId },
  keyPair: leaverReviewKey,
}).then(
  () => "opened (unexpected!)",
  (e: Error) => `refused (${e.name})`,
);
note(
  `the old key on the current wrap: ${oldKeyNow}; the leaver's hasAccess: ${await hasAccess(reviewer, { ...on, recordId: record.recordId, user: leaverAccount.address })}`,
);
note("what the leaver may still have read, and can no longer: docs/threat-model.md");

await say("A dApp gates a feature on isVerified");
const vaultArt = artifact("KycGatedVault");
const dapp = createWalletClient({ account: privateKeyToAccount(key("dapp-operator")), chain: foundry, transport: http(info.rpcUrl) });
const vaultReceipt = await publicClient.waitForTransactionReceipt({
  hash: await dapp.deployContract({ abi: vaultArt.abi, bytecode: vaultArt.bytecode, args: [info.addresses.attestationRegistry, projectId, 2] }),
});
const vault = vaultReceipt.contractAddress!;
const tryEnter = async (from: Address) =>
  publicClient.call({ account: from, to: vault, data: encodeFunctionData({ abi: vaultArt.abi, functionName: "enter" }) }).then(
    () => "let in",
    () => "refused",
  );
note(
  `KycGatedVault ${vault}: the person is ${await tryEnter(account.address)}; an unverified account is ${await tryEnter(privateKeyToAccount(generatePrivateKey()).address)}`,
);

// --- audit ---------------------------------------------------------------------------------------
await say("An auditor logs an audit access on-chain, then decrypts with the escrow key");
const blocked = await readAsAuditor(auditor, {
  ...on,
  ...viaIndexer,
  recordId: record.recordId,
  storage,
  projectId,
  auditor: addressOf("auditor"),
  keyPair: escrowKeys,
}).then(
  () => "opened (unexpected!)",
  (e: Error) => `refused (${e.name})`,
);
note(`before logging: ${blocked}`);
await recordAuditAccess(auditor, { ...on, recordId: record.recordId, projectId, authorisationHash: keccak256(toHex("court-order-2026-1142")) });
const audited = await readAsAuditor(auditor, {
  ...on,
  ...viaIndexer,
  recordId: record.recordId,
  storage,
  projectId,
  auditor: addressOf("auditor"),
  keyPair: escrowKeys,
});
note(`after logging: opened ${Object.keys(audited).join(", ")}`);

// --- revoke and erase ----------------------------------------------------------------------------
await say("The person revokes the grant and erases the record");
await revoke(person, { ...asPerson, recordId: record.recordId, grantee: projectGrantee(projectId) });
note(`reviewer access after revoke: ${await hasAccess(reviewer, { ...on, recordId: record.recordId, user: addressOf("reviewer") })}`);
await eraseRecord(person, { ...asPerson, recordId: record.recordId });
const afterErase = await readRecord(reviewer, {
  ...on,
  ...viaIndexer,
  recordId: record.recordId,
  storage,
  reader: addressOf("reviewer"),
  via: { projectId },
  keyPair: reviewKeyPair,
}).then(
  () => "opened (unexpected!)",
  (e: Error) => (e instanceof AccessDeniedError ? "refused" : e.message),
);
note(`after erasure the reviewer is ${afterErase}; the attestation stays until the project revokes it`);

await say("The project paid for everything the person did");
const spent =
  parseEther("0.5") -
  (await publicClient.readContract({
    address: info.addresses.paymaster as Address,
    abi: oneKeyPaymasterAbi,
    functionName: "projectBalance",
    args: [projectId],
  }));
note(`sponsorship spent: ${spent} wei; the person's balance: ${await publicClient.getBalance({ address: account.address })} wei`);

if (info.urls.api) {
  await say("Integrators see every step through the indexer: GraphQL, signed webhooks, a verifiable audit log");
  await waitUntil("the indexer to see the erasure", async () => {
    const r = await graphql(`{ record(id: "${record.recordId}") { erased } }`);
    return (r.data?.record as { erased?: boolean } | null)?.erased === true;
  });
  const view = await graphql(`{
    record(id: "${record.recordId}") { id version erased storageId contentHash }
    grants(where: { recordId: "${record.recordId}" }) { items { granteeKind purpose fieldMask revoked } }
    attestations(where: { subject: "${account.address.toLowerCase()}" }) { items { projectId level revoked } }
    sponsorships(where: { projectId: "${projectId}" }) { items { charged } totalCount }
  }`);
  const d = view.data as Record<string, { items?: Record<string, unknown>[]; totalCount?: number } & Record<string, unknown>>;
  note(`record: version ${d.record?.version}, erased ${d.record?.erased}`);
  note(`grants: ${JSON.stringify(d.grants?.items)}`);
  note(`attestations: ${JSON.stringify(d.attestations?.items)}`);
  note(`sponsored operations indexed: ${d.sponsorships?.totalCount ?? d.sponsorships?.items?.length}`);
  await waitUntil("webhooks for the erasure", async () => webhooks.some((w) => w.type === "record.erased"), 30_000);
  const types = [...new Set(webhooks.map((w) => w.type))];
  note(`webhooks received: ${webhooks.length}, all signatures valid: ${webhooks.every((w) => w.verified)}; types: ${types.join(", ")}`);
  const verdict = await api("GET", `/v1/projects/${projectId}/audit/verify`);
  note(`audit log hash chain: ${JSON.stringify(verdict.json)}`);
  writeFileSync(join(demoDir, "responses.json"), JSON.stringify(received, null, 2));
  writeFileSync(join(demoDir, "webhooks.json"), JSON.stringify(webhooks, null, 2));
  receiver?.close();
}

writeFileSync(
  join(demoDir, "result.json"),
  JSON.stringify({ projectId: String(projectId), recordId: record.recordId, subject: account.address, vault }, null, 2),
);
console.log("\nDemo complete.");
