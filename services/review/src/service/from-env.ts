// The service's configuration from the environment and one JSON file (projects and providers).
// Secrets (key-store passphrase or PKCS#11 PIN, reviewer and relayer keys) come from the
// environment only, never from the file or argv.
import { readFileSync } from "node:fs";
import type { Address, Hex } from "viem";
import { openFileKeyStore } from "@onekey/sdk/keys";
import { arweaveStorage, generateArweaveWallet } from "@onekey/sdk/storage";
import { BaseError } from "@onekey/sdk/errors";
import { WeakPassphraseError } from "../errors.ts";
import { pkcs11KeyStore } from "../keys/pkcs11-store.ts";
import { onfidoProvider, type OnfidoConfig } from "../providers/onfido.ts";
import { sumsubProvider, type SumsubConfig } from "../providers/sumsub.ts";
import { veriffProvider, type VeriffConfig } from "../providers/veriff.ts";
import type { KycProvider, ProviderName } from "../providers/types.ts";
import type { ReviewProject, ReviewServiceOptions } from "./config.ts";

export class ReviewConfigError extends BaseError {
  override name = "ReviewConfigError";
  constructor(message: string) {
    super(message, { docsPath: "review-service.md#running-it" });
  }
}

const MIN_PASSPHRASE = 12;

export type ReviewConfigFile = {
  projects: (Omit<ReviewProject, "projectId"> & { projectId: string | number })[];
  providers: { sumsub?: SumsubConfig; onfido?: OnfidoConfig; veriff?: VeriffConfig };
};

export function providersFrom(file: ReviewConfigFile["providers"]): Partial<Record<ProviderName, KycProvider>> {
  const out: Partial<Record<ProviderName, KycProvider>> = {};
  if (file.sumsub) out.sumsub = sumsubProvider(file.sumsub);
  if (file.onfido) out.onfido = onfidoProvider(file.onfido);
  if (file.veriff) out.veriff = veriffProvider(file.veriff);
  return out;
}

export async function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ReviewServiceOptions> {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new ReviewConfigError(`${name} is required`);
    return v;
  };
  const passphrase = env.ONEKEY_REVIEW_PKCS11_MODULE ? undefined : need("ONEKEY_REVIEW_KEYSTORE_PASSPHRASE");
  if (passphrase !== undefined && passphrase.length < MIN_PASSPHRASE) throw new WeakPassphraseError(MIN_PASSPHRASE);
  const file = JSON.parse(readFileSync(need("ONEKEY_REVIEW_CONFIG"), "utf8")) as ReviewConfigFile;
  const keyStore = env.ONEKEY_REVIEW_PKCS11_MODULE
    ? pkcs11KeyStore({ module: env.ONEKEY_REVIEW_PKCS11_MODULE, tokenLabel: need("ONEKEY_REVIEW_PKCS11_TOKEN"), pin: need("ONEKEY_REVIEW_PKCS11_PIN") })
    : await openFileKeyStore({ directory: need("ONEKEY_REVIEW_KEYSTORE_DIR"), passphrase: passphrase! });
  return {
    port: Number(env.ONEKEY_REVIEW_PORT ?? 4340),
    host: env.ONEKEY_REVIEW_HOST ?? "127.0.0.1",
    publicUrl: env.ONEKEY_REVIEW_PUBLIC_URL || undefined,
    rpcUrl: need("ONEKEY_RPC_URL"),
    indexerUrl: need("ONEKEY_INDEXER_URL"),
    addresses: {
      projectRegistry: need("ONEKEY_PROJECT_REGISTRY") as Address,
      recordRegistry: need("ONEKEY_RECORD_REGISTRY") as Address,
      attestationRegistry: need("ONEKEY_ATTESTATION_REGISTRY") as Address,
    },
    // Downloads only: the wallet is never used (the service uploads nothing).
    storage: arweaveStorage({ url: need("ONEKEY_ARWEAVE_URL"), wallet: await generateArweaveWallet() }),
    keyStore: keyStore as ReviewServiceOptions["keyStore"],
    attesterKey: need("ONEKEY_REVIEW_ATTESTER_KEY") as Hex,
    relayerKey: need("ONEKEY_REVIEW_RELAYER_KEY") as Hex,
    providers: providersFrom(file.providers),
    projects: file.projects.map((p) => ({ ...p, projectId: BigInt(p.projectId) })),
    databaseUrl: env.DATABASE_URL || undefined,
    dbDir: env.ONEKEY_REVIEW_DB_DIR,
    instanceId: env.ONEKEY_REVIEW_INSTANCE || undefined,
    leaseMs: env.ONEKEY_REVIEW_LEASE_MS ? Number(env.ONEKEY_REVIEW_LEASE_MS) : undefined,
    indexerPollMs: env.ONEKEY_REVIEW_POLL_MS ? Number(env.ONEKEY_REVIEW_POLL_MS) : undefined,
    corsOrigins: env.ONEKEY_REVIEW_CORS_ORIGINS ? env.ONEKEY_REVIEW_CORS_ORIGINS.split(",") : undefined,
    providerPollMs: env.ONEKEY_REVIEW_PROVIDER_POLL_MS ? Number(env.ONEKEY_REVIEW_PROVIDER_POLL_MS) : undefined,
  };
}
