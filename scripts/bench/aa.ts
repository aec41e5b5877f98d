// `npm run bench:aa`: gas of a sponsored registry call vs the same call from an EOA (alone in a
// bundle, and per operation in a bundle of several), where the extra gas goes (call-trace frames),
// a first operation that deploys a SimpleAccount vs one that carries an EIP-7702 delegation
// (Simple7702Account, anvil on Prague), and sponsored user-op latency through alto over 50 operations.
//
//   ONEKEY_BENCH_AA_OPS=50 ONEKEY_BENCH_AA_BUNDLE=8 npm run bench:aa
import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
  keccak256,
  parseEther,
  toFunctionSelector,
  toHex,
  type Address,
  type Hex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS } from "../lib/anvil.ts";
import { startLocalAA } from "../aa/local.ts";
import { rpc } from "../lib/service.ts";
import { oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { API_KEY_SCOPE_SPONSOR, createSponsoredClient, sendSponsored, toOneKey7702Account, toOneKeyAccount } from "@onekey/sdk/aa";
import { printTable, writeResults, type Row } from "./report.ts";

const OPS = Number(process.env.ONEKEY_BENCH_AA_OPS ?? 50);
const BUNDLE = Number(process.env.ONEKEY_BENCH_AA_BUNDLE ?? 8);
const TARGET_OVERHEAD = 45_000;
const TARGET_FIRST_7702 = 150_000;
// The bench is the project's own backend: it authorises its subjects with an API key (sponsor scope).
const API_KEY = "ok_bench_sponsor";

const anvil = await startAnvil({ hardfork: "prague" });
const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
const wallet = (i: number) => createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) });
// Debug endpoints let the bundled measurement ask alto for one bundle of exactly BUNDLE operations.
const aa = await startLocalAA({ rpcUrl: anvil.rpcUrl, alto: { debugEndpoints: true } });
const altoRpc = (method: string, params: unknown[] = []) => rpc(aa.bundlerUrl, method, params);

type Frame = { type?: string; to?: string; input: Hex; gasUsed: Hex; calls?: Frame[] };
const SELECTORS = {
  validateUserOp: toFunctionSelector("validateUserOp((address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes),bytes32,uint256)"),
  validatePaymasterUserOp: toFunctionSelector("validatePaymasterUserOp((address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes),bytes32,uint256)"),
  postOp: toFunctionSelector("postOp(uint8,bytes,uint256,uint256)"),
  execute: toFunctionSelector("execute(address,uint256,bytes)"),
};

const innerGas = (f: Frame): bigint => {
  // SimpleAccount is a proxy: execute runs in a DELEGATECALL whose child is the registry call. A
  // 7702-delegated EOA runs Simple7702Account's code in its own frame: the registry call is its child.
  const first = f.calls?.[0];
  const call = first?.type === "DELEGATECALL" ? first.calls?.[0] : first;
  return call ? BigInt(call.gasUsed) : 0n;
};

/** Gas by role in a bundle, per operation, from anvil's call trace (frames are not double-counted). */
async function breakdown(txHash: Hex, ops: number) {
  const trace = await publicClient.request<{ Parameters: [Hex, { tracer: "callTracer" }]; ReturnType: Frame }>({
    method: "debug_traceTransaction",
    params: [txHash, { tracer: "callTracer" }],
  });
  const sum = { account: 0n, paymasterValidation: 0n, postOp: 0n };
  const walk = (f: Frame) => {
    const gas = BigInt(f.gasUsed);
    const toPaymaster = f.to?.toLowerCase() === aa.paymaster.toLowerCase();
    if (f.input.startsWith(SELECTORS.validateUserOp)) sum.account += gas;
    // the account's execute frame minus the registry call it makes (the call the EOA makes too)
    else if (f.input.startsWith(SELECTORS.execute)) sum.account += gas - innerGas(f);
    else if (toPaymaster && f.input.startsWith(SELECTORS.validatePaymasterUserOp)) sum.paymasterValidation += gas;
    else if (toPaymaster && f.input.startsWith(SELECTORS.postOp)) sum.postOp += gas;
    else for (const c of f.calls ?? []) walk(c);
  };
  walk(trace);
  const per = (x: bigint) => Number(x) / ops;
  return { account: per(sum.account), paymasterValidation: per(sum.paymasterValidation), postOp: per(sum.postOp) };
}

try {
  // `data` comes from encodeFunctionData at the call site, typed by the ABI there.
  const tx = async (i: number, to: Address, data: Hex, value?: bigint) =>
    publicClient.waitForTransactionReceipt({ hash: await wallet(i).sendTransaction({ to, data, value }) });
  await tx(1, aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "createProject", args: ["ipfs://bench"] }));
  await tx(1, aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [1n, aa.sponsorSigner, 8] }));
  await tx(1, aa.paymaster, encodeFunctionData({ abi: oneKeyPaymasterAbi, functionName: "fundProject", args: [1n] }), parseEther("100"));
  await tx(
    1,
    aa.oneKey.projectRegistry,
    encodeFunctionData({ abi: projectRegistryAbi, functionName: "addApiKey", args: [1n, keccak256(toHex(API_KEY)), API_KEY_SCOPE_SPONSOR, 2n ** 40n] }),
  );

  let n = 0;
  const register = () => {
    const salt = keccak256(toHex(`bench-${n++}`));
    return {
      to: aa.oneKey.recordRegistry,
      data: encodeFunctionData({
        abi: recordRegistryAbi,
        functionName: "registerRecord",
        args: [salt, keccak256(toHex(`s${n}`)), keccak256(toHex(`c${n}`)), keccak256(toHex(`m${n}`)), 1, 0],
      }),
    };
  };
  const newClient = async () => {
    const account = await toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
    return createSponsoredClient({
      account,
      publicClient,
      bundlerUrl: aa.bundlerUrl,
      paymasterUrl: aa.sponsorUrl,
      projectId: 1n,
      apiKey: API_KEY,
      pollingInterval: 20,
    });
  };
  const new7702Client = async () => {
    const account = await toOneKey7702Account({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), implementation: aa.simple7702Account });
    return createSponsoredClient({
      account,
      publicClient,
      bundlerUrl: aa.bundlerUrl,
      paymasterUrl: aa.sponsorUrl,
      projectId: 1n,
      apiKey: API_KEY,
      pollingInterval: 20,
    });
  };

  // The same call from an EOA (its registry frame is the baseline inside the bundle too).
  const eoaCall = register();
  const eoa = await publicClient.waitForTransactionReceipt({ hash: await wallet(5).sendTransaction({ to: eoaCall.to, data: eoaCall.data }) });

  // One operation alone in its bundle, account already deployed.
  const bundler = await newClient();
  const first = await sendSponsored(bundler, { calls: [register()] });
  const single = await sendSponsored(bundler, { calls: [register()] });
  const parts = await breakdown(single.receipt.transactionHash, 1);

  // The same with a zero-ETH EOA delegated to Simple7702Account: the first operation carries the
  // authorisation (no deployment), the second is a lone later operation.
  const eoa7702 = await new7702Client();
  const first7702 = await sendSponsored(eoa7702, { calls: [register()] });
  const single7702 = await sendSponsored(eoa7702, { calls: [register()] });
  const parts7702 = await breakdown(single7702.receipt.transactionHash, 1);

  // BUNDLE deployed accounts, one operation each, bundled together by alto in one handleOps.
  const clients = await Promise.all(Array.from({ length: BUNDLE }, newClient));
  await Promise.all(clients.map((c) => sendSponsored(c, { calls: [register()] })));
  await altoRpc("debug_bundler_setBundlingMode", ["manual"]);
  const hashes = await Promise.all(clients.map((c) => c.sendUserOperation({ calls: [register()] })));
  await altoRpc("debug_bundler_sendBundleNow");
  await altoRpc("debug_bundler_setBundlingMode", ["auto"]);
  const bundled = await Promise.all(hashes.map((hash, i) => clients[i].waitForUserOperationReceipt({ hash })));
  const bundleTxs = new Set(bundled.map((r) => r.receipt.transactionHash));
  if (bundleTxs.size !== 1 || bundled.some((r) => !r.success)) throw new Error(`expected one bundle of ${BUNDLE} successful operations`);
  const [biggestTx] = bundleTxs;
  const biggest = bundled;
  const bundleReceipt = await publicClient.getTransactionReceipt({ hash: biggestTx });
  const perOpInBundle = Number(bundleReceipt.gasUsed) / biggest.length;
  const bundledParts = await breakdown(biggestTx, biggest.length);

  // Latency, one operation at a time from one account.
  const submitToReceipt: number[] = [];
  const endToEnd: number[] = [];
  let charged = 0n;
  for (let i = 0; i < OPS; i++) {
    const t0 = performance.now();
    const r = await sendSponsored(bundler, { calls: [register()] });
    const t1 = performance.now();
    submitToReceipt.push(t1 - r.submittedAt);
    endToEnd.push(t1 - t0);
    charged += r.charge.charged;
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

  const eoaGas = Number(eoa.gasUsed);
  const singleOverhead = Number(single.receipt.gasUsed) - eoaGas;
  const bundledOverhead = Math.round(perOpInBundle - eoaGas);
  const frames = parts.paymasterValidation + parts.postOp + parts.account;
  const bundledFrames = bundledParts.paymasterValidation + bundledParts.postOp + bundledParts.account;
  const verdict = (v: number, target = TARGET_OVERHEAD) => (v <= target ? "meets" : "misses");
  const first7702Gas = Number(first7702.receipt.gasUsed);
  const single7702Overhead = Number(single7702.receipt.gasUsed) - eoaGas;
  const frames7702 = parts7702.paymasterValidation + parts7702.postOp + parts7702.account;
  const rows: Row[] = [
    { metric: "registerRecord from an EOA (tx gas)", value: eoaGas },
    { metric: "sponsored, 1 op per bundle (tx gas)", value: Number(single.receipt.gasUsed) },
    { metric: "  overhead vs EOA, 1 op per bundle", value: singleOverhead, target: "<= 45,000", result: verdict(singleOverhead) },
    { metric: "    paymaster validation frame", value: parts.paymasterValidation },
    { metric: "    paymaster postOp frame", value: parts.postOp },
    { metric: "    account frames (validateUserOp + execute wrapper)", value: parts.account },
    { metric: "    EntryPoint, calldata, cold accounts, beneficiary", value: singleOverhead - frames },
    { metric: `sponsored, ${biggest.length} ops in one bundle (gas per op)`, value: Math.round(perOpInBundle) },
    { metric: `  overhead vs EOA per op, ${biggest.length}-op bundle`, value: bundledOverhead, target: "<= 45,000", result: verdict(bundledOverhead) },
    { metric: "    paymaster validation frame (per op)", value: Math.round(bundledParts.paymasterValidation) },
    { metric: "    paymaster postOp frame (per op)", value: Math.round(bundledParts.postOp) },
    { metric: "    account frames (per op)", value: Math.round(bundledParts.account) },
    { metric: "    EntryPoint, calldata, tx base share (per op)", value: Math.round(bundledOverhead - bundledFrames) },
    { metric: "first op incl. SimpleAccount deployment (tx gas)", value: Number(first.receipt.gasUsed) },
    { metric: "first op with an EIP-7702 delegation (tx gas)", value: first7702Gas, target: "<= 150,000", result: verdict(first7702Gas, TARGET_FIRST_7702) },
    { metric: "  saved vs the first op with a deployment", value: Number(first.receipt.gasUsed) - first7702Gas },
    { metric: "  authorisation + first nonce (vs a later 7702 op)", value: first7702Gas - Number(single7702.receipt.gasUsed) },
    { metric: "7702 EOA, later op, 1 op per bundle (tx gas)", value: Number(single7702.receipt.gasUsed) },
    { metric: "  overhead vs EOA, 7702, 1 op per bundle", value: single7702Overhead },
    { metric: "    paymaster validation frame", value: parts7702.paymasterValidation },
    { metric: "    paymaster postOp frame", value: parts7702.postOp },
    { metric: "    account frames (validateUserOp + execute)", value: parts7702.account },
    { metric: "    EntryPoint, calldata, cold accounts, beneficiary", value: single7702Overhead - frames7702 },
    { metric: `latency submit->receipt median (ms, ${OPS} ops)`, value: Math.round(q(submitToReceipt, 0.5)) },
    { metric: `latency submit->receipt p95 (ms, ${OPS} ops)`, value: Math.round(q(submitToReceipt, 0.95)) },
    { metric: "latency prepare+sponsor+submit->receipt median (ms)", value: Math.round(q(endToEnd, 0.5)) },
    { metric: "latency prepare+sponsor+submit->receipt p95 (ms)", value: Math.round(q(endToEnd, 0.95)) },
    { metric: "mean charge per op (gwei)", value: Number(charged / BigInt(OPS)) / 1e9 },
  ];
  printTable("Sponsored user operations (anvil + alto, canonical EntryPoint v0.8, OneKeyPaymaster)", rows);
  console.log(
    `wrote ${writeResults("aa", {
      eoa_register_gas: eoaGas,
      sponsored_single_gas: Number(single.receipt.gasUsed),
      overhead_single_gas: singleOverhead,
      paymaster_validation_gas: parts.paymasterValidation,
      paymaster_postop_gas: parts.postOp,
      account_frames_gas: parts.account,
      paymaster_validation_in_bundle_gas: Math.round(bundledParts.paymasterValidation),
      paymaster_postop_in_bundle_gas: Math.round(bundledParts.postOp),
      account_frames_in_bundle_gas: Math.round(bundledParts.account),
      entrypoint_and_calldata_gas: singleOverhead - frames,
      bundle_size: biggest.length,
      sponsored_per_op_in_bundle_gas: Math.round(perOpInBundle),
      overhead_per_op_in_bundle_gas: bundledOverhead,
      first_op_with_deploy_gas: Number(first.receipt.gasUsed),
      first_op_with_7702_delegation_gas: first7702Gas,
      sponsored_single_7702_gas: Number(single7702.receipt.gasUsed),
      overhead_single_7702_gas: single7702Overhead,
      paymaster_validation_7702_gas: parts7702.paymasterValidation,
      paymaster_postop_7702_gas: parts7702.postOp,
      account_frames_7702_gas: parts7702.account,
      latency_submit_receipt_median_ms: q(submitToReceipt, 0.5),
      latency_submit_receipt_p95_ms: q(submitToReceipt, 0.95),
      latency_end_to_end_median_ms: q(endToEnd, 0.5),
      latency_end_to_end_p95_ms: q(endToEnd, 0.95),
      mean_charge_gwei: Number(charged / BigInt(OPS)) / 1e9,
      ops: OPS,
    })}`,
  );
} finally {
  await aa.stop();
  await anvil.stop();
}
