// The review service in the local stack: the three provider simulators (Sumsub first, then
// Onfido and Veriff as fallbacks) and one service instance for the demo project, its case
// database (PGlite) and encrypted key store in the data dir. The simulators are the providers
// here: they keep what they are sent in memory, as the real ones would.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ApiKeyScopes } from "@onekey/sdk/constants";
import { addApiKey, apiKeyHash, getApiKey, getProject, grantRoles, hasActiveRole, Roles, setReviewKey } from "@onekey/sdk/contracts";
import { getOrCreateKey } from "@onekey/sdk/keys";
import { openFileKeyStore } from "@onekey/sdk/keys";
import { arweaveStorage, generateArweaveWallet } from "@onekey/sdk/storage";
import { startReviewService } from "../../services/review/src/service/index.ts";
import { onfidoProvider } from "../../services/review/src/providers/onfido.ts";
import { sumsubProvider } from "../../services/review/src/providers/sumsub.ts";
import { veriffProvider } from "../../services/review/src/providers/veriff.ts";
import { startOnfidoSimulator } from "../../services/review/test/simulators/onfido.ts";
import { startSumsubSimulator } from "../../services/review/test/simulators/sumsub.ts";
import { startVeriffSimulator } from "../../services/review/test/simulators/veriff.ts";

/**
 * The project the local service reviews for and what it needs of it: by default the first project
 * after the app's own sponsoring project (so the demo's, on a fresh chain), or
 * ONEKEY_REVIEW_PROJECT_ID.
 */
export const STACK_REVIEW = {
  // Local-stack values, not secrets: the demo project's admin registers this key's hash to connect it.
  apiKey: process.env.ONEKEY_REVIEW_API_KEY || "ok_local_stack_review_service",
  passphrase: process.env.ONEKEY_REVIEW_KEYSTORE_PASSPHRASE || "local stack only, not a secret",
};

export async function startStackReview(o: {
  projectId: bigint;
  port: number;
  rpcUrl: string;
  indexerUrl: string;
  arweaveUrl: string;
  dataDir: string;
  logsDir: string;
  addresses: { projectRegistry: Address; recordRegistry: Address; attestationRegistry: Address };
  attesterKey: Hex;
  relayerKey: Hex;
  /** Origins whose pages may call the case API (the app's). */
  corsOrigins?: string[];
}) {
  const secrets = {
    sumsub: { appToken: "local-sumsub", secretKey: "local-sumsub-secret", webhookSecret: "local-sumsub-hook" },
    onfido: { apiToken: "local-onfido", webhookToken: "local-onfido-hook" },
    veriff: { apiKey: "local-veriff", sharedSecret: "local-veriff-secret" },
  };
  const [sumsub, onfido, veriff] = await Promise.all([
    startSumsubSimulator(secrets.sumsub),
    startOnfidoSimulator(secrets.onfido),
    startVeriffSimulator(secrets.veriff),
  ]);
  const keyStore = await openFileKeyStore({ directory: join(o.dataDir, "review", "keys"), passphrase: STACK_REVIEW.passphrase });
  // The demo project's review key lives here; its public key is what the project registers.
  const reviewKey = await getOrCreateKey(keyStore, `review:${o.projectId}:v1`);
  mkdirSync(o.logsDir, { recursive: true });
  const logFile = join(o.logsDir, "review.log");
  const service = await startReviewService({
    port: o.port,
    rpcUrl: o.rpcUrl,
    indexerUrl: o.indexerUrl,
    addresses: o.addresses,
    storage: arweaveStorage({ url: o.arweaveUrl, wallet: await generateArweaveWallet() }),
    keyStore,
    attesterKey: o.attesterKey,
    relayerKey: o.relayerKey,
    providers: {
      sumsub: sumsubProvider({ baseUrl: sumsub.url, ...secrets.sumsub, levelName: "basic-kyc-level", timeoutMs: 5_000 }),
      onfido: onfidoProvider({ baseUrl: onfido.url, ...secrets.onfido, timeoutMs: 5_000 }),
      veriff: veriffProvider({ baseUrl: veriff.url, ...secrets.veriff, timeoutMs: 5_000 }),
    },
    projects: [
      {
        projectId: o.projectId,
        indexerApiKey: STACK_REVIEW.apiKey,
        rules: {
          providers: [
            { provider: "sumsub", priority: 30, costCents: 150, documentTypes: ["passport", "id_card", "driving_licence", "residence_permit"] },
            { provider: "onfido", priority: 20, costCents: 120, documentTypes: ["passport", "id_card", "driving_licence"] },
            { provider: "veriff", priority: 10, costCents: 90, documentTypes: ["passport", "id_card", "driving_licence", "residence_permit"] },
          ],
        },
        // A level-2 approval (passport, id card) is looked at by a person in the console; a
        // driving licence or residence permit (level 1) is attested on the provider's word alone.
        policy: { levels: { passport: 2, id_card: 2, driving_licence: 1, residence_permit: 1 }, manualReview: { fromLevel: 2 }, fourEyesFromLevel: 3 },
        countryAllowList: ["DE", "FR", "GB", "NL"],
      },
    ],
    corsOrigins: o.corsOrigins,
    dbDir: join(o.dataDir, "review", "db"),
    databaseUrl: process.env.ONEKEY_REVIEW_DATABASE_URL || undefined,
    log: (line) => appendFileSync(logFile, `${JSON.stringify({ t: new Date().toISOString(), ...line })}\n`),
  });
  for (const [name, sim] of Object.entries({ sumsub, onfido, veriff })) sim.callbackUrl = `${service.url}/v1/providers/${name}/callback`;
  return {
    url: service.url,
    reviewPublicKey: `0x${Buffer.from(reviewKey.publicKey).toString("hex")}` as Hex,
    async stop() {
      await service.stop();
      await Promise.all([sumsub.close(), onfido.close(), veriff.close()]);
    },
  };
}

/**
 * Connects a project to the stack's review service, as its admin would: the service's API key
 * (read + webhooks: it polls the project's grants and registers its trigger endpoint) and the
 * service's review key (so grants to the project wrap to it), and REVIEWER for the service's
 * attester. Idempotent: what is already in place is left alone.
 */
export async function connectStackReview(
  admin: WalletClient<Transport, Chain, Account>,
  publicClient: PublicClient,
  o: { projectId: bigint; reviewPublicKey: Hex; attesterKey: Hex; addresses: { projectRegistry: Address } },
): Promise<void> {
  const on = { addresses: o.addresses as never };
  const projectId = o.projectId;
  const keyHash = apiKeyHash(STACK_REVIEW.apiKey);
  const key = await getApiKey(publicClient, { ...on, projectId, keyHash });
  if (key.expiry === 0n) {
    const expiry = BigInt(Math.floor(Date.now() / 1000) + 10 * 365 * 86_400);
    await addApiKey(admin, { ...on, projectId, keyHash, scopes: ApiKeyScopes.read | ApiKeyScopes.webhooks, expiry });
  }
  if ((await getProject(publicClient, { ...on, projectId })).reviewKey.toLowerCase() !== o.reviewPublicKey.toLowerCase())
    await setReviewKey(admin, { ...on, projectId, publicKey: o.reviewPublicKey });
  const attester = privateKeyToAccount(o.attesterKey).address;
  if (!(await hasActiveRole(publicClient, { ...on, projectId, account: attester, role: Roles.REVIEWER })))
    await grantRoles(admin, { ...on, projectId, account: attester, roles: Roles.REVIEWER });
}
