// The app's configuration: fetched from /config.json at start (the static server writes it; an
// operator edits it for Base Sepolia / Base). Checked once, with plain-words errors, so a bad file
// never turns into a blank page. Addresses on public chains default to what @onekey/sdk exports;
// what the SDK cannot know (bundler, sponsor, ticket desk and indexer URLs, the account factory,
// and the addresses of a chain it records no deployment for) comes from the operator's file
// (ONEKEY_APP_CONFIG, merged by the app server; docs/deploy.md has a Base Sepolia example).
import { getAddress, isAddress, type Address, type PublicClient } from "viem";
import { oneKeyDeployments } from "@onekey/sdk/addresses";
import { AppError } from "./errors.ts";

export interface AppAddresses {
  projectRegistry: Address;
  recordRegistry: Address;
  attestationRegistry: Address;
  paymaster?: Address;
  /** SimpleAccountFactory (v0.8): the person's smart account is its counterfactual account. */
  factory?: Address;
  entryPoint?: Address;
}

/**
 * Where the browser uploads ciphertext. `arweave` (the default): an Arweave gateway, the first of
 * `storageUrls`, paid by a throwaway AR wallet. `irys`: an Irys bundler, with items signed by a
 * throwaway EVM key of the tab; above Irys' free 100 KiB someone must pay: `paidBy` names the
 * sponsor whose Irys balance pays, and `approvalUrl` is where the sponsor's backend is asked
 * (POST { address }) to approve the tab's key to spend it (an Irys balance approval).
 */
export type StorageConfig = { kind: "arweave" } | { kind: "irys"; bundlerUrl: string; token: string; paidBy?: Address; approvalUrl?: string };

/** One network the app can run on. */
export interface NetworkConfig {
  chainId: number;
  name: string;
  rpcUrl: string;
  bundlerUrl: string;
  /** ERC-7677 sponsor service (services/sponsor). */
  sponsorUrl: string;
  /** Indexer base URL; GraphQL at `${indexerUrl}/graphql`, REST under `/v1`. */
  indexerUrl: string;
  /**
   * A read-only key for the indexer's public chain data (GraphQL). Public by design: it unlocks
   * nothing GraphQL does not already show anyone, and is rate-limited per key.
   */
  indexerApiKey?: string;
  /** Storage gateways (Arweave-compatible); the first one uploads (arweave), all are tried for downloads. */
  storageUrls: string[];
  /** How uploads go: `{ kind: "irys", bundlerUrl, ... }` in config.json, arweave otherwise. */
  storage: StorageConfig;
  /** arlocal only: mint test AR for the browser's upload wallet and mine after each upload. */
  storageDev?: boolean;
  addresses: AppAddresses;
  /**
   * The block the registries were deployed at, where the scans of the chain's logs start (a key
   * rotation finds the record's grants this way): config.json's `fromBlock`, 0 by default on the
   * local chain only, since public RPCs refuse a scan from block 0.
   */
  fromBlock?: bigint;
  /**
   * Who pays the person's gas: a project's sponsorship and where its backend hands out tickets
   * (POST { subject } -> SponsorshipTicket). The person never needs ETH.
   */
  sponsor: { projectId: bigint; ticketUrl: string };
  /** The review service's URL, where the org has one. */
  reviewUrl?: string;
  /** Local chain only: offer anvil's public dev keys as wallets. */
  devAccounts?: `0x${string}`[];
  /** Embedded wallet (Privy) app id, when the operator has one. */
  privyAppId?: string;
}

export interface AppConfig {
  networks: NetworkConfig[];
  /** chainId of the network chosen when the person has not picked one. */
  defaultChainId: number;
}

export class ConfigError extends AppError {
  override name = "ConfigError";
  constructor(problem: string) {
    super(`The app's settings (/config.json) are not usable: ${problem}.`, "Ask whoever runs this OneKey app to fix its config.json.");
  }
}

/** A network whose OneKey addresses are neither in the file nor recorded by @onekey/sdk. */
export class NetworkAddressesMissingError extends ConfigError {
  override name = "NetworkAddressesMissingError";
  readonly chainId: number;
  readonly missing: string[];
  constructor(chainId: number, missing: string[]) {
    super(
      `network ${chainId} (${KNOWN_NAMES[chainId] ?? "unknown chain"}) lacks ${missing.map((m) => `addresses.${m}`).join(", ")}, and @onekey/sdk records ${
        oneKeyDeployments[chainId] ? "only the registries" : "no deployment"
      } there`,
    );
    this.chainId = chainId;
    this.missing = missing;
  }
}

/** A chain id that is not one, or names a network twice. */
export class InvalidChainIdError extends ConfigError {
  override name = "InvalidChainIdError";
}

/** The RPC of a network answers for another chain (checked in the browser, not in the file). */
export class ChainMismatchError extends AppError {
  override name = "ChainMismatchError";
  constructor(network: { name: string; chainId: number }, actual: number) {
    super(
      `The RPC configured for ${network.name} answers for chain ${actual}, not ${network.chainId}. Nothing is sent on this network.`,
      "Ask whoever runs this OneKey app to fix the network's rpcUrl in its config.",
    );
  }
}

/** Names for chains the app knows by id (an entry may name itself otherwise). */
export const KNOWN_NAMES: Record<number, string> = { 31337: "Local chain", 84532: "Base Sepolia", 8453: "Base" };

/** The addresses every network needs: the registries, the paymaster (sponsorship) and the account factory. */
export const REQUIRED_ADDRESSES = ["projectRegistry", "recordRegistry", "attestationRegistry", "paymaster", "factory"] as const;

/** Refuses (ChainMismatchError) a network whose RPC answers for another chain. */
export async function verifyRpcChain(client: Pick<PublicClient, "getChainId">, network: { name: string; chainId: number }): Promise<void> {
  const actual = await client.getChainId();
  if (actual !== network.chainId) throw new ChainMismatchError(network, actual);
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== "string" || v.length === 0) throw new ConfigError(`${what} is missing`);
  return v;
};
const url = (v: unknown, what: string): string => {
  const s = str(v, what);
  try {
    const u = new URL(s);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
  } catch {
    throw new ConfigError(`${what} is not an http(s) URL`);
  }
  return s.replace(/\/+$/, "");
};
const addr = (v: unknown, what: string): Address => {
  if (typeof v !== "string" || !isAddress(v)) throw new ConfigError(`${what} is not an address`);
  return getAddress(v);
};
const optAddr = (v: unknown, what: string): Address | undefined => (v === undefined || v === null ? undefined : addr(v, what));

function fromBlockOf(v: unknown, chainId: number): bigint | undefined {
  if (v === undefined || v === null) return chainId === 31337 ? 0n : undefined;
  if ((typeof v !== "string" && typeof v !== "number") || !/^\d{1,20}$/.test(String(v)))
    throw new ConfigError(`network ${chainId}: fromBlock is not a block number`);
  return BigInt(String(v));
}

function storageOf(v: unknown, chainId: number): StorageConfig {
  if (v === undefined || v === null) return { kind: "arweave" };
  if (typeof v !== "object") throw new ConfigError(`network ${chainId}: storage is not an object`);
  const s = v as Record<string, unknown>;
  if (s.kind === "arweave") return { kind: "arweave" };
  if (s.kind !== "irys") throw new ConfigError(`network ${chainId}: storage.kind is not "irys" or "arweave"`);
  const token = s.token ?? "base-eth";
  if (typeof token !== "string" || !/^[a-z0-9-]{1,40}$/.test(token)) throw new ConfigError(`network ${chainId}: storage.token is not an Irys token name`);
  return {
    kind: "irys",
    bundlerUrl: url(s.bundlerUrl, `network ${chainId}: storage.bundlerUrl`),
    token,
    paidBy: optAddr(s.paidBy, `network ${chainId}: storage.paidBy`),
    approvalUrl: s.approvalUrl === undefined ? undefined : url(s.approvalUrl, `network ${chainId}: storage.approvalUrl`),
  };
}

function parseNetwork(raw: unknown, i: number): NetworkConfig {
  if (!raw || typeof raw !== "object") throw new ConfigError(`network ${i} is not an object`);
  const n = raw as Record<string, unknown>;
  const chainId = typeof n.chainId === "number" || (typeof n.chainId === "string" && /^\d{1,16}$/.test(n.chainId)) ? Number(n.chainId) : Number.NaN;
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new InvalidChainIdError(`network ${i}: chainId ${String(n.chainId).slice(0, 40)} is not a chain id`);
  const known = oneKeyDeployments[chainId];
  const a = (n.addresses && typeof n.addresses === "object" ? n.addresses : {}) as Record<string, unknown>;
  const pick = (k: keyof AppAddresses) => a[k] ?? (known as unknown as Record<string, unknown> | undefined)?.[k];
  const missing = REQUIRED_ADDRESSES.filter((k) => pick(k) === undefined || pick(k) === null || pick(k) === "");
  if (missing.length) throw new NetworkAddressesMissingError(chainId, missing);
  const sponsor = (n.sponsor ?? {}) as Record<string, unknown>;
  if (typeof sponsor.projectId !== "string" && typeof sponsor.projectId !== "number") throw new ConfigError(`network ${chainId}: sponsor.projectId is missing`);
  if (!/^\d{1,78}$/.test(String(sponsor.projectId))) throw new ConfigError(`network ${chainId}: sponsor.projectId is not a number`);
  const storageUrls = Array.isArray(n.storageUrls) ? n.storageUrls.map((u, j) => url(u, `network ${chainId}: storageUrls[${j}]`)) : [];
  if (storageUrls.length === 0) throw new ConfigError(`network ${chainId}: storageUrls is empty`);
  return {
    chainId,
    name: typeof n.name === "string" && n.name ? n.name.slice(0, 60) : (KNOWN_NAMES[chainId] ?? `chain ${chainId}`),
    rpcUrl: url(n.rpcUrl, `network ${chainId}: rpcUrl`),
    bundlerUrl: url(n.bundlerUrl, `network ${chainId}: bundlerUrl`),
    sponsorUrl: url(n.sponsorUrl, `network ${chainId}: sponsorUrl`),
    indexerUrl: url(n.indexerUrl, `network ${chainId}: indexerUrl`),
    indexerApiKey: typeof n.indexerApiKey === "string" ? n.indexerApiKey : undefined,
    storageUrls,
    storageDev: n.storageDev === true,
    storage: storageOf(n.storage, chainId),
    addresses: {
      projectRegistry: addr(pick("projectRegistry"), `network ${chainId}: addresses.projectRegistry`),
      recordRegistry: addr(pick("recordRegistry"), `network ${chainId}: addresses.recordRegistry`),
      attestationRegistry: addr(pick("attestationRegistry"), `network ${chainId}: addresses.attestationRegistry`),
      paymaster: addr(pick("paymaster"), `network ${chainId}: addresses.paymaster`),
      factory: addr(pick("factory"), `network ${chainId}: addresses.factory`),
      entryPoint: optAddr(pick("entryPoint"), `network ${chainId}: addresses.entryPoint`),
    },
    fromBlock: fromBlockOf(n.fromBlock, chainId),
    sponsor: { projectId: BigInt(String(sponsor.projectId)), ticketUrl: url(sponsor.ticketUrl, `network ${chainId}: sponsor.ticketUrl`) },
    reviewUrl: n.reviewUrl === undefined ? undefined : url(n.reviewUrl, `network ${chainId}: reviewUrl`),
    devAccounts:
      Array.isArray(n.devAccounts) && chainId === 31337
        ? n.devAccounts.filter((k): k is `0x${string}` => typeof k === "string" && /^0x[0-9a-fA-F]{64}$/.test(k))
        : undefined,
    privyAppId: typeof n.privyAppId === "string" ? n.privyAppId : undefined,
  };
}

/** Accepts one network (`{ chainId, ... }`) or several (`{ networks: [...], defaultChainId }`). */
export function parseConfig(raw: unknown): AppConfig {
  if (!raw || typeof raw !== "object") throw new ConfigError("it is not a JSON object");
  const r = raw as Record<string, unknown>;
  const list = Array.isArray(r.networks) ? r.networks : [r];
  if (list.length === 0) throw new ConfigError("networks is empty");
  if (list.length > 16) throw new ConfigError("it lists more than 16 networks");
  const networks = list.map(parseNetwork);
  const twice = networks.find((n, i) => networks.findIndex((m) => m.chainId === n.chainId) !== i);
  if (twice) throw new InvalidChainIdError(`chain ${twice.chainId} is listed twice`);
  const defaultChainId = r.defaultChainId === undefined ? networks[0].chainId : Number(r.defaultChainId);
  if (!networks.some((n) => n.chainId === defaultChainId)) throw new ConfigError(`defaultChainId ${String(r.defaultChainId)} is not one of its networks`);
  return { networks, defaultChainId };
}

export async function loadConfig(from = "/config.json", fetcher: typeof fetch = fetch): Promise<AppConfig> {
  let res: Response;
  try {
    res = await fetcher(from, { cache: "no-store" });
  } catch (cause) {
    throw new AppError("The app could not load its settings: the server did not answer.", "Check that the OneKey app server is running, then reload.", cause);
  }
  if (!res.ok) throw new ConfigError(`the server answered ${res.status}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new ConfigError("it is not valid JSON");
  }
  return parseConfig(json);
}
