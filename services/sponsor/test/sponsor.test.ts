// Who may spend a project's sponsorship, tried as an attacker would, against real parts: anvil
// (Prague), the canonical EntryPoint v0.8, OneKeyPaymaster, alto, the sponsor service with PGlite,
// and two sponsor services over one real PostgreSQL.
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
import { prepareUserOperation } from "viem/account-abstraction";
import { entryPointAbi, oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { apiKeyHash } from "@onekey/sdk/contracts";
import {
  API_KEY_SCOPE_SPONSOR,
  createSponsoredClient,
  getProjectBalance,
  sendSponsored,
  signSponsorshipTicket,
  SponsorshipRefusedError,
  toOneKeyAccount,
  toSponsorError,
  type SponsorRefusal,
  type SponsorshipTicket,
} from "@onekey/sdk/aa";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { startLocalAA, type LocalAA } from "../../../scripts/aa/local.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { postgresUnavailableReason, startPostgres, type Postgres } from "../../../indexer/test/helpers/postgres.ts";
import { startSponsorService, type SponsorPolicy, type SponsorService } from "../src/index.ts";

const SPONSOR = 8;
const READ_SCOPE = 1;
const BACKEND_KEY = ANVIL_KEYS[5]; // the project's backend: signs tickets, holds the SPONSOR role
const STRANGER_KEY = ANVIL_KEYS[7];

let anvil: Anvil;
let aa: LocalAA;
let publicClient: PublicClient;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "onekey-sponsor-test-"));
  dirs.push(dir);
  return dir;
};

const wallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport: http(anvil.rpcUrl) });
// `data` comes from encodeFunctionData at the call site, typed by the ABI there.
async function send(to: Address, data: Hex, value?: bigint) {
  const hash = await wallet(ANVIL_KEYS[1]).sendTransaction({ to, data, value });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${data.slice(0, 10)} reverted`);
  return receipt;
}
const balance = (projectId: bigint) => getProjectBalance(publicClient, { paymaster: aa.paymaster, projectId });
const deposit = () => publicClient.readContract({ address: aa.entryPoint, abi: entryPointAbi, functionName: "balanceOf", args: [aa.paymaster] });
const chainTime = async () => Number((await publicClient.getBlock()).timestamp);

async function newProject(): Promise<bigint> {
  const r = await send(aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "createProject", args: ["ipfs://p"] }));
  const id = BigInt(r.logs[0].topics[1]!);
  await send(aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [id, aa.sponsorSigner, SPONSOR] }));
  await send(
    aa.oneKey.projectRegistry,
    encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [id, privateKeyToAccount(BACKEND_KEY).address, SPONSOR] }),
  );
  await send(aa.paymaster, encodeFunctionData({ abi: oneKeyPaymasterAbi, functionName: "fundProject", args: [id] }), parseEther("1"));
  return id;
}
async function addKey(projectId: bigint, rawKey: string, scopes: number) {
  await send(
    aa.oneKey.projectRegistry,
    encodeFunctionData({ abi: projectRegistryAbi, functionName: "addApiKey", args: [projectId, apiKeyHash(rawKey), scopes, 2n ** 40n] }),
  );
}

const newAccount = () => toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
type Auth = { ticket?: SponsorshipTicket; apiKey?: string; url?: string };
const clientFor = (account: Awaited<ReturnType<typeof newAccount>>, projectId: bigint, auth: Auth = {}) =>
  createSponsoredClient({
    account,
    publicClient,
    bundlerUrl: aa.bundlerUrl,
    paymasterUrl: auth.url ?? aa.sponsorUrl,
    projectId,
    ticket: auth.ticket,
    apiKey: auth.apiKey,
    pollingInterval: 50,
  });

async function ticketFor(projectId: bigint, subject: Address, maxOps: number, o: { validUntil?: number; signer?: Hex } = {}) {
  return signSponsorshipTicket(wallet(o.signer ?? BACKEND_KEY), {
    chainId: foundry.id,
    paymaster: aa.paymaster,
    projectId,
    subject,
    maxOps,
    validUntil: o.validUntil ?? (await chainTime()) + 3_600,
  });
}

let n = 0;
const setKey = () => ({
  to: aa.oneKey.recordRegistry,
  data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [keccak256(toHex(`k${n++}`))] }),
});

async function refusal(promise: Promise<unknown>): Promise<SponsorRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the operation was sponsored").toBeInstanceOf(SponsorshipRefusedError);
  return (error as SponsorshipRefusedError).reason;
}

// Projects: 1 and 2 authorised (API key or ticket); 3 open with a 3-operation cap; 4 open with a 1-wei cap.
const policy: SponsorPolicy = {
  validitySeconds: 600,
  projects: {
    "1": { maxOpsPerSubject: 1_000, maxOpsPerTicket: 10 },
    "2": { maxOpsPerSubject: 1_000 },
    "3": { access: "open", maxOpsPerProject: 3, maxWeiPerProject: parseEther("1"), maxOpsPerSubject: 1 },
    "4": { access: "open", maxOpsPerProject: 100, maxWeiPerProject: 1n, maxOpsPerSubject: 1 },
  },
};

beforeAll(async () => {
  anvil = await startAnvil({ hardfork: "prague" });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
  aa = await startLocalAA({ rpcUrl: anvil.rpcUrl, policy, sponsorDbDir: tempDir() });
  for (let i = 1; i <= 4; i++) expect(await newProject()).toBe(BigInt(i));
  await addKey(1n, "ok_sponsor_1", API_KEY_SCOPE_SPONSOR);
  await addKey(1n, "ok_read_1", READ_SCOPE);
  await addKey(1n, "ok_revoked_1", API_KEY_SCOPE_SPONSOR);
  await send(aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "revokeApiKey", args: [1n, apiKeyHash("ok_revoked_1")] }));
  await addKey(2n, "ok_sponsor_2", API_KEY_SCOPE_SPONSOR);
  await addKey(3n, "ok_sponsor_3", API_KEY_SCOPE_SPONSOR);
}, 240_000);

afterAll(async () => {
  await aa?.stop();
  await anvil?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("authorised subjects only", () => {
  it("100 fresh accounts without authorisation: 0 sponsored, the project's balance and the deposit unchanged to the wei", async () => {
    const [before, depositBefore] = [await balance(1n), await deposit()];
    const reasons: SponsorRefusal[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const accounts = await Promise.all(Array.from({ length: 10 }, newAccount));
      reasons.push(...(await Promise.all(accounts.map((a) => refusal(sendSponsored(clientFor(a, 1n), { calls: [setKey()] }))))));
    }
    expect(reasons).toHaveLength(100);
    expect(new Set(reasons)).toEqual(new Set(["NOT_AUTHORISED"]));
    // Asked for the signature itself (skipping the stub step the SDK takes): refused the same way.
    const account = await newAccount();
    const op = {
      sender: account.address,
      nonce: "0x0",
      ...(await account.getFactoryArgs()),
      callData: await account.encodeCalls([setKey()]),
      callGasLimit: toHex(100_000),
      verificationGasLimit: toHex(400_000),
      preVerificationGas: toHex(60_000),
      maxFeePerGas: toHex(2_000_000_000),
      maxPriorityFeePerGas: toHex(1_000_000_000),
      paymasterVerificationGasLimit: toHex(60_000),
      paymasterPostOpGasLimit: toHex(40_000),
    };
    const res = await fetch(aa.sponsorUrl, {
      method: "POST",
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "pm_getPaymasterData", params: [op, aa.entryPoint, toHex(foundry.id), { projectId: toHex(1n) }] }),
    });
    expect(((await res.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("NOT_AUTHORISED");
    expect(await balance(1n)).toBe(before);
    expect(await deposit()).toBe(depositBefore);
  });

  it("one ticket for maxOps = 3: exactly 3 sponsored, the fourth refused; the balance drops by exactly the charges", async () => {
    const account = await newAccount();
    const client = clientFor(account, 1n, { ticket: await ticketFor(1n, account.address, 3) });
    const before = await balance(1n);
    let charged = 0n;
    for (let i = 0; i < 3; i++) charged += (await sendSponsored(client, { calls: [setKey()] })).charge.charged;
    expect(await refusal(sendSponsored(client, { calls: [setKey()] }))).toBe("TICKET_USED_UP");
    expect(before - (await balance(1n))).toBe(charged);
  });

  it("a stolen, expired, foreign-project, foreign-signer, tampered or malformed ticket is refused; nothing is charged", async () => {
    const before = [await balance(1n), await balance(2n)];
    const victim = await newAccount();
    const attacker = await newAccount();
    const good = await ticketFor(1n, victim.address, 5);
    // stolen: the victim's ticket presented by another account
    expect(await refusal(sendSponsored(clientFor(attacker, 1n, { ticket: good }), { calls: [setKey()] }))).toBe("TICKET_WRONG_SUBJECT");
    // expired (chain time)
    const expired = await ticketFor(1n, victim.address, 5, { validUntil: (await chainTime()) - 1 });
    expect(await refusal(sendSponsored(clientFor(victim, 1n, { ticket: expired }), { calls: [setKey()] }))).toBe("TICKET_EXPIRED");
    // project 1's ticket used to spend project 2's budget
    expect(await refusal(sendSponsored(clientFor(victim, 2n, { ticket: good }), { calls: [setKey()] }))).toBe("TICKET_WRONG_PROJECT");
    // signed by someone who is not the project's SPONSOR
    const forged = await ticketFor(1n, attacker.address, 5, { signer: STRANGER_KEY });
    expect(await refusal(sendSponsored(clientFor(attacker, 1n, { ticket: forged }), { calls: [setKey()] }))).toBe("TICKET_SIGNER_NOT_SPONSOR");
    // a real ticket with more operations written in: the signature no longer recovers to a SPONSOR
    expect(await refusal(sendSponsored(clientFor(victim, 1n, { ticket: { ...good, maxOps: 1_000 } }), { calls: [setKey()] }))).toBe(
      "TICKET_SIGNER_NOT_SPONSOR",
    );
    for (const bad of [{ nonsense: true }, { ...good, signature: "0x1234" }, { ...good, projectId: "-1" }, "ticket"]) {
      // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
      expect(await refusal(sendSponsored(clientFor(victim, 1n, { ticket: bad }), { calls: [setKey()] }))).toBe("INVALID_TICKET");
    }
    expect([await balance(1n), await balance(2n)]).toEqual(before);
  });

  it("a ticket may name a SimpleAccount's owner instead of the account; another owner's ticket is refused", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const account = await toOneKeyAccount({ client: publicClient, owner, factory: aa.factory });
    const r = await sendSponsored(clientFor(account, 1n, { ticket: await ticketFor(1n, owner.address, 1) }), { calls: [setKey()] });
    expect(r.charge.sender).toBe(account.address);
    const other = await ticketFor(1n, privateKeyToAccount(generatePrivateKey()).address, 1);
    expect(await refusal(sendSponsored(clientFor(account, 1n, { ticket: other }), { calls: [setKey()] }))).toBe("TICKET_WRONG_SUBJECT");
  });

  it("a ticket's maxOps above the policy's per-ticket ceiling is held to the ceiling", async () => {
    const account = await newAccount();
    const client = clientFor(account, 1n, { ticket: await ticketFor(1n, account.address, 1_000_000) });
    // project 1 allows at most 10 per ticket: ask the service for 11 signatures on 11 nonces
    const op = async (nonce: number) => ({
      sender: account.address,
      nonce: toHex(nonce),
      ...(await account.getFactoryArgs()),
      callData: await account.encodeCalls([setKey()]),
      callGasLimit: toHex(100_000),
      verificationGasLimit: toHex(400_000),
      preVerificationGas: toHex(60_000),
      maxFeePerGas: toHex(2_000_000_000),
      maxPriorityFeePerGas: toHex(1_000_000_000),
      paymasterVerificationGasLimit: toHex(60_000),
      paymasterPostOpGasLimit: toHex(40_000),
    });
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await fetch(aa.sponsorUrl, {
        method: "POST",
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "pm_getPaymasterData",
          params: [await op(i), aa.entryPoint, toHex(foundry.id), client.paymasterContext],
        }),
      });
      reasons.push(((await res.json()) as { error?: { data: { reason: string } } }).error?.data.reason);
    }
    expect(reasons.slice(0, 10)).toEqual(Array(10).fill(undefined));
    expect(reasons[10]).toBe("TICKET_USED_UP");
  });

  it("server to server: the project's API key with the sponsor scope is sponsored; other keys are refused by name", async () => {
    const account = await newAccount();
    const r = await sendSponsored(clientFor(account, 1n, { apiKey: "ok_sponsor_1" }), { calls: [setKey()] });
    expect(r.charge.projectId).toBe(1n);
    const before = [await balance(1n), await balance(2n)];
    const fresh = await newAccount();
    expect(await refusal(sendSponsored(clientFor(fresh, 1n, { apiKey: "ok_read_1" }), { calls: [setKey()] }))).toBe("API_KEY_MISSING_SCOPE");
    expect(await refusal(sendSponsored(clientFor(fresh, 1n, { apiKey: "ok_revoked_1" }), { calls: [setKey()] }))).toBe("API_KEY_REJECTED");
    expect(await refusal(sendSponsored(clientFor(fresh, 1n, { apiKey: "ok_guessed" }), { calls: [setKey()] }))).toBe("API_KEY_REJECTED");
    // project 1's key does not open project 2's budget
    expect(await refusal(sendSponsored(clientFor(fresh, 2n, { apiKey: "ok_sponsor_1" }), { calls: [setKey()] }))).toBe("API_KEY_REJECTED");
    expect([await balance(1n), await balance(2n)]).toEqual(before);
  });
});

describe("caps", () => {
  it("an open project's cap reached: refused for everyone (fresh accounts and its own API key), by name", async () => {
    for (let i = 0; i < 3; i++) await sendSponsored(clientFor(await newAccount(), 3n), { calls: [setKey()] });
    const before = await balance(3n);
    expect(await refusal(sendSponsored(clientFor(await newAccount(), 3n), { calls: [setKey()] }))).toBe("PROJECT_OPS_CAP_REACHED");
    expect(await refusal(sendSponsored(clientFor(await newAccount(), 3n, { apiKey: "ok_sponsor_3" }), { calls: [setKey()] }))).toBe("PROJECT_OPS_CAP_REACHED");
    expect(await balance(3n)).toBe(before);
  });

  it("an open project's spend cap counts what each operation can cost", async () => {
    const before = await balance(4n);
    expect(await refusal(sendSponsored(clientFor(await newAccount(), 4n), { calls: [setKey()] }))).toBe("PROJECT_SPEND_CAP_REACHED");
    expect(await balance(4n)).toBe(before);
  });

  it("an open project's per-subject cap", async () => {
    const service = await startSponsorService({
      port: await freePort(),
      rpcUrl: anvil.rpcUrl,
      paymaster: aa.paymaster,
      signerKey: ANVIL_KEYS[4],
      dbDir: tempDir(),
      policy: { validitySeconds: 600, projects: { "2": { access: "open", maxOpsPerProject: 100, maxWeiPerProject: parseEther("1"), maxOpsPerSubject: 1 } } },
    });
    try {
      const client = clientFor(await newAccount(), 2n, { url: service.url });
      await sendSponsored(client, { calls: [setKey()] });
      expect(await refusal(sendSponsored(client, { calls: [setKey()] }))).toBe("SUBJECT_OPS_CAP_REACHED");
    } finally {
      await service.stop();
    }
  });

  it("refuses to start an open policy without caps", async () => {
    await expect(
      startSponsorService({
        port: await freePort(),
        rpcUrl: anvil.rpcUrl,
        paymaster: aa.paymaster,
        signerKey: ANVIL_KEYS[4],
        dbDir: tempDir(),
        policy: { validitySeconds: 600, default: { access: "open" } },
      }),
    ).rejects.toThrow(/needs maxOpsPerProject, maxWeiPerProject and maxOpsPerSubject/);
  });

  it("the sponsor service restarted mid-run (same PGlite directory) keeps its counts", async () => {
    const dbDir = tempDir();
    const start = async () =>
      startSponsorService({ port: await freePort(), rpcUrl: anvil.rpcUrl, paymaster: aa.paymaster, signerKey: ANVIL_KEYS[4], dbDir, policy });
    let service = await start();
    const account = await newAccount();
    const ticket = await ticketFor(2n, account.address, 3);
    try {
      for (let i = 0; i < 2; i++) await sendSponsored(clientFor(account, 2n, { ticket, url: service.url }), { calls: [setKey()] });
      await service.stop();
      service = await start();
      await sendSponsored(clientFor(account, 2n, { ticket, url: service.url }), { calls: [setKey()] });
      expect(await refusal(sendSponsored(clientFor(account, 2n, { ticket, url: service.url }), { calls: [setKey()] }))).toBe("TICKET_USED_UP");
    } finally {
      await service.stop();
    }
  });
});

describe.skipIf(postgresUnavailableReason() !== undefined)("two sponsor services over one PostgreSQL", () => {
  let pg: Postgres;
  let services: SponsorService[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
    const shared: SponsorPolicy = { validitySeconds: 600, projects: { "2": { maxOpsPerProject: 4, maxOpsPerSubject: 1_000 } } };
    services = await Promise.all(
      [0, 1].map(async () =>
        startSponsorService({
          port: await freePort(),
          rpcUrl: anvil.rpcUrl,
          paymaster: aa.paymaster,
          signerKey: ANVIL_KEYS[4],
          databaseUrl: pg.url,
          policy: shared,
        }),
      ),
    );
    expect(services.map((s) => s.store.kind)).toEqual(["postgres", "postgres"]);
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    pg?.stop();
  });

  it("the project cap holds across both: 10 concurrent requests split between them, exactly 4 signed", async () => {
    const accounts = await Promise.all(Array.from({ length: 10 }, newAccount));
    const results = await Promise.allSettled(
      accounts.map((account, i) => prepareUserOperation(clientFor(account, 2n, { apiKey: "ok_sponsor_2", url: services[i % 2].url }), { calls: [setKey()] })),
    );
    const signed = results.filter((r) => r.status === "fulfilled");
    expect(signed).toHaveLength(4);
    const reasons = results
      .filter((r) => r.status === "rejected")
      .map((r) => (toSponsorError((r as PromiseRejectedResult).reason) as SponsorshipRefusedError).reason);
    expect(reasons).toEqual(Array(6).fill("PROJECT_OPS_CAP_REACHED"));
    // A restart of both changes nothing: the count is in PostgreSQL.
    for (const s of services) await s.stop();
    services = await Promise.all(
      [0, 1].map(async () =>
        startSponsorService({
          port: await freePort(),
          rpcUrl: anvil.rpcUrl,
          paymaster: aa.paymaster,
          signerKey: ANVIL_KEYS[4],
          databaseUrl: pg.url,
          policy: { validitySeconds: 600, projects: { "2": { maxOpsPerProject: 4, maxOpsPerSubject: 1_000 } } },
        }),
      ),
    );
    expect(await refusal(sendSponsored(clientFor(await newAccount(), 2n, { apiKey: "ok_sponsor_2", url: services[1].url }), { calls: [setKey()] }))).toBe(
      "PROJECT_OPS_CAP_REACHED",
    );
  });
});
