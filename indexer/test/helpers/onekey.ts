// Drives the deployed registries with viem wallet clients (anvil's default accounts), and talks to
// the indexer's HTTP API the way an integrator would.
import { randomBytes } from "node:crypto";
import { attestationRegistryAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { apiKeyHash, projectGrantee, registryCall, type RegistryName, type RegistryWriteArgs, type RegistryWriteName } from "@onekey/sdk/contracts";
import { decodeEventLog, keccak256, toHex, type Abi, type Hex, type PublicClient, type TransactionReceipt } from "viem";
import type { Chain31337, Wallet } from "./stack.ts";

export const randomHash = (): Hex => toHex(randomBytes(32));

type ContractName = "projectRegistry" | "recordRegistry" | "attestationRegistry";
const ABIS: Record<ContractName, Abi> = {
  projectRegistry: projectRegistryAbi,
  recordRegistry: recordRegistryAbi,
  attestationRegistry: attestationRegistryAbi,
};

/** Sends one registry call (typed from the ABI by the SDK's registryCall) and waits for its receipt (throws on revert). */
export async function send<C extends RegistryName, const F extends RegistryWriteName<C>>(
  chain: Chain31337,
  wallet: Wallet,
  contract: C,
  functionName: F,
  args: RegistryWriteArgs<C, F>,
): Promise<TransactionReceipt> {
  const { to, data } = registryCall(contract, chain.deployment[contract], functionName, args);
  const hash = await wallet.sendTransaction({ to, data });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
  return receipt;
}

export function eventArgs<T = Record<string, unknown>>(receipt: TransactionReceipt, contract: ContractName, eventName: string): T {
  for (const log of receipt.logs) {
    try {
      const decoded = decodeEventLog({ abi: ABIS[contract], data: log.data, topics: log.topics });
      if (decoded.eventName === eventName) return decoded.args as T;
    } catch {
      // another contract's log
    }
  }
  throw new Error(`no ${eventName} in receipt`);
}

/** The time the next block will carry at least (anvil stamps blocks with the wall clock). */
export async function blockTime(publicClient: PublicClient): Promise<bigint> {
  const latest = (await publicClient.getBlock()).timestamp;
  const wall = BigInt(Math.ceil(Date.now() / 1000));
  return latest > wall ? latest : wall;
}

export async function createProject(chain: Chain31337, admin: Wallet, uri = "https://example.org/onekey-project.json"): Promise<bigint> {
  const receipt = await send(chain, admin, "projectRegistry", "createProject", [uri]);
  return eventArgs<{ projectId: bigint }>(receipt, "projectRegistry", "ProjectCreated").projectId;
}

/** Registers a fresh API key for the project and returns the raw key (as an integrator holds it). */
export async function addApiKey(chain: Chain31337, admin: Wallet, projectId: bigint, scopes: number, ttlSeconds = 86_400): Promise<string> {
  const raw = `ok_test_${randomBytes(16).toString("hex")}`;
  const expiry = (await blockTime(chain.publicClient)) + BigInt(ttlSeconds);
  await send(chain, admin, "projectRegistry", "addApiKey", [projectId, apiKeyHash(raw), scopes, expiry]);
  return raw;
}

export async function registerRecord(chain: Chain31337, owner: Wallet): Promise<Hex> {
  const receipt = await send(chain, owner, "recordRegistry", "registerRecord", [randomHash(), randomHash(), randomHash(), randomHash(), 1, 0]);
  return eventArgs<{ recordId: Hex }>(receipt, "recordRegistry", "RecordRegistered").recordId;
}

export async function grantToProject(chain: Chain31337, owner: Wallet, recordId: Hex, projectId: bigint, purpose = 0, ttlSeconds = 86_400) {
  const expiry = (await blockTime(chain.publicClient)) + BigInt(ttlSeconds);
  return send(chain, owner, "recordRegistry", "grant", [recordId, projectGrantee(projectId), purpose, expiry, 3n, "0xc0ffee"]);
}

export async function attest(
  chain: Chain31337,
  reviewer: Wallet,
  projectId: bigint,
  subject: `0x${string}`,
  level: number,
  recordId: Hex = `0x${"00".repeat(32)}`,
  claims = 0,
) {
  const expiry = (await blockTime(chain.publicClient)) + 365n * 86_400n;
  return send(chain, reviewer, "attestationRegistry", "attest", [projectId, subject, level, expiry, claims, recordId]);
}

// --- HTTP -------------------------------------------------------------------------------------

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = any>(baseUrl: string, key: string | undefined, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = typeof body === "string" ? "text/plain" : "application/json";
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV and other text bodies stay text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function gql<T = any>(
  baseUrl: string,
  key: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<ApiResponse<{ data?: T; errors?: { message: string }[] }>> {
  return api(baseUrl, key, "POST", "/graphql", { query, variables });
}

/** GraphQL data or a thrown error with the server's messages. */
export async function gqlData<T = any>(baseUrl: string, key: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await gql<T>(baseUrl, key, query, variables);
  if (res.status !== 200 || res.body.errors?.length || !res.body.data) {
    throw new Error(`GraphQL ${res.status}: ${JSON.stringify(res.body.errors ?? res.body)}`);
  }
  return res.body.data;
}

export { keccak256 };

/** Every row of a paged REST list (`items` + `nextCursor`), following cursors. */
export async function allPages<T = any>(baseUrl: string, key: string, path: string, limit = 1000): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const res: ApiResponse<{ items: T[]; nextCursor: string | null }> = await api(
      baseUrl,
      key,
      "GET",
      `${path}${sep}limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ""}`,
    );
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    if (!res.body.nextCursor) return items;
    after = res.body.nextCursor;
  }
}
