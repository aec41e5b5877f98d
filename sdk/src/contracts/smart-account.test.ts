// The same actions with a smart account: a bundler client (real alto, canonical EntryPoint v0.8)
// in place of a wallet client. Writes become user operations; `sendCalls` makes several calls one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, keccak256, parseEther, toHex, zeroHash, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createBundlerClient } from "viem/account-abstraction";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { freePort } from "../../../scripts/lib/ports.ts";
import { startLocalAA, type LocalAA } from "../../../scripts/aa/local.ts";
import { toOneKeyAccount } from "../aa/index.ts";
import {
  computeRecordId,
  createProject,
  getRecord,
  grantCall,
  isContractRevert,
  projectGrantee,
  registerRecord,
  registerRecordCall,
  sendCalls,
} from "./index.ts";

describe("actions through a smart account (alto)", () => {
  let anvil: Anvil;
  let aa: LocalAA;
  let publicClient: PublicClient;
  let on: { addresses: OneKeyDeployment };
  let logs: string;
  let bundler: ReturnType<typeof createBundlerClient>;

  beforeAll(async () => {
    logs = mkdtempSync(join(tmpdir(), "onekey-sa-"));
    anvil = await startAnvil();
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    const deployer = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[0]), chain: foundry, transport: http(anvil.rpcUrl) });
    on = { addresses: await deployOneKey(deployer, publicClient) };
    aa = await startLocalAA({
      rpcUrl: anvil.rpcUrl,
      wallet: deployer,
      publicClient,
      oneKey: on.addresses,
      bundlerPort: await freePort(),
      sponsorPort: await freePort(),
      executorKey: ANVIL_KEYS[8],
      utilityKey: ANVIL_KEYS[9],
      sponsorKey: ANVIL_KEYS[4],
      logsDir: logs,
    });
    const base = await toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
    // /aa's STUB_SIGNATURE has an odd number of hex digits (66 bytes once padded), which
    // SimpleAccount's ECDSA rejects during the bundler's gas estimation (AA23). A real signature
    // by an unrelated key is a well-formed stub.
    const stub = await privateKeyToAccount(generatePrivateKey()).sign({ hash: zeroHash });
    const account = { ...base, getStubSignature: async () => stub };
    // Not sponsored here: the account pays its own gas, so this exercises only the SDK's send path.
    await deployer.sendTransaction({ to: account.address, value: parseEther("1") });
    bundler = createBundlerClient({
      account,
      client: publicClient,
      transport: http(aa.bundlerUrl),
      pollingInterval: 100,
      userOperation: {
        async estimateFeesPerGas() {
          const fees = await publicClient.estimateFeesPerGas();
          return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
        },
      },
    });
  }, 180_000);
  afterAll(async () => {
    await aa?.stop();
    await anvil?.stop();
    if (logs) rmSync(logs, { recursive: true, force: true });
  });

  it("a write is a user operation from the smart account", async () => {
    const created = await createProject(bundler, { ...on, metadataURI: "ipfs://from-a-smart-account" });
    expect(created.userOpHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(created.admin).toBe(bundler.account!.address);
    const salt = keccak256(toHex("sa-record"));
    const { recordId } = await registerRecord(bundler, {
      ...on,
      salt,
      storageId: keccak256("0x01"),
      contentHash: keccak256("0x02"),
      manifestHash: keccak256("0x03"),
      scheme: 1,
      keyRelease: 0,
    });
    expect(recordId).toBe(computeRecordId(bundler.account!.address, salt));
  });

  it("sendCalls batches calls into one user operation; reverts decode before it is sent", async () => {
    const pointer = { storageId: keccak256("0x11"), contentHash: keccak256("0x12"), manifestHash: keccak256("0x13"), scheme: 1, keyRelease: 0 };
    const salts = [keccak256(toHex("batch-a")), keccak256(toHex("batch-b"))];
    const results = await sendCalls(bundler, { calls: salts.map((salt) => registerRecordCall(on.addresses.recordRegistry, { salt, ...pointer })) });
    expect(results).toHaveLength(1);
    for (const salt of salts)
      expect((await getRecord(publicClient, { ...on, recordId: computeRecordId(bundler.account!.address, salt) })).owner).toBe(bundler.account!.address);

    const nonce = await publicClient.getTransactionCount({ address: bundler.account!.address });
    const bad = grantCall(on.addresses.recordRegistry, {
      recordId: zeroHash,
      grantee: projectGrantee(1n),
      purpose: 0,
      expiry: 2n ** 40n,
      fieldMask: 1n,
      wrappedKey: "0x01",
    });
    const error = await sendCalls(bundler, { calls: [bad] }).catch((e) => e);
    expect(isContractRevert(error, "RecordNotFound")).toBe(true);
    expect(await publicClient.getTransactionCount({ address: bundler.account!.address })).toBe(nonce);
  });
});
