// `npm run bench:gas`: OneKey's gas per operation beside EAS doing the equivalent, in one run on
// Hardhat's in-process network. EAS is deployed from its npm package's shipped artifacts (its
// pragma is 0.8.29; we compile with 0.8.28).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { encodeAbiParameters, encodeFunctionData, parseEventLogs, zeroHash, type Abi, type Address, type Hex } from "viem";
import { deployFixture, setupProject, DAY } from "../../test/helpers/fixture.ts";
import { measureGas, deterministicAddress } from "../../test/helpers/gas.ts";
import { printTable, writeResults, type Row } from "./report.ts";

const require = createRequire(import.meta.url);
const easArtifact = (name: string): { abi: Abi; bytecode: Hex } =>
  JSON.parse(readFileSync(require.resolve(`@ethereum-attestation-service/eas-contracts/artifacts/contracts/${name}.sol/${name}.json`), "utf8"));

const SCHEMA = "address subject,uint256 projectId,uint8 level,uint64 expiry";

const f = await deployFixture();
const ours = await measureGas(f);

// --- EAS, same chain, same accounts ---------------------------------------------------------
const registryArt = easArtifact("SchemaRegistry");
const easArt = easArtifact("EAS");
const deploy = async (art: { abi: Abi; bytecode: Hex }, args: unknown[] = []) => {
  const hash = await f.deployer.deployContract({ abi: art.abi, bytecode: art.bytecode, args, account: f.deployer.account });
  return (await f.publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
};
const schemaRegistry = await deploy(registryArt);
const eas = await deploy(easArt, [schemaRegistry]);
const send = async (to: Address, abi: Abi, functionName: string, args: unknown[]) => {
  const data = encodeFunctionData({ abi, functionName, args });
  const hash = await f.reviewer
    .sendTransaction({ to, data, account: f.reviewer.account, gas: 16_000_000n })
    .catch((error: Error & { shortMessage?: string; details?: string }) => {
      throw new Error(`EAS ${functionName} failed: ${error.details ?? error.shortMessage ?? error.message}`);
    });
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`EAS ${functionName} reverted`);
  return receipt;
};
const reg = await send(schemaRegistry, registryArt.abi, "register", [SCHEMA, "0x0000000000000000000000000000000000000000", true]);
const schemaUid = (parseEventLogs({ abi: registryArt.abi, logs: reg.logs })[0].args as { uid: Hex }).uid;
const projectId = await setupProject(f);
const expiry = (await f.now()) + 365n * DAY;
const request = (subject: Address) => ({
  recipient: subject,
  expirationTime: expiry,
  revocable: true,
  refUID: zeroHash,
  data: encodeAbiParameters(
    [{ type: "address" }, { type: "uint256" }, { type: "uint8" }, { type: "uint64" }],
    [subject, projectId, 2, expiry],
  ),
  value: 0n,
});
const single = await send(eas, easArt.abi, "attest", [{ schema: schemaUid, data: request(deterministicAddress("eas-single")) }]);
// 100 EAS attestations exceed the per-transaction gas cap (2^24, EIP-7825), so EAS's batch of
// 100 is sent as two multiAttest calls of 50 and summed.
let easBatchGas = 0n;
for (const half of [0, 50]) {
  const data = Array.from({ length: 50 }, (_, i) => request(deterministicAddress(`batch-${half + i}`)));
  easBatchGas += (await send(eas, easArt.abi, "multiAttest", [[{ schema: schemaUid, data }]])).gasUsed;
}
const uid = (parseEventLogs({ abi: easArt.abi, logs: single.logs, eventName: "Attested" })[0].args as { uid: Hex }).uid;
const probe = await f.viem.deployContract("GasProbe");
const { result } = await probe.simulate.measure([eas, encodeFunctionData({ abi: easArt.abi, functionName: "getAttestation", args: [uid] })]);
if (!result[1]) throw new Error("EAS getAttestation failed");

const easGas: Record<string, number> = {
  attest: Number(single.gasUsed),
  batchPerSubject: Math.ceil(Number(easBatchGas) / 100),
  read: Number(result[0]),
};

// --- report ------------------------------------------------------------------------------------
const metrics: { key: string; label: string; ours: number; eas?: number; target: number }[] = [
  { key: "attest_new", label: "new attestation (tx)", ours: ours["AttestationRegistry.attest (new)"], eas: easGas.attest, target: 50_000 },
  { key: "attest_batch_per_subject_100", label: "batch attest, per subject at 100", ours: ours["AttestationRegistry.attestBatch per subject at 100"], eas: easGas.batchPerSubject, target: 30_000 },
  { key: "is_verified_cold", label: "isVerified cold, seen by a caller (EAS: getAttestation)", ours: ours["AttestationRegistry.isVerified (cold, seen by caller)"], eas: easGas.read, target: 5_000 },
  { key: "register_record", label: "registerRecord (tx)", ours: ours["RecordRegistry.registerRecord"], target: 70_000 },
  { key: "grant_80b", label: "grant, 80-byte wrapped key (tx)", ours: ours["RecordRegistry.grant (account, 80-byte key)"], target: 60_000 },
];
const rows: Row[] = metrics.map((m) => ({
  metric: m.label,
  OneKey: m.ours,
  EAS: m.eas,
  "OneKey/EAS": m.eas ? Number((m.ours / m.eas).toFixed(3)) : undefined,
  target: `<= ${m.target.toLocaleString("en-US")}`,
  result: m.ours <= m.target ? "meets" : `misses by ${(m.ours - m.target).toLocaleString("en-US")}`,
}));
printTable("Gas: OneKey vs EAS (in-process network, one run)", rows);
const flat: Record<string, number> = {};
for (const m of metrics) {
  flat[`onekey_${m.key}`] = m.ours;
  if (m.eas !== undefined) flat[`eas_${m.key}`] = m.eas;
}
flat.onekey_is_verified_cold_raw_staticcall = ours["AttestationRegistry.isVerified (cold, raw staticcall)"];
console.log(`wrote ${writeResults("gas", flat)}`);
