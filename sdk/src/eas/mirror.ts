// Actions for EASMirror (contracts/adapters/EASMirror.sol): the permissionless `sync` that makes
// EAS agree with the AttestationRegistry for a subject, the admin's opt-in, and reads of the
// mirrored EAS attestation decoded under the OneKey schema. Types come from the `as const` ABIs.
import {
  decodeAbiParameters,
  decodeErrorResult,
  encodeFunctionData,
  getAddress,
  parseAbiParameters,
  parseEventLogs,
  zeroHash,
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  type Account,
  type Address,
  type Chain,
  type ContractErrorArgs,
  type ContractErrorName,
  type ContractFunctionArgs,
  type Client,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hex,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { getBlock, readContract, simulateContract, waitForTransactionReceipt, writeContract } from "viem/actions";
// The generator lower-cases the first letter of the contract name: EASMirror -> eASMirrorAbi.
import { eASMirrorAbi as easMirrorAbi } from "../abis.ts";
import { BaseError } from "../errors.ts";
import { claimNames, type ClaimLabel } from "../names.ts";
import { easReadAbi } from "./eas-abi.ts";

type MirrorAbi = typeof easMirrorAbi;
type MirrorWrite = ContractFunctionName<MirrorAbi, "nonpayable">;
type MirrorRead = ContractFunctionName<MirrorAbi, "view" | "pure">;

/** The OneKey EAS schema (IEASMirror): recipient = subject, expirationTime = expiry. */
export const EAS_MIRROR_SCHEMA = "uint256 projectId,uint8 level,uint32 claims";
const SCHEMA_PARAMS = parseAbiParameters(EAS_MIRROR_SCHEMA);

/** Every custom error EASMirror can revert with (the registry's bubbled ones included). */
export type EasMirrorErrorName = ContractErrorName<MirrorAbi>;

export class EasMirrorRevertError<name extends EasMirrorErrorName = EasMirrorErrorName> extends BaseError {
  override name = "EasMirrorRevertError";
  readonly errorName: name;
  readonly args: ContractErrorArgs<MirrorAbi, name>;
  readonly functionName: MirrorWrite;
  constructor(functionName: MirrorWrite, errorName: name, args: ContractErrorArgs<MirrorAbi, name>, cause: unknown) {
    super(`EASMirror.${functionName} reverted with ${errorName}(${(args as readonly unknown[]).map(String).join(", ")}).`, {
      cause,
      docsPath: "contracts.md#eas-mirror",
    });
    this.errorName = errorName;
    this.args = args;
    this.functionName = functionName;
  }
}

export class EasMirrorCallError extends BaseError {
  override name = "EasMirrorCallError";
  constructor(what: string, cause: unknown) {
    super(`${what} failed.`, {
      cause,
      details: cause instanceof ViemBaseError ? cause.shortMessage : (cause as Error)?.message,
      docsPath: "contracts.md#eas-mirror",
    });
  }
}

function decodeMirrorRevert(functionName: MirrorWrite, error: unknown): BaseError {
  if (error instanceof BaseError) return error;
  if (error instanceof ViemBaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    let decoded = revert?.data?.errorName ? { errorName: revert.data.errorName, args: revert.data.args ?? [] } : undefined;
    const raw = (revert as { raw?: Hex } | null)?.raw;
    if (!decoded && raw) {
      try {
        const d = decodeErrorResult({ abi: easMirrorAbi, data: raw });
        decoded = { errorName: d.errorName, args: d.args ?? [] };
      } catch {
        /* not one of ours */
      }
    }
    if (decoded)
      return new EasMirrorRevertError(
        functionName,
        decoded.errorName as EasMirrorErrorName,
        decoded.args as ContractErrorArgs<MirrorAbi, EasMirrorErrorName>,
        error,
      );
  }
  return new EasMirrorCallError(`EASMirror.${functionName}`, error);
}

type Writer = WalletClient<Transport, Chain | undefined, Account>;
/** Any viem client that reads (a public client, or the wallet client that also writes). */
type Reader = Client<Transport, Chain | undefined, Account | undefined>;

/** The outcome of a mirror write. */
export interface EasMirrorWriteResult {
  hash: Hex;
  receipt: TransactionReceipt;
}

/** Runs one simulated-then-sent mirror write; a revert decodes to EasMirrorRevertError. */
async function sendMirrorWrite(wallet: Writer, functionName: MirrorWrite, send: () => Promise<Hex>): Promise<EasMirrorWriteResult> {
  try {
    const hash = await send();
    const receipt = await waitForTransactionReceipt(wallet, { hash });
    if (receipt.status !== "success") throw new EasMirrorCallError(`EASMirror.${functionName} (${hash})`, new Error("the transaction reverted"));
    return { hash, receipt };
  } catch (error) {
    throw decodeMirrorRevert(functionName, error);
  }
}

async function mirrorRead<T>(functionName: MirrorRead, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new EasMirrorCallError(`EASMirror.${functionName}`, error);
  }
}

const mirrorOf = (client: Reader, mirror: Address, projectId: bigint, subject: Address, blockNumber?: bigint) =>
  mirrorRead("mirrorOf", () => readContract(client, { address: mirror, abi: easMirrorAbi, functionName: "mirrorOf", args: [projectId, subject], blockNumber }));

// --- call builders (for smart accounts and batching senders) ----------------------------------------

export type SyncEasMirrorArgs = { projectId: bigint; subject: Address };
const syncArgs = (p: SyncEasMirrorArgs): ContractFunctionArgs<MirrorAbi, "nonpayable", "sync"> => [p.projectId, getAddress(p.subject)];

/** `sync(projectId, subject)` as a call `{ to, data }` any sender can send (e.g. in a user operation). */
export const syncEasMirrorCall = (mirror: Address, p: SyncEasMirrorArgs): { to: Address; data: Hex } => ({
  to: mirror,
  data: encodeFunctionData({ abi: easMirrorAbi, functionName: "sync", args: syncArgs(p) }),
});

// --- writes -------------------------------------------------------------------------------------------

export type SyncEasMirrorParameters = SyncEasMirrorArgs & { mirror: Address };
export type SyncEasMirrorReturnType = EasMirrorWriteResult & {
  /** The live EAS uid after the sync (zero when there is none: revoked, expired or not mirrored). */
  uid: Hex;
  /** The EAS uid this sync revoked (zero when none). */
  replaced: Hex;
  /** False when EAS already agreed and the call changed nothing. */
  changed: boolean;
};
export type SyncEasMirrorErrorType = EasMirrorRevertError | EasMirrorCallError;

/**
 * Makes EAS agree with the AttestationRegistry for one subject (permissionless: anyone, e.g. a
 * keeper or the subject, pays the gas; docs/contracts.md "EAS mirror" has the costs).
 */
export async function syncEasMirror(wallet: Writer, p: SyncEasMirrorParameters): Promise<SyncEasMirrorReturnType> {
  const result = await sendMirrorWrite(wallet, "sync", async () => {
    // Simulated first, so a revert decodes before anything is signed.
    const { request } = await simulateContract(wallet, {
      account: wallet.account,
      address: p.mirror,
      abi: easMirrorAbi,
      functionName: "sync",
      args: syncArgs(p),
    });
    return writeContract(wallet, request);
  });
  const [synced] = parseEventLogs({ abi: easMirrorAbi, eventName: "Synced", logs: result.receipt.logs }).filter(
    (l) => getAddress(l.address) === getAddress(p.mirror),
  );
  if (!synced) {
    // No Synced event: EAS already agreed; the live uid is unchanged.
    return { ...result, uid: await mirrorOf(wallet, p.mirror, p.projectId, getAddress(p.subject)), replaced: zeroHash, changed: false };
  }
  return { ...result, uid: synced.args.uid, replaced: synced.args.replaced, changed: true };
}

export type SyncEasMirrorBatchParameters = { mirror: Address; projectId: bigint; subjects: readonly Address[] };
export type SyncEasMirrorBatchReturnType = EasMirrorWriteResult & { synced: { subject: Address; uid: Hex; replaced: Hex }[] };
export type SyncEasMirrorBatchErrorType = EasMirrorRevertError | EasMirrorCallError;

/** `sync` for many subjects of one project in one transaction; returns the subjects that changed. */
export async function syncEasMirrorBatch(wallet: Writer, p: SyncEasMirrorBatchParameters): Promise<SyncEasMirrorBatchReturnType> {
  const args: ContractFunctionArgs<MirrorAbi, "nonpayable", "syncBatch"> = [p.projectId, p.subjects.map((s) => getAddress(s))];
  const result = await sendMirrorWrite(wallet, "syncBatch", async () => {
    const { request } = await simulateContract(wallet, { account: wallet.account, address: p.mirror, abi: easMirrorAbi, functionName: "syncBatch", args });
    return writeContract(wallet, request);
  });
  const synced = parseEventLogs({ abi: easMirrorAbi, eventName: "Synced", logs: result.receipt.logs })
    .filter((l) => getAddress(l.address) === getAddress(p.mirror))
    .map((l) => ({ subject: getAddress(l.args.subject), uid: l.args.uid, replaced: l.args.replaced }));
  return { ...result, synced };
}

export type SetEasMirroringParameters = { mirror: Address; projectId: bigint; enabled: boolean };
export type SetEasMirroringReturnType = EasMirrorWriteResult;
export type SetEasMirroringErrorType = EasMirrorRevertError | EasMirrorCallError;

/** The project's ADMIN turns mirroring on or off (existing mirrors follow at their next sync). */
export const setEasMirroring = (wallet: Writer, p: SetEasMirroringParameters): Promise<SetEasMirroringReturnType> =>
  sendMirrorWrite(wallet, "setMirrored", async () => {
    const args: ContractFunctionArgs<MirrorAbi, "nonpayable", "setMirrored"> = [p.projectId, p.enabled];
    const { request } = await simulateContract(wallet, { account: wallet.account, address: p.mirror, abi: easMirrorAbi, functionName: "setMirrored", args });
    return writeContract(wallet, request);
  });

// --- reads --------------------------------------------------------------------------------------------

/** An EAS attestation the mirror made, with its data decoded under the OneKey schema. */
export type MirroredAttestation = {
  uid: Hex;
  schema: Hex;
  /** The EAS attester: the mirror contract itself (the reviewer is in the registry). */
  attester: Address;
  /** The subject. */
  recipient: Address;
  projectId: bigint;
  level: number;
  claims: number;
  claimNames: ClaimLabel[];
  /** Seconds; EAS's `expirationTime`, the attestation's expiry. */
  expirationTime: bigint;
  revocationTime: bigint;
  time: bigint;
  refUID: Hex;
  /** What an EAS reader concludes at `blockNumber`: not revoked and not expired. */
  valid: boolean;
  blockNumber: bigint;
};

export type GetMirroredAttestationParameters = { mirror: Address; projectId: bigint; subject: Address };
export type GetMirroredAttestationReturnType = MirroredAttestation | null;
export type GetMirroredAttestationErrorType = EasMirrorCallError;

export class NotAMirrorAttestationError extends BaseError {
  override name = "NotAMirrorAttestationError";
  constructor(uid: Hex, why: string) {
    super(`EAS attestation ${uid} is not a OneKey mirror: ${why}.`, { docsPath: "contracts.md#eas-mirror" });
  }
}

/**
 * The live EAS attestation mirroring (project, subject), read from EAS and decoded, or null when
 * there is none (`mirrorOf` is zero). All reads at one block.
 */
export async function getMirroredAttestation(client: Reader, p: GetMirroredAttestationParameters): Promise<GetMirroredAttestationReturnType> {
  let block: { number: bigint | null; timestamp: bigint };
  try {
    block = await getBlock(client, { blockTag: "latest" });
  } catch (error) {
    throw new EasMirrorCallError("getBlock", error);
  }
  const blockNumber = block.number ?? undefined;
  const subject = getAddress(p.subject);
  const [uid, eas, schema] = await Promise.all([
    mirrorOf(client, p.mirror, p.projectId, subject, blockNumber),
    mirrorRead("eas", () => readContract(client, { address: p.mirror, abi: easMirrorAbi, functionName: "eas", blockNumber })),
    mirrorRead("schema", () => readContract(client, { address: p.mirror, abi: easMirrorAbi, functionName: "schema", blockNumber })),
  ]);
  if (uid === zeroHash) return null;
  let a: ContractFunctionReturnType<typeof easReadAbi, "view", "getAttestation">;
  try {
    a = await readContract(client, { address: eas, abi: easReadAbi, functionName: "getAttestation", args: [uid], blockNumber });
  } catch (error) {
    throw new EasMirrorCallError("EAS.getAttestation", error);
  }
  // mirrorOf comes from the mirror itself, so these hold; checked because a reader may point
  // `mirror` at any contract and must not be told a stranger's attestation is OneKey's.
  if (a.schema !== schema) throw new NotAMirrorAttestationError(uid, "another schema");
  if (getAddress(a.attester) !== getAddress(p.mirror)) throw new NotAMirrorAttestationError(uid, "another attester");
  if (getAddress(a.recipient) !== subject) throw new NotAMirrorAttestationError(uid, "another recipient");
  const [projectId, level, claims] = decodeAbiParameters(SCHEMA_PARAMS, a.data);
  if (projectId !== p.projectId) throw new NotAMirrorAttestationError(uid, "another project");
  return {
    uid,
    schema: a.schema,
    attester: getAddress(a.attester),
    recipient: getAddress(a.recipient),
    projectId,
    level,
    claims,
    claimNames: claimNames(claims),
    expirationTime: a.expirationTime,
    revocationTime: a.revocationTime,
    time: a.time,
    refUID: a.refUID,
    valid: a.revocationTime === 0n && (a.expirationTime === 0n || a.expirationTime > block.timestamp),
    blockNumber: block.number ?? 0n,
  };
}

export type EasMirrorStatusParameters = { mirror: Address; projectId: bigint; subject: Address };
export type EasMirrorStatusReturnType = { mirrored: boolean; inSync: boolean; uid: Hex };

/** Whether the project mirrors, whether (project, subject) needs a `sync`, and the live uid. */
export async function getEasMirrorStatus(client: Reader, p: EasMirrorStatusParameters): Promise<EasMirrorStatusReturnType> {
  const subject = getAddress(p.subject);
  const [mirrored, inSync, uid] = await Promise.all([
    mirrorRead("isMirrored", () => readContract(client, { address: p.mirror, abi: easMirrorAbi, functionName: "isMirrored", args: [p.projectId] })),
    mirrorRead("inSync", () => readContract(client, { address: p.mirror, abi: easMirrorAbi, functionName: "inSync", args: [p.projectId, subject] })),
    mirrorOf(client, p.mirror, p.projectId, subject),
  ]);
  return { mirrored, inSync, uid };
}
