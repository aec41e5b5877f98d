// The sponsor service: an ERC-7677 paymaster web service (pm_getPaymasterStubData,
// pm_getPaymasterData) that applies a project's policy before its SPONSOR key signs.
//
// A project's budget is spent only for subjects it authorised: a request with one of its API keys
// holding the sponsor scope (server to server, checked against the on-chain key hash), or a ticket
// its backend signed for the sender (passed in the ERC-7677 context). An "open" project sponsors
// anyone, within caps it must set. Caps per project, per subject and per ticket are counted in a
// database (PGlite, or PostgreSQL shared by replicas), so neither a restart nor a second instance
// resets them. Every refusal is a JSON-RPC error whose `data.reason` names the rule; the SDK maps
// it to SponsorshipRefusedError. The signing key comes from the environment only (src/main.ts).
import { createServer, type IncomingMessage, type Server } from "node:http";
import {
  createPublicClient,
  decodeFunctionData,
  hashTypedData,
  http,
  keccak256,
  parseAbi,
  toFunctionSelector,
  toHex,
  type Abi,
  type AbiFunction,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { attestationRegistryAbi, oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi, simpleAccountFactoryAbi } from "@onekey/sdk/abis";
import { parseGrantee } from "@onekey/sdk/contracts";
import {
  API_KEY_SCOPE_SPONSOR,
  encodePaymasterData,
  ENTRY_POINT_V08,
  maxSponsoredCharge,
  parseSponsorshipTicket,
  PAYMASTER_POSTOP_GAS,
  PAYMASTER_VERIFICATION_GAS,
  sponsorshipTicketDomain,
  sponsorshipTicketTypes,
  sponsorshipTypes,
  STUB_SIGNATURE,
  type SponsorRefusal,
} from "@onekey/sdk/aa";
import { BaseError } from "@onekey/sdk/errors";
import { handleReadApi, readCors } from "./api.ts";
import { createApiKeyCheck } from "./api-key.ts";
import { checkPolicy, effectivePolicy, type EffectivePolicy, type SponsorPolicy } from "./policy.ts";
import { ensureRefusalSchema, recordRefusal, REFUSAL_LIMITS, type RefusalLimits } from "./refusals.ts";
import { openStore, takeCapacity, type Store } from "./store.ts";

export type { ProjectPolicy, SponsorPolicy } from "./policy.ts";

export interface SponsorServiceOptions {
  port: number;
  rpcUrl: string;
  paymaster: Address;
  signerKey: Hex;
  policy: SponsorPolicy;
  /** PostgreSQL URL (replicas share it); otherwise PGlite in `dbDir`. */
  databaseUrl?: string;
  dbDir?: string;
  /** An already open store (tests share one between services in one process). */
  store?: Store;
  /**
   * The SimpleAccountFactory whose accounts a ticket may name by their owner: a ticket's subject
   * then matches the sender when it is the sender, or the owner of the factory's salt-0 account at
   * that address. Without it a subject must be the sender itself.
   */
  simpleAccountFactory?: Address;
  /** The refusal log's bounds (rows kept per project, retention); defaults in refusals.ts. */
  refusalLimits?: Partial<RefusalLimits>;
  /** Origins allowed to read the refusal log from a browser (the app's); default any. */
  corsOrigins?: string[];
}

export interface SponsorService {
  url: string;
  server: Server;
  signer: Address;
  store: Store;
  stop(): Promise<void>;
}

/** The ERC-7677 context the SDK sends (createSponsoredClient). */
type SponsorContext = { projectId?: Hex; ticket?: unknown };

/** What a request has shown of itself so far: what its refusal is logged with. */
type Seen = { projectId?: bigint; sender?: Address; nonce?: bigint; method?: string };

type RpcUserOp = {
  sender: Address;
  nonce: Hex;
  factory?: Address | null;
  factoryData?: Hex | null;
  callData: Hex;
  callGasLimit?: Hex;
  verificationGasLimit?: Hex;
  preVerificationGas?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
  paymasterVerificationGasLimit?: Hex | null;
  paymasterPostOpGasLimit?: Hex | null;
};

/** A request the policy refuses; `reason` names the rule. */
class Refusal extends BaseError {
  override name = "SponsorRefusal";
  readonly code: number;
  readonly reason: SponsorRefusal;
  constructor(code: number, reason: SponsorRefusal, message: string) {
    super(message, { docsPath: "paymaster.md#sponsor-service" });
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
  const calls =
    decoded.functionName === "execute"
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
  checkPolicy(o.policy);
  const client = createPublicClient({ transport: http(o.rpcUrl) }) as PublicClient;
  const chainId = await client.getChainId();
  const signer = privateKeyToAccount(o.signerKey);
  const [projects, targets, postOpOverhead] = await Promise.all([
    client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "projects" }) as Promise<Address>,
    registryTargets(client, o.paymaster),
    client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "POSTOP_OVERHEAD_GAS" }) as Promise<bigint>,
  ]);
  const ownStore = o.store ? undefined : await openStore({ databaseUrl: o.databaseUrl, dir: o.dbDir });
  const store = o.store ?? ownStore!;
  await ensureRefusalSchema(store);
  const refusalLimits = { ...REFUSAL_LIMITS, ...o.refusalLimits };
  const checkKey = createApiKeyCheck({ client, projectRegistry: projects });

  function policyOf(projectId: bigint): EffectivePolicy {
    const listed = o.policy.projects;
    const p = listed ? listed[projectId.toString()] : (o.policy.default ?? {});
    if (!p) return refuse("PROJECT_NOT_SPONSORED", `project ${projectId} is not sponsored by this service`);
    return effectivePolicy(p);
  }
  // The sender itself, or (with a factory) the owner whose salt-0 SimpleAccount the sender is: the
  // address follows from the owner by CREATE2, so no contract can claim an owner it does not have.
  async function subjectIs(subject: Address, sender: Address): Promise<boolean> {
    if (subject.toLowerCase() === sender.toLowerCase()) return true;
    if (!o.simpleAccountFactory) return false;
    const account = await client.readContract({
      address: o.simpleAccountFactory,
      abi: simpleAccountFactoryAbi,
      functionName: "getAddress",
      args: [subject, 0n],
    });
    return account.toLowerCase() === sender.toLowerCase();
  }
  const isSponsor = (projectId: bigint, account: Address) =>
    client.readContract({ address: projects, abi: projectRegistryAbi, functionName: "hasActiveRole", args: [projectId, account, SPONSOR_ROLE] });

  // Rules that need only the call: project, signer role, allow-list, method policy.
  async function checkCall(op: RpcUserOp, entryPoint: Address, chain: Hex, context: SponsorContext | undefined, seen: Seen) {
    if (typeof entryPoint !== "string" || entryPoint.toLowerCase() !== ENTRY_POINT_V08.toLowerCase()) {
      refuse("UNSUPPORTED_ENTRY_POINT", `unsupported entry point ${String(entryPoint).slice(0, 42)}`, -32602);
    }
    if (Number(chain) !== chainId) refuse("WRONG_CHAIN", `wrong chain ${Number(chain)}; this service signs for ${chainId}`, -32602);
    if (!op || typeof op.sender !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(op.sender) || typeof op.callData !== "string") {
      refuse("INVALID_REQUEST", "user operation missing", -32602);
    }
    if (context?.projectId === undefined) refuse("PROJECT_NOT_SPONSORED", "context.projectId is required");
    const projectId = big(context!.projectId, "context.projectId");
    seen.projectId = projectId;
    seen.sender = op.sender;
    if (typeof op.nonce === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(op.nonce)) seen.nonce = BigInt(op.nonce);
    const policy = policyOf(projectId);
    if (!(await isSponsor(projectId, signer.address))) refuse("SIGNER_NOT_SPONSOR", `this service's key is not an active SPONSOR of project ${projectId}`);
    const allowed = await client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "isSponsorable", args: [op.callData] });
    if (!allowed) refuse("CALL_NOT_SPONSORED", "only OneKey registry calls are sponsored");
    const calls = callsOf(op.callData, targets);
    seen.method = calls.map((c) => c.method).join(",") || undefined;
    const denied = policy.methods ? calls.find((c) => !policy.methods!.includes(c.method)) : undefined;
    if (denied) refuse("METHOD_NOT_ALLOWED", `project ${projectId} does not sponsor ${denied.method}`);
    // A project pays for calls about itself only: otherwise its budget could administer, attest
    // for or receive grants on behalf of another project.
    const foreign = calls.flatMap((c) => c.projects.filter((p) => p !== projectId).map((p) => ({ ...c, p })))[0];
    if (foreign) refuse("FOREIGN_PROJECT", `project ${projectId} does not pay for ${foreign.method} about project ${foreign.p}`);
    return { projectId, policy };
  }

  // Who asks: the project's API key (sponsor scope), a ticket for this sender, or an open policy.
  async function authorise(op: RpcUserOp, projectId: bigint, policy: EffectivePolicy, context: SponsorContext | undefined, apiKey: string | undefined) {
    if (apiKey !== undefined) {
      const { keyHash, problem } = await checkKey(projectId, apiKey, API_KEY_SCOPE_SPONSOR);
      if (problem === "MissingScope")
        refuse("API_KEY_MISSING_SCOPE", `API key ${keyHash} of project ${projectId} lacks the sponsor scope (${API_KEY_SCOPE_SPONSOR})`, -32003);
      if (problem) refuse("API_KEY_REJECTED", `API key ${keyHash} is not a live key of project ${projectId} (unknown, revoked or expired)`, -32003);
      return { via: "apiKey" as const };
    }
    if (context?.ticket !== undefined) {
      let ticket: Awaited<ReturnType<typeof parseSponsorshipTicket>>;
      try {
        ticket = await parseSponsorshipTicket(context.ticket, chainId, o.paymaster);
      } catch (error) {
        return refuse("INVALID_TICKET", (error as BaseError).shortMessage ?? "malformed ticket");
      }
      if (ticket.projectId !== projectId) refuse("TICKET_WRONG_PROJECT", `the ticket is for project ${ticket.projectId}, not ${projectId}`);
      if (!(await subjectIs(ticket.subject, op.sender))) refuse("TICKET_WRONG_SUBJECT", `the ticket is for ${ticket.subject}, not ${op.sender} or its owner`);
      const block = await client.getBlock();
      if (BigInt(ticket.validUntil) <= block.timestamp) refuse("TICKET_EXPIRED", `the ticket expired at ${ticket.validUntil} (chain time ${block.timestamp})`);
      if (!(await isSponsor(projectId, ticket.signer)))
        refuse("TICKET_SIGNER_NOT_SPONSOR", `the ticket's signer ${ticket.signer} is not an active SPONSOR of project ${projectId}`);
      const digest = hashTypedData({
        domain: sponsorshipTicketDomain(chainId, o.paymaster),
        types: sponsorshipTicketTypes,
        primaryType: "SponsorshipTicket",
        message: { projectId, subject: ticket.subject, maxOps: ticket.maxOps, validUntil: ticket.validUntil, ticketId: ticket.ticketId },
      });
      return { via: "ticket" as const, ticket: { digest, maxOps: Math.min(ticket.maxOps, policy.maxOpsPerTicket), validUntil: ticket.validUntil } };
    }
    if (policy.access === "open") return { via: "open" as const };
    return refuse(
      "NOT_AUTHORISED",
      `project ${projectId} sponsors only subjects it authorised: send its API key (sponsor scope) or a ticket in context.ticket`,
      -32003,
    );
  }

  // Rules on the priced operation: gas limits, fees, budget.
  async function checkPricing(op: RpcUserOp, projectId: bigint, policy: EffectivePolicy) {
    const pmVerification = big(op.paymasterVerificationGasLimit, "paymasterVerificationGasLimit");
    const pmPostOp = big(op.paymasterPostOpGasLimit, "paymasterPostOpGasLimit");
    // The postOp limit decides the penalty the project pays; only the service's own limits are signed.
    if (pmVerification > PAYMASTER_VERIFICATION_GAS || pmPostOp > PAYMASTER_POSTOP_GAS || pmPostOp < postOpOverhead) {
      refuse(
        "GAS_LIMITS_CHANGED",
        `paymaster gas limits must be at most ${PAYMASTER_VERIFICATION_GAS}/${PAYMASTER_POSTOP_GAS} and postOp at least ${postOpOverhead}`,
      );
    }
    const limits = {
      callGasLimit: big(op.callGasLimit, "callGasLimit"),
      verificationGasLimit: big(op.verificationGasLimit, "verificationGasLimit"),
      preVerificationGas: big(op.preVerificationGas, "preVerificationGas"),
    };
    const gas = limits.callGasLimit + limits.verificationGasLimit + limits.preVerificationGas;
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
    const maxCharge = maxSponsoredCharge({ ...limits, paymasterVerificationGasLimit: pmVerification, paymasterPostOpGasLimit: pmPostOp, maxFeePerGas: maxFee });
    return { pmVerification, pmPostOp, blockTime: Number(block.timestamp), maxCharge };
  }

  // The caps, from the shared database; `commit` records the operation (only when signing).
  async function checkCaps(
    op: RpcUserOp,
    projectId: bigint,
    policy: EffectivePolicy,
    auth: Awaited<ReturnType<typeof authorise>>,
    maxCharge: bigint,
    commit: boolean,
  ) {
    const refusal = await takeCapacity(
      store,
      {
        projectId,
        sender: op.sender,
        nonce: big(op.nonce, "nonce"),
        maxCharge,
        caps: policy,
        ticket: auth.via === "ticket" ? auth.ticket : undefined,
        now: Date.now(),
      },
      commit,
    );
    if (refusal) refuse(refusal.reason, refusal.message);
  }

  const methods: Record<string, (params: unknown[], apiKey: string | undefined, seen: Seen) => Promise<unknown>> = {
    async pm_getPaymasterStubData([op, entryPoint, chain, context], apiKey, seen) {
      const userOp = op as RpcUserOp;
      const ctx = context as SponsorContext | undefined;
      const { projectId, policy } = await checkCall(userOp, entryPoint as Address, chain as Hex, ctx, seen);
      const auth = await authorise(userOp, projectId, policy, ctx, apiKey);
      // A read-only look at the caps, so a refusal comes before gas estimation; nothing is counted.
      await checkCaps(userOp, projectId, policy, auth, 0n, false);
      return {
        paymaster: o.paymaster,
        paymasterData: encodePaymasterData(projectId, 0, 0, STUB_SIGNATURE),
        paymasterVerificationGasLimit: toHex(PAYMASTER_VERIFICATION_GAS),
        paymasterPostOpGasLimit: toHex(PAYMASTER_POSTOP_GAS),
        isFinal: false,
      };
    },
    async pm_getPaymasterData([op, entryPoint, chain, context], apiKey, seen) {
      const userOp = op as RpcUserOp;
      const ctx = context as SponsorContext | undefined;
      const { projectId, policy } = await checkCall(userOp, entryPoint as Address, chain as Hex, ctx, seen);
      const auth = await authorise(userOp, projectId, policy, ctx, apiKey);
      const pricing = await checkPricing(userOp, projectId, policy);
      await checkCaps(userOp, projectId, policy, auth, pricing.maxCharge, true);
      // A ticket's end bounds the signature too.
      const validUntil = Math.min(pricing.blockTime + o.policy.validitySeconds, auth.via === "ticket" ? auth.ticket.validUntil : Infinity);
      const signature = await signSponsorship(signer, { chainId, paymaster: o.paymaster, projectId, op: userOp, ...pricing, validUntil });
      return { paymaster: o.paymaster, paymasterData: encodePaymasterData(projectId, validUntil, 0, signature) };
    },
  };

  // The projects whose refusals are logged: those this service works for (its key is their
  // SPONSOR). Anyone can name any project id; only these get rows, so the log's size is bounded
  // by projects an ADMIN chose to hand this service, times the per-project cap.
  const served = new Map<string, { at: number; yes: Promise<boolean> }>();
  const serves = (projectId: bigint) => {
    const k = projectId.toString();
    const hit = served.get(k);
    if (hit && Date.now() - hit.at < 10_000) return hit.yes;
    if (served.size > 10_000) served.clear();
    const yes = isSponsor(projectId, signer.address).catch(() => false);
    served.set(k, { at: Date.now(), yes });
    return yes;
  };
  async function logRefusal(seen: Seen, reason: SponsorRefusal) {
    if (seen.projectId === undefined || seen.projectId >= 2n ** 256n || !(await serves(seen.projectId))) return;
    await recordRefusal(
      store,
      { projectId: seen.projectId, reason, sender: seen.sender, nonce: seen.nonce, method: seen.method, now: Date.now() },
      refusalLimits,
    ).catch((error: unknown) => console.error("sponsor service: could not log a refusal", error));
  }

  const server = createServer(async (req, res) => {
    let id: unknown = null;
    const seen: Seen = {};
    if (req.url?.startsWith("/v1/")) {
      if (req.method === "OPTIONS") return void res.writeHead(204, readCors(o, req.headers.origin)).end();
      return handleReadApi({ store, checkKey, limits: refusalLimits, corsOrigins: o.corsOrigins }, req, res);
    }
    // Browsers (the web app) call the service from another origin; it holds no cookies, so any
    // origin may ask, and answers depend only on the request (API key or ticket).
    const cors = {
      "access-control-allow-origin": "*",
      "access-control-allow-headers": "content-type, authorization, x-api-key",
      "access-control-allow-methods": "POST, GET, OPTIONS",
    };
    if (req.method === "OPTIONS") return void res.writeHead(204, cors).end();
    const reply = (body: object) => {
      res.writeHead(200, { ...cors, "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id, ...body }));
    };
    if (req.method === "GET" && req.url === "/health") return reply({ result: { ok: true, chainId, paymaster: o.paymaster, database: store.kind } });
    try {
      if (req.method !== "POST") refuse("INVALID_REQUEST", "POST a JSON-RPC request", -32600);
      const body = JSON.parse(await readBody(req)) as { id?: unknown; method?: string; params?: unknown[] };
      id = body.id ?? null;
      const method = typeof body.method === "string" ? methods[body.method] : undefined;
      if (!method || !Object.hasOwn(methods, body.method!)) refuse("INVALID_REQUEST", `method ${String(body.method).slice(0, 64)} not supported`, -32601);
      reply({ result: await method!(Array.isArray(body.params) ? body.params : [], presentedKey(req), seen) });
    } catch (error) {
      const e =
        error instanceof Refusal
          ? error
          : error instanceof SyntaxError
            ? new Refusal(-32700, "INVALID_REQUEST", "invalid JSON")
            : new Refusal(-32603, "INTERNAL", "internal error");
      if (e.reason === "INTERNAL") console.error("sponsor service: internal error", error);
      await logRefusal(seen, e.reason);
      reply({ error: { code: e.code, message: e.shortMessage, data: { reason: e.reason } } });
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
    store,
    async stop() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await ownStore?.close();
    },
  };
}

/** The API key of a server-to-server request (`Authorization: Bearer`, or `x-api-key`). */
function presentedKey(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S{1,512})$/i.exec(req.headers.authorization ?? "")?.[1];
  const header = req.headers["x-api-key"];
  const key = bearer ?? (typeof header === "string" ? header.trim() : undefined);
  return key || undefined;
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
      projectId: s.projectId,
      sender: op.sender,
      nonce: BigInt(op.nonce),
      initCodeHash: keccak256(initCode),
      callDataHash: keccak256(op.callData),
      accountGasLimits: pack(BigInt(op.verificationGasLimit!), BigInt(op.callGasLimit!)),
      preVerificationGas: BigInt(op.preVerificationGas!),
      gasFees: pack(BigInt(op.maxPriorityFeePerGas!), BigInt(op.maxFeePerGas!)),
      paymasterGasLimits: (s.pmVerification << 128n) | s.pmPostOp,
      validUntil: s.validUntil,
      validAfter: 0,
    },
  });
}
