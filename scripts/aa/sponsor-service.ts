// The sponsor service: an ERC-7677 paymaster web service (pm_getPaymasterStubData,
// pm_getPaymasterData) that applies a project's policy before its SPONSOR key signs.
//
//   ONEKEY_SPONSOR_KEY=0x… ONEKEY_PAYMASTER=0x… ONEKEY_RPC_URL=http://127.0.0.1:8545 \
//   [ONEKEY_SPONSOR_POLICY=policy.json] ONEKEY_SPONSOR_PORT=4338 node scripts/aa/sponsor-service.ts
//
// The signing key comes from the environment only, never from the repository. Every refusal is a
// JSON-RPC error whose `data.reason` names the rule (SponsorRefusal below); the SDK maps it to
// SponsorshipRefusedError.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import {
  createPublicClient, decodeFunctionData, http, keccak256, parseAbi, toFunctionSelector, toHex, type Abi, type AbiFunction, type Address, type Hex, type PublicClient,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { attestationRegistryAbi, oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi } from "@onekey/sdk/abis";
import { parseGrantee } from "@onekey/sdk/contracts";
import {
  encodePaymasterData, ENTRY_POINT_V08, PAYMASTER_POSTOP_GAS, PAYMASTER_VERIFICATION_GAS, sponsorshipTypes,
  STUB_SIGNATURE, type SponsorRefusal,
} from "@onekey/sdk/aa";

/** What one project sponsors. Every field is optional; omitted = the default below. */
export interface ProjectPolicy {
  /** Functions sponsored, as "RecordRegistry.registerRecord"; default: all the paymaster allows. */
  methods?: string[];
  /** Sponsored operations per sender per period; 0 = unlimited. Default 100. */
  maxOpsPerSender?: number;
  /** Length of that period in seconds. Default one day. */
  periodSeconds?: number;
  /** callGasLimit + verificationGasLimit + preVerificationGas ceiling. Default 3,000,000. */
  maxGasPerOp?: bigint;
  /** Ceiling on an operation's maxCost (wei), i.e. what it can reserve. Default: none. */
  maxCostWei?: bigint;
  /** Priority-fee ceiling (wei). Default: twice the node's suggestion. */
  maxPriorityFeePerGas?: bigint;
}

export interface SponsorPolicy {
  /** Per-project policies; when given, only these projects are sponsored. */
  projects?: Record<string, ProjectPolicy>;
  /** The policy of any project not listed (ignored when `projects` is given). */
  default?: ProjectPolicy;
  /** Seconds a signature stays valid (validUntil = latest block time + this). */
  validitySeconds: number;
}

export interface SponsorServiceOptions {
  port: number;
  rpcUrl: string;
  paymaster: Address;
  signerKey: Hex;
  policy: SponsorPolicy;
}

export interface SponsorService {
  url: string;
  server: Server;
  signer: Address;
  stop(): Promise<void>;
}

type RpcUserOp = {
  sender: Address; nonce: Hex; factory?: Address | null; factoryData?: Hex | null; callData: Hex;
  callGasLimit?: Hex; verificationGasLimit?: Hex; preVerificationGas?: Hex; maxFeePerGas?: Hex; maxPriorityFeePerGas?: Hex;
  paymasterVerificationGasLimit?: Hex | null; paymasterPostOpGasLimit?: Hex | null;
};

class Refusal extends Error {
  readonly code: number;
  readonly reason: SponsorRefusal;
  constructor(code: number, reason: SponsorRefusal, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}
const refuse = (reason: SponsorRefusal, message: string, code = -32001): never => {
  throw new Refusal(code, reason, message);
};

const accountAbi = parseAbi([
  "function execute(address target, uint256 value, bytes data)",
  "function executeBatch((address target, uint256 value, bytes data)[] calls)",
]);
const DEFAULTS = { maxOpsPerSender: 100, periodSeconds: 86_400, maxGasPerOp: 3_000_000n };
const SPONSOR_ROLE = 8;
const pack = (hi: bigint, lo: bigint): Hex => `0x${((hi << 128n) | lo).toString(16).padStart(64, "0")}`;
const big = (v: Hex | null | undefined, field: string): bigint => {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(v)) refuse("INVALID_REQUEST", `${field} must be a hex quantity`, -32602);
  return BigInt(v as Hex);
};

/** The registries the paymaster sponsors, by name, for policy method lists. */
async function registryTargets(client: PublicClient, paymaster: Address) {
  const read = (functionName: "recordRegistry" | "attestationRegistry" | "projects") =>
    client.readContract({ address: paymaster, abi: oneKeyPaymasterAbi, functionName }) as Promise<Address>;
  const [records, attestations, projects] = await Promise.all([read("recordRegistry"), read("attestationRegistry"), read("projects")]);
  const registry = (name: string, abi: Abi) => {
    const functions = abi.filter((f): f is AbiFunction => f.type === "function");
    // Each function's parameters by selector, computed once: overloads share a name, not a selector.
    return { name, abi, inputsBySelector: new Map(functions.map((f) => [toFunctionSelector(f), f.inputs])) };
  };
  return new Map([
    [records.toLowerCase(), registry("RecordRegistry", recordRegistryAbi as Abi)],
    [attestations.toLowerCase(), registry("AttestationRegistry", attestationRegistryAbi as Abi)],
    [projects.toLowerCase(), registry("ProjectRegistry", projectRegistryAbi as Abi)],
  ]);
}

/** The project a grantee key names, if it names one (the SDK's parseGrantee; RecordRegistry refuses a malformed key). */
function granteeProject(key: Hex): bigint | undefined {
  try {
    const grantee = parseGrantee(key);
    return "projectId" in grantee ? grantee.projectId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each call the account would make, as "Registry.function" plus the projects it is about: the
 * `projectId` argument of project-scoped functions and the project of a grant to a project.
 * Empty for deployment-only operations.
 */
function callsOf(callData: Hex, targets: Awaited<ReturnType<typeof registryTargets>>): { method: string; projects: bigint[] }[] {
  if (callData === "0x") return [];
  const decoded = decodeFunctionData({ abi: accountAbi, data: callData });
  const calls = decoded.functionName === "execute"
    ? [{ target: decoded.args[0], data: decoded.args[2] }]
    : decoded.args[0].map((c) => ({ target: c.target, data: c.data }));
  return calls.map(({ target, data }) => {
    const registry = targets.get(target.toLowerCase());
    if (!registry) return refuse("CALL_NOT_SPONSORED", "only OneKey registry calls are sponsored");
    const call = decodeFunctionData({ abi: registry.abi, data });
    const inputs = registry.inputsBySelector.get(data.slice(0, 10).toLowerCase() as Hex)!; // decoded above, so it is there
    const args = (call.args ?? []) as unknown[];
    const projects: bigint[] = [];
    inputs.forEach((input, i) => {
      if (input.name === "projectId") projects.push(args[i] as bigint);
      // A revoke stays sponsored whoever the grantee is: withdrawing access is the person's right.
      const granted = call.functionName === "grant" && input.name === "grantee" ? granteeProject(args[i] as Hex) : undefined;
      if (granted !== undefined) projects.push(granted);
    });
    return { method: `${registry.name}.${call.functionName}`, projects };
  });
}

export async function startSponsorService(o: SponsorServiceOptions): Promise<SponsorService> {
  const client = createPublicClient({ transport: http(o.rpcUrl) }) as PublicClient;
  const chainId = await client.getChainId();
  const signer = privateKeyToAccount(o.signerKey);
  const [projects, targets, postOpOverhead] = await Promise.all([
    client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "projects" }) as Promise<Address>,
    registryTargets(client, o.paymaster),
    client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "POSTOP_OVERHEAD_GAS" }) as Promise<bigint>,
  ]);
  // project:sender -> nonce -> when it was signed. Counting nonces, not requests, means a retry
  // for the same operation does not use up the sender's quota (only one op per nonce can run).
  const signed = new Map<string, Map<bigint, number>>();

  function policyOf(projectId: bigint): Required<Pick<ProjectPolicy, "maxOpsPerSender" | "periodSeconds" | "maxGasPerOp">> & ProjectPolicy {
    const listed = o.policy.projects;
    const p = listed ? listed[projectId.toString()] : o.policy.default ?? {};
    if (!p) return refuse("PROJECT_NOT_SPONSORED", `project ${projectId} is not sponsored by this service`);
    return { ...DEFAULTS, ...p };
  }

  // Rules that need only the call: project, signer role, allow-list, method policy.
  async function checkCall(op: RpcUserOp, entryPoint: Address, chain: Hex, context: { projectId?: Hex } | undefined) {
    if (typeof entryPoint !== "string" || entryPoint.toLowerCase() !== ENTRY_POINT_V08.toLowerCase()) {
      refuse("UNSUPPORTED_ENTRY_POINT", `unsupported entry point ${String(entryPoint).slice(0, 42)}`, -32602);
    }
    if (Number(chain) !== chainId) refuse("WRONG_CHAIN", `wrong chain ${Number(chain)}; this service signs for ${chainId}`, -32602);
    if (!op || typeof op.sender !== "string" || typeof op.callData !== "string") refuse("INVALID_REQUEST", "user operation missing", -32602);
    if (context?.projectId === undefined) refuse("PROJECT_NOT_SPONSORED", "context.projectId is required");
    const projectId = big(context!.projectId, "context.projectId");
    const policy = policyOf(projectId);
    const isSponsor = await client.readContract({ address: projects, abi: projectRegistryAbi, functionName: "hasActiveRole", args: [projectId, signer.address, SPONSOR_ROLE] });
    if (!isSponsor) refuse("SIGNER_NOT_SPONSOR", `this service's key is not an active SPONSOR of project ${projectId}`);
    const allowed = await client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "isSponsorable", args: [op.callData] });
    if (!allowed) refuse("CALL_NOT_SPONSORED", "only OneKey registry calls are sponsored");
    const calls = callsOf(op.callData, targets);
    const denied = policy.methods ? calls.find((c) => !policy.methods!.includes(c.method)) : undefined;
    if (denied) refuse("METHOD_NOT_ALLOWED", `project ${projectId} does not sponsor ${denied.method}`);
    // A project pays for calls about itself only: otherwise its budget could administer, attest
    // for or receive grants on behalf of another project.
    const foreign = calls.flatMap((c) => c.projects.filter((p) => p !== projectId).map((p) => ({ ...c, p })))[0];
    if (foreign) refuse("FOREIGN_PROJECT", `project ${projectId} does not pay for ${foreign.method} about project ${foreign.p}`);
    return { projectId, policy };
  }

  // Rules on the priced operation: gas limits, fees, budget, per-sender quota.
  async function checkPricing(op: RpcUserOp, projectId: bigint, policy: ReturnType<typeof policyOf>) {
    const pmVerification = big(op.paymasterVerificationGasLimit, "paymasterVerificationGasLimit");
    const pmPostOp = big(op.paymasterPostOpGasLimit, "paymasterPostOpGasLimit");
    // The postOp limit decides the penalty the project pays; only the service's own limits are signed.
    if (pmVerification > PAYMASTER_VERIFICATION_GAS || pmPostOp > PAYMASTER_POSTOP_GAS || pmPostOp < postOpOverhead) {
      refuse("GAS_LIMITS_CHANGED", `paymaster gas limits must be at most ${PAYMASTER_VERIFICATION_GAS}/${PAYMASTER_POSTOP_GAS} and postOp at least ${postOpOverhead}`);
    }
    const gas = big(op.callGasLimit, "callGasLimit") + big(op.verificationGasLimit, "verificationGasLimit") + big(op.preVerificationGas, "preVerificationGas");
    if (gas > policy.maxGasPerOp) refuse("OVER_GAS_LIMIT", `operation gas ${gas} exceeds ${policy.maxGasPerOp}`);
    const maxFee = big(op.maxFeePerGas, "maxFeePerGas");
    const priority = big(op.maxPriorityFeePerGas, "maxPriorityFeePerGas");
    // Whoever submits the bundle earns the priority fee: cap it, and the fee, near the market.
    const [block, suggested] = await Promise.all([client.getBlock(), client.estimateMaxPriorityFeePerGas()]);
    const priorityCap = policy.maxPriorityFeePerGas ?? (suggested > 0n ? 2n * suggested : 1n);
    const feeCap = 3n * (block.baseFeePerGas ?? 0n) + priorityCap;
    if (priority > priorityCap || maxFee > feeCap) refuse("FEE_TOO_HIGH", `fees ${maxFee}/${priority} exceed ${feeCap}/${priorityCap}`);
    const maxCost = (gas + pmVerification + pmPostOp) * maxFee;
    if (policy.maxCostWei !== undefined && maxCost > policy.maxCostWei) refuse("OVER_MAX_COST", `maxCost ${maxCost} exceeds ${policy.maxCostWei}`);
    const balance = await client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "projectBalance", args: [projectId] });
    if (balance < maxCost) refuse("PROJECT_BALANCE_TOO_LOW", `project ${projectId} balance ${balance} cannot cover maxCost ${maxCost}`);
    return { pmVerification, pmPostOp, blockTime: Number(block.timestamp) };
  }

  function takeQuota(projectId: bigint, policy: ReturnType<typeof policyOf>, sender: Address, nonce: bigint) {
    if (policy.maxOpsPerSender === 0) return;
    const key = `${projectId}:${sender.toLowerCase()}`;
    const since = Date.now() - policy.periodSeconds * 1000;
    const nonces = signed.get(key) ?? new Map<bigint, number>();
    for (const [n, t] of nonces) if (t <= since) nonces.delete(n);
    if (!nonces.has(nonce) && nonces.size >= policy.maxOpsPerSender) {
      refuse("SENDER_LIMIT_REACHED", `sender reached ${policy.maxOpsPerSender} sponsored operations per ${policy.periodSeconds} s`);
    }
    nonces.set(nonce, Date.now());
    signed.set(key, nonces);
  }

  const methods: Record<string, (params: unknown[]) => Promise<unknown>> = {
    async pm_getPaymasterStubData([op, entryPoint, chain, context]) {
      const { projectId } = await checkCall(op as RpcUserOp, entryPoint as Address, chain as Hex, context as { projectId?: Hex });
      return {
        paymaster: o.paymaster,
        paymasterData: encodePaymasterData(projectId, 0, 0, STUB_SIGNATURE),
        paymasterVerificationGasLimit: toHex(PAYMASTER_VERIFICATION_GAS),
        paymasterPostOpGasLimit: toHex(PAYMASTER_POSTOP_GAS),
        isFinal: false,
      };
    },
    async pm_getPaymasterData([op, entryPoint, chain, context]) {
      const userOp = op as RpcUserOp;
      const { projectId, policy } = await checkCall(userOp, entryPoint as Address, chain as Hex, context as { projectId?: Hex });
      const pricing = await checkPricing(userOp, projectId, policy);
      takeQuota(projectId, policy, userOp.sender, big(userOp.nonce, "nonce"));
      const validUntil = pricing.blockTime + o.policy.validitySeconds;
      const signature = await signSponsorship(signer, { chainId, paymaster: o.paymaster, projectId, op: userOp, ...pricing, validUntil });
      return { paymaster: o.paymaster, paymasterData: encodePaymasterData(projectId, validUntil, 0, signature) };
    },
  };

  const server = createServer(async (req, res) => {
    let id: unknown = null;
    const reply = (body: object) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id, ...body }));
    };
    if (req.method === "GET" && req.url === "/health") return reply({ result: { ok: true, chainId, paymaster: o.paymaster } });
    try {
      if (req.method !== "POST") refuse("INVALID_REQUEST", "POST a JSON-RPC request", -32600);
      const body = JSON.parse(await readBody(req)) as { id?: unknown; method?: string; params?: unknown[] };
      id = body.id ?? null;
      const method = typeof body.method === "string" ? methods[body.method] : undefined;
      if (!method || !Object.hasOwn(methods, body.method!)) refuse("INVALID_REQUEST", `method ${String(body.method).slice(0, 64)} not supported`, -32601);
      reply({ result: await method!(Array.isArray(body.params) ? body.params : []) });
    } catch (error) {
      const e = error instanceof Refusal ? error
        : error instanceof SyntaxError ? new Refusal(-32700, "INVALID_REQUEST", "invalid JSON")
        : new Refusal(-32603, "INTERNAL", "internal error");
      reply({ error: { code: e.code, message: e.message, data: { reason: e.reason } } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${o.port}`,
    server,
    signer: signer.address,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let raw = "";
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 1_000_000) refuse("INVALID_REQUEST", "request too large", -32600);
  }
  return raw;
}

/** The EIP-712 Sponsorship over every field of the operation except its signature. */
async function signSponsorship(
  signer: PrivateKeyAccount,
  s: { chainId: number; paymaster: Address; projectId: bigint; op: RpcUserOp; pmVerification: bigint; pmPostOp: bigint; validUntil: number },
): Promise<Hex> {
  const { op } = s;
  const initCode: Hex = op.factory ? (`${op.factory}${(op.factoryData ?? "0x").slice(2)}` as Hex) : "0x";
  return signer.signTypedData({
    domain: { name: "OneKeyPaymaster", version: "1", chainId: s.chainId, verifyingContract: s.paymaster },
    types: sponsorshipTypes,
    primaryType: "Sponsorship",
    message: {
      projectId: s.projectId, sender: op.sender, nonce: BigInt(op.nonce), initCodeHash: keccak256(initCode), callDataHash: keccak256(op.callData),
      accountGasLimits: pack(BigInt(op.verificationGasLimit!), BigInt(op.callGasLimit!)),
      preVerificationGas: BigInt(op.preVerificationGas!),
      gasFees: pack(BigInt(op.maxPriorityFeePerGas!), BigInt(op.maxFeePerGas!)),
      paymasterGasLimits: (s.pmVerification << 128n) | s.pmPostOp,
      validUntil: s.validUntil, validAfter: 0,
    },
  });
}

/** Reads a policy file: JSON with bigint fields as decimal strings; its validitySeconds wins over the argument. */
export function loadPolicy(path: string | undefined, validitySeconds: number): SponsorPolicy {
  if (!path) return { validitySeconds };
  const raw = JSON.parse(readFileSync(path, "utf8")) as {
    projects?: Record<string, Record<string, unknown>>; default?: Record<string, unknown>; validitySeconds?: number;
  };
  const toPolicy = (p: Record<string, unknown>): ProjectPolicy => ({
    ...p,
    ...(p.maxGasPerOp !== undefined ? { maxGasPerOp: BigInt(p.maxGasPerOp as string) } : {}),
    ...(p.maxCostWei !== undefined ? { maxCostWei: BigInt(p.maxCostWei as string) } : {}),
    ...(p.maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas: BigInt(p.maxPriorityFeePerGas as string) } : {}),
  });
  return {
    validitySeconds: raw.validitySeconds ?? validitySeconds,
    projects: raw.projects ? Object.fromEntries(Object.entries(raw.projects).map(([k, v]) => [k, toPolicy(v)])) : undefined,
    default: raw.default ? toPolicy(raw.default) : undefined,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = process.env;
  const need = (name: string) => {
    const v = env[name];
    if (!v) {
      console.error(`sponsor-service: set ${name}`);
      process.exit(2);
    }
    return v;
  };
  const service = await startSponsorService({
    port: Number(env.ONEKEY_SPONSOR_PORT ?? 4338),
    rpcUrl: need("ONEKEY_RPC_URL"),
    paymaster: need("ONEKEY_PAYMASTER") as Address,
    signerKey: need("ONEKEY_SPONSOR_KEY") as Hex,
    policy: loadPolicy(env.ONEKEY_SPONSOR_POLICY, Number(env.ONEKEY_SPONSOR_VALIDITY ?? 600)),
  });
  console.log(`sponsor service on ${service.url} (signer ${service.signer})`);
  const stop = () => void service.stop().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
