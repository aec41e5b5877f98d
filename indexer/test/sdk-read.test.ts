// The SDK's readRecord through this indexer: the storage id and the wrapped key come from GraphQL
// (no eth_getLogs at all), access, version and content hash from the chain. A real anvil, a real
// Ponder and a real arlocal; the reviewer is a project REVIEWER with the project's review key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "viem";
import { setEscrowKey, setReviewKey } from "@onekey/sdk/contracts";
import { generateX25519KeyPair } from "@onekey/sdk/crypto";
import { arweaveAddress, arweaveStorage, generateArweaveWallet, type StorageProvider } from "@onekey/sdk/storage";
import {
  FromBlockRequiredError,
  grantAccess,
  IndexerBehindError,
  IndexerRequestError,
  readRecord,
  revoke,
  rotateRecordKeys,
  submitRecord,
  GrantRevokedError,
  type ReadRecordParameters,
} from "@onekey/sdk/flows";
import { projectGrantee, ALL_API_KEY_SCOPES, Roles } from "@onekey/sdk/contracts";
import { startArlocal, type LocalArweave } from "@onekey/devstack/storage/arlocal";
import { freePort } from "../../scripts/lib/ports.ts";
import { addApiKey, createProject, send } from "./helpers/onekey.ts";
import { keyAccepted, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

let chain: Chain31337;
let indexer: Indexer;
let arlocal: LocalArweave;
let storage: StorageProvider;
let projectId: bigint;
let key: string;
const review = await generateX25519KeyPair();
const FIELDS = { full_name: "Ada Lovelace", date_of_birth: "1815-12-10", document_number: "X1234567" };
const days = (n: number) => BigInt(Math.floor(Date.now() / 1000) + n * 86_400);

beforeAll(async () => {
  chain = await startChain();
  indexer = await startIndexer({ chain, env: { ONEKEY_RATE_LIMIT_KEY: "100000,100000", ONEKEY_RATE_LIMIT_PROJECT: "100000,100000" } });
  arlocal = await startArlocal({ port: await freePort() });
  const wallet = await generateArweaveWallet();
  await arlocal.mint(await arweaveAddress(wallet));
  storage = arweaveStorage({ url: arlocal.url, wallet, mine: true });
  const [admin, reviewer] = chain.wallets;
  projectId = await createProject(chain, admin);
  key = await addApiKey(chain, admin, projectId, ALL_API_KEY_SCOPES);
  await send(chain, admin, "projectRegistry", "grantRoles", [projectId, reviewer.account.address, Roles.REVIEWER]);
  await setReviewKey(admin, { addresses: chain.deployment, projectId, publicKey: toHex(review.publicKey) });
  await setEscrowKey(admin, { addresses: chain.deployment, projectId, publicKey: toHex((await generateX25519KeyPair()).publicKey) });
  await keyAccepted(indexer, key, projectId);
});

afterAll(async () => {
  await indexer?.stop();
  await arlocal?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

/** Reads as the reviewer through the indexer, waiting while the indexer is behind the chain. */
async function readViaIndexer(p: Omit<ReadRecordParameters, "storage" | "via" | "keyPair" | "addresses">) {
  const reviewer = chain.wallets[1];
  const read = () =>
    readRecord(reviewer, { addresses: chain.deployment, storage, via: { projectId }, keyPair: review, indexer: { url: indexer.url, apiKey: key }, ...p });
  // Only "behind" is retried: any other error (a revoked grant, a bad key) is the answer.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof IndexerBehindError) || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe("readRecord through the indexer", () => {
  it("opens a grant with no log scan, follows a rotation, and refuses a revoked grant", async () => {
    const subject = chain.wallets[2];
    const on = { addresses: chain.deployment };
    const record = await submitRecord(subject, { ...on, storage, fields: FIELDS });
    await grantAccess(subject, { ...on, ...record, grantee: { projectId }, fields: ["full_name", "date_of_birth"], purpose: "KYC_REVIEW", expiry: days(30) });

    // Count eth_getLogs calls the SDK makes from here on: through the indexer there must be none.
    const before = await logCalls(() => readViaIndexer({ recordId: record.recordId }));
    expect(before.result).toEqual({ full_name: FIELDS.full_name, date_of_birth: FIELDS.date_of_birth });
    expect(before.getLogs).toBe(0);

    // Rotation: new version, new storage id, re-granted. Until the indexer has the new version the
    // SDK says it is behind (never decrypts with the old pointer); then it opens the new one.
    const rotated = await rotateRecordKeys(subject, { ...on, fromBlock: 0n, recordId: record.recordId, dek: record.dek, storage });
    expect(rotated.version).toBe(2);
    const after = await readViaIndexer({ recordId: record.recordId });
    expect(after).toEqual({ full_name: FIELDS.full_name, date_of_birth: FIELDS.date_of_birth });

    await revoke(subject, { ...on, recordId: record.recordId, grantee: projectGrantee(projectId) });
    await expect(readViaIndexer({ recordId: record.recordId })).rejects.toThrow(GrantRevokedError);
  });

  it("refuses a read with neither an indexer nor fromBlock, and names a bad indexer", async () => {
    const subject = chain.wallets[3];
    const on = { addresses: chain.deployment };
    const record = await submitRecord(subject, { ...on, storage, fields: FIELDS });
    await grantAccess(subject, { ...on, ...record, grantee: { projectId }, fields: ["full_name"], purpose: "KYC_REVIEW", expiry: days(30) });
    const reviewer = chain.wallets[1];
    const base = { ...on, recordId: record.recordId, storage, via: { projectId }, keyPair: review };
    await expect(readRecord(reviewer, base)).rejects.toThrow(FromBlockRequiredError);
    // A key without access to the indexer, and an indexer URL with nothing behind it: named errors, nothing decrypted.
    await expect(readRecord(reviewer, { ...base, indexer: { url: indexer.url, apiKey: "ok_not_a_key" } })).rejects.toThrow(IndexerRequestError);
    await expect(readRecord(reviewer, { ...base, indexer: { url: `http://127.0.0.1:${await freePort()}` } })).rejects.toThrow(IndexerRequestError);
    // The explicit local-chain scan still works, and is seen scanning (so the zero above is real).
    const scanned = await logCalls(() => readRecord(reviewer, { ...base, fromBlock: 0n }));
    expect(scanned.result).toEqual({ full_name: FIELDS.full_name });
    expect(scanned.getLogs).toBeGreaterThan(0);
  });
});

/** Runs `fn` with a counting proxy on anvil's JSON-RPC: how many eth_getLogs reached the node. */
async function logCalls<T>(fn: () => Promise<T>): Promise<{ result: T; getLogs: number }> {
  const original = globalThis.fetch;
  let getLogs = 0;
  globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(chain.anvil.rpcUrl) && typeof init?.body === "string" && init.body.includes('"eth_getLogs"')) getLogs++;
    return original(input, init);
  };
  try {
    return { result: await fn(), getLogs };
  } finally {
    globalThis.fetch = original;
  }
}
