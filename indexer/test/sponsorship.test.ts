// Gas sponsorship (OneKeyPaymaster): funding, withdrawal and one sponsored user operation sent
// straight to EntryPoint.handleOps (no bundler needed), indexed into the sponsorship tables, the
// project's totals, analytics, webhooks and the low-balance alert.
import { ALL_API_KEY_SCOPES, Roles } from "@onekey/sdk/contracts";
import { encodeFunctionData, parseEther, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryPointAbi, oneKeyPaymasterAbi, recordRegistryAbi, simpleAccountFactoryAbi } from "@onekey/sdk/abis";
import { deployArtifact } from "../../scripts/lib/artifacts.ts";
import { draftOp, executeCall, initCodeFor, ownerAccount, sponsor } from "../../test/helpers/userops.ts";
import { addApiKey, api, createProject, gqlData, randomHash, send } from "./helpers/onekey.ts";
import { startReceiver, type Receiver } from "./helpers/receiver.ts";
import { ANVIL_KEYS } from "../../scripts/lib/anvil.ts";
import { eventually, indexedBlock, keyAccepted, removeDir, startChain, startIndexer, type Chain31337, type Indexer } from "./helpers/stack.ts";

let chain: Chain31337;
let indexer: Indexer;
let receiver: Receiver;
let entryPoint: Address;
let factory: Address;
let paymaster: Address;
let projectId: bigint;
let key: string;

// `data` comes from encodeFunctionData at the call site, typed by the ABI there.
async function write(to: Address, data: Hex, value?: bigint) {
  const [admin] = chain.wallets;
  const hash = await admin.sendTransaction({ to, data, value });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== "success") throw new Error(`${data.slice(0, 10)} reverted`);
  return receipt;
}

async function caughtUp(): Promise<void> {
  const head = Number(await chain.publicClient.getBlockNumber());
  await eventually("the indexer to reach the head", async () => (await indexedBlock(indexer)) >= head);
}

beforeAll(async () => {
  chain = await startChain();
  const [admin] = chain.wallets;
  entryPoint = await deployArtifact(admin, chain.publicClient, "EntryPoint");
  factory = await deployArtifact(admin, chain.publicClient, "SimpleAccountFactory", [entryPoint]);
  const { projectRegistry, recordRegistry, attestationRegistry } = chain.deployment;
  paymaster = await deployArtifact(admin, chain.publicClient, "OneKeyPaymaster", [
    entryPoint,
    projectRegistry,
    recordRegistry,
    attestationRegistry,
    admin.account.address,
  ]);
  indexer = await startIndexer({
    chain,
    paymaster,
    // Any sponsored spend counts as a jump here (the previous window is empty).
    env: { ONEKEY_ALERT_SPONSOR_BALANCE_MIN_WEI: parseEther("0.5").toString(), ONEKEY_ALERT_SPONSOR_SPEND_MIN_WEI: "1", ONEKEY_WEBHOOK_POLL_MS: "100" },
  });
  receiver = await startReceiver();
  projectId = await createProject(chain, admin);
  key = await addApiKey(chain, admin, projectId, ALL_API_KEY_SCOPES);
  await keyAccepted(indexer, key, projectId);
});

afterAll(async () => {
  if (process.env.ONEKEY_TEST_PRINT_LOG) console.log(indexer?.logTail(400));
  await receiver?.close();
  await indexer?.stop();
  await chain?.stop();
  removeDir(indexer?.pgliteDir);
});

describe("gas sponsorship", () => {
  it("indexes funding, a sponsored user operation and a withdrawal, and alerts on a low balance", async () => {
    const [admin, , sponsorWallet] = chain.wallets;
    const endpoint = await api(indexer.url, key, "POST", `/v1/projects/${projectId}/webhooks`, {
      url: receiver.url,
      eventTypes: ["sponsorship.*", "alert.*"],
      fromBlock: (await chain.publicClient.getBlockNumber()).toString(),
    });
    expect(endpoint.status).toBe(201);
    await send(chain, admin, "projectRegistry", "grantRoles", [projectId, sponsorWallet.account.address, Roles.SPONSOR]);
    await write(paymaster, encodeFunctionData({ abi: oneKeyPaymasterAbi, functionName: "fundProject", args: [projectId] }), parseEther("1"));

    // A fresh SimpleAccount registers an encryption key, its gas paid by the project.
    const owner = ownerAccount(ANVIL_KEYS[7]);
    const sender = (await chain.publicClient.readContract({
      address: factory,
      abi: simpleAccountFactoryAbi,
      functionName: "getAddress",
      args: [owner.address, 0n],
    })) as Address;
    const callData = executeCall(
      chain.deployment.recordRegistry,
      encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [randomHash()] }),
    );
    const op = draftOp({ sender, nonce: 0n, initCode: initCodeFor(factory, owner.address), callData });
    const now = Math.floor(Date.now() / 1000);
    op.paymasterAndData = await sponsor(op, {
      projectId,
      validUntil: now + 3600,
      validAfter: now - 60,
      paymaster,
      chainId: chain.anvil.chainId,
      signer: ownerAccount(ANVIL_KEYS[2]),
    });
    const userOpHash = await chain.publicClient.readContract({ address: entryPoint, abi: entryPointAbi, functionName: "getUserOpHash", args: [op] });
    op.signature = await owner.sign({ hash: userOpHash });
    await write(entryPoint, encodeFunctionData({ abi: entryPointAbi, functionName: "handleOps", args: [[op], admin.account.address] }));

    const balance = (await chain.publicClient.readContract({
      address: paymaster,
      abi: oneKeyPaymasterAbi,
      functionName: "projectBalance",
      args: [projectId],
    })) as bigint;
    // Withdraw down to 0.1 ETH: crosses the 0.5 ETH threshold.
    await write(
      paymaster,
      encodeFunctionData({
        abi: oneKeyPaymasterAbi,
        functionName: "withdrawFromProject",
        args: [projectId, admin.account.address, balance - parseEther("0.1")],
      }),
    );
    await caughtUp();

    const data = await gqlData(
      indexer.url,
      key,
      `query($p: BigInt!, $h: String!) {
        project(id: $p) { sponsorBalance totalFunded totalWithdrawn gasSponsored costCharged operationsSponsored }
        sponsorship(id: $h) { projectId sender actualGasCost charged }
        sponsorFundings(where: { projectId: $p }, orderBy: "blockNumber") { items { kind amount } }
      }`,
      { p: projectId.toString(), h: userOpHash },
    );
    expect(data.sponsorship).toMatchObject({ projectId: projectId.toString(), sender: sender.toLowerCase() });
    const charged = BigInt(data.sponsorship.charged);
    expect(charged).toBeGreaterThan(BigInt(data.sponsorship.actualGasCost));
    expect(data.project).toMatchObject({
      totalFunded: parseEther("1").toString(),
      totalWithdrawn: (balance - parseEther("0.1")).toString(),
      costCharged: charged.toString(),
      operationsSponsored: 1,
      sponsorBalance: parseEther("0.1").toString(),
    });
    expect(BigInt(parseEther("1")) - charged).toBe(balance); // indexed charge = on-chain deduction
    expect(data.sponsorFundings.items.map((f: { kind: string }) => f.kind)).toEqual(["funded", "withdrawn"]);

    const analytics = await api(indexer.url, key, "GET", `/v1/projects/${projectId}/analytics`);
    expect(analytics.body.totals).toMatchObject({ sponsoredOperations: 1, costChargedWei: charged.toString() });

    await eventually("sponsorship webhooks", async () => receiver.received.length >= 5, 20_000);
    const messages = receiver.verifyAll(endpoint.body.secret);
    const types = messages.map((m) => m.type).sort();
    expect(types).toEqual([
      "alert.sponsor_balance_low",
      "alert.sponsor_spend_rate",
      "sponsorship.funded",
      "sponsorship.operation_sponsored",
      "sponsorship.withdrawn",
    ]);
    const spend = messages.find((m) => m.type === "alert.sponsor_spend_rate")!;
    expect(JSON.stringify(spend)).toContain(charged.toString()); // the window's spend is this one charge
  });
});
