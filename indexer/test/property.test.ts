// The indexer survives every event sequence the contracts allow, and its tables equal the
// contracts' own views at the indexed head. One anvil and one `ponder start`: first the exact
// poison transactions found by hand, then a seeded random run of contract calls from many
// accounts (most with no role, many calls no-ops or refused), checked against the chain every
// CHECK_EVERY operations, then chain-time edges, then a restart on the same data.
//
//   ONEKEY_PROPERTY_SEED=<n>   replay a run (the seed is printed at the start)
//   ONEKEY_PROPERTY_OPS=<n>    operations in the random run (default 300)
//   ONEKEY_PROPERTY_CHECK_EVERY=<n>   compare with the chain every n operations (default 100)
import { randomInt } from "node:crypto";
import {
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  http,
  keccak256,
  parseEther,
  encodeFunctionData,
  toHex,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type EncodeFunctionDataParameters,
  type ReadContractParameters,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attestationRegistryAbi, oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { deployArtifact } from "../../scripts/lib/artifacts.ts";
import { allPages, addApiKey, api, createProject, gqlData } from "./helpers/onekey.ts";
import {
  ALL_API_KEY_SCOPES,
  ApiKeyScopes,
  Roles,
  accountGrantee,
  apiKeyHash,
  apiKeyScopeNames,
  claimNames,
  parseGrantee,
  projectGrantee,
  purposeName,
  roleNames,
} from "@onekey/sdk/contracts";
import {
  eventually,
  indexedBlock,
  nudgeUntilIndexed,
  removeDir,
  startChain,
  startIndexer,
  type Chain31337,
  type Indexer,
  type Wallet,
} from "./helpers/stack.ts";

const OPS = Number(process.env.ONEKEY_PROPERTY_OPS ?? 300);
const CHECK_EVERY = Number(process.env.ONEKEY_PROPERTY_CHECK_EVERY ?? 100);
const SEED = process.env.ONEKEY_PROPERTY_SEED ? Number(process.env.ONEKEY_PROPERTY_SEED) : randomInt(2 ** 31);
const FRESH_ACCOUNTS = 14;
const ZERO: Address = "0x0000000000000000000000000000000000000000";
const ZERO32: Hex = `0x${"00".repeat(32)}`;

// --- seeded randomness (mulberry32: small, fast, reproducible across Node versions) ------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const int = (n: number) => Math.floor(random() * n);
const chance = (p: number) => random() < p;
/** Claim masks: none, standard bits, a project bit up to bit 31, now and then a reserved bit (refused). */
const aClaimMask = () => (chance(0.4) ? 0 : chance(0.05) ? 1 << (9 + int(7)) : (int(1 << 9) | (chance(0.3) ? 2 ** (16 + int(16)) : 0)) >>> 0);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
let counter = 0;
const bytes32 = (): Hex => keccak256(toHex(`onekey-property:${SEED}:${counter++}`));

// --- the stack ---------------------------------------------------------------------------------

let chain: Chain31337;
let indexer: Indexer;
let reader: PublicClient;
let paymaster: Address;
let harness: Wallet;
let harnessProject: bigint;
let key: string;
const actors: Wallet[] = [];

type Target = "projectRegistry" | "recordRegistry" | "attestationRegistry" | "paymaster";
const ABIS = {
  projectRegistry: projectRegistryAbi,
  recordRegistry: recordRegistryAbi,
  attestationRegistry: attestationRegistryAbi,
  paymaster: oneKeyPaymasterAbi,
} as const;
type TargetAbi<T extends Target> = (typeof ABIS)[T];
type Writes = "nonpayable" | "payable";
type Reads = "view" | "pure";
const addressOf = (target: Target): Address => (target === "paymaster" ? paymaster : chain.deployment[target]);

// Typed from the ABIs for every caller. Inside these two generic helpers TypeScript cannot follow
// ABI-indexed generics through viem's conditional types, so the call is made in viem's untyped
// form here, and only here.
const read = async <T extends Target, const F extends ContractFunctionName<TargetAbi<T>, Reads>>(
  target: T,
  functionName: F,
  args: ContractFunctionArgs<TargetAbi<T>, Reads, F>,
  blockNumber: bigint,
): Promise<ContractFunctionReturnType<TargetAbi<T>, Reads, F>> =>
  (await reader.readContract({
    address: addressOf(target),
    abi: ABIS[target],
    functionName,
    args,
    blockNumber,
  } as ReadContractParameters)) as ContractFunctionReturnType<TargetAbi<T>, Reads, F>;

interface Sent {
  ok: boolean;
  logs: { eventName: string; args: Record<string, unknown> }[];
}

/** Sends a call; a call the chain refuses (gas estimation reverts) is not sent and reports !ok. */
async function call<T extends Target, const F extends ContractFunctionName<TargetAbi<T>, Writes>>(
  wallet: Wallet,
  target: T,
  functionName: F,
  args: ContractFunctionArgs<TargetAbi<T>, Writes, F>,
  value?: bigint,
): Promise<Sent> {
  let hash: Hex;
  try {
    const data = encodeFunctionData({ abi: ABIS[target], functionName, args } as EncodeFunctionDataParameters);
    hash = await wallet.sendTransaction({ to: addressOf(target), data, value });
  } catch {
    return { ok: false, logs: [] };
  }
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") return { ok: false, logs: [] };
  const logs: Sent["logs"] = [];
  for (const log of receipt.logs) {
    for (const abi of Object.values(ABIS)) {
      try {
        // Named arguments (every OneKey event names them); the generic `Abi` type cannot say so.
        const decoded = decodeEventLog({ abi, data: log.data, topics: log.topics }) as unknown as { eventName: string; args: Record<string, unknown> };
        logs.push({ eventName: decoded.eventName, args: decoded.args });
        noteWrap(decoded.eventName, decoded.args, receipt.blockNumber);
        break;
      } catch {
        // another contract's event
      }
    }
  }
  return { ok: true, logs };
}

function alive(): boolean {
  return indexer.service.child?.exitCode === null && indexer.service.child.signalCode === null;
}

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  // anvil/evm_* methods viem's public schema does not list: typed loosely on purpose.
  return chain.publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method, params });
}

/** Mines until the indexer has indexed the newest block; fails at once if the indexer died. */
async function caughtUp(): Promise<bigint> {
  // cacheTime 0: viem caches the block number for a polling interval, and a stale head here would
  // compare the chain at one block with the indexer at the next.
  const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  await eventually(
    `the indexer to index block ${head} (seed ${SEED})`,
    async () => {
      if (!alive()) throw new Error(`the indexer stopped. Log:\n${indexer.logTail(60)}`);
      return (await indexedBlock(indexer)) >= Number(head);
    },
    60_000,
  );
  return head;
}

// --- what the random run has touched (to choose plausible arguments and to know what to check) ----

const model = {
  admins: new Map<bigint, Address>(),
  records: new Map<Hex, Address>(),
  keyHashes: new Map<bigint, Hex[]>(),
  grantPairs: new Set<string>(),
  attestPairs: new Set<string>(),
  auditTriples: new Set<string>(),
  /** Explicit role masks from RolesGranted / RolesRevoked (each carries the full mask after). */
  roles: new Map<string, number>(),
  pendingAdmins: new Map<bigint, Address>(),
  attested: new Set<string>(),
  funded: new Set<bigint>(),
};
/**
 * Every grant's latest wrap, seen in every receipt `call` decodes: a grant's (whose review-key
 * version is the project's at that block) or a re-wrap's (which names it).
 */
const projectIdOf = (grantee: Hex): bigint => {
  const g = parseGrantee(grantee);
  if (!("projectId" in g)) throw new Error(`${grantee} is not a project grantee`);
  return g.projectId;
};
const wraps = new Map<string, { block: bigint; projectId: bigint | null; version?: number }>();
function noteWrap(eventName: string, args: Record<string, unknown>, block: bigint): void {
  if (eventName !== "AccessGranted" && eventName !== "GrantRewrapped") return;
  const g = parseGrantee(args.grantee as Hex);
  const projectId = "projectId" in g ? g.projectId : null;
  const pair = `${lower(args.recordId as Hex)}:${lower(args.grantee as Hex)}`;
  wraps.set(pair, { block, projectId, version: eventName === "GrantRewrapped" ? (args.reviewKeyVersion as number) : undefined });
}
const everyone = (): Address[] => [harness.account.address, ...actors.map((a) => a.account.address)];
const projectIds = (): bigint[] => [...model.admins.keys()];

/** Registers a new record for `owner` in the model and returns its id (the focused tests' setup). */
async function registerFresh(owner: Wallet): Promise<Hex> {
  const recorded = await call(owner, "recordRegistry", "registerRecord", [bytes32(), bytes32(), bytes32(), bytes32(), 1, 0]);
  learn(recorded);
  return recorded.logs[0].args.recordId as Hex;
}

function learn(sent: Sent): void {
  for (const { eventName, args } of sent.logs) {
    if (eventName === "ProjectCreated") model.admins.set(args.projectId as bigint, args.admin as Address);
    if (eventName === "AdminTransferred") model.admins.set(args.projectId as bigint, args.to as Address);
    if (eventName === "RecordRegistered") model.records.set(args.recordId as Hex, args.owner as Address);
    if (eventName === "AdminTransferStarted") model.pendingAdmins.set(args.projectId as bigint, args.to as Address);
    if (eventName === "Attested") model.attested.add(`${args.projectId}:${args.subject}`);
    if (eventName === "AttestationRevoked") model.attested.delete(`${args.projectId}:${args.subject}`);
    if (eventName === "ProjectFunded") model.funded.add(args.projectId as bigint);
    if (eventName === "RolesGranted" || eventName === "RolesRevoked") model.roles.set(`${args.projectId}:${args.account}`, args.roles as number);
  }
}

// --- comparing the indexer with the chain ---------------------------------------------------------------

type Row = Record<string, any>;

async function allRows(field: string, selection: string, where = ""): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  do {
    const data: any = await gqlData(
      indexer.url,
      key,
      `query($after: String) { ${field}(limit: 1000, after: $after${where}) { items { ${selection} } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    rows.push(...data[field].items);
    after = data[field].pageInfo.hasNextPage ? data[field].pageInfo.endCursor : null;
  } while (after);
  return rows;
}

/** Views page by offset (Ponder gives them no cursor). */
async function allViewRows(field: string, selection: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (let offset = 0; ; offset += 1000) {
    const data: any = await gqlData(indexer.url, key, `{ ${field}(limit: 1000, offset: ${offset}) { items { ${selection} } } }`);
    rows.push(...data[field].items);
    if (data[field].items.length < 1000) return rows;
  }
}

const lower = (a: string | null | undefined) => (a ?? "").toLowerCase();
const byId = (rows: Row[]) => new Map(rows.map((r) => [r.id as string, r]));

interface Checked {
  head: bigint;
  timestamp: bigint;
  counts: Record<string, number>;
  /** Items whose expiry equals the head's timestamp: the boundary where `>` vs `>=` matters. */
  atBoundary: number;
}

/** Every table against the contracts' views at the indexed head; throws listing every mismatch. */
async function compareWithChain(label: string): Promise<Checked> {
  const head = await caughtUp();
  const timestamp = (await chain.publicClient.getBlock({ blockNumber: head })).timestamp;
  const problems: string[] = [];
  const expectEq = (what: string, indexed: unknown, onChain: unknown) => {
    if (String(indexed) !== String(onChain)) problems.push(`${what}: indexer ${String(indexed)}, chain ${String(onChain)}`);
  };

  const [projects, members, keys, records, grants, attestations, encryptionKeys, audits, skipped, meta, rest] = await Promise.all([
    allRows("projects", "id admin pendingAdmin metadataURI suspended reviewKey reviewKeyVersion escrowKey escrowKeyVersion sponsorBalance"),
    allRows("members", "id projectId account roles roleNames"),
    allViewRows("apiKeyStates", "id projectId keyHash scopes scopeNames expiry revoked state asOfBlock asOfTimestamp"),
    allRows("records", "id owner version contentHash erased"),
    allViewRows(
      "grantStates",
      "id recordId grantee granteeKind granteeAccount granteeProjectId recordVersion purpose purposeName expiry fieldMask reviewKeyVersion revoked state asOfBlock asOfTimestamp",
    ),
    allViewRows("attestationStates", "id projectId subject attester level expiry claims claimNames revoked state asOfBlock asOfTimestamp"),
    allRows("encryptionKeys", "id publicKey version"),
    allRows("auditAccesss", "recordId projectId auditor validUntil"),
    allRows("skippedEvents", "id contract eventName reason"),
    gqlData(indexer.url, key, "{ _meta { status } }"),
    api(indexer.url, key, "GET", `/v1/projects/${harnessProject}/grants?limit=1000`),
  ]);
  const status = Object.values(meta._meta.status as Record<string, { block: { number: number; timestamp: number } }>)[0];
  expectEq("GraphQL _meta block", status.block.number, head);
  expectEq("GraphQL _meta timestamp", status.block.timestamp, timestamp);
  for (const row of [...keys, ...grants, ...attestations]) {
    expectEq(`${row.id} asOfBlock`, row.asOfBlock, head);
    expectEq(`${row.id} asOfTimestamp`, row.asOfTimestamp, timestamp);
  }
  // Every event of a full history applies: nothing may be skipped.
  for (const s of skipped) problems.push(`skipped ${s.contract}:${s.eventName} ${s.id}: ${s.reason}`);

  // Projects: every id the registry has handed out, and nothing else.
  const count = await read("projectRegistry", "projectCount", [], head);
  expectEq("project count", projects.length, count);
  const projectRows = new Map(projects.map((p) => [BigInt(p.id), p]));
  await Promise.all(
    Array.from({ length: Number(count) }, async (_, i) => {
      const id = BigInt(i + 1);
      const [p, balance] = await Promise.all([read("projectRegistry", "getProject", [id], head), read("paymaster", "projectBalance", [id], head)]);
      const row = projectRows.get(id);
      if (!row) return void problems.push(`project ${id} missing`);
      expectEq(`project ${id} admin`, row.admin, lower(p.admin));
      expectEq(`project ${id} pendingAdmin`, row.pendingAdmin ?? ZERO, lower(p.pendingAdmin));
      expectEq(`project ${id} suspended`, row.suspended, p.suspended);
      expectEq(`project ${id} metadataURI`, row.metadataURI, p.metadataURI.replaceAll("\u0000", "\uFFFD"));
      expectEq(`project ${id} reviewKey`, row.reviewKey ?? ZERO32, p.reviewKey);
      expectEq(`project ${id} reviewKeyVersion`, row.reviewKeyVersion, p.reviewKeyVersion);
      expectEq(`project ${id} escrowKey`, row.escrowKey ?? ZERO32, p.escrowKey);
      expectEq(`project ${id} escrowKeyVersion`, row.escrowKeyVersion, p.escrowKeyVersion);
      expectEq(`project ${id} sponsorBalance`, row.sponsorBalance, balance);
    }),
  );

  // Members: rolesOf for every (project, account) = the stored explicit mask plus the primary admin's ADMIN.
  const memberRows = byId(members);
  const roleOf = (p: bigint, a: Address) => (memberRows.get(`${p}:${lower(a)}`)?.roles ?? 0) as number;
  const isAdmin = (p: bigint, a: Address) => lower(projectRows.get(p)?.admin) === lower(a);
  const suspended = (p: bigint) => projectRows.get(p)?.suspended === true;
  await Promise.all(
    [...projectRows.keys()].flatMap((p) =>
      everyone().map(async (a) => {
        const onChain = await read("projectRegistry", "rolesOf", [p, a], head);
        expectEq(`rolesOf(${p}, ${a})`, roleOf(p, a) | (isAdmin(p, a) ? Roles.ADMIN : 0), onChain);
      }),
    ),
  );
  // The names beside each mask: the stored mask's names, in the SDK's spelling.
  for (const m of members) expectEq(`member ${m.id} roleNames`, JSON.stringify(m.roleNames), JSON.stringify(roleNames(m.roles as number)));
  const activeRole = (p: bigint, a: Address, role: number) => !suspended(p) && ((roleOf(p, a) | (isAdmin(p, a) ? Roles.ADMIN : 0)) & role) === role;

  // API keys: every hash ever tried; the stored bits are the uint32 read as int32.
  const keyRows = byId(keys);
  const keyPairs = [...model.keyHashes].flatMap(([p, hashes]) => hashes.map((h) => [p, h] as const));
  await Promise.all(
    keyPairs.map(async ([p, h]) => {
      const k = await read("projectRegistry", "getApiKey", [p, h], head);
      const row = keyRows.get(`${p}:${lower(h)}`);
      if (k.expiry === 0n) return void (row && problems.push(`api key ${p}:${h} indexed but not on-chain`));
      if (!row) return void problems.push(`api key ${p}:${h} missing`);
      expectEq(`api key ${row.id} scopes`, row.scopes, k.scopes | 0);
      expectEq(`api key ${row.id} scopeNames`, JSON.stringify(row.scopeNames), JSON.stringify(apiKeyScopeNames(k.scopes)));
      expectEq(`api key ${row.id} expiry`, row.expiry, k.expiry);
      expectEq(`api key ${row.id} revoked`, row.revoked, k.revoked);
      expectEq(`api key ${row.id} state`, row.state, k.revoked ? "revoked" : k.expiry <= timestamp ? "expired" : "active");
    }),
  );

  // Records.
  const recordRows = byId(records);
  await Promise.all(
    [...model.records.keys()].map(async (id) => {
      const r = await read("recordRegistry", "getRecord", [id], head);
      const row = recordRows.get(id);
      if (!row) return void problems.push(`record ${id} missing`);
      expectEq(`record ${id} owner`, row.owner, lower(r.owner));
      expectEq(`record ${id} version`, row.version, r.version);
      expectEq(`record ${id} erased`, row.erased, r.erased);
      expectEq(`record ${id} contentHash`, row.contentHash, r.contentHash);
    }),
  );

  // Grants: stored terms, and `state` = live exactly when isGrantLive at the head.
  const grantRows = byId(grants);
  await Promise.all(
    [...model.grantPairs].map(async (pair) => {
      const [recordId, grantee] = pair.split(":") as [Hex, Hex];
      const [g, live] = await Promise.all([
        read("recordRegistry", "getGrant", [recordId, grantee], head),
        read("recordRegistry", "isGrantLive", [recordId, grantee], head),
      ]);
      const row = grantRows.get(`${recordId}:${lower(grantee)}`);
      if (g.expiry === 0n) return void (row && problems.push(`grant ${pair} indexed but not on-chain`));
      if (!row) return void problems.push(`grant ${pair} missing`);
      expectEq(`grant ${pair} expiry`, row.expiry, g.expiry);
      expectEq(`grant ${pair} fieldMask`, row.fieldMask, g.fieldMask);
      expectEq(`grant ${pair} recordVersion`, row.recordVersion, g.recordVersion);
      expectEq(`grant ${pair} purpose`, row.purpose, g.purpose);
      expectEq(`grant ${pair} purposeName`, row.purposeName, purposeName(g.purpose));
      expectEq(`grant ${pair} revoked`, row.revoked, g.revoked);
      expectEq(`grant ${pair} live`, row.state === "live", live);
      if (!g.revoked) expectEq(`grant ${pair} expired`, row.state === "expired", g.expiry <= timestamp);
    }),
  );

  // The review-key version each grant's wrap opens with: the re-wrap's, or the project's when granted.
  await Promise.all(
    [...wraps].map(async ([pair, w]) => {
      const row = grantRows.get(pair);
      if (!row) return;
      const expected =
        w.version ?? (w.projectId === null ? null : (await read("projectRegistry", "getProject", [w.projectId], w.block)).reviewKeyVersion || null);
      expectEq(`grant ${pair} reviewKeyVersion`, row.reviewKeyVersion ?? null, expected);
    }),
  );

  // hasAccess for every record and account, against the predicate the tables imply.
  const liveGrant = (recordId: string, grantee: Hex) => grantRows.get(`${recordId}:${lower(grantee)}`)?.state === "live";
  await Promise.all(
    [...model.records.keys()].flatMap((recordId) =>
      everyone().map(async (user) => {
        const onChain = await read("recordRegistry", "hasAccess", [recordId, user], head);
        const row = recordRows.get(recordId);
        const expected =
          !!row &&
          !row.erased &&
          (lower(row.owner) === lower(user) ||
            liveGrant(recordId, accountKey(user)) ||
            [...projectRows.keys()].some((p) => activeRole(p, user, Roles.REVIEWER) && liveGrant(recordId, projectGrantee(p))));
        expectEq(`hasAccess(${recordId}, ${user})`, expected, onChain);
      }),
    ),
  );

  // Audit access: an entry still in its window, a live record, an active AUDITOR.
  await Promise.all(
    [...model.auditTriples].map(async (triple) => {
      // The model keys its sets by "recordId:projectId:auditor" (hex, decimal, hex).
      const [recordId, p, auditor] = triple.split(":") as [Hex, string, Address];
      const onChain = await read("recordRegistry", "hasAuditAccess", [recordId, BigInt(p), auditor], head);
      const windowOpen = audits.some((a) => a.recordId === recordId && a.projectId === p && a.auditor === lower(auditor) && BigInt(a.validUntil) > timestamp);
      const row = recordRows.get(recordId);
      expectEq(`hasAuditAccess(${triple})`, windowOpen && !!row && !row.erased && activeRole(BigInt(p), auditor as Address, Roles.AUDITOR), onChain);
    }),
  );

  // Attestations: the slot as stored, `state` valid exactly when isVerified(subject, project, 0).
  const attestationRows = byId(attestations);
  await Promise.all(
    [...model.attestPairs].map(async (pair) => {
      const [p, subject] = pair.split(":") as [string, Address];
      const [a, verified] = await Promise.all([
        read("attestationRegistry", "getAttestation", [subject, BigInt(p)], head),
        read("attestationRegistry", "isVerified", [subject, BigInt(p), 0], head),
      ]);
      const row = attestationRows.get(`${p}:${lower(subject)}`);
      if (a.level === 0) return void (row && !row.revoked && problems.push(`attestation ${pair} live in the indexer, absent on-chain`));
      if (!row) return void problems.push(`attestation ${pair} missing`);
      expectEq(`attestation ${pair} revoked`, row.revoked, false);
      expectEq(`attestation ${pair} level`, row.level, a.level);
      expectEq(`attestation ${pair} expiry`, row.expiry, a.expiry);
      expectEq(`attestation ${pair} attester`, row.attester, lower(a.attester));
      expectEq(`attestation ${pair} claims`, BigInt(row.claims), BigInt(a.claims));
      expectEq(`attestation ${pair} claimNames`, JSON.stringify(row.claimNames), JSON.stringify(claimNames(a.claims)));
      expectEq(`attestation ${pair} valid`, row.state === "valid", verified);
    }),
  );

  // Encryption keys.
  const encryptionRows = byId(encryptionKeys);
  await Promise.all(
    everyone().map(async (a) => {
      const [publicKey, version] = await read("recordRegistry", "encryptionKeyOf", [a], head);
      const row = encryptionRows.get(lower(a));
      if (version === 0) return void (row && problems.push(`encryption key of ${a} indexed but not on-chain`));
      expectEq(`encryption key of ${a}`, `${row?.publicKey}/${row?.version}`, `${publicKey}/${version}`);
    }),
  );

  // The REST route judges grants at the same head and says so.
  expectEq("REST grants status", rest.status, 200);
  expectEq("REST indexed block header", rest.headers.get("x-onekey-indexed-block"), head);
  expectEq("REST indexedHead.timestamp", rest.body.indexedHead?.timestamp, timestamp);
  for (const item of rest.body.items ?? []) expectEq(`REST grant ${item.id} state`, item.state, grantRows.get(item.id)?.state);

  if (problems.length) {
    throw new Error(`${label} (seed ${SEED}, block ${head}): ${problems.length} mismatches\n${problems.slice(0, 40).join("\n")}`);
  }
  const atBoundary = [...keys, ...grants, ...attestations].filter((r) => BigInt(r.expiry) === timestamp).length;
  return {
    head,
    timestamp,
    atBoundary,
    counts: {
      projects: projects.length,
      members: members.length,
      apiKeys: keys.length,
      records: records.length,
      grants: grants.length,
      attestations: attestations.length,
      audits: audits.length,
    },
  };
}

/**
 * Puts the next block exactly on the earliest future expiry, so the check runs at
 * `expiry == block.timestamp`; false when nothing expires in the future (then it just mines).
 */
async function mineOnAnExpiry(): Promise<boolean> {
  // The indexer first catches up: a row read from a lagging indexer may carry an expiry a later,
  // not yet indexed block has already replaced (a re-grant, a re-attestation), and the aimed
  // second would then match nothing.
  const head = await caughtUp();
  const latest = (await chain.publicClient.getBlock({ blockNumber: head })).timestamp;
  const data: any = await gqlData(
    indexer.url,
    key,
    // Within the hour only: a jump to the harness key's expiry would lock the test out.
    `query($t: BigInt!, $u: BigInt!) {
      g: grants(where: { expiry_gt: $t, expiry_lt: $u, revoked: false }, orderBy: "expiry", limit: 1) { items { expiry } }
      a: attestations(where: { expiry_gt: $t, expiry_lt: $u, revoked: false }, orderBy: "expiry", limit: 1) { items { expiry } }
      k: apiKeys(where: { expiry_gt: $t, expiry_lt: $u, revoked: false }, orderBy: "expiry", limit: 1) { items { expiry } }
    }`,
    { t: latest.toString(), u: (latest + 3600n).toString() },
  );
  const next = [...data.g.items, ...data.a.items, ...data.k.items].map((r: { expiry: string }) => BigInt(r.expiry)).sort((x, y) => (x < y ? -1 : 1))[0];
  if (next === undefined) {
    await rpc("evm_mine");
    return false;
  }
  await rpc("evm_setNextBlockTimestamp", [Number(next)]);
  await rpc("evm_mine");
  return true;
}

// --- the random operations ------------------------------------------------------------------------

let chainClock = 0n;
async function refreshClock(): Promise<void> {
  chainClock = (await chain.publicClient.getBlock()).timestamp;
}
/**
 * An expiry around now: some already past (refused), most expiring during the run, some up to half
 * an hour out (so a check usually has a pending expiry to land on).
 */
const expiryNearNow = () => chainClock + BigInt(chance(0.15) ? 60 + int(1800) : int(90) - 5);

function actor(): Wallet {
  return pick(actors);
}
/** Usually the project's admin (so admin-only calls mostly succeed), sometimes anyone. */
function adminOr(p: bigint): Wallet {
  const admin = model.admins.get(p);
  const wallet = admin && [harness, ...actors].find((w) => w.account.address === admin);
  // The harness project stays usable for the checks: only the harness administers it.
  if (p === harnessProject) return actor();
  return wallet && wallet !== harness && chance(0.7) ? wallet : actor();
}
/** Usually an account holding `role` in the project (so reviewer/auditor calls can succeed), sometimes anyone. */
function withRole(p: bigint, role: number): Wallet {
  const holders = actors.filter((w) => ((model.roles.get(`${p}:${w.account.address}`) ?? 0) & role) === role);
  return holders.length && chance(0.8) ? pick(holders) : actor();
}
/** Mostly a project where some actor holds `role` (a reviewer's or auditor's call can succeed there). */
function aProjectWith(role: number): bigint {
  const ids = projectIds().filter((p) => actors.some((w) => ((model.roles.get(`${p}:${w.account.address}`) ?? 0) & role) === role));
  return ids.length && chance(0.8) ? pick(ids) : aProject();
}
/** A known project, sometimes one that does not exist yet. */
function aProject(): bigint {
  const ids = projectIds();
  return chance(0.08) || ids.length === 0 ? BigInt(ids.length + 1 + int(3)) : pick(ids);
}
function aRecord(): Hex {
  const ids = [...model.records.keys()];
  return ids.length === 0 || chance(0.05) ? bytes32() : pick(ids);
}
const ownerOr = (recordId: Hex): Wallet => {
  const owner = model.records.get(recordId);
  const wallet = actors.find((w) => w.account.address === owner);
  return wallet && chance(0.8) ? wallet : actor();
};
const anAccount = (): Address => (chance(0.05) ? ZERO : pick(everyone()));
// Projects with an auditor are preferred as grantees, so recordAuditAccess has something to find.
// The zero account is encoded by hand: the SDK refuses to build it, the contract must refuse it too.
const accountKey = (a: Address): Hex => (a === ZERO ? ZERO32 : accountGrantee(a));
const aGrantee = (): Hex => (chance(0.5) ? projectGrantee(chance(0.5) ? aProjectWith(Roles.AUDITOR) : aProject()) : accountKey(anAccount()));
const roles = () => (chance(0.05) ? 16 + int(200) : 1 + int(15));
const uri = () => pick(["", "https://example.org/p.json", "ipfs://bafy", "a\u0000b", "ünïcødé ✓", "x".repeat(2000)]);

type Op = { weight: number; name: string; run: () => Promise<Sent | undefined> };
const ops: Op[] = [
  { weight: 3, name: "createProject", run: () => call(actor(), "projectRegistry", "createProject", [uri()]) },
  {
    weight: 2,
    name: "setMetadataURI",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "setMetadataURI", [p, uri()]);
    },
  },
  {
    weight: 2,
    name: "suspend",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "suspend", [p]);
    },
  },
  {
    weight: 2,
    name: "resume",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "resume", [p]);
    },
  },
  {
    weight: 2,
    name: "transferAdmin",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "transferAdmin", [p, chance(0.3) ? ZERO : pick(actors).account.address]);
    },
  },
  {
    weight: 2,
    name: "acceptAdmin",
    run: () => {
      const pending = [...model.pendingAdmins].filter(([, to]) => to !== ZERO);
      const [p, to] = pending.length && chance(0.8) ? pick(pending) : [aProject(), ZERO];
      const wallet = actors.find((w) => w.account.address === to);
      return call(wallet && chance(0.9) ? wallet : actor(), "projectRegistry", "acceptAdmin", [p]);
    },
  },
  {
    weight: 8,
    name: "grantRoles",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "grantRoles", [p, anAccount(), roles()]);
    },
  },
  // Renouncing: any account, role or not, may revoke its own roles (the poison call among them).
  {
    weight: 6,
    name: "revokeRoles(self)",
    run: () => {
      const w = actor();
      return call(w, "projectRegistry", "revokeRoles", [aProject(), w.account.address, roles()]);
    },
  },
  {
    weight: 4,
    name: "revokeRoles",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "revokeRoles", [p, anAccount(), roles()]);
    },
  },
  {
    weight: 2,
    name: "setReviewKey",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "setReviewKey", [p, chance(0.1) ? ZERO32 : bytes32()]);
    },
  },
  {
    weight: 1,
    name: "setEscrowKey",
    run: () => {
      const p = aProject();
      return call(adminOr(p), "projectRegistry", "setEscrowKey", [p, bytes32()]);
    },
  },
  {
    weight: 2,
    name: "shareReviewKey",
    run: () => {
      const p = aProjectWith(Roles.REVIEWER);
      return call(adminOr(p), "projectRegistry", "shareReviewKey", [p, withRole(p, Roles.REVIEWER).account.address, chance(0.1) ? "0x" : "0xabcdef"]);
    },
  },
  {
    weight: 3,
    name: "addApiKey",
    run: () => {
      const p = aProject();
      const known = model.keyHashes.get(p) ?? [];
      const hash = known.length && chance(0.2) ? pick(known) : bytes32();
      model.keyHashes.set(p, [...new Set([...known, hash])]);
      const scopes = pick([0, 1, 15, 2 ** 31, 2 ** 32 - 1, int(2 ** 32)]);
      return call(adminOr(p), "projectRegistry", "addApiKey", [p, hash, scopes, expiryNearNow()]);
    },
  },
  {
    weight: 2,
    name: "revokeApiKey",
    run: () => {
      const p = aProject();
      const known = model.keyHashes.get(p) ?? [];
      return call(adminOr(p), "projectRegistry", "revokeApiKey", [p, known.length ? pick(known) : bytes32()]);
    },
  },
  { weight: 2, name: "setEncryptionKey", run: () => call(actor(), "recordRegistry", "setEncryptionKey", [chance(0.1) ? ZERO32 : bytes32()]) },
  {
    weight: 5,
    name: "registerRecord",
    run: () => call(actor(), "recordRegistry", "registerRecord", [bytes32(), bytes32(), bytes32(), bytes32(), int(3), int(3)]),
  },
  {
    weight: 2,
    name: "rotateRecord",
    run: () => {
      const r = aRecord();
      return call(ownerOr(r), "recordRegistry", "rotateRecord", [r, bytes32(), bytes32(), bytes32(), 1, 0]);
    },
  },
  {
    weight: 1,
    name: "eraseRecord",
    run: () => {
      const r = aRecord();
      return call(ownerOr(r), "recordRegistry", "eraseRecord", [r]);
    },
  },
  {
    weight: 9,
    name: "grant",
    run: () => {
      const r = aRecord();
      const grantee = aGrantee();
      model.grantPairs.add(`${r}:${grantee}`);
      return call(ownerOr(r), "recordRegistry", "grant", [
        r,
        grantee,
        chance(0.05) ? 5 : int(5),
        expiryNearNow(),
        chance(0.05) ? 0n : BigInt(1 + int(255)),
        "0xc0ffee",
      ]);
    },
  },
  {
    weight: 5,
    name: "rewrapGrants",
    run: async () => {
      // Mostly a project's admin re-wrapping 1-3 of its grants as read now, at its current review-key
      // version; now and then a stale version or grantedAt, an empty key, disorder or a duplicate.
      const toProjects = [...model.grantPairs].filter((pair) => BigInt(pair.split(":")[1]) >> 255n === 1n);
      // Grants expire within minutes here and many records are Lit: prefer a project holding a live
      // grant on an envelope record, so that re-wraps also succeed.
      const rewrappable = (
        await Promise.all(
          toProjects.map(async (pair) => {
            const [r, g] = pair.split(":") as [Hex, Hex];
            const [live, rec] = await Promise.all([
              reader.readContract({ address: chain.deployment.recordRegistry, abi: recordRegistryAbi, functionName: "isGrantLive", args: [r, g] }),
              reader.readContract({ address: chain.deployment.recordRegistry, abi: recordRegistryAbi, functionName: "getRecord", args: [r] }).catch(() => null),
            ]);
            return live && rec?.keyRelease === 0 ? pair : null;
          }),
        )
      ).filter((pair): pair is string => pair !== null);
      const from = rewrappable.length && chance(0.85) ? rewrappable : toProjects;
      const p = from.length && chance(0.9) ? projectIdOf(pick(from).split(":")[1] as Hex) : aProject();
      const grantee = projectGrantee(p);
      const pool = from.filter((pair) => lower(pair.split(":")[1]) === lower(grantee)).map((pair) => pair.split(":")[0] as Hex);
      const drawn = Array.from({ length: 1 + int(3) }, () => (pool.length && chance(0.9) ? pick(pool) : aRecord()));
      // Distinct records mostly; a duplicate now and then (refused by name).
      const chosen = chance(0.9) ? [...new Set(drawn)] : drawn;
      const items = await Promise.all(
        chosen.map(async (recordId) => {
          const g = (await reader.readContract({
            address: chain.deployment.recordRegistry,
            abi: recordRegistryAbi,
            functionName: "getGrant",
            args: [recordId, grantee],
          })) as {
            recordVersion: number;
            grantedAt: number;
          };
          return {
            recordId,
            recordVersion: g.recordVersion + (chance(0.05) ? 1 : 0),
            grantedAt: g.grantedAt + (chance(0.05) ? 1 : 0),
            wrappedKey: chance(0.05) ? "0x" : bytes32(),
          };
        }),
      );
      if (chance(0.9)) items.sort((a, b) => (BigInt(a.recordId) < BigInt(b.recordId) ? -1 : 1));
      let [, version] = (await reader.readContract({
        address: chain.deployment.projectRegistry,
        abi: projectRegistryAbi,
        functionName: "reviewKeyOf",
        args: [p],
      })) as [Hex, number];
      const admin = adminOr(p);
      // A rotation first, as offboarding does (and a project without a review key needs one).
      if ((version === 0 || chance(0.3)) && (await call(admin, "projectRegistry", "setReviewKey", [p, bytes32()])).ok) version++;
      return call(admin, "recordRegistry", "rewrapGrants", [p, version + (chance(0.1) ? 1 : 0), items]);
    },
  },
  {
    weight: 5,
    name: "revoke",
    run: () => {
      const known = [...model.grantPairs];
      const [r, grantee] = (known.length && chance(0.85) ? pick(known) : `${aRecord()}:${aGrantee()}`).split(":") as [Hex, Hex];
      return call(ownerOr(r), "recordRegistry", "revoke", [r, grantee]);
    },
  },
  {
    weight: 3,
    name: "recordAuditAccess",
    run: () => {
      // Mostly a record granted to a project, by one of its auditors: the only way this succeeds.
      const toProjects = [...model.grantPairs].filter((pair) => BigInt(pair.split(":")[1]) >> 255n === 1n);
      const [r, p] =
        toProjects.length && chance(0.8)
          ? ((pair) => [pair.split(":")[0] as Hex, projectIdOf(pair.split(":")[1] as Hex)] as const)(pick(toProjects))
          : ([aRecord(), aProject()] as const);
      const w = withRole(p, Roles.AUDITOR);
      model.auditTriples.add(`${r}:${p}:${w.account.address}`);
      return call(w, "recordRegistry", "recordAuditAccess", [r, p, chance(0.05) ? ZERO32 : bytes32()]);
    },
  },
  {
    weight: 7,
    name: "attest",
    run: () => {
      const p = aProjectWith(Roles.REVIEWER);
      const subject = anAccount();
      model.attestPairs.add(`${p}:${subject}`);
      return call(withRole(p, Roles.REVIEWER), "attestationRegistry", "attest", [
        p,
        subject,
        chance(0.1) ? 0 : 1 + int(3),
        expiryNearNow(),
        aClaimMask(),
        bytes32(),
      ]);
    },
  },
  {
    weight: 2,
    name: "attestBatch",
    run: () => {
      const p = aProjectWith(Roles.REVIEWER);
      const requests = Array.from({ length: int(4) }, () => {
        const subject = anAccount();
        model.attestPairs.add(`${p}:${subject}`);
        return { subject, level: 1 + int(3), expiry: expiryNearNow(), claims: aClaimMask(), recordId: ZERO32 };
      });
      return call(withRole(p, Roles.REVIEWER), "attestationRegistry", "attestBatch", [p, requests]);
    },
  },
  {
    weight: 4,
    name: "revokeAttestation",
    run: () => {
      const live = [...model.attested];
      const known = [...model.attestPairs];
      const [p, subject] = (live.length && chance(0.85) ? pick(live) : known.length ? pick(known) : `${aProject()}:${anAccount()}`).split(":") as [
        string,
        Address,
      ];
      return call(chance(0.5) ? adminOr(BigInt(p)) : withRole(BigInt(p), Roles.REVIEWER), "attestationRegistry", "revoke", [BigInt(p), subject]);
    },
  },
  {
    weight: 3,
    name: "fundProject",
    run: () => call(actor(), "paymaster", "fundProject", [aProject()], chance(0.05) ? 0n : parseEther("0.01") * BigInt(1 + int(50))),
  },
  {
    weight: 2,
    name: "withdrawFromProject",
    run: () => {
      const funded = [...model.funded];
      const p = funded.length && chance(0.8) ? pick(funded) : aProject();
      return call(adminOr(p), "paymaster", "withdrawFromProject", [p, anAccount(), parseEther("0.01") * BigInt(int(30))]);
    },
  },
  {
    weight: 3,
    name: "advanceTime",
    run: async () => {
      await rpc("evm_increaseTime", [1 + int(30)]);
      return undefined;
    },
  },
  {
    weight: 1,
    name: "mineEmpty",
    run: async () => {
      await rpc("evm_mine");
      return undefined;
    },
  },
];
const totalWeight = ops.reduce((s, o) => s + o.weight, 0);
function chooseOp(): Op {
  let x = random() * totalWeight;
  for (const op of ops) if ((x -= op.weight) < 0) return op;
  return ops[ops.length - 1];
}

// --- the tests ----------------------------------------------------------------------------------------

beforeAll(async () => {
  console.log(`property test: seed ${SEED} (replay with ONEKEY_PROPERTY_SEED=${SEED}), ${OPS} operations`);
  chain = await startChain();
  harness = chain.wallets[0];
  const { projectRegistry, recordRegistry, attestationRegistry } = chain.deployment;
  const entryPoint = await deployArtifact(harness, chain.publicClient, "EntryPoint");
  paymaster = await deployArtifact(harness, chain.publicClient, "OneKeyPaymaster", [
    entryPoint,
    projectRegistry,
    recordRegistry,
    attestationRegistry,
    harness.account.address,
  ]);
  reader = createPublicClient({ chain: foundry, transport: http(chain.anvil.rpcUrl, { batch: { batchSize: 100 } }) }) as PublicClient;
  const transport = http(chain.anvil.rpcUrl);
  for (let i = 0; i < FRESH_ACCOUNTS; i++) {
    const account = privateKeyToAccount(keccak256(toHex(`onekey-property-account:${SEED}:${i}`)));
    await rpc("anvil_setBalance", [account.address, toHex(parseEther("1000"))]);
    actors.push(createWalletClient({ account, chain: foundry, transport }) as Wallet);
  }
  // Three of anvil's own accounts act too; the harness (account 0) only keeps its project and key.
  actors.push(...chain.wallets.slice(1, 4));
  indexer = await startIndexer({
    chain,
    paymaster,
    env: { ONEKEY_RATE_LIMIT_KEY: "100000,100000", ONEKEY_RATE_LIMIT_PROJECT: "100000,100000", ONEKEY_API_KEY_CACHE_MS: "0" },
  });
  harnessProject = await createProject(chain, harness);
  model.admins.set(harnessProject, harness.account.address);
  key = await addApiKey(chain, harness, harnessProject, ALL_API_KEY_SCOPES, 365 * 86_400);
  model.keyHashes.set(harnessProject, [apiKeyHash(key)]);
  await caughtUp();
  await eventually(
    "the harness key to be accepted",
    async () => (await api(indexer.url, key, "POST", "/graphql", { query: "{ _meta { status } }" })).status === 200,
    30_000,
  );
});

afterAll(async () => {
  if (process.env.ONEKEY_TEST_PRINT_LOG) console.log(indexer?.logTail(400));
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

describe("poison transactions", () => {
  it("a role-less account renouncing a role it never held (revokeRoles(1, itself, 2)) leaves the indexer running and correct", async () => {
    const stranger = actors[0];
    const sent = await call(stranger, "projectRegistry", "revokeRoles", [harnessProject, stranger.account.address, Roles.REVIEWER]);
    expect(sent.ok, "the contract accepts the no-op renunciation").toBe(true);
    expect(sent.logs.map((l) => l.eventName)).toEqual(["RolesRevoked"]);
    const head = await caughtUp();
    expect(alive()).toBe(true);
    expect((await fetch(`${indexer.url}/ready`)).status).toBe(200);
    const data = await gqlData(indexer.url, key, `query($m: String!) { member(id: $m) { roles } skippedEvents { totalCount } }`, {
      m: `${harnessProject}:${stranger.account.address.toLowerCase()}`,
    });
    // The event log is tenant data (REST, scoped to the key's project; the harness key is the project's).
    const logged = await allPages<{ eventType: string }>(indexer.url, key, `/v1/projects/${harnessProject}/events?eventType=member.roles_revoked`);
    // Nobody held a role, so nothing is stored, but the event is in the audit log and nothing was skipped.
    expect(data.member).toBeNull();
    expect(logged.length).toBeGreaterThanOrEqual(1);
    expect(data.skippedEvents.totalCount).toBe(0);
    expect(await read("projectRegistry", "rolesOf", [harnessProject, stranger.account.address], head)).toBe(0);
  });

  it("a string with U+0000 and an API-key scope mask above 2^31 are stored, not fatal", async () => {
    const [a] = actors;
    const created = await call(a, "projectRegistry", "createProject", ["before\u0000after"]);
    expect(created.ok).toBe(true);
    learn(created);
    const projectId = created.logs[0].args.projectId as bigint;
    const keyHash = bytes32();
    model.keyHashes.set(projectId, [keyHash]);
    await refreshClock();
    expect((await call(a, "projectRegistry", "addApiKey", [projectId, keyHash, 2 ** 32 - 1, chainClock + 86_400n])).ok).toBe(true);
    await caughtUp();
    expect(alive()).toBe(true);
    const data = await gqlData(indexer.url, key, `query($p: BigInt!, $k: String!) { project(id: $p) { metadataURI } apiKey(id: $k) { scopes } }`, {
      p: projectId.toString(),
      k: `${projectId}:${keyHash}`,
    });
    expect(data.project.metadataURI).toBe("before\uFFFDafter");
    expect(data.apiKey.scopes).toBe(-1); // 0xffffffff as int32: every scope bit set
  });

  it("revoking an expired grant, re-granting, renouncing twice and cancelling a transfer all apply", async () => {
    const [owner, other] = actors;
    const recordId = await registerFresh(owner);
    const grantee = accountGrantee(other.account.address);
    model.grantPairs.add(`${recordId}:${grantee}`);
    await refreshClock();
    expect((await call(owner, "recordRegistry", "grant", [recordId, grantee, 0, chainClock + 5n, 1n, "0x01"])).ok).toBe(true);
    await rpc("evm_increaseTime", [30]);
    expect((await call(owner, "recordRegistry", "revoke", [recordId, grantee])).ok, "revoking an expired grant").toBe(true);
    await refreshClock();
    expect((await call(owner, "recordRegistry", "grant", [recordId, grantee, 1, chainClock + 3600n, 3n, "0x02"])).ok, "re-granting").toBe(true);
    expect((await call(other, "projectRegistry", "revokeRoles", [harnessProject, other.account.address, 15])).ok).toBe(true);
    expect((await call(other, "projectRegistry", "revokeRoles", [harnessProject, other.account.address, 15])).ok).toBe(true);
    const project = await call(other, "projectRegistry", "createProject", [""]);
    learn(project);
    const p = project.logs[0].args.projectId as bigint;
    expect((await call(other, "projectRegistry", "transferAdmin", [p, owner.account.address])).ok).toBe(true);
    expect((await call(other, "projectRegistry", "transferAdmin", [p, ZERO])).ok, "cancelling the transfer").toBe(true);
    expect((await call(other, "projectRegistry", "transferAdmin", [p, other.account.address])).ok, "transfer to oneself").toBe(true);
    const checked = await compareWithChain("no-op zoo");
    expect(checked.counts.grants).toBeGreaterThanOrEqual(1);
  });
});

describe("review-key rotation", () => {
  it("a re-wrap, the same batch again, a re-grant after it and a refused stale re-wrap all apply as the chain says", async () => {
    const [owner, admin] = actors;
    const created = await call(admin, "projectRegistry", "createProject", ["rewrap"]);
    learn(created);
    const p = created.logs[0].args.projectId as bigint;
    const grantee = projectGrantee(p);
    expect((await call(admin, "projectRegistry", "setReviewKey", [p, bytes32()])).ok).toBe(true);
    const recordId = await registerFresh(owner);
    model.grantPairs.add(`${recordId}:${grantee}`);
    await refreshClock();
    expect((await call(owner, "recordRegistry", "grant", [recordId, grantee, 0, chainClock + 3600n, 3n, "0x01"])).ok).toBe(true);
    expect((await call(admin, "projectRegistry", "setReviewKey", [p, bytes32()])).ok, "rotation").toBe(true);
    const g = await reader.readContract({
      address: chain.deployment.recordRegistry,
      abi: recordRegistryAbi,
      functionName: "getGrant",
      args: [recordId, grantee],
    });
    const item = { recordId, recordVersion: g.recordVersion, grantedAt: g.grantedAt, wrappedKey: "0x02" as Hex };
    const first = await call(admin, "recordRegistry", "rewrapGrants", [p, 2, [item]]);
    expect(first.ok).toBe(true);
    expect(first.logs.map((l) => l.eventName)).toEqual(["GrantRewrapped"]);
    expect((await call(admin, "recordRegistry", "rewrapGrants", [p, 2, [item]])).ok, "the same batch again").toBe(true);
    expect((await call(actors[2], "recordRegistry", "rewrapGrants", [p, 2, [item]])).ok, "a stranger").toBe(false);
    await caughtUp();
    const row = async () =>
      (
        await gqlData(indexer.url, key, `query($id: String!) { grant(id: $id) { wrappedKey reviewKeyVersion rewrappedAt } }`, {
          id: `${recordId}:${lower(grantee)}`,
        })
      ).grant;
    expect(await row()).toMatchObject({ wrappedKey: "0x02", reviewKeyVersion: 2 });
    // A re-grant (to the key now current) replaces the re-wrap; the old re-wrap item is stale now.
    await rpc("evm_increaseTime", [5]);
    expect((await call(owner, "recordRegistry", "grant", [recordId, grantee, 0, chainClock + 7200n, 1n, "0x03"])).ok).toBe(true);
    expect((await call(admin, "recordRegistry", "rewrapGrants", [p, 2, [item]])).ok, "stale grantedAt").toBe(false);
    await caughtUp();
    expect(await row()).toEqual({ wrappedKey: "0x03", reviewKeyVersion: 2, rewrappedAt: null });
    await compareWithChain("review-key rotation");
  });
});

describe("random contract calls from many accounts", () => {
  it(`${OPS} seeded operations: the indexer never stops and every table equals the chain at the indexed head`, async () => {
    const tally = new Map<string, { ok: number; refused: number; noEvent: number }>();
    await refreshClock();
    let onBoundary = 0;
    for (let i = 1; i <= OPS; i++) {
      const op = chooseOp();
      const sent = await op.run();
      const t = tally.get(op.name) ?? { ok: 0, refused: 0, noEvent: 0 };
      if (sent) {
        learn(sent);
        if (!sent.ok) t.refused++;
        else if (sent.logs.length === 0) t.noEvent++;
        else t.ok++;
      } else t.ok++;
      tally.set(op.name, t);
      if (i % 10 === 0) {
        await refreshClock();
        if (!alive()) throw new Error(`indexer stopped after operation ${i} (seed ${SEED}):\n${indexer.logTail(60)}`);
      }
      if (i % CHECK_EVERY === 0 || i === OPS) {
        const aimed = await mineOnAnExpiry();
        const checked = await compareWithChain(`after operation ${i}`);
        // Whenever something was due to expire, the check ran exactly at its expiry second.
        if (aimed) expect(checked.atBoundary, `seed ${SEED}: an expiry at the head's timestamp`).toBeGreaterThan(0);
        if (aimed) onBoundary++;
        console.log(
          `property test: ${i} operations, block ${checked.head}, ${JSON.stringify(checked.counts)}, ${checked.atBoundary} at expiry == block.timestamp`,
        );
      }
    }
    console.table(Object.fromEntries([...tally].sort()));
    const applied = [...tally.values()].reduce((s, t) => s + t.ok, 0);
    expect(applied, "enough calls succeeded to mean something").toBeGreaterThan(OPS / 4);
    console.log(`property test: ${onBoundary} of the checks ran at expiry == block.timestamp`);
  });
});

describe("chain time", () => {
  it("judges grants, attestations and API keys at the head block's timestamp, including expiry == block.timestamp", async () => {
    const [owner, reviewer] = actors;
    const recordId = await registerFresh(owner);
    await refreshClock();
    const expiry = chainClock + 100n;
    const grantee = projectGrantee(harnessProject);
    model.grantPairs.add(`${recordId}:${grantee}`);
    expect((await call(owner, "recordRegistry", "grant", [recordId, grantee, 0, expiry, 1n, "0x01"])).ok).toBe(true);
    const attested = await call(harness, "projectRegistry", "grantRoles", [harnessProject, reviewer.account.address, Roles.REVIEWER]);
    expect(attested.ok).toBe(true);
    model.attestPairs.add(`${harnessProject}:${owner.account.address}`);
    expect((await call(reviewer, "attestationRegistry", "attest", [harnessProject, owner.account.address, 2, expiry, 0, recordId])).ok).toBe(true);
    // An API key expiring at the same second.
    const shortKey = `ok_test_${bytes32().slice(2, 34)}`;
    model.keyHashes.get(harnessProject)!.push(apiKeyHash(shortKey));
    expect((await call(harness, "projectRegistry", "addApiKey", [harnessProject, apiKeyHash(shortKey), ApiKeyScopes.read, expiry])).ok).toBe(true);

    const stateAt = async () => {
      const data = await gqlData(
        indexer.url,
        key,
        `query($g: String!, $a: String!) {
          g: grantStates(where: { id: $g }) { items { state asOfBlock asOfTimestamp } }
          a: attestationStates(where: { id: $a }) { items { state } }
        }`,
        { g: `${recordId}:${grantee}`, a: `${harnessProject}:${owner.account.address.toLowerCase()}` },
      );
      return { grant: data.g.items[0], attestation: data.a.items[0].state };
    };

    // One second before expiry: live everywhere.
    await rpc("evm_setNextBlockTimestamp", [Number(expiry - 1n)]);
    await rpc("evm_mine");
    const before = await caughtUp();
    let s = await stateAt();
    expect(s.grant).toEqual({ state: "live", asOfBlock: before.toString(), asOfTimestamp: (expiry - 1n).toString() });
    expect(s.attestation).toBe("valid");
    expect((await api(indexer.url, shortKey, "GET", `/v1/projects/${harnessProject}/grants`)).status).toBe(200);

    // At expiry == block.timestamp: expired (`expiry > block.timestamp` is the contracts' rule for live).
    await rpc("evm_setNextBlockTimestamp", [Number(expiry)]);
    await rpc("evm_mine");
    const at = await caughtUp();
    s = await stateAt();
    expect(s.grant).toEqual({ state: "expired", asOfBlock: at.toString(), asOfTimestamp: expiry.toString() });
    expect(s.attestation).toBe("expired");
    const refused = await api(indexer.url, shortKey, "GET", `/v1/projects/${harnessProject}/grants`);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("ApiKeyExpired");
    const rest = await api(indexer.url, key, "GET", `/v1/projects/${harnessProject}/grants?state=expired`);
    expect(rest.body.items.map((g: { id: string }) => g.id)).toContain(`${recordId}:${grantee}`);
    expect(rest.headers.get("x-onekey-indexed-timestamp")).toBe(expiry.toString());

    // The contracts agree at both blocks.
    expect(await read("recordRegistry", "hasAccess", [recordId, reviewer.account.address], before)).toBe(true);
    expect(await read("attestationRegistry", "isVerified", [owner.account.address, harnessProject, 2], before)).toBe(true);
    expect(await read("recordRegistry", "hasAccess", [recordId, reviewer.account.address], at)).toBe(false);
    expect(await read("attestationRegistry", "isVerified", [owner.account.address, harnessProject, 2], at)).toBe(false);
  });

  it("follows the chain's clock when it runs far ahead of the wall clock", async () => {
    // A day ahead of the wall clock: by wall time the grant below is live, by chain time expired.
    const [owner, other] = actors;
    const recordId = await registerFresh(owner);
    const grantee = accountGrantee(other.account.address);
    model.grantPairs.add(`${recordId}:${grantee}`);
    await refreshClock();
    const expiry = chainClock + 60n;
    expect((await call(owner, "recordRegistry", "grant", [recordId, grantee, 0, expiry, 1n, "0x01"])).ok).toBe(true);
    await rpc("evm_increaseTime", [86_400]);
    await rpc("evm_mine");
    const head = await caughtUp();
    const wall = BigInt(Math.floor(Date.now() / 1000));
    expect(expiry > wall || (await chain.publicClient.getBlock()).timestamp > wall + 3600n).toBe(true);
    const data = await gqlData(indexer.url, key, `query($g: String!) { grantStates(where: { id: $g }) { items { state } } }`, { g: `${recordId}:${grantee}` });
    expect(data.grantStates.items[0].state).toBe("expired");
    expect(await read("recordRegistry", "isGrantLive", [recordId, grantee], head)).toBe(false);
    await compareWithChain("chain clock ahead of the wall clock");
  });
});

// --- an indexer that starts after some history ------------------------------------------------------

/**
 * Makes history (a project, a record granted to an account) and starts a second indexer at the
 * block after it. Started while the restart test waits for the restarted indexer (Ponder keeps the
 * old process's schema lock ~25 s), so the two startups overlap.
 */
function startLateIndexer() {
  const [admin, owner, grantee] = actors.slice(4, 7);
  const ready = (async () => {
    const created = await call(admin, "projectRegistry", "createProject", ["https://example.org/early.json"]);
    learn(created);
    const p = created.logs[0].args.projectId as bigint;
    const recorded = await call(owner, "recordRegistry", "registerRecord", [bytes32(), bytes32(), bytes32(), bytes32(), 1, 0]);
    const recordId = recorded.logs[0].args.recordId as Hex;
    await refreshClock();
    expect((await call(owner, "recordRegistry", "grant", [recordId, accountGrantee(grantee.account.address), 0, chainClock + 3600n, 1n, "0x01"])).ok).toBe(
      true,
    );
    // Start at an empty block after that history (Ponder needs the start block to exist).
    await rpc("evm_mine");
    const startBlock = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    return { p, recordId, startBlock };
  })();
  const indexerReady = ready.then(({ startBlock }) =>
    startIndexer({
      chain,
      paymaster,
      env: { ONEKEY_START_BLOCK: startBlock.toString(), ONEKEY_RATE_LIMIT_KEY: "100000,100000", ONEKEY_API_KEY_CACHE_MS: "0" },
    }),
  );
  indexerReady.catch(() => {}); // awaited (and reported) by the test that uses it
  return { admin, owner, grantee, history: ready, indexer: indexerReady };
}
let lateStart: ReturnType<typeof startLateIndexer> | undefined;

describe("restart", () => {
  it("a restart on the same data keeps running and stays equal to the chain", async () => {
    const pgliteDir = indexer.pgliteDir!;
    const started = Date.now();
    // The next describe's indexer starts meanwhile (its history is made before the stop).
    lateStart = startLateIndexer();
    await lateStart.history;
    await indexer.stop();
    console.log(`restart: stopped in ${Date.now() - started} ms`);
    indexer = await startIndexer({
      chain,
      paymaster,
      pgliteDir,
      env: { ONEKEY_RATE_LIMIT_KEY: "100000,100000", ONEKEY_RATE_LIMIT_PROJECT: "100000,100000", ONEKEY_API_KEY_CACHE_MS: "0" },
    });
    await nudgeUntilIndexed(chain, indexer);
    console.log(`restart: running again and caught up after ${Date.now() - started} ms`);
    if (process.env.ONEKEY_TEST_PRINT_LOG) console.log(indexer.logTail(60));
    // The poison call once more, after the restart.
    const stranger = actors[actors.length - 1];
    expect((await call(stranger, "projectRegistry", "revokeRoles", [harnessProject, stranger.account.address, Roles.REVIEWER])).ok).toBe(true);
    await compareWithChain("after restart");
    expect(alive()).toBe(true);
  });
});

describe("events the indexer cannot apply", () => {
  it("records an update for a row from before the start block as skipped, alerts the project, and keeps indexing", async () => {
    lateStart ??= startLateIndexer();
    const { admin, owner, grantee } = lateStart;
    const { p, recordId } = await lateStart.history;
    const late = await lateStart.indexer;
    try {
      const lateKey = await addApiKey(chain, admin, p, ALL_API_KEY_SCOPES, 86_400);
      expect((await call(admin, "projectRegistry", "suspend", [p])).ok).toBe(true);
      expect((await call(owner, "recordRegistry", "revoke", [recordId, accountGrantee(grantee.account.address)])).ok).toBe(true);
      expect((await call(owner, "paymaster", "fundProject", [p], parseEther("0.1"))).ok).toBe(true);
      // A normal event after the skipped ones is still applied.
      const after = await call(owner, "projectRegistry", "createProject", ["https://example.org/after.json"]);
      const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
      await eventually("the late indexer to reach the head", async () => (await indexedBlock(late)) >= Number(head), 60_000);
      expect(late.service.child?.exitCode).toBeNull();

      // The suspension is skipped, so the key of the (unknown, really suspended) project still reads.
      const data = await gqlData(
        late.url,
        lateKey,
        `query($p: BigInt!, $q: BigInt!) {
          skippedEvents(orderBy: "blockNumber") { items { contract eventName reasonCode reason projectId blockNumber transactionHash } }
          project(id: $q) { metadataURI }
          sponsorFundings(where: { projectId: $p }) { totalCount }
        }`,
        { p: p.toString(), q: (after.logs[0].args.projectId as bigint).toString() },
      );
      expect(data.skippedEvents.items.map((s: { contract: string; eventName: string }) => `${s.contract}:${s.eventName}`)).toEqual([
        "ProjectRegistry:ProjectSuspended",
        "RecordRegistry:AccessRevoked",
        "OneKeyPaymaster:ProjectFunded",
      ]);
      expect(data.skippedEvents.items[0]).toMatchObject({
        projectId: p.toString(),
        reasonCode: "project_not_indexed",
        reason: expect.stringMatching(/not indexed/),
      });
      expect(data.skippedEvents.items[1]).toMatchObject({
        projectId: null,
        reasonCode: "grant_not_indexed",
        reason: expect.stringMatching(/grant .* is not indexed/),
      });
      expect(data.skippedEvents.items[2]).toMatchObject({ reasonCode: "project_not_indexed" });
      // Alerts go to the project the event names (the account grant names none).
      const alerts = (
        await allPages<{ blockNumber: string; body: { data: { eventName: string } } }>(
          late.url,
          lateKey,
          `/v1/projects/${p}/messages?eventType=alert.event_skipped`,
        )
      ).sort((a, b) => Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)));
      expect(alerts.map((o) => o.body.data.eventName)).toEqual(["ProjectSuspended", "ProjectFunded"]);
      expect(alerts.map((o) => (o.body.data as { reasonCode?: string }).reasonCode)).toEqual(["project_not_indexed", "project_not_indexed"]);
      expect(data.project.metadataURI).toBe("https://example.org/after.json");
      expect(data.sponsorFundings.totalCount).toBe(1); // the event row is kept; only the totals are not
      expect(late.logTail(400)).toMatch(/"msg":"onekey: event skipped"/);
    } finally {
      await late.stop();
      removeDir(late.pgliteDir);
    }
  });
});
