// `npm run bench:aa`: gas of a sponsored registry call vs the same call from an EOA, and sponsored
// user-op latency (submit -> receipt) through alto on anvil over 50 operations.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, encodeFunctionData, http, keccak256, parseEther, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS } from "../lib/anvil.ts";
import { deployOneKey } from "../lib/artifacts.ts";
import { freePort } from "../lib/ports.ts";
import { startLocalAA } from "../aa/local.ts";
import { oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi } from "../../sdk/src/abis.ts";
import { createSponsoredClient, sendSponsored, toOneKeyAccount } from "../../sdk/src/aa/index.ts";
import { printTable, writeResults } from "./report.ts";

const OPS = Number(process.env.ONEKEY_BENCH_AA_OPS ?? 50);
const logs = mkdtempSync(join(tmpdir(), "onekey-bench-aa-"));
const anvil = await startAnvil();
const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
const wallet = (i: number) => createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) });
const oneKey = await deployOneKey(wallet(0), publicClient);
const aa = await startLocalAA({
  rpcUrl: anvil.rpcUrl, wallet: wallet(0), publicClient, oneKey, bundlerPort: await freePort(), sponsorPort: await freePort(),
  executorKey: ANVIL_KEYS[8], utilityKey: ANVIL_KEYS[9], sponsorKey: ANVIL_KEYS[4], logsDir: logs,
});
try {
  const tx = async (i: number, to: `0x${string}`, abi: readonly unknown[], functionName: string, args: unknown[], value?: bigint) =>
    publicClient.waitForTransactionReceipt({ hash: await wallet(i).writeContract({ address: to, abi, functionName, args, value } as never) });
  await tx(1, oneKey.projectRegistry, projectRegistryAbi, "createProject", ["ipfs://bench"]);
  await tx(1, oneKey.projectRegistry, projectRegistryAbi, "grantRoles", [1n, privateKeyToAccount(ANVIL_KEYS[4]).address, 8]);
  await tx(1, aa.paymaster, oneKeyPaymasterAbi, "fundProject", [1n], parseEther("10"));

  const register = (salt: string) =>
    encodeFunctionData({ abi: recordRegistryAbi, functionName: "registerRecord", args: [keccak256(toHex(salt)), keccak256(toHex(`s-${salt}`)), keccak256(toHex(`c-${salt}`)), keccak256(toHex(`m-${salt}`)), 1, 0] });

  const account = await toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
  const bundler = createSponsoredClient({ account, publicClient, bundlerUrl: aa.bundlerUrl, paymasterUrl: aa.sponsorUrl, projectId: 1n, pollingInterval: 50 });
  const first = await sendSponsored(bundler, publicClient, { calls: [{ to: oneKey.recordRegistry, data: register("deploy") }] });
  const latencies: number[] = [];
  let sponsoredGas = 0n;
  for (let i = 0; i < OPS; i++) {
    const t = performance.now();
    const r = await sendSponsored(bundler, publicClient, { calls: [{ to: oneKey.recordRegistry, data: register(`op-${i}`) }] });
    latencies.push(performance.now() - t);
    if (!r.success) throw new Error(`op ${i} failed`);
    if (i === 0) sponsoredGas = r.receipt.gasUsed;
  }
  const direct = await publicClient.waitForTransactionReceipt({
    hash: await wallet(5).sendTransaction({ to: oneKey.recordRegistry, data: register("direct") }),
  });
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  const overhead = Number(sponsoredGas - direct.gasUsed);
  printTable("Sponsored user operations (anvil + alto, canonical EntryPoint v0.8)", [
    { metric: "registerRecord from an EOA (gas)", value: Number(direct.gasUsed), target: undefined },
    { metric: "registerRecord sponsored, deployed account (bundle tx gas)", value: Number(sponsoredGas), target: undefined },
    { metric: "paymaster + account overhead (gas)", value: overhead, target: "<= 45,000", result: overhead <= 45_000 ? "meets" : "misses" },
    { metric: "first op incl. account deployment (bundle tx gas)", value: Number(first.receipt.gasUsed), target: undefined },
    { metric: `latency submit->receipt median (ms, ${OPS} ops)`, value: Math.round(q(0.5)), target: undefined },
    { metric: `latency submit->receipt p95 (ms, ${OPS} ops)`, value: Math.round(q(0.95)), target: undefined },
  ]);
  console.log(`wrote ${writeResults("aa", {
    eoa_register_gas: Number(direct.gasUsed), sponsored_register_gas: Number(sponsoredGas), overhead_gas: overhead,
    first_op_with_deploy_gas: Number(first.receipt.gasUsed), latency_median_ms: q(0.5), latency_p95_ms: q(0.95), ops: OPS,
  })}`);
} finally {
  await aa.stop();
  await anvil.stop();
  rmSync(logs, { recursive: true, force: true });
}
