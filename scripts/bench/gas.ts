// `npm run bench:gas`: OneKey's gas per operation beside EAS doing the equivalent, in one run on
// Hardhat's in-process network. EAS is deployed from its npm package's shipped artifacts (its
// pragma is 0.8.29; we compile with 0.8.28). The OneKey figures come from the same measurement
// as the committed snapshot (test/helpers/gas.ts): full-entropy ids and hashes, fixed timestamps.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { encodeAbiParameters, encodeFunctionData, parseEventLogs, parseSignature, zeroHash, type Abi, type Address, type Hex } from "viem";
import { deployFixture } from "../../test/helpers/fixture.ts";
import { measureGas, deterministicAddress, EXPIRY, DEADLINE } from "../../test/helpers/gas.ts";
import { printTable, writeResults, type Row } from "./report.ts";
import { TARGETS } from "../gas-snapshot.ts";

const require = createRequire(import.meta.url);
const easArtifact = (name: string): { abi: Abi; bytecode: Hex } =>
  JSON.parse(readFileSync(require.resolve(`@ethereum-attestation-service/eas-contracts/artifacts/contracts/${name}.sol/${name}.json`), "utf8"));

// The equivalent EAS schema. OneKey additionally carries a 32-byte record reference in calldata.
const SCHEMA = "address subject,uint256 projectId,uint8 level,uint64 expiry";
const PROJECT_ID = 1n;

const f = await deployFixture();
const ours = await measureGas(f);

// --- EAS, same chain, same accounts, same expiry ----------------------------------------------
const registryArt = easArtifact("SchemaRegistry");
const easArt = easArtifact("EAS");
const deploy = async (art: { abi: Abi; bytecode: Hex }, args: unknown[] = []) => {
  const hash = await f.deployer.deployContract({ abi: art.abi, bytecode: art.bytecode, args, account: f.deployer.account });
  return (await f.publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
};
const schemaRegistry = await deploy(registryArt);
const eas = await deploy(easArt, [schemaRegistry]);
// The EAS artifacts are JSON read at run time (no `as const` ABI to type them from), so this helper
// takes the function by name, as viem's untyped `Abi` form does.
const send = async (from: typeof f.reviewer, to: Address, abi: Abi, functionName: string, args: unknown[]) => {
  const data = encodeFunctionData({ abi, functionName, args });
  const hash = await from
    .sendTransaction({ to, data, account: from.account, gas: 16_000_000n })
    .catch((error: Error & { shortMessage?: string; details?: string }) => {
      throw new Error(`EAS ${functionName} failed: ${error.details ?? error.shortMessage ?? error.message}`);
    });
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`EAS ${functionName} reverted`);
  return receipt;
};
const reg = await send(f.reviewer, schemaRegistry, registryArt.abi, "register", [SCHEMA, "0x0000000000000000000000000000000000000000", true]);
const schema = (parseEventLogs({ abi: registryArt.abi, logs: reg.logs })[0].args as { uid: Hex }).uid;
const requestData = (subject: Address) => ({
  recipient: subject,
  expirationTime: EXPIRY,
  revocable: true,
  refUID: zeroHash,
  data: encodeAbiParameters([{ type: "address" }, { type: "uint256" }, { type: "uint8" }, { type: "uint64" }], [subject, PROJECT_ID, 2, EXPIRY]),
  value: 0n,
});
const uidOf = (logs: Parameters<typeof parseEventLogs>[0]["logs"]) =>
  (parseEventLogs({ abi: easArt.abi, logs, eventName: "Attested" })[0].args as { uid: Hex }).uid;

const single = await send(f.reviewer, eas, easArt.abi, "attest", [{ schema, data: requestData(deterministicAddress("eas-single")) }]);
// 100 EAS attestations exceed the per-transaction gas cap (2^24, EIP-7825), so EAS's batch of
// 100 is sent as two multiAttest calls of 50 and summed.
let easBatchGas = 0n;
for (const half of [0, 50]) {
  const data = Array.from({ length: 50 }, (_, i) => requestData(deterministicAddress(`batch-${half + i}`)));
  easBatchGas += (await send(f.reviewer, eas, easArt.abi, "multiAttest", [[{ schema, data }]])).gasUsed;
}
// Delegated attestation (EAS's attest-by-signature), relayed by another account, first nonce.
const delegated = requestData(deterministicAddress("eas-by-sig"));
const signature = parseSignature(
  await f.reviewer.signTypedData({
    account: f.reviewer.account,
    domain: { name: "EAS", version: "1.4.0", chainId: await f.publicClient.getChainId(), verifyingContract: eas },
    types: {
      Attest: [
        { name: "attester", type: "address" },
        { name: "schema", type: "bytes32" },
        { name: "recipient", type: "address" },
        { name: "expirationTime", type: "uint64" },
        { name: "revocable", type: "bool" },
        { name: "refUID", type: "bytes32" },
        { name: "data", type: "bytes" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint64" },
      ],
    },
    primaryType: "Attest",
    message: { attester: f.addr(f.reviewer), schema, ...delegated, nonce: 0n, deadline: DEADLINE },
  }),
);
const bySig = await send(f.other, eas, easArt.abi, "attestByDelegation", [
  {
    schema,
    data: delegated,
    signature: { v: Number(signature.v), r: signature.r, s: signature.s },
    attester: f.addr(f.reviewer),
    deadline: DEADLINE,
  },
]);
// Reading one attestation cold from a contract (EAS has no (subject, project) index: the dApp
// needs the uid and decodes the data itself).
const probe = await f.viem.deployContract("GasProbe");
const { result } = await probe.simulate.measure([eas, encodeFunctionData({ abi: easArt.abi, functionName: "getAttestation", args: [uidOf(single.logs)] })]);
if (!result[1]) throw new Error("EAS getAttestation failed");
const revoked = await send(f.reviewer, eas, easArt.abi, "revoke", [{ schema, data: { uid: uidOf(bySig.logs), value: 0n } }]);

// --- report ------------------------------------------------------------------------------------
const target = (key: string) => TARGETS[key]?.target;
const metrics: { key: string; label: string; ours: number; eas?: number; target?: number }[] = [
  {
    key: "attest_new",
    label: "new attestation (tx)",
    ours: ours["AttestationRegistry.attest (new)"],
    eas: Number(single.gasUsed),
    target: target("AttestationRegistry.attest (new)"),
  },
  {
    key: "attest_batch_per_subject_100",
    label: "batch attest, per subject at 100",
    ours: ours["AttestationRegistry.attestBatch per subject at 100"],
    eas: Math.ceil(Number(easBatchGas) / 100),
    target: target("AttestationRegistry.attestBatch per subject at 100"),
  },
  {
    key: "is_verified_cold",
    label: "isVerified cold, seen by a caller (EAS: getAttestation)",
    ours: ours["AttestationRegistry.isVerified (cold, seen by caller)"],
    eas: Number(result[0]),
    target: target("AttestationRegistry.isVerified (cold, seen by caller)"),
  },
  { key: "register_record", label: "registerRecord (tx)", ours: ours["RecordRegistry.registerRecord"], target: target("RecordRegistry.registerRecord") },
  {
    key: "grant_80b",
    label: "grant, 80-byte wrapped key (tx)",
    ours: ours["RecordRegistry.grant (account, 80-byte key)"],
    target: target("RecordRegistry.grant (account, 80-byte key)"),
  },
  {
    key: "attest_by_sig_first",
    label: "attest by signature, relayed, first nonce (EAS: attestByDelegation)",
    ours: ours["AttestationRegistry.attestBySig (new, relayed)"],
    eas: Number(bySig.gasUsed),
  },
  { key: "revoke_attestation", label: "revoke an attestation (tx)", ours: ours["AttestationRegistry.revoke"], eas: Number(revoked.gasUsed) },
  // Claims ride in the same slot: the attest rows with seven claim bits set, and the claim check.
  {
    key: "attest_new_claims",
    label: "new attestation with claims (tx)",
    ours: ours["AttestationRegistry.attest (new, with claims)"],
    eas: Number(single.gasUsed),
  },
  {
    key: "attest_batch_per_subject_100_claims",
    label: "batch attest with claims, per subject at 100",
    ours: ours["AttestationRegistry.attestBatch per subject at 100, with claims"],
    eas: Math.ceil(Number(easBatchGas) / 100),
  },
  {
    key: "attest_by_sig_next_claims",
    label: "attest by signature with claims, relayed, next nonce",
    ours: ours["AttestationRegistry.attestBySig (new, relayed, next nonce, with claims)"],
  },
  {
    key: "has_claims_cold",
    label: "hasClaims cold, seen by a caller (EAS: getAttestation + decode in the dApp)",
    ours: ours["AttestationRegistry.hasClaims (cold, seen by caller)"],
    eas: Number(result[0]),
  },
  // What mirroring into EAS costs on top of the OneKey attestation (paid by whoever syncs).
  { key: "eas_mirror_first", label: "EASMirror.sync, first copy (EAS attest inside)", ours: ours["EASMirror.sync (first copy)"] },
  { key: "eas_mirror_replace", label: "EASMirror.sync after re-attest (EAS revoke + attest)", ours: ours["EASMirror.sync (after re-attest: revoke + attest)"] },
  { key: "eas_mirror_revoke", label: "EASMirror.sync after revoke (EAS revoke)", ours: ours["EASMirror.sync (after revoke)"] },
  { key: "eas_mirror_noop", label: "EASMirror.sync, already in sync", ours: ours["EASMirror.sync (already in sync)"] },
  {
    key: "erc3643_is_verified_cold",
    label: "ERC-3643 adapter isVerified(address), cold, seen by a caller",
    ours: ours["OneKeyIdentityRegistry.isVerified (cold, seen by caller)"],
  },
  {
    key: "permissioned_transfer",
    label: "permissioned token transfer checking the adapter (tx)",
    ours: ours["PermissionedToken.transfer (to a OneKey-verified receiver, new balance)"],
  },
];
const rows: Row[] = metrics.map((m) => ({
  metric: m.label,
  OneKey: m.ours,
  EAS: m.eas,
  ratio: m.eas ? Number((m.ours / m.eas).toFixed(3)) : undefined,
  target: m.target === undefined ? undefined : `<= ${m.target.toLocaleString("en-US")}`,
  "pass/fail": m.target === undefined ? undefined : m.ours <= m.target ? "pass" : `FAIL (+${(m.ours - m.target).toLocaleString("en-US")})`,
}));
printTable("Gas: OneKey vs EAS (total tx gas unless noted; in-process network, one run)", rows);
const flat: Record<string, number> = {};
for (const m of metrics) {
  flat[`onekey_${m.key}`] = m.ours;
  if (m.eas !== undefined) flat[`eas_${m.key}`] = m.eas;
}
flat.onekey_is_verified_cold_raw_staticcall = ours["AttestationRegistry.isVerified (cold, raw staticcall)"];
console.log(`wrote ${writeResults("gas", flat)}`);
