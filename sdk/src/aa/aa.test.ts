// Sponsored user operations through a real bundler (alto) on a real anvil (Prague), with the
// canonical EntryPoint v0.8, OneKeyPaymaster and the ERC-7677 sponsor service: SimpleAccounts and
// EIP-7702-delegated EOAs (Simple7702Account). Who may be sponsored, and the caps, are tested in
// services/sponsor/test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPublicClient,
  createWalletClient,
  decodeAbiParameters,
  decodeFunctionData,
  encodeFunctionData,
  http,
  keccak256,
  parseAbi,
  parseEther,
  toFunctionSelector,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { startLocalAA, entryPointInitCode, type LocalAA } from "../../../scripts/aa/local.ts";
import { ENTRY_POINT_V08 } from "../constants.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attestationRegistryAbi, oneKeyPaymasterAbi, projectRegistryAbi, recordRegistryAbi, entryPointAbi } from "../abis.ts";
import {
  chargeOf,
  createSponsoredClient,
  estimateSponsoredCost,
  getProjectBalance,
  PAYMASTER_POSTOP_GAS,
  sendSponsored,
  smartAccountSender,
  API_KEY_SCOPE_SPONSOR,
  signSponsorshipTicket,
  SponsorshipRefusedError,
  toOneKey7702Account,
  toOneKeyAccount,
  UserOperationRejectedError,
  type SponsorRefusal,
} from "./index.ts";
import { accountGrantee, computeRecordId, projectGrantee, registerRecord } from "../contracts/index.ts";
import { draftOp, executeCall, GAS, initCodeFor, sponsor } from "../../../test/helpers/userops.ts";

const SPONSOR = 8;
const postOpAbi = parseAbi(["function postOp(uint8 mode, bytes context, uint256 actualGasCost, uint256 actualUserOpFeePerGas)"]);

describe("sponsored user operations via alto", () => {
  let anvil: Anvil;
  let aa: LocalAA;
  let publicClient: PublicClient;
  const wallet = (i: number) => createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) });
  // `data` comes from encodeFunctionData at the call site, typed by the ABI there.
  const send = async (i: number, to: Address, data: Hex, value?: bigint) => {
    const hash = await wallet(i).sendTransaction({ to, data, value });
    return publicClient.waitForTransactionReceipt({ hash });
  };
  const balance = (projectId: bigint) => getProjectBalance(publicClient, { paymaster: aa.paymaster, projectId });
  const deposit = () => publicClient.readContract({ address: aa.entryPoint, abi: entryPointAbi, functionName: "balanceOf", args: [aa.paymaster] });
  const newProject = async (funded: boolean, sponsorRole = true) => {
    const r = await send(1, aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "createProject", args: ["ipfs://p"] }));
    const id = BigInt(r.logs[0].topics[1]!);
    if (sponsorRole)
      await send(
        1,
        aa.oneKey.projectRegistry,
        encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [id, aa.sponsorSigner, SPONSOR] }),
      );
    if (funded) await send(1, aa.paymaster, encodeFunctionData({ abi: oneKeyPaymasterAbi, functionName: "fundProject", args: [id] }), parseEther("1"));
    // The project's backend authorises its subjects with this key (sponsor scope).
    await send(
      1,
      aa.oneKey.projectRegistry,
      encodeFunctionData({ abi: projectRegistryAbi, functionName: "addApiKey", args: [id, keccak256(toHex(apiKeyOf(id))), API_KEY_SCOPE_SPONSOR, 2n ** 40n] }),
    );
    return id;
  };
  const apiKeyOf = (projectId: bigint) => `ok_test_sponsor_${projectId}`;
  const clientFor = async (projectId: bigint) => {
    const account = await toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
    return createSponsoredClient({
      account,
      publicClient,
      bundlerUrl: aa.bundlerUrl,
      paymasterUrl: aa.sponsorUrl,
      projectId,
      apiKey: apiKeyOf(projectId),
      pollingInterval: 100,
    });
  };
  const setKey = (n: string) => ({
    to: aa.oneKey.recordRegistry,
    data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "setEncryptionKey", args: [keccak256(toHex(n))] }),
  });
  const register = (salt: Hex) => ({
    to: aa.oneKey.recordRegistry,
    data: encodeFunctionData({
      abi: recordRegistryAbi,
      functionName: "registerRecord",
      args: [salt, keccak256(toHex("s")), keccak256(toHex("c")), keccak256(toHex("m")), 1, 0],
    }),
  });

  /** What EntryPoint passed to the paymaster's postOp for this user operation (from the call trace). */
  async function postOpArgs(txHash: Hex, userOpHash: Hex) {
    type Frame = { to?: string; input: Hex; calls?: Frame[] };
    const trace = await publicClient.request<{ Parameters: [Hex, { tracer: "callTracer" }]; ReturnType: Frame }>({
      method: "debug_traceTransaction",
      params: [txHash, { tracer: "callTracer" }],
    });
    const found: { actualGasCost: bigint; feePerGas: bigint }[] = [];
    const walk = (f: Frame) => {
      if (f.to?.toLowerCase() === aa.paymaster.toLowerCase() && f.input.startsWith(toFunctionSelector("postOp(uint8,bytes,uint256,uint256)"))) {
        const { args } = decodeFunctionData({ abi: postOpAbi, data: f.input });
        const [, , hash] = decodeAbiParameters(
          [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "uint256" }, { type: "uint256" }],
          args[1],
        );
        if (hash === userOpHash) found.push({ actualGasCost: args[2], feePerGas: args[3] });
      }
      for (const c of f.calls ?? []) walk(c);
    };
    walk(trace);
    expect(found).toHaveLength(1);
    return found[0];
  }

  let project: bigint; // funded, sponsored by the service with its default policy

  beforeAll(async () => {
    anvil = await startAnvil({ hardfork: "prague" });
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    aa = await startLocalAA({
      rpcUrl: anvil.rpcUrl,
      policy: {
        validitySeconds: 600,
        projects: {
          "1": { maxOpsPerSubject: 1_000 },
          "2": { maxOpsPerSubject: 1_000 },
          "3": { methods: ["RecordRegistry.setEncryptionKey"], maxOpsPerSubject: 1 },
          "4": { maxCostWei: 1n },
        },
      },
    });
    project = await newProject(true); // 1
    await newProject(true, false); // 2: the service's key is not its SPONSOR
    await newProject(true); // 3: only setEncryptionKey, one op per sender
    await newProject(true); // 4: nothing fits its cost ceiling
  }, 180_000);
  afterAll(async () => {
    await aa?.stop();
    await anvil?.stop();
  });

  it("uses the canonical EntryPoint v0.8, deployed from the npm bytecode with the release salt", async () => {
    expect(aa.entryPoint).toBe(ENTRY_POINT_V08);
    expect(() => entryPointInitCode()).not.toThrow(); // checks CREATE2(deployer, salt, npm bytecode) == canonical
    expect(await publicClient.getCode({ address: ENTRY_POINT_V08 })).not.toBe("0x");
  });

  it("a zero-ETH subject deploys its account, registers, grants and revokes; the project pays exactly the formula on EntryPoint's figures", async () => {
    const bundler = await clientFor(project);
    const account = bundler.account;
    expect(await publicClient.getBalance({ address: account.address })).toBe(0n);
    const salt = keccak256(toHex("aa-record"));
    const recordId = computeRecordId(account.address, salt);
    const grantee = accountGrantee(privateKeyToAccount(ANVIL_KEYS[2]).address);
    const steps = [
      register(salt),
      {
        to: aa.oneKey.recordRegistry,
        data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [recordId, grantee, 0, 2n ** 40n, 1n, `0x${"ab".repeat(80)}`] }),
      },
      { to: aa.oneKey.recordRegistry, data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "revoke", args: [recordId, grantee] }) },
    ];
    for (const call of steps) {
      const estimate = await estimateSponsoredCost(bundler, { calls: [call] });
      const before = await balance(project);
      const depositBefore = await deposit();
      const r = await sendSponsored(bundler, { calls: [call] });
      expect(r.success).toBe(true);
      expect(r.charge.sender).toBe(account.address);
      expect(r.charge.projectId).toBe(project);
      // the balance drops by exactly the charge, and the charge is the documented formula applied to
      // what EntryPoint itself passed to postOp
      expect(before - (await balance(project))).toBe(r.charge.charged);
      const fromEntryPoint = await postOpArgs(r.receipt.transactionHash, r.userOpHash);
      expect(r.charge.actualGasCost).toBe(fromEntryPoint.actualGasCost);
      expect(r.charge.charged).toBe(chargeOf(fromEntryPoint.actualGasCost, fromEntryPoint.feePerGas, PAYMASTER_POSTOP_GAS));
      // EntryPoint's final figure (postOp included) is what left the deposit; the project covers it
      expect(depositBefore - (await deposit())).toBe(r.actualGasCost);
      expect(r.charge.charged).toBeGreaterThanOrEqual(r.actualGasCost);
      expect(r.charge.charged).toBeLessThanOrEqual(estimate.maxCharge);
      expect(estimate.maxCharge).toBeLessThanOrEqual(estimate.maxCost);
    }
    const record = await publicClient.readContract({ address: aa.oneKey.recordRegistry, abi: recordRegistryAbi, functionName: "getRecord", args: [recordId] });
    expect(record.owner).toBe(account.address);
    expect(
      (await publicClient.readContract({ address: aa.oneKey.recordRegistry, abi: recordRegistryAbi, functionName: "getGrant", args: [recordId, grantee] }))
        .revoked,
    ).toBe(true);
    expect(await publicClient.getBalance({ address: account.address })).toBe(0n);
  });

  it("EIP-7702: a zero-ETH EOA delegates to Simple7702Account, registers, grants and revokes, sponsored under a ticket; charges match EntryPoint", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    expect(await publicClient.getBalance({ address: owner.address })).toBe(0n);
    const account = await toOneKey7702Account({ client: publicClient, owner, implementation: aa.simple7702Account });
    expect(account.address).toBe(owner.address); // the EOA is the account: no deployment, no new address
    // The project's backend (its SPONSOR signer here) signs a ticket for this EOA.
    const backend = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[4]), chain: foundry, transport: http(anvil.rpcUrl) });
    const now = Number((await publicClient.getBlock()).timestamp);
    const ticket = await signSponsorshipTicket(backend, {
      chainId: 31337,
      paymaster: aa.paymaster,
      projectId: project,
      subject: owner.address,
      maxOps: 3,
      validUntil: now + 3_600,
    });
    const bundler = createSponsoredClient({
      account,
      publicClient,
      bundlerUrl: aa.bundlerUrl,
      paymasterUrl: aa.sponsorUrl,
      projectId: project,
      ticket,
      pollingInterval: 100,
    });
    const salt = keccak256(toHex("7702-record"));
    const recordId = computeRecordId(owner.address, salt);
    const grantee = accountGrantee(privateKeyToAccount(ANVIL_KEYS[2]).address);
    const steps = [
      register(salt),
      {
        to: aa.oneKey.recordRegistry,
        data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [recordId, grantee, 0, 2n ** 40n, 1n, `0x${"ab".repeat(80)}`] }),
      },
      { to: aa.oneKey.recordRegistry, data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "revoke", args: [recordId, grantee] }) },
    ];
    for (const [i, call] of steps.entries()) {
      const before = await balance(project);
      const depositBefore = await deposit();
      const r = await sendSponsored(bundler, { calls: [call] });
      expect(r.success).toBe(true);
      expect(r.charge.sender).toBe(owner.address);
      if (i === 0) {
        // the first operation carried the authorisation: the EOA now delegates to Simple7702Account
        const tx = await publicClient.getTransaction({ hash: r.receipt.transactionHash });
        expect(tx.type).toBe("eip7702");
        expect(await publicClient.getCode({ address: owner.address })).toBe(`0xef0100${aa.simple7702Account.slice(2).toLowerCase()}`);
      }
      expect(before - (await balance(project))).toBe(r.charge.charged);
      const fromEntryPoint = await postOpArgs(r.receipt.transactionHash, r.userOpHash);
      expect(r.charge.actualGasCost).toBe(fromEntryPoint.actualGasCost);
      expect(r.charge.charged).toBe(chargeOf(fromEntryPoint.actualGasCost, fromEntryPoint.feePerGas, PAYMASTER_POSTOP_GAS));
      expect(depositBefore - (await deposit())).toBe(r.actualGasCost);
    }
    const record = await publicClient.readContract({ address: aa.oneKey.recordRegistry, abi: recordRegistryAbi, functionName: "getRecord", args: [recordId] });
    expect(record.owner).toBe(owner.address);
    expect(
      (await publicClient.readContract({ address: aa.oneKey.recordRegistry, abi: recordRegistryAbi, functionName: "getGrant", args: [recordId, grantee] }))
        .revoked,
    ).toBe(true);
    expect(await publicClient.getBalance({ address: owner.address })).toBe(0n);
    // the ticket allowed three operations: a fourth is refused before anything is signed
    const error = await sendSponsored(bundler, { calls: [setKey("fourth")] }).catch((e: unknown) => e);
    expect((error as SponsorshipRefusedError).reason).toBe("TICKET_USED_UP");
  });

  it("SDK actions run as sponsored operations through smartAccountSender (a batch is one operation)", async () => {
    const bundler = await clientFor(project);
    const salt = keccak256(toHex("via-sender"));
    const sender = smartAccountSender(bundler);
    const r = await registerRecord(publicClient, {
      addresses: aa.oneKey,
      sender,
      salt,
      storageId: keccak256("0x01"),
      contentHash: keccak256("0x02"),
      manifestHash: keccak256("0x03"),
      scheme: 1,
      keyRelease: 0,
    });
    expect(r.owner).toBe(bundler.account.address);
    expect(r.userOpHash).toMatch(/^0x[0-9a-f]{64}$/);
    const batch = await sender.sendBatch([setKey("a"), register(keccak256(toHex("second")))]);
    expect(batch.userOpHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  describe("the sponsor service refuses before signing (named reasons); balances unchanged", () => {
    async function refusedBy(reason: SponsorRefusal, projectId: bigint, calls: { to: Address; data: Hex }[], bundler?: Awaited<ReturnType<typeof clientFor>>) {
      const b = bundler ?? (await clientFor(projectId));
      const before = await balance(projectId);
      const error = await sendSponsored(b, { calls }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SponsorshipRefusedError);
      expect((error as SponsorshipRefusedError).reason).toBe(reason);
      expect(await balance(projectId)).toBe(before);
    }

    it("a call to a non-OneKey target", () =>
      refusedBy("CALL_NOT_SPONSORED", project, [{ to: privateKeyToAccount(ANVIL_KEYS[7]).address, data: "0x12345678" }]));
    it("a project the service does not sponsor", () => refusedBy("PROJECT_NOT_SPONSORED", 7n, [setKey("x")]));
    it("a project whose SPONSOR role the service's key lacks", () => refusedBy("SIGNER_NOT_SPONSOR", 2n, [setKey("x")]));
    it("a method outside the project's policy", () => refusedBy("METHOD_NOT_ALLOWED", 3n, [register(keccak256(toHex("nope")))]));
    it("an operation above the project's cost ceiling", () => refusedBy("OVER_MAX_COST", 4n, [setKey("x")]));
    it("a call about another project: administering it, attesting for it, or a grant to it", async () => {
      await refusedBy("FOREIGN_PROJECT", project, [
        {
          to: aa.oneKey.projectRegistry,
          data: encodeFunctionData({ abi: projectRegistryAbi, functionName: "grantRoles", args: [3n, privateKeyToAccount(ANVIL_KEYS[7]).address, SPONSOR] }),
        },
      ]);
      await refusedBy("FOREIGN_PROJECT", project, [
        {
          to: aa.oneKey.attestationRegistry,
          data: encodeFunctionData({
            abi: attestationRegistryAbi,
            functionName: "attest",
            args: [3n, privateKeyToAccount(ANVIL_KEYS[7]).address, 2, 0n, 0, keccak256(toHex("r"))],
          }),
        },
      ]);
      // Batched behind an allowed call, the grant to project 3 still refuses the whole operation.
      await refusedBy("FOREIGN_PROJECT", project, [
        setKey("y"),
        {
          to: aa.oneKey.recordRegistry,
          data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [keccak256(toHex("r")), projectGrantee(3n), 0, 0n, 1n, "0x"] }),
        },
      ]);
    });
    it("a subject over its per-period limit", async () => {
      const bundler = await clientFor(3n);
      await sendSponsored(bundler, { calls: [setKey("first")] });
      await refusedBy("SUBJECT_OPS_CAP_REACHED", 3n, [setKey("second")], bundler);
    });
    it("a suspended project", async () => {
      const id = await newProject(true);
      await send(1, aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "suspend", args: [id] }));
      // not in this service's project list either way; check the on-chain role path with a default-policy service
      const { startSponsorService } = await import("@onekey/sponsor-service");
      const { freePort } = await import("../../../scripts/lib/ports.ts");
      const dbDir = mkdtempSync(join(tmpdir(), "onekey-sponsor-db-"));
      const service = await startSponsorService({
        port: await freePort(),
        rpcUrl: anvil.rpcUrl,
        paymaster: aa.paymaster,
        signerKey: ANVIL_KEYS[4],
        policy: { validitySeconds: 600 },
        dbDir,
      });
      try {
        const account = await toOneKeyAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), factory: aa.factory });
        const b = createSponsoredClient({ account, publicClient, bundlerUrl: aa.bundlerUrl, paymasterUrl: service.url, projectId: id, apiKey: apiKeyOf(id) });
        await refusedBy("SIGNER_NOT_SPONSOR", id, [setKey("x")], b);
      } finally {
        await service.stop();
        rmSync(dbDir, { recursive: true, force: true });
      }
    });

    it("inflated fees or paymaster gas limits in pm_getPaymasterData", async () => {
      const bundler = await clientFor(project);
      const estimate = await estimateSponsoredCost(bundler, { calls: [setKey("x")] });
      const account = bundler.account;
      const op = {
        sender: account.address,
        nonce: toHex(await account.getNonce()),
        ...(await account.getFactoryArgs()),
        callData: await account.encodeCalls([setKey("x")]),
        callGasLimit: toHex(estimate.callGasLimit),
        verificationGasLimit: toHex(estimate.verificationGasLimit),
        preVerificationGas: toHex(estimate.preVerificationGas),
        maxFeePerGas: toHex(estimate.maxFeePerGas),
        maxPriorityFeePerGas: toHex(estimate.maxPriorityFeePerGas),
        paymasterVerificationGasLimit: toHex(estimate.paymasterVerificationGasLimit),
        paymasterPostOpGasLimit: toHex(estimate.paymasterPostOpGasLimit),
      };
      const ask = async (o: object) => {
        const res = await fetch(aa.sponsorUrl, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKeyOf(project)}` },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "pm_getPaymasterData",
            params: [o, aa.entryPoint, toHex(31337), { projectId: toHex(project) }],
          }),
        });
        return (await res.json()) as { result?: { paymasterData: Hex }; error?: { data: { reason: string } } };
      };
      expect((await ask(op)).result?.paymasterData).toMatch(/^0x/);
      expect(
        (await ask({ ...op, maxPriorityFeePerGas: toHex(estimate.maxPriorityFeePerGas * 100n), maxFeePerGas: toHex(estimate.maxFeePerGas * 100n) })).error?.data
          .reason,
      ).toBe("FEE_TOO_HIGH");
      expect((await ask({ ...op, paymasterPostOpGasLimit: toHex(3_000_000n) })).error?.data.reason).toBe("GAS_LIMITS_CHANGED");
      expect((await ask({ ...op, paymasterPostOpGasLimit: toHex(1n) })).error?.data.reason).toBe("GAS_LIMITS_CHANGED");
      expect((await ask({ ...op, callGasLimit: toHex(50_000_000n) })).error?.data.reason).toBe("OVER_GAS_LIMIT");
      expect((await ask({ ...op, callGasLimit: "0xnothex" })).error?.data.reason).toBe("INVALID_REQUEST");
      const wrongChain = await fetch(aa.sponsorUrl, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKeyOf(project)}` },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "pm_getPaymasterData", params: [op, aa.entryPoint, toHex(8453), { projectId: toHex(project) }] }),
      });
      expect(((await wrongChain.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("WRONG_CHAIN");
    });
  });

  describe("drain attempts sent straight to alto (no sponsor service) are refused; balance and deposit unchanged", () => {
    const chainIdOf = () => publicClient.getChainId();
    // The paymaster's custom errors, as EntryPoint reports them from validation.
    const aa33 = (error: string) => new RegExp(`AA33 reverted ${toFunctionSelector(error)}`);
    // Builds a v0.8 user op for a fresh account (or `from`) with paymaster data signed as the test says.
    async function craft(
      opts: {
        target?: Address;
        data?: Hex;
        signer?: Hex;
        chainId?: number;
        project?: bigint;
        validUntil?: number;
        validAfter?: number;
        swapProjectTo?: bigint;
        from?: { owner: ReturnType<typeof privateKeyToAccount>; nonce: bigint };
        reusePaymasterAndData?: Hex;
        postOpGas?: bigint;
      } = {},
    ) {
      const owner = opts.from?.owner ?? privateKeyToAccount(generatePrivateKey());
      const sender = await publicClient.readContract({
        address: aa.factory,
        abi: parseAbi(["function getAddress(address,uint256) view returns (address)"]),
        functionName: "getAddress",
        args: [owner.address, 0n],
      });
      const callData = executeCall(opts.target ?? aa.oneKey.recordRegistry, opts.data ?? setKey(`k-${Math.random()}`).data);
      const op = draftOp({ sender, nonce: opts.from?.nonce ?? 0n, initCode: opts.from ? "0x" : initCodeFor(aa.factory, owner.address), callData });
      op.paymasterAndData =
        opts.reusePaymasterAndData ??
        (await sponsor(op, {
          projectId: opts.project ?? project,
          validUntil: opts.validUntil ?? 0,
          validAfter: opts.validAfter ?? 0,
          paymaster: aa.paymaster,
          chainId: opts.chainId ?? (await chainIdOf()),
          signer: privateKeyToAccount(opts.signer ?? ANVIL_KEYS[4]),
        }));
      if (opts.swapProjectTo !== undefined) {
        const pmd = op.paymasterAndData;
        op.paymasterAndData = `${pmd.slice(0, 2 + 104)}${opts.swapProjectTo.toString(16).padStart(64, "0")}${pmd.slice(2 + 168)}` as Hex;
      }
      if (opts.postOpGas !== undefined) {
        op.paymasterAndData =
          `${op.paymasterAndData.slice(0, 2 + 72)}${opts.postOpGas.toString(16).padStart(32, "0")}${op.paymasterAndData.slice(2 + 104)}` as Hex;
      }
      const hash = await publicClient.readContract({ address: aa.entryPoint, abi: entryPointAbi, functionName: "getUserOpHash", args: [op] });
      op.signature = await owner.sign({ hash });
      const pmd = op.paymasterAndData;
      return {
        owner,
        packed: op,
        rpc: {
          sender: op.sender,
          nonce: toHex(op.nonce),
          ...(op.initCode !== "0x" ? { factory: aa.factory, factoryData: `0x${op.initCode.slice(42)}` } : {}),
          callData: op.callData,
          callGasLimit: toHex(GAS.call),
          verificationGasLimit: toHex(GAS.verification),
          preVerificationGas: toHex(GAS.preVerification),
          maxFeePerGas: toHex(GAS.maxFee),
          maxPriorityFeePerGas: toHex(GAS.maxPriority),
          paymaster: aa.paymaster,
          paymasterVerificationGasLimit: toHex(BigInt(`0x${pmd.slice(42, 74)}`)),
          paymasterPostOpGasLimit: toHex(BigInt(`0x${pmd.slice(74, 106)}`)),
          paymasterData: `0x${pmd.slice(2 + 104)}`,
          signature: op.signature,
        },
      };
    }
    const submit = async (op: object) => {
      const res = await fetch(aa.bundlerUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendUserOperation", params: [op, aa.entryPoint] }),
      });
      return (await res.json()) as { result?: Hex; error?: { message: string } };
    };
    async function refused(op: object, reason: RegExp, projectId = project) {
      const before = await balance(projectId);
      const depositBefore = await deposit();
      const body = await submit(op);
      expect(body.result, "alto accepted the operation").toBeUndefined();
      expect(body.error?.message).toMatch(reason);
      // the SDK names it: the bundler's AA code and the paymaster's decoded error
      expect(new UserOperationRejectedError(body.error!.message, undefined).code).toMatch(/^AA\d\d$/);
      await publicClient.request<{ Parameters: unknown[]; ReturnType: unknown }>({ method: "evm_mine", params: [] });
      expect(await balance(projectId)).toBe(before);
      expect(await deposit()).toBe(depositBefore);
    }

    it("a replayed sponsorship (the same paymaster data on the next nonce) and a resubmitted operation", async () => {
      const first = await craft();
      const hash = (await submit(first.rpc)).result!;
      expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
      let receipt: { success: boolean } | null = null;
      for (let i = 0; i < 200 && !receipt; i++) {
        const res = await fetch(aa.bundlerUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getUserOperationReceipt", params: [hash] }),
        });
        receipt = ((await res.json()) as { result: { success: boolean } | null }).result;
        if (!receipt) await new Promise((r) => setTimeout(r, 50));
      }
      expect(receipt?.success).toBe(true);
      const replay = await craft({ from: { owner: first.owner, nonce: 1n }, reusePaymasterAndData: first.packed.paymasterAndData });
      await refused(replay.rpc, /AA34 signature error/);
      // the very same operation again: its account exists and its nonce is used
      await refused(first.rpc, /AA10 sender already constructed|AA25 invalid account nonce/);
    });
    it("project A's sponsorship presented for project B", async () => refused((await craft({ swapProjectTo: 3n })).rpc, /AA34 signature error/, 3n));
    it("a call to a non-OneKey target", async () =>
      refused((await craft({ target: privateKeyToAccount(ANVIL_KEYS[7]).address, data: "0x12345678" })).rpc, aa33("CallNotSponsored(address)")));
    it("an allowed target with a disallowed selector", async () =>
      refused((await craft({ data: toFunctionSelector("version()") })).rpc, aa33("CallNotSponsored(address)")));
    it("an expired window", async () => {
      const now = Number((await publicClient.getBlock()).timestamp);
      await refused((await craft({ validUntil: now - 10 })).rpc, /AA32 paymaster expired or not due/);
    });
    it("a not-yet-valid window", async () => {
      const now = Number((await publicClient.getBlock()).timestamp);
      await refused((await craft({ validAfter: now + 3_600 })).rpc, /AA32 paymaster expired or not due|not due|validAfter/i);
    });
    it("a signature for another chain", async () => refused((await craft({ chainId: 1 })).rpc, /AA34 signature error/));
    it("a signature by a non-SPONSOR", async () => refused((await craft({ signer: ANVIL_KEYS[2] })).rpc, /AA34 signature error/));
    it("a signature by the SPONSOR of a suspended project", async () => {
      const id = await newProject(true);
      await send(1, aa.oneKey.projectRegistry, encodeFunctionData({ abi: projectRegistryAbi, functionName: "suspend", args: [id] }));
      await refused((await craft({ project: id })).rpc, /AA34 signature error/, id);
    });
    it("a postOp gas limit too low to settle", async () => refused((await craft({ postOpGas: 11_999n })).rpc, aa33("PostOpGasLimitTooLow(uint256,uint256)")));
    it("a project over budget", async () => {
      const id = await newProject(true);
      await send(
        1,
        aa.paymaster,
        encodeFunctionData({
          abi: oneKeyPaymasterAbi,
          functionName: "withdrawFromProject",
          args: [id, privateKeyToAccount(ANVIL_KEYS[1]).address, (await balance(id)) - 1000n],
        }),
      );
      await refused((await craft({ project: id })).rpc, aa33("ProjectBalanceTooLow(uint256,uint256,uint256)"), id);
    });
  });
});
