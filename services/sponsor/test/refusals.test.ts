// The refusal log, read as an outsider would: against anvil, the canonical EntryPoint v0.8,
// OneKeyPaymaster and real sponsor services (PGlite), refusals produced through the SDK's real
// sponsored client and raw JSON-RPC; the read door tried without a key, with another project's,
// with hostile query strings, and under a flood.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
  keccak256,
  parseEther,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { apiKeyHash } from "@onekey/sdk/contracts";
import {
  API_KEY_SCOPE_SPONSOR,
  createSponsoredClient,
  sendSponsored,
  signSponsorshipTicket,
  SponsorshipRefusedError,
  toOneKeyAccount,
  type SponsorRefusal,
} from "@onekey/sdk/aa";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { startLocalAA, type LocalAA } from "../../../scripts/aa/local.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { openStore, recordRefusal, listRefusals, refusalCounts, startSponsorService, type SponsorService, type Store } from "../src/index.ts";

const SPONSOR = 8;
const READ = 1;
const BACKEND_KEY = ANVIL_KEYS[5];
const APP_ORIGIN = "http://127.0.0.1:5173";

let anvil: Anvil;
let aa: LocalAA;
let publicClient: PublicClient;
/** A second service with a small cap, over its own PGlite: the flood and CORS tests. */
let capped: SponsorService;
const CAP = 25;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "onekey-refusals-test-"));
  dirs.push(dir);
  return dir;
};

const wallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport: http(anvil.rpcUrl) });
async function send(to: Address, data: Hex, value?: bigint) {
  const hash = await wallet(ANVIL_KEYS[1]).sendTransaction({ to, data, value });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${data.slice(0, 10)} reverted`);
  return receipt;
}
async function newProject(served: boolean): Promise<bigint> {
  const r = await send(aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "createProject", args: ["ipfs://p"] }));
  const id = BigInt(r.logs[0].topics[1]!);
  if (served)
    await send(aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [id, aa.sponsorSigner, SPONSOR] }));
  await send(
    aa.oneKey.projectRegistry,
    encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [id, privateKeyToAccount(BACKEND_KEY).address, SPONSOR] }),
  );
  await send(aa.paymaster, encodeFunctionData({ abi: oneKeyPaymasterAbi, functionName: "fundProject", args: [id] }), parseEther("1"));
  return id;
}
const addKey = (projectId: bigint, rawKey: string, scopes: number) =>
  send(
    aa.oneKey.projectRegistry,
    encodeFunctionData({ abi: projectRegistryAbi, functionName: "addApiKey", args: [projectId, apiKeyHash(rawKey), scopes, 2n ** 40n] }),
  );

let n = 0;
const setKey = () => ({
  to: aa.oneKey.recordRegistry,
  data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [keccak256(toHex(`k${n++}`))] }),
});
const newAccount = () => toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });

async function refusedThroughSdk(projectId: bigint, o: { apiKey?: string; expiredTicket?: boolean } = {}) {
  const account = await newAccount();
  const ticket = o.expiredTicket
    ? await signSponsorshipTicket(wallet(BACKEND_KEY), {
        chainId: foundry.id,
        paymaster: aa.paymaster,
        projectId,
        subject: account.address,
        maxOps: 3,
        validUntil: Number((await publicClient.getBlock()).timestamp) - 1,
      })
    : undefined;
  const client = createSponsoredClient({
    account,
    publicClient,
    bundlerUrl: aa.bundlerUrl,
    paymasterUrl: aa.sponsorUrl,
    projectId,
    ticket,
    apiKey: o.apiKey,
    pollingInterval: 50,
  });
  const error = await sendSponsored(client, { calls: [setKey()] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SponsorshipRefusedError);
  return { sender: account.address, reason: (error as SponsorshipRefusedError).reason };
}

/** A raw pm_getPaymasterStubData for a random sender, without authorisation: refused NOT_AUTHORISED. */
let callData: Hex;
const PROBE_KEY = keccak256(toHex("refusal-probe"));
async function rawRefusal(url: string, projectId: bigint, sender: Address = privateKeyToAccount(generatePrivateKey()).address): Promise<string> {
  const op = { sender, nonce: "0x7", callData };
  const res = await fetch(url, {
    method: "POST",
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "pm_getPaymasterStubData",
      params: [op, aa.entryPoint, toHex(foundry.id), { projectId: toHex(projectId) }],
    }),
  });
  return ((await res.json()) as { error: { data: { reason: string } } }).error.data.reason;
}

type Page = {
  items: { id: string; time: string; reason: SponsorRefusal; sender: string | null; nonce: string | null; method: string | null }[];
  next: string | null;
};
async function read(base: string, path: string, key?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

let p1: bigint;
let p2: bigint;
let unserved: bigint;

beforeAll(async () => {
  anvil = await startAnvil({ hardfork: "prague" });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
  aa = await startLocalAA({ rpcUrl: anvil.rpcUrl, policy: { validitySeconds: 600, default: { maxOpsPerSubject: 1_000 } }, sponsorDbDir: tempDir() });
  p1 = await newProject(true);
  p2 = await newProject(true);
  unserved = await newProject(false);
  await addKey(p1, "ok_read_1", READ);
  await addKey(p1, "ok_sponsor_only_1", API_KEY_SCOPE_SPONSOR);
  await addKey(p1, "ok_revoked_1", READ);
  await send(aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "revokeApiKey", args: [p1, apiKeyHash("ok_revoked_1")] }));
  await addKey(p2, "ok_read_2", READ);
  await addKey(p2, "ok_sponsor_2", API_KEY_SCOPE_SPONSOR);
  callData = await (await newAccount()).encodeCalls([
    { to: aa.oneKey.recordRegistry, data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [PROBE_KEY] }) },
  ]);
  capped = await startSponsorService({
    port: await freePort(),
    rpcUrl: anvil.rpcUrl,
    paymaster: aa.paymaster,
    signerKey: ANVIL_KEYS[4],
    policy: { validitySeconds: 600, default: { maxOpsPerSubject: 1_000 } },
    dbDir: tempDir(),
    refusalLimits: { maxRowsPerProject: CAP },
    corsOrigins: [APP_ORIGIN],
  });
}, 240_000);

afterAll(async () => {
  await capped?.stop();
  await aa?.stop();
  await anvil?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("what is logged", () => {
  it("each refusal of a served project: reason, sender, nonce and method, newest first, and nothing from the calldata, ticket or key", async () => {
    const a = await refusedThroughSdk(p1);
    const b = await refusedThroughSdk(p1, { apiKey: "ok_sponsor_2" }); // project 2's key on project 1
    const c = await refusedThroughSdk(p1, { expiredTicket: true });
    expect([a.reason, b.reason, c.reason]).toEqual(["NOT_AUTHORISED", "API_KEY_REJECTED", "TICKET_EXPIRED"]);
    const { status, body } = await read(aa.sponsorUrl, `/v1/projects/${p1}/refusals`, "ok_read_1");
    expect(status).toBe(200);
    const page = body as unknown as Page;
    // The SDK asks for stub data first and stops at its refusal: one row per attempt.
    expect(page.items.map((r) => [r.reason, r.sender])).toEqual([
      ["TICKET_EXPIRED", c.sender.toLowerCase()],
      ["API_KEY_REJECTED", b.sender.toLowerCase()],
      ["NOT_AUTHORISED", a.sender.toLowerCase()],
    ]);
    for (const row of page.items) {
      expect(Object.keys(row).sort()).toEqual(["id", "method", "nonce", "reason", "sender", "time"]);
      expect(row.method).toBe("RecordRegistry.setEncryptionKey");
      expect(row.nonce).toBe("0");
      expect(Math.abs(Date.parse(row.time) - Date.now())).toBeLessThan(120_000);
    }
    expect(page.next).toBeNull();
  });

  it("refusals for a project the service does not work for, or one that does not exist, leave no row", async () => {
    const store = await openStore({ dir: tempDir() });
    const probe = await startSponsorService({
      port: await freePort(),
      rpcUrl: anvil.rpcUrl,
      paymaster: aa.paymaster,
      signerKey: ANVIL_KEYS[4],
      policy: { validitySeconds: 600, default: {} },
      store,
    });
    try {
      expect(await rawRefusal(probe.url, unserved)).toBe("SIGNER_NOT_SPONSOR");
      for (const id of [999_999n, 2n ** 255n]) expect(await rawRefusal(probe.url, id)).toBe("SIGNER_NOT_SPONSOR");
      expect(await rawRefusal(probe.url, p1)).toBe("NOT_AUTHORISED");
      const rows = await store.query<{ project_id: string; n: number }>("SELECT project_id::text, count(*)::int AS n FROM sponsor_refusal GROUP BY project_id");
      expect(rows).toEqual([{ project_id: p1.toString(), n: 1 }]);
      const cols = await store.query<Record<string, unknown>>("SELECT * FROM sponsor_refusal");
      const text = JSON.stringify(cols);
      expect(text).not.toContain(PROBE_KEY.slice(2));
      expect(text).not.toContain(callData.slice(2, 40));
      expect(Object.keys(cols[0]).sort()).toEqual(["at", "id", "method", "nonce", "project_id", "reason", "sender"]);
    } finally {
      await probe.stop();
      await store.close();
    }
  });
});

describe("the read door, as an outsider", () => {
  it("no key, an unknown key, another project's key, a revoked key, a key without the read scope: named 4xx, and no rows", async () => {
    await rawRefusal(aa.sponsorUrl, p2);
    const cases: [string | undefined, number, string][] = [
      [undefined, 401, "MissingApiKey"],
      ["ok_nobody", 401, "UnknownApiKey"],
      ["ok_read_2", 401, "UnknownApiKey"],
      ["ok_revoked_1", 401, "ApiKeyRevoked"],
      ["ok_sponsor_only_1", 403, "MissingScope"],
      ["x".repeat(5_000), 401, "UnknownApiKey"],
    ];
    for (const [key, status, error] of cases) {
      for (const path of [`/v1/projects/${p1}/refusals`, `/v1/projects/${p1}/refusals/counts`]) {
        const r = await read(aa.sponsorUrl, path, key);
        expect([r.status, r.body.error], `${key?.slice(0, 20)} ${path}`).toEqual([status, error]);
        expect(r.body.items).toBeUndefined();
      }
    }
    // x-api-key works as well as Bearer.
    expect((await read(aa.sponsorUrl, `/v1/projects/${p1}/refusals`, undefined, { "x-api-key": "ok_read_1" })).status).toBe(200);
  });

  it("tenants apart: each project's key reads its own refusals only", async () => {
    const own1 = (await read(aa.sponsorUrl, `/v1/projects/${p1}/refusals?limit=200`, "ok_read_1")).body as unknown as Page;
    const own2 = (await read(aa.sponsorUrl, `/v1/projects/${p2}/refusals?limit=200`, "ok_read_2")).body as unknown as Page;
    expect(own2.items.length).toBeGreaterThan(0);
    const ids1 = new Set(own1.items.map((r) => r.id));
    expect(own2.items.some((r) => ids1.has(r.id))).toBe(false);
    const c2 = (await read(aa.sponsorUrl, `/v1/projects/${p2}/refusals/counts`, "ok_read_2")).body;
    expect(c2.total).toBe(own2.items.length);
  });

  it("huge or malformed paths and query strings: a named 4xx each, and the service keeps serving", async () => {
    const base = `/v1/projects/${p1}/refusals`;
    const cases: [string, number, string][] = [
      [`${base}?limit=0`, 400, "InvalidLimit"],
      [`${base}?limit=201`, 400, "InvalidLimit"],
      [`${base}?limit=-1`, 400, "InvalidLimit"],
      [`${base}?limit=1e3`, 400, "InvalidLimit"],
      [`${base}?limit=${"9".repeat(400)}`, 400, "InvalidLimit"],
      [`${base}?before=-5`, 400, "InvalidCursor"],
      [`${base}?before=${"9".repeat(40)}`, 400, "InvalidCursor"],
      [`${base}?before=0x10`, 400, "InvalidCursor"],
      [`${base}?reason=NOPE`, 400, "UnknownReason"],
      [`${base}?reason=__proto__`, 400, "UnknownReason"],
      [`${base}?reason=constructor`, 400, "UnknownReason"],
      [`${base}?limit=5&limit=6`, 400, "DuplicateParameter"],
      [`${base}?projectId=2`, 400, "UnknownParameter"],
      [`${base}/counts?since=yesterday`, 400, "InvalidSince"],
      [`${base}/counts?since=${"1".repeat(30)}`, 400, "InvalidSince"],
      ["/v1/projects/abc/refusals", 400, "InvalidProjectId"],
      [`/v1/projects/${2n ** 256n}/refusals`, 400, "InvalidProjectId"],
      [`/v1/projects/${"1".repeat(100)}/refusals`, 400, "InvalidProjectId"],
      [`/v1/projects/${p1}/refusals/../../etc/passwd`, 404, "NotFound"],
      ["/v1/anything", 404, "NotFound"],
      [`${base}?${"a=1&".repeat(600)}`, 414, "UrlTooLong"],
    ];
    for (const [path, status, error] of cases) {
      const r = await read(aa.sponsorUrl, path, "ok_read_1");
      expect([r.status, r.body.error], path.slice(0, 80)).toEqual([status, error]);
      expect(typeof r.body.message).toBe("string");
    }
    const post = await fetch(`${aa.sponsorUrl}${base}`, { method: "POST", headers: { authorization: "Bearer ok_read_1" }, body: "{}" });
    expect([post.status, ((await post.json()) as { error: string }).error]).toEqual([405, "MethodNotAllowed"]);
    // A valid filter still works, and so does the JSON-RPC side.
    const filtered = (await read(aa.sponsorUrl, `${base}?reason=TICKET_EXPIRED&limit=1`, "ok_read_1")).body as unknown as Page;
    expect(filtered.items.map((r) => r.reason)).toEqual(["TICKET_EXPIRED"]);
    expect((await (await fetch(`${aa.sponsorUrl}/health`)).json()).result.ok).toBe(true);
  });

  it("CORS: the app's origin may read from a browser, another origin is not allowed", async () => {
    const pre = (origin: string) =>
      fetch(`${capped.url}/v1/projects/${p1}/refusals`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
      });
    const ok = await pre(APP_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
    expect((await pre("http://127.0.0.1:1")).headers.get("access-control-allow-origin")).toBeNull();
    const get = await read(capped.url, `/v1/projects/${p1}/refusals`, "ok_read_1", { origin: APP_ORIGIN });
    expect(get.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
  });
});

describe("a flood of refusals", () => {
  it(`400 refusals, 40 at a time: ${CAP} rows kept (the newest), every one counted, pages walk them without gaps`, async () => {
    const senders: Address[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const group = Array.from({ length: 40 }, () => privateKeyToAccount(generatePrivateKey()).address);
      senders.push(...group);
      const reasons = await Promise.all(group.map((s) => rawRefusal(capped.url, p1, s)));
      expect(new Set(reasons)).toEqual(new Set(["NOT_AUTHORISED"]));
    }
    const seen: Page["items"] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=10&before=${cursor}` : "?limit=10";
      const page = (await read(capped.url, `/v1/projects/${p1}/refusals${q}`, "ok_read_1")).body as unknown as Page;
      seen.push(...page.items);
      cursor = page.next;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(CAP);
    expect(pages).toBe(3);
    expect(new Set(seen.map((r) => r.id)).size).toBe(CAP);
    const ids = seen.map((r) => BigInt(r.id));
    expect(ids.every((id, i) => i === 0 || id < ids[i - 1])).toBe(true);
    // Every row kept is one of the flood's senders, and all the same reason.
    const last = new Set(senders.slice(-40).map((s) => s.toLowerCase()));
    expect(seen.every((r) => last.has(r.sender!) && r.reason === "NOT_AUTHORISED")).toBe(true);
    const counts = (await read(capped.url, `/v1/projects/${p1}/refusals/counts`, "ok_read_1")).body as {
      total: number;
      byReason: Record<string, number>;
      hours: { count: number }[];
    };
    expect(counts.total).toBe(400);
    expect(counts.byReason).toEqual({ NOT_AUTHORISED: 400 });
    expect(counts.hours.reduce((s, h) => s + h.count, 0)).toBe(400);
    // The other project saw none of it.
    expect(((await read(capped.url, `/v1/projects/${p2}/refusals/counts`, "ok_read_2")).body as { total: number }).total).toBe(0);
  });
});

describe("retention", () => {
  it("rows and hourly counts older than the retention are pruned on the next write; newer ones stay", async () => {
    const store: Store = await openStore({ dir: tempDir() });
    try {
      const { ensureRefusalSchema } = await import("../src/index.ts");
      await ensureRefusalSchema(store);
      const day = 86_400_000;
      const now = Date.now();
      const limits = { maxRowsPerProject: 100, retentionMs: 7 * day };
      await recordRefusal(store, { projectId: 1n, reason: "NOT_AUTHORISED", now: now - 10 * day }, limits);
      await recordRefusal(store, { projectId: 1n, reason: "TICKET_EXPIRED", now: now - 2 * day }, limits);
      await recordRefusal(store, { projectId: 1n, reason: "NOT_AUTHORISED", now }, limits);
      const page = await listRefusals(store, { projectId: 1n, limit: 10 });
      expect(page.items.map((r) => r.reason)).toEqual(["NOT_AUTHORISED", "TICKET_EXPIRED"]);
      const counts = await refusalCounts(store, { projectId: 1n, since: 0 });
      expect(counts.total).toBe(2);
      expect(counts.byReason).toEqual({ NOT_AUTHORISED: 1, TICKET_EXPIRED: 1 });
    } finally {
      await store.close();
    }
  });
});
