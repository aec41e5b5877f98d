// The local stack for the review service's end-to-end tests, all real: anvil with OneKey
// deployed, arlocal, the Ponder indexer, the three provider simulators, a Standard Webhooks
// receiver for the service's own webhooks, and a project staffed with an attester and two human
// reviewers. A subject is a fresh account that encrypts a record on its side and grants it.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createWalletClient, http, toHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { Webhook } from "standardwebhooks";
import { generateX25519KeyPair } from "@onekey/sdk/crypto";
import { addApiKey, ALL_API_KEY_SCOPES, apiKeyHash, createProject, grantRoles, Roles, setEscrowKey, setReviewKey } from "@onekey/sdk/contracts";
import { grantAccess, submitRecord } from "@onekey/sdk/flows";
import { openFileKeyStore } from "@onekey/sdk/keys";
import { arweaveAddress, arweaveStorage, generateArweaveWallet, type StorageProvider } from "@onekey/sdk/storage";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { keyAccepted, startChain, startIndexer, type Chain31337, type Indexer } from "../../../../indexer/test/helpers/stack.ts";
import { ANVIL_KEYS } from "../../../../scripts/lib/anvil.ts";
import { freePort } from "../../../../scripts/lib/ports.ts";
import type { AttestationPolicy } from "../../src/orchestration/policy.ts";
import type { ProjectRules } from "../../src/orchestration/rules.ts";
import { onfidoProvider } from "../../src/providers/onfido.ts";
import { sumsubProvider } from "../../src/providers/sumsub.ts";
import { veriffProvider } from "../../src/providers/veriff.ts";
import { reviewKeyId } from "../../src/keys/ids.ts";
import { startReviewService, type ReviewLogLine, type ReviewProject, type ReviewServiceOptions } from "../../src/service/index.ts";
import { startOnfidoSimulator } from "../simulators/onfido.ts";
import { startSumsubSimulator } from "../simulators/sumsub.ts";
import { startVeriffSimulator } from "../simulators/veriff.ts";
import { packFile } from "@onekey/sdk/schema";
import { CANARY, jpeg } from "../fixtures.ts";

export const ROLE = { admin: 1, attester: 2, reviewerA: 3, reviewerB: 4, outsider: 6, relayer: 7 } as const;
export const account = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]);
export const PASSPHRASE = "correct horse battery staple (test only)";
export const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

export const RULES: ProjectRules = {
  providers: [
    { provider: "sumsub", priority: 30, costCents: 150, documentTypes: ["passport", "id_card"] },
    { provider: "onfido", priority: 20, costCents: 120, documentTypes: ["passport", "id_card"] },
    { provider: "veriff", priority: 10, costCents: 90, documentTypes: ["passport", "id_card"] },
  ],
};
// A passport earns level 2 automatically; an id card level 3, which needs two reviewers.
export const POLICY: AttestationPolicy = { levels: { passport: 2, id_card: 3 }, fourEyesFromLevel: 3 };

/**
 * The person's record, written through the SDK's record schema as the person's page writes it
 * (the scan packed with its own name and type); every text value carries the canary so any leak
 * is found.
 */
export const personFields = (documentType = "passport") => ({
  first_name: `${CANARY}Ada`,
  last_name: `${CANARY}Lovelace`,
  date_of_birth: "1990-02-03",
  country: "DEU",
  id_number: `${CANARY}P123`,
  document_type: documentType,
  document_country: "DEU",
  document_front: packFile({ name: `${CANARY}-passport.jpg`, type: "image/jpeg", bytes: jpeg }),
  address: `${CANARY} 12 St James's Square`,
});
export const GRANTED = ["first_name", "last_name", "date_of_birth", "country", "document_type", "document_country", "document_front"];

export type Received = { id: string; type: string; body: string; data: Record<string, unknown> };

export async function startWebhookReceiver(secret: string) {
  const received: Received[] = [];
  const refused: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      try {
        const m = new Webhook(secret).verify(body, headers) as { id: string; type: string; data: Record<string, unknown> };
        received.push({ id: m.id, type: m.type, body, data: m.data });
        res.writeHead(204).end();
      } catch {
        refused.push(body);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, received, refused, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function startHarness() {
  const chain: Chain31337 = await startChain();
  const addresses = chain.deployment;
  const rpcUrl = chain.anvil.rpcUrl;
  const arlocal: LocalArweave = await startArlocal({ port: await freePort() });
  const arWallet = await generateArweaveWallet();
  await arlocal.mint(await arweaveAddress(arWallet));
  const storage: StorageProvider = arweaveStorage({ url: arlocal.url, wallet: arWallet, mine: true });
  const wallet = (i: number) => createWalletClient({ account: account(i), chain: foundry, transport: http(rpcUrl) });
  const t = { addresses };

  const admin = wallet(ROLE.admin);
  const expiry = BigInt(Math.floor(Date.now() / 1000) + 86_400);
  const keyDir = mkdtempSync(join(tmpdir(), "onekey-review-keys-"));
  const keyStore = await openFileKeyStore({ directory: keyDir, passphrase: PASSPHRASE, scrypt: FAST_SCRYPT });
  /** A project staffed with the attester and two reviewers, its review key in the key store, an API key. */
  async function newProject() {
    const { projectId } = await createProject(admin, { ...t, metadataURI: "ipfs://review-e2e" });
    for (const i of [ROLE.attester, ROLE.reviewerA, ROLE.reviewerB])
      await grantRoles(admin, { ...t, projectId, account: account(i).address, roles: Roles.REVIEWER });
    const review = await generateX25519KeyPair();
    await keyStore.put(reviewKeyId(projectId, 1), review);
    await setReviewKey(admin, { ...t, projectId, publicKey: toHex(review.publicKey) });
    await setEscrowKey(admin, { ...t, projectId, publicKey: toHex((await generateX25519KeyPair()).publicKey) });
    const apiKey = `ok_${randomBytes(18).toString("base64url")}`;
    await addApiKey(admin, { ...t, projectId, keyHash: apiKeyHash(apiKey), scopes: ALL_API_KEY_SCOPES, expiry });
    return { projectId, apiKey };
  }
  const { projectId, apiKey } = await newProject();
  // Another tenant: its own key, no part in the review service.
  const { projectId: otherProjectId } = await createProject(admin, { ...t, metadataURI: "ipfs://other-tenant" });
  const otherApiKey = `ok_${randomBytes(18).toString("base64url")}`;
  await addApiKey(admin, { ...t, projectId: otherProjectId, keyHash: apiKeyHash(otherApiKey), scopes: ALL_API_KEY_SCOPES, expiry });

  const indexer: Indexer = await startIndexer({ chain });
  await keyAccepted(indexer, apiKey, projectId);

  const secrets = {
    sumsub: { appToken: "sumsub-app", secretKey: "sumsub-secret", webhookSecret: "sumsub-hook" },
    onfido: { apiToken: "onfido-token", webhookToken: "onfido-hook" },
    veriff: { apiKey: "veriff-key", sharedSecret: "veriff-secret" },
  };
  const [sumsub, onfido, veriff] = await Promise.all([
    startSumsubSimulator(secrets.sumsub),
    startOnfidoSimulator(secrets.onfido),
    startVeriffSimulator(secrets.veriff),
  ]);
  const providerConfig = {
    sumsub: { baseUrl: sumsub.url, ...secrets.sumsub, levelName: "basic-kyc", timeoutMs: 1_500 },
    onfido: { baseUrl: onfido.url, ...secrets.onfido, timeoutMs: 1_500 },
    veriff: { baseUrl: veriff.url, ...secrets.veriff, timeoutMs: 1_500 },
  };
  const hookSecret = `whsec_${randomBytes(24).toString("base64")}`;
  const hooks = await startWebhookReceiver(hookSecret);
  const logs: ReviewLogLine[] = [];
  const dirs = [keyDir];

  const project = (extra: Partial<ReviewProject> = {}): ReviewProject => ({
    projectId,
    indexerApiKey: apiKey,
    rules: RULES,
    policy: POLICY,
    countryAllowList: ["DE", "FR"],
    webhook: { url: hooks.url, secret: hookSecret },
    ...extra,
  });
  const serviceOptions = (extra: Partial<ReviewServiceOptions> = {}): ReviewServiceOptions => {
    const dbDir = mkdtempSync(join(tmpdir(), "onekey-review-db-"));
    dirs.push(dbDir);
    return {
      port: 0,
      rpcUrl,
      indexerUrl: indexer.url,
      addresses,
      storage,
      keyStore,
      attesterKey: ANVIL_KEYS[ROLE.attester],
      relayerKey: ANVIL_KEYS[ROLE.relayer],
      providers: {
        sumsub: sumsubProvider(providerConfig.sumsub),
        onfido: onfidoProvider(providerConfig.onfido),
        veriff: veriffProvider(providerConfig.veriff),
      },
      projects: [project()],
      dbDir,
      indexerPollMs: 1_000,
      providerPollMs: 1_000,
      leaseMs: 10_000,
      pollingIntervalMs: 50,
      log: (l) => {
        logs.push(l);
        // ONEKEY_REVIEW_DEBUG=1 prints the service's log lines while a test runs.
        if (process.env.ONEKEY_REVIEW_DEBUG) console.log(JSON.stringify(l));
      },
      ...extra,
    };
  };
  const pointSimulatorsAt = (url: string) => {
    sumsub.callbackUrl = `${url}/v1/providers/sumsub/callback`;
    onfido.callbackUrl = `${url}/v1/providers/onfido/callback`;
    veriff.callbackUrl = `${url}/v1/providers/veriff/callback`;
  };

  /** A fresh person: funded, encrypts and uploads the record, registers it and grants the project. */
  async function grantFromNewSubject(o: { documentType?: string; fields?: string[]; expirySeconds?: number; projectId?: bigint } = {}) {
    const key = generatePrivateKey();
    const subject = privateKeyToAccount(key);
    await chain.publicClient.request({ method: "anvil_setBalance" as never, params: [subject.address, toHex(10n ** 18n)] as never });
    const person = createWalletClient({ account: subject, chain: foundry, transport: http(rpcUrl) });
    const record = await submitRecord(person, { addresses, storage, fields: personFields(o.documentType) });
    const block = await chain.publicClient.getBlock();
    const granted = await grantAccess(person, {
      addresses,
      ...record,
      grantee: { projectId: o.projectId ?? projectId },
      fields: o.fields ?? GRANTED,
      purpose: "KYC_REVIEW",
      expiry: block.timestamp + BigInt(o.expirySeconds ?? 30 * 86_400),
    });
    return {
      subject: subject.address as Address,
      person,
      record,
      recordId: record.recordId as Hex,
      grantTx: granted.hash,
      grantBlock: granted.receipt.blockNumber,
    };
  }

  return {
    chain,
    addresses,
    rpcUrl,
    arlocal,
    storage,
    indexer,
    keyStore,
    keyDir,
    projectId,
    otherProjectId,
    apiKey,
    otherApiKey,
    sumsub,
    onfido,
    veriff,
    providerConfig,
    hooks,
    hookSecret,
    logs,
    project,
    newProject,
    serviceOptions,
    pointSimulatorsAt,
    grantFromNewSubject,
    wallet,
    startService: (extra: Partial<ReviewServiceOptions> = {}) => startReviewService(serviceOptions(extra)),
    async stop() {
      await Promise.all([sumsub.close(), onfido.close(), veriff.close(), hooks.close()]);
      await indexer.stop();
      await arlocal.stop();
      await chain.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
}
