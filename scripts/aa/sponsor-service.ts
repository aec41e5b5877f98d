// The sponsor service: an ERC-7677 paymaster web service (pm_getPaymasterStubData,
// pm_getPaymasterData) that applies a project's policy before its SPONSOR key signs.
//
//   ONEKEY_SPONSOR_KEY=0x… ONEKEY_PAYMASTER=0x… ONEKEY_RPC_URL=http://127.0.0.1:8545 \
//   [ONEKEY_SPONSOR_PROJECTS=1,2] ONEKEY_SPONSOR_PORT=4338 node scripts/aa/sponsor-service.ts
//
// The signing key comes from the environment only, never from the repository.
import { createServer, type Server } from "node:http";
import { createPublicClient, http, keccak256, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { oneKeyPaymasterAbi, projectRegistryAbi } from "../../sdk/src/abis.ts";
import { encodePaymasterData, ENTRY_POINT_V08, STUB_SIGNATURE } from "../../sdk/src/aa/index.ts";

export interface SponsorPolicy {
  /** Optional allow-list of projects; the signer must in any case be an active SPONSOR on-chain. */
  projectIds?: bigint[];
  /** Sponsored operations per sender per rolling day (0 = unlimited). */
  maxOpsPerSenderPerDay: number;
  /** Seconds a signature stays valid. */
  validitySeconds: number;
}

export interface SponsorServiceOptions {
  port: number;
  rpcUrl: string;
  paymaster: Address;
  signerKey: Hex;
  policy: SponsorPolicy;
}

type RpcUserOp = {
  sender: Address; nonce: Hex; factory?: Address | null; factoryData?: Hex | null; callData: Hex; callGasLimit: Hex;
  verificationGasLimit: Hex; preVerificationGas: Hex; maxFeePerGas: Hex; maxPriorityFeePerGas: Hex;
  paymasterVerificationGasLimit?: Hex | null; paymasterPostOpGasLimit?: Hex | null;
};

class RpcError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

const PM_VERIFICATION_GAS = 250_000n;
const PM_POSTOP_GAS = 100_000n;
const pack = (hi: bigint, lo: bigint): Hex => `0x${((hi << 128n) | lo).toString(16).padStart(64, "0")}`;

export async function startSponsorService(o: SponsorServiceOptions): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const client = createPublicClient({ transport: http(o.rpcUrl) });
  const chainId = await client.getChainId();
  const signer = privateKeyToAccount(o.signerKey);
  const projects = await client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "projects" });
  const history = new Map<string, number[]>(); // sender -> timestamps of signed ops

  async function check(op: RpcUserOp, entryPoint: Address, chain: Hex, context: { projectId?: Hex }) {
    if (entryPoint.toLowerCase() !== ENTRY_POINT_V08.toLowerCase()) throw new RpcError(-32602, `unsupported entry point ${entryPoint}`);
    if (Number(chain) !== chainId) throw new RpcError(-32602, `wrong chain ${Number(chain)}; this service signs for ${chainId}`);
    const projectId = context?.projectId !== undefined ? BigInt(context.projectId) : undefined;
    if (projectId === undefined || (o.policy.projectIds && !o.policy.projectIds.includes(projectId))) {
      throw new RpcError(-32001, "project not sponsored by this service");
    }
    const isSponsor = await client.readContract({
      address: projects, abi: projectRegistryAbi, functionName: "hasActiveRole", args: [projectId, signer.address, 8],
    });
    if (!isSponsor) throw new RpcError(-32001, `this service's key is not an active SPONSOR of project ${projectId}`);
    const allowed = await client.readContract({ address: o.paymaster, abi: oneKeyPaymasterAbi, functionName: "isSponsorable", args: [op.callData] });
    if (!allowed) throw new RpcError(-32002, "only OneKey registry calls are sponsored");
    if (o.policy.maxOpsPerSenderPerDay > 0) {
      const since = Date.now() - 86_400_000;
      const recent = (history.get(op.sender.toLowerCase()) ?? []).filter((t) => t > since);
      if (recent.length >= o.policy.maxOpsPerSenderPerDay) throw new RpcError(-32003, "sender reached its daily sponsored-operation limit");
    }
    return projectId;
  }

  async function sign(op: RpcUserOp, projectId: bigint) {
    const validUntil = Math.floor(Date.now() / 1000) + o.policy.validitySeconds;
    const validAfter = 0;
    const initCode: Hex = op.factory ? `${op.factory}${(op.factoryData ?? "0x").slice(2)}` as Hex : "0x";
    const signature = await signer.signTypedData({
      domain: { name: "OneKeyPaymaster", version: "1", chainId, verifyingContract: o.paymaster },
      types: {
        Sponsorship: [
          { name: "projectId", type: "uint256" }, { name: "sender", type: "address" }, { name: "nonce", type: "uint256" },
          { name: "initCodeHash", type: "bytes32" }, { name: "callDataHash", type: "bytes32" }, { name: "accountGasLimits", type: "bytes32" },
          { name: "preVerificationGas", type: "uint256" }, { name: "gasFees", type: "bytes32" }, { name: "paymasterGasLimits", type: "uint256" },
          { name: "validUntil", type: "uint48" }, { name: "validAfter", type: "uint48" },
        ],
      },
      primaryType: "Sponsorship",
      message: {
        projectId, sender: op.sender, nonce: BigInt(op.nonce), initCodeHash: keccak256(initCode), callDataHash: keccak256(op.callData),
        accountGasLimits: pack(BigInt(op.verificationGasLimit), BigInt(op.callGasLimit)),
        preVerificationGas: BigInt(op.preVerificationGas),
        gasFees: pack(BigInt(op.maxPriorityFeePerGas), BigInt(op.maxFeePerGas)),
        paymasterGasLimits: (BigInt(op.paymasterVerificationGasLimit ?? PM_VERIFICATION_GAS) << 128n) | BigInt(op.paymasterPostOpGasLimit ?? PM_POSTOP_GAS),
        validUntil, validAfter,
      },
    });
    return encodePaymasterData(projectId, validUntil, validAfter, signature);
  }

  const methods: Record<string, (params: unknown[]) => Promise<unknown>> = {
    async pm_getPaymasterStubData([op, entryPoint, chain, context]) {
      const projectId = await check(op as RpcUserOp, entryPoint as Address, chain as Hex, context as { projectId?: Hex });
      return {
        paymaster: o.paymaster,
        paymasterData: encodePaymasterData(projectId, 0, 0, STUB_SIGNATURE),
        paymasterVerificationGasLimit: toHex(PM_VERIFICATION_GAS),
        paymasterPostOpGasLimit: toHex(PM_POSTOP_GAS),
        isFinal: false,
      };
    },
    async pm_getPaymasterData([op, entryPoint, chain, context]) {
      const userOp = op as RpcUserOp;
      const projectId = await check(userOp, entryPoint as Address, chain as Hex, context as { projectId?: Hex });
      const paymasterData = await sign(userOp, projectId);
      const key = userOp.sender.toLowerCase();
      history.set(key, [...(history.get(key) ?? []), Date.now()]);
      return { paymaster: o.paymaster, paymasterData };
    },
  };

  const server = createServer(async (req, res) => {
    let id: unknown = null;
    const reply = (body: object) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id, ...body }));
    };
    try {
      if (req.method !== "POST") throw new RpcError(-32600, "POST a JSON-RPC request");
      let raw = "";
      for await (const chunk of req) {
        raw += chunk;
        if (raw.length > 1_000_000) throw new RpcError(-32600, "request too large");
      }
      const body = JSON.parse(raw) as { id?: unknown; method?: string; params?: unknown[] };
      id = body.id ?? null;
      const method = body.method && methods[body.method];
      if (!method) throw new RpcError(-32601, `method ${String(body.method).slice(0, 64)} not supported`);
      reply({ result: await method(body.params ?? []) });
    } catch (error) {
      const e = error instanceof RpcError ? error : new RpcError(-32603, error instanceof SyntaxError ? "invalid JSON" : "internal error");
      reply({ error: { code: e.code, message: e.message } });
    }
  });
  await new Promise<void>((resolve) => server.listen(o.port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${o.port}`,
    server,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
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
    policy: {
      projectIds: env.ONEKEY_SPONSOR_PROJECTS ? env.ONEKEY_SPONSOR_PROJECTS.split(",").map((s) => BigInt(s.trim())) : undefined,
      maxOpsPerSenderPerDay: Number(env.ONEKEY_SPONSOR_MAX_OPS_PER_DAY ?? 100),
      validitySeconds: Number(env.ONEKEY_SPONSOR_VALIDITY ?? 600),
    },
  });
  console.log(`sponsor service on ${service.url}`);
  process.on("SIGTERM", () => void service.stop().then(() => process.exit(0)));
  process.on("SIGINT", () => void service.stop().then(() => process.exit(0)));
}
