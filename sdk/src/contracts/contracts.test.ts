// Every registry action once, against the real contracts on a real anvil; reverts decoded by name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  domainSeparator,
  http,
  keccak256,
  toHex,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { readContract, waitForTransactionReceipt } from "viem/actions";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { recordRegistryAbi } from "../abis.ts";
import { UnknownChainError } from "../addresses.ts";
import {
  AUDIT_ACCESS_WINDOW,
  AttestationRegistryRevertError,
  ChainMismatchError,
  ContractRevertError,
  NoSignerError,
  ProjectRegistryRevertError,
  Purpose,
  RecordRegistryRevertError,
  Roles,
  accountGrantee,
  acceptAdmin,
  activeProjectsWithRole,
  addApiKey,
  attest,
  attestBatch,
  attestBySig,
  attestationTypedData,
  computeRecordId,
  createProject,
  encryptionKeyOf,
  eraseRecord,
  getApiKey,
  getAttestation,
  getDomainSeparator,
  getGrant,
  getGrantWrappedKey,
  getNonce,
  getProject,
  getProjectCount,
  getRecord,
  getRecordPointer,
  grant,
  grantCall,
  grantRoles,
  hasAccess,
  hasActiveRole,
  hasAuditAccess,
  hasRole,
  isContractRevert,
  isGrantLive,
  isProjectActive,
  isVerified,
  parseGrantee,
  parseOneKeyEvents,
  parseRecordRegistryEvents,
  projectGrantee,
  projectsOf,
  recordAuditAccess,
  registerRecord,
  registerRecordCall,
  resumeProject,
  revoke,
  revokeApiKey,
  revokeAttestation,
  revokeRoles,
  rolesOf,
  rotateRecord,
  sendCalls,
  setEncryptionKey,
  setEscrowKey,
  setMetadataURI,
  setReviewKey,
  shareReviewKey,
  signAttestation,
  suspendProject,
  transferAdmin,
  type CallSender,
  InvalidActionInputError,
  InvalidGranteeError,
  Claim,
  InvalidClaimError,
  ageClaims,
  countryClaims,
  decodeClaims,
  hasClaims,
  projectClaim,
  FromBlockRequiredError,
} from "./index.ts";

const [DEPLOYER, ADMIN, REVIEWER, AUDITOR, SUBJECT, OTHER, RELAYER, NEW_ADMIN] = [0, 1, 2, 3, 4, 5, 6, 7];
const address = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]).address;
const key = (n: number): Hex => `0x${n.toString(16).padStart(2, "0").repeat(32)}`;
const salt = (label: string) => keccak256(toHex(label));

describe("contract actions on anvil", () => {
  let anvil: Anvil;
  let publicClient: PublicClient;
  let on: { addresses: OneKeyDeployment };
  const wallet = (i: number) => createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[i]), chain: foundry, transport: http(anvil.rpcUrl) });
  const now = async () => (await publicClient.getBlock()).timestamp;
  let projectId: bigint;

  beforeAll(async () => {
    anvil = await startAnvil();
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    on = { addresses: await deployOneKey(wallet(DEPLOYER), publicClient) };
    ({ projectId } = await createProject(wallet(ADMIN), { ...on, metadataURI: "ipfs://kyc-tier-2" }));
    await grantRoles(wallet(ADMIN), { ...on, projectId, account: address(REVIEWER), roles: Roles.REVIEWER });
    await grantRoles(wallet(ADMIN), { ...on, projectId, account: address(AUDITOR), roles: Roles.AUDITOR });
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  describe("ProjectRegistry", () => {
    it("creates projects and reads them back", async () => {
      const created = await createProject(wallet(OTHER), { ...on, metadataURI: "ipfs://second" });
      expect(created).toMatchObject({ projectId: projectId + 1n, admin: address(OTHER) });
      expect(created.receipt.status).toBe("success");
      expect(await getProjectCount(publicClient, on)).toBe(projectId + 1n);
      await setMetadataURI(wallet(OTHER), { ...on, projectId: created.projectId, metadataURI: "ipfs://renamed" });
      expect(await getProject(publicClient, { ...on, projectId: created.projectId })).toMatchObject({
        admin: address(OTHER),
        metadataURI: "ipfs://renamed",
        suspended: false,
      });
    });

    it("grants and revokes roles; role reads agree", async () => {
      const member = address(OTHER);
      expect((await grantRoles(wallet(ADMIN), { ...on, projectId, account: member, roles: Roles.REVIEWER | Roles.SPONSOR })).roles).toBe(10);
      expect(await rolesOf(publicClient, { ...on, projectId, account: member })).toBe(10);
      expect(await hasRole(publicClient, { ...on, projectId, account: member, role: Roles.SPONSOR })).toBe(true);
      expect(await hasActiveRole(publicClient, { ...on, projectId, account: member, role: Roles.REVIEWER })).toBe(true);
      expect(await activeProjectsWithRole(publicClient, { ...on, account: member, role: Roles.REVIEWER })).toContain(projectId);
      expect(await projectsOf(publicClient, { ...on, account: member })).toContain(projectId);
      expect((await revokeRoles(wallet(ADMIN), { ...on, projectId, account: member, roles: Roles.REVIEWER | Roles.SPONSOR })).roles).toBe(0);
      expect(await hasRole(publicClient, { ...on, projectId, account: member, role: Roles.REVIEWER })).toBe(false);
    });

    it("sets review and escrow keys and shares the review key with a reviewer", async () => {
      expect((await setReviewKey(wallet(ADMIN), { ...on, projectId, publicKey: key(0x11) })).keyVersion).toBe(1);
      expect((await setEscrowKey(wallet(ADMIN), { ...on, projectId, publicKey: key(0x22) })).keyVersion).toBe(1);
      const shared = await shareReviewKey(wallet(ADMIN), { ...on, projectId, reviewer: address(REVIEWER), wrappedKey: "0xabcdef" });
      expect(shared.keyVersion).toBe(1);
      expect(await getProject(publicClient, { ...on, projectId })).toMatchObject({
        reviewKey: key(0x11),
        escrowKey: key(0x22),
        reviewKeyVersion: 1,
        escrowKeyVersion: 1,
      });
    });

    it("registers and revokes API-key hashes", async () => {
      const keyHash = keccak256(toHex("integrator-key"));
      const expiry = (await now()) + 86_400n;
      await addApiKey(wallet(ADMIN), { ...on, projectId, keyHash, scopes: 3, expiry });
      expect(await getApiKey(publicClient, { ...on, projectId, keyHash })).toEqual({ scopes: 3, expiry, revoked: false });
      await revokeApiKey(wallet(ADMIN), { ...on, projectId, keyHash });
      expect((await getApiKey(publicClient, { ...on, projectId, keyHash })).revoked).toBe(true);
    });

    it("suspends, resumes and transfers a project", async () => {
      const { projectId: id } = await createProject(wallet(OTHER), { ...on, metadataURI: "ipfs://transfer" });
      await suspendProject(wallet(OTHER), { ...on, projectId: id });
      expect(await isProjectActive(publicClient, { ...on, projectId: id })).toBe(false);
      await resumeProject(wallet(OTHER), { ...on, projectId: id });
      expect(await isProjectActive(publicClient, { ...on, projectId: id })).toBe(true);
      await transferAdmin(wallet(OTHER), { ...on, projectId: id, newAdmin: address(NEW_ADMIN) });
      expect((await getProject(publicClient, { ...on, projectId: id })).pendingAdmin).toBe(address(NEW_ADMIN));
      await acceptAdmin(wallet(NEW_ADMIN), { ...on, projectId: id });
      expect((await getProject(publicClient, { ...on, projectId: id })).admin).toBe(address(NEW_ADMIN));
    });
  });

  describe("RecordRegistry", () => {
    const pointer = { storageId: key(0x31), contentHash: key(0x32), manifestHash: key(0x33), scheme: 1, keyRelease: 0 };

    it("registers encryption keys", async () => {
      expect((await setEncryptionKey(wallet(OTHER), { ...on, publicKey: key(0x44) })).keyVersion).toBe(1);
      expect(await encryptionKeyOf(publicClient, { ...on, account: address(OTHER) })).toEqual({ publicKey: key(0x44), version: 1 });
      expect(await encryptionKeyOf(publicClient, { ...on, account: address(NEW_ADMIN) })).toEqual({ publicKey: zeroHash, version: 0 });
    });

    it("registers, grants (account and project), audits, revokes, rotates and erases a record", async () => {
      const s = salt("record-1");
      const registered = await registerRecord(wallet(SUBJECT), { ...on, salt: s, ...pointer });
      const recordId = registered.recordId;
      expect(recordId).toBe(computeRecordId(address(SUBJECT), s));
      expect(
        await readContract(publicClient, {
          address: on.addresses.recordRegistry,
          abi: recordRegistryAbi,
          functionName: "computeRecordId",
          args: [address(SUBJECT), s],
        }),
      ).toBe(recordId);
      expect(await getRecord(publicClient, { ...on, recordId })).toMatchObject({
        owner: address(SUBJECT),
        version: 1,
        erased: false,
        contentHash: pointer.contentHash,
      });
      expect(await getRecordPointer(publicClient, { ...on, recordId })).toMatchObject({ storageId: pointer.storageId, manifestHash: pointer.manifestHash });

      // An account grantee key opens the record for exactly that account, as GranteeKeys.sol reads it.
      const expiry = (await now()) + 3_600n;
      const toOther = accountGrantee(address(OTHER));
      expect(
        (await grant(wallet(SUBJECT), { ...on, recordId, grantee: toOther, purpose: "SUPPORT", expiry, fieldMask: 0b101n, wrappedKey: "0x0102" }))
          .recordVersion,
      ).toBe(1);
      expect(await hasAccess(publicClient, { ...on, recordId, user: address(OTHER) })).toBe(true);
      expect(await getGrant(publicClient, { ...on, recordId, grantee: toOther })).toMatchObject({
        expiry,
        fieldMask: 0b101n,
        recordVersion: 1,
        purpose: Purpose.SUPPORT,
        revoked: false,
      });
      expect(await getGrantWrappedKey(publicClient, { ...on, fromBlock: 0n, recordId, grantee: toOther })).toEqual({
        wrappedKey: "0x0102",
        recordVersion: 1,
        fieldMask: 0b101n,
      });
      // No silent scan from genesis (Base RPC providers refuse one): the caller says where to start.
      await expect(getGrantWrappedKey(publicClient, { ...on, recordId, grantee: toOther })).rejects.toBeInstanceOf(FromBlockRequiredError);

      // A project grantee key opens it for the project's REVIEWERs.
      expect(await hasAccess(publicClient, { ...on, recordId, user: address(REVIEWER) })).toBe(false);
      await grant(wallet(SUBJECT), {
        ...on,
        recordId,
        grantee: projectGrantee(projectId),
        purpose: Purpose.KYC_REVIEW,
        expiry,
        fieldMask: 1n,
        wrappedKey: "0x03",
      });
      expect(await hasAccess(publicClient, { ...on, recordId, user: address(REVIEWER) })).toBe(true);
      expect(await isGrantLive(publicClient, { ...on, recordId, grantee: projectGrantee(projectId) })).toBe(true);

      const audit = await recordAuditAccess(wallet(AUDITOR), { ...on, recordId, projectId, authorisationHash: keccak256(toHex("court-order-7")) });
      expect(audit.validUntil).toBe(BigInt((await publicClient.getBlock({ blockHash: audit.receipt.blockHash })).timestamp) + AUDIT_ACCESS_WINDOW);
      expect(await hasAuditAccess(publicClient, { ...on, recordId, projectId, auditor: address(AUDITOR) })).toBe(true);

      await revoke(wallet(SUBJECT), { ...on, recordId, grantee: toOther });
      expect(await hasAccess(publicClient, { ...on, recordId, user: address(OTHER) })).toBe(false);

      const rotated = await rotateRecord(wallet(SUBJECT), { ...on, recordId, ...pointer, storageId: key(0x41), contentHash: key(0x42) });
      expect(rotated.version).toBe(2);
      expect(await isGrantLive(publicClient, { ...on, recordId, grantee: projectGrantee(projectId) })).toBe(false);
      expect((await getRecordPointer(publicClient, { ...on, recordId })).storageId).toBe(key(0x41));

      await eraseRecord(wallet(SUBJECT), { ...on, recordId });
      expect((await getRecord(publicClient, { ...on, recordId })).erased).toBe(true);
      expect(await hasAccess(publicClient, { ...on, recordId, user: address(SUBJECT) })).toBe(false);
    });

    it("grantee keys round-trip and refuse what GranteeKeys.sol would not accept", () => {
      expect(parseGrantee(accountGrantee(address(OTHER)))).toEqual({ account: address(OTHER) });
      expect(parseGrantee(projectGrantee(7n))).toEqual({ projectId: 7n });
      expect(projectGrantee(1n)).toBe(`0x8${"0".repeat(62)}1`);
      expect(() => projectGrantee(0n)).toThrow(InvalidGranteeError);
      expect(() => accountGrantee("0x0000000000000000000000000000000000000000")).toThrow(InvalidGranteeError);
      expect(() => parseGrantee(zeroHash)).toThrow(InvalidGranteeError);
    });
  });

  describe("AttestationRegistry", () => {
    it("attests one and many, gates isVerified, and revokes", async () => {
      const expiry = (await now()) + 86_400n;
      const one = await attest(wallet(REVIEWER), { ...on, projectId, subject: address(SUBJECT), level: 2, expiry, recordId: zeroHash });
      expect(one.attester).toBe(address(REVIEWER));
      expect(await isVerified(publicClient, { ...on, subject: address(SUBJECT), projectId, minLevel: 2 })).toBe(true);
      expect(await isVerified(publicClient, { ...on, subject: address(SUBJECT), projectId, minLevel: 3 })).toBe(false);
      expect(await getAttestation(publicClient, { ...on, subject: address(SUBJECT), projectId })).toEqual({
        level: 2,
        expiry,
        attester: address(REVIEWER),
        claims: 0,
      });

      const batch = await attestBatch(wallet(REVIEWER), {
        ...on,
        projectId,
        requests: [address(OTHER), address(NEW_ADMIN)].map((subject) => ({ subject, level: 1, expiry, recordId: zeroHash })),
      });
      expect(batch.attested).toBe(2);
      expect(await isVerified(publicClient, { ...on, subject: address(NEW_ADMIN), projectId, minLevel: 1 })).toBe(true);

      await revokeAttestation(wallet(REVIEWER), { ...on, projectId, subject: address(SUBJECT) });
      expect(await isVerified(publicClient, { ...on, subject: address(SUBJECT), projectId, minLevel: 1 })).toBe(false);
    });

    it("attests claims derived from granted fields; hasClaims answers by name or bits", async () => {
      const expiry = (await now()) + 86_400n;
      // What a reviewer does in memory: only the bits leave.
      const claims = ageClaims("2000-02-29", "2018-03-01") | countryClaims("fr", ["DE", "FR"]) | Claim.SANCTIONS_SCREENED | projectClaim(3);
      expect(decodeClaims(claims)).toEqual({ names: ["AGE_OVER_18", "SANCTIONS_SCREENED", "COUNTRY_ALLOWED"], project: [3] });
      await attest(wallet(REVIEWER), { ...on, projectId, subject: address(SUBJECT), level: 2, expiry, claims, recordId: zeroHash });
      const subject = address(SUBJECT);
      expect(await getAttestation(publicClient, { ...on, subject, projectId })).toEqual({ level: 2, expiry, attester: address(REVIEWER), claims });
      expect(await hasClaims(publicClient, { ...on, subject, projectId, minLevel: 2, claims: ["AGE_OVER_18", "COUNTRY_ALLOWED"] })).toBe(true);
      expect(await hasClaims(publicClient, { ...on, subject, projectId, minLevel: 2, claims: projectClaim(3) })).toBe(true);
      expect(await hasClaims(publicClient, { ...on, subject, projectId, minLevel: 2, claims: ["AGE_OVER_21"] })).toBe(false);
      expect(await hasClaims(publicClient, { ...on, subject, projectId, minLevel: 3, claims: [] })).toBe(false);
      // Names go through batch and signatures too, and the signed request is the one relayed.
      await attestBatch(wallet(REVIEWER), {
        ...on,
        projectId,
        requests: [{ subject: address(NEW_ADMIN), level: 1, expiry, claims: ["PEP_SCREENED"], recordId: zeroHash }],
      });
      expect(await hasClaims(publicClient, { ...on, subject: address(NEW_ADMIN), projectId, minLevel: 1, claims: ["PEP_SCREENED"] })).toBe(true);
      const signed = await signAttestation(wallet(REVIEWER), {
        ...on,
        projectId,
        request: { subject: address(OTHER), level: 1, expiry, claims: ["LIVENESS_CHECKED"], recordId: zeroHash },
        deadline: (await now()) + 600n,
      });
      expect(signed.request.claims).toBe(Claim.LIVENESS_CHECKED);
      await attestBySig(wallet(RELAYER), { ...on, ...signed });
      expect(await hasClaims(publicClient, { ...on, subject: address(OTHER), projectId, minLevel: 1, claims: ["LIVENESS_CHECKED"] })).toBe(true);
      // Bad claims are refused before anything is sent, with a named error.
      await expect(attest(wallet(REVIEWER), { ...on, projectId, subject, level: 1, expiry, claims: 1 << 9, recordId: zeroHash })).rejects.toBeInstanceOf(
        InvalidClaimError,
      );
      // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
      await expect(attest(wallet(REVIEWER), { ...on, projectId, subject, level: 1, expiry, claims: ["OVER_9000"], recordId: zeroHash })).rejects.toBeInstanceOf(
        InvalidClaimError,
      );
      await expect(hasClaims(publicClient, { ...on, subject, projectId, minLevel: 1, claims: -1 })).rejects.toBeInstanceOf(InvalidClaimError);
    });

    it("a reviewer signs (EIP-712), a relayer submits with attestBySig", async () => {
      const deadline = (await now()) + 600n;
      const request = { subject: address(OTHER), level: 3, expiry: (await now()) + 86_400n, recordId: zeroHash };
      const before = await getNonce(publicClient, { ...on, attester: address(REVIEWER) });
      const signed = await signAttestation(wallet(REVIEWER), { ...on, projectId, request, deadline });
      expect(signed).toMatchObject({ attester: address(REVIEWER), nonce: before });
      await attestBySig(wallet(RELAYER), { ...on, ...signed });
      expect(await getAttestation(publicClient, { ...on, subject: address(OTHER), projectId })).toMatchObject({ level: 3, attester: address(REVIEWER) });
      expect(await getNonce(publicClient, { ...on, attester: address(REVIEWER) })).toBe(before + 1n);
      // The SDK's typed-data domain is the one the contract checks.
      const typed = attestationTypedData({
        chainId: foundry.id,
        verifyingContract: on.addresses.attestationRegistry,
        projectId,
        request,
        attester: address(REVIEWER),
        nonce: 0n,
        deadline,
      });
      expect(await getDomainSeparator(publicClient, on)).toBe(domainSeparator({ domain: typed.domain }));
      // A replay uses a spent nonce: the digest no longer matches the signer.
      const replay = await attestBySig(wallet(RELAYER), { ...on, ...signed }).catch((e) => e);
      expect(isContractRevert(replay, "InvalidSignature")).toBe(true);
    });
  });

  describe("reverts decode into named errors, before anything is sent", () => {
    it("GrantNotFound(recordId, grantee) from revoke", async () => {
      const { recordId } = await registerRecord(wallet(SUBJECT), {
        ...on,
        salt: salt("no-grant"),
        storageId: key(1),
        contentHash: key(2),
        manifestHash: key(3),
        scheme: 1,
        keyRelease: 0,
      });
      const grantee = accountGrantee(address(OTHER));
      const nonce = await publicClient.getTransactionCount({ address: address(SUBJECT) });
      const error = await revoke(wallet(SUBJECT), { ...on, recordId, grantee }).catch((e) => e);
      expect(error).toBeInstanceOf(RecordRegistryRevertError);
      expect(error).toBeInstanceOf(ContractRevertError);
      expect(error.name).toBe("RecordRegistryRevertError");
      expect(error).toMatchObject({ errorName: "GrantNotFound", functionName: "revoke", contract: "recordRegistry" });
      expect(error.args).toEqual([recordId, grantee]);
      if (isContractRevert(error, "GrantNotFound")) {
        const [id, who]: readonly [Hex, Hex] = error.args; // typed from the ABI
        expect([id, who]).toEqual([recordId, grantee]);
      }
      expect(await publicClient.getTransactionCount({ address: address(SUBJECT) })).toBe(nonce);
    });

    it("MissingRole, ProjectNotFound, RecordExists, ExpiryNotInFuture, NotReviewer, SignatureExpired", async () => {
      const missing = await grantRoles(wallet(OTHER), { ...on, projectId, account: address(OTHER), roles: Roles.ADMIN }).catch((e) => e);
      expect(missing).toBeInstanceOf(ProjectRegistryRevertError);
      expect(missing).toMatchObject({ errorName: "MissingRole", args: [projectId, address(OTHER), Roles.ADMIN] });

      const notFound = await getProject(publicClient, { ...on, projectId: 999n }).catch((e) => e);
      expect(notFound).toMatchObject({ name: "ProjectRegistryRevertError", errorName: "ProjectNotFound", args: [999n] });

      const p = { ...on, salt: salt("twice"), storageId: key(1), contentHash: key(2), manifestHash: key(3), scheme: 1, keyRelease: 0 };
      const { recordId } = await registerRecord(wallet(SUBJECT), p);
      expect(await registerRecord(wallet(SUBJECT), p).catch((e) => e)).toMatchObject({ errorName: "RecordExists", args: [recordId] });

      const past = await grant(wallet(SUBJECT), {
        ...on,
        recordId,
        grantee: accountGrantee(address(OTHER)),
        purpose: 0,
        expiry: 1n,
        fieldMask: 1n,
        wrappedKey: "0x01",
      }).catch((e) => e);
      expect(past).toMatchObject({ errorName: "ExpiryNotInFuture" });
      expect(past.args[0]).toBe(1n);

      const notReviewer = await attest(wallet(OTHER), { ...on, projectId, subject: address(SUBJECT), level: 1, expiry: 2n ** 40n, recordId: zeroHash }).catch(
        (e) => e,
      );
      expect(notReviewer).toBeInstanceOf(AttestationRegistryRevertError);
      expect(notReviewer).toMatchObject({ errorName: "NotReviewer", args: [projectId, address(OTHER)] });

      const request = { subject: address(OTHER), level: 1, expiry: 2n ** 40n, recordId: zeroHash };
      const signed = await signAttestation(wallet(REVIEWER), { ...on, projectId, request, deadline: 1n });
      expect(await attestBySig(wallet(RELAYER), { ...on, ...signed }).catch((e) => e)).toMatchObject({ errorName: "SignatureExpired", args: [1n] });
    });
  });

  describe("clients, chains and the send step", () => {
    it("refuses a wallet whose chain is not the RPC's, and a chain without addresses", async () => {
      const wrongChain = createWalletClient({
        account: privateKeyToAccount(ANVIL_KEYS[SUBJECT]),
        chain: defineChain({ ...foundry, id: 999 }),
        transport: http(anvil.rpcUrl),
      });
      const error = await setEncryptionKey(wrongChain, { ...on, publicKey: key(9) }).catch((e) => e);
      expect(error).toBeInstanceOf(ChainMismatchError);
      expect(error).toMatchObject({ expected: 999, actual: 31337 });
      await expect(isVerified(publicClient, { ...on, chainId: 8453, subject: address(1), projectId, minLevel: 1 })).rejects.toThrow(ChainMismatchError);

      const other = await startAnvil({ chainId: 4242 });
      try {
        const c = createPublicClient({ transport: http(other.rpcUrl) });
        await expect(getProjectCount(c)).rejects.toThrow(UnknownChainError);
      } finally {
        await other.stop();
      }
    });

    it("arguments that do not encode are a named error and send nothing", async () => {
      const nonce = await publicClient.getTransactionCount({ address: address(SUBJECT) });
      const p = { ...on, recordId: zeroHash, grantee: accountGrantee(address(OTHER)), expiry: 2n ** 40n, fieldMask: 1n };
      await expect(grant(wallet(SUBJECT), { ...p, purpose: 0, wrappedKey: "0xnothex" as Hex })).rejects.toThrow(InvalidActionInputError);
      // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
      await expect(grant(wallet(SUBJECT), { ...p, purpose: "GOSSIP", wrappedKey: "0x01" })).rejects.toThrow(InvalidActionInputError);
      await expect(setEncryptionKey(wallet(SUBJECT), { ...on, publicKey: "0x1234" })).rejects.toThrow(InvalidActionInputError);
      expect(await publicClient.getTransactionCount({ address: address(SUBJECT) })).toBe(nonce);
    });

    it("writes need an account; `account` overrides the client's", async () => {
      await expect(setEncryptionKey(publicClient, { ...on, publicKey: key(5) })).rejects.toThrow(NoSignerError);
      const bare = createWalletClient({ chain: foundry, transport: http(anvil.rpcUrl) });
      await setEncryptionKey(bare, { ...on, publicKey: key(6), account: privateKeyToAccount(ANVIL_KEYS[NEW_ADMIN]) });
      expect((await encryptionKeyOf(publicClient, { ...on, account: address(NEW_ADMIN) })).publicKey).toBe(key(6));
    });

    it("call builders feed a pluggable sender, which may batch", async () => {
      // A stand-in for a smart account: it receives plain { to, data } calls and makes them one
      // "operation" — here several transactions from one EOA, so the chain checks what was sent.
      const relay = wallet(OTHER);
      const seen: { to: Address; data: Hex }[][] = [];
      const sender: CallSender = {
        address: relay.account.address,
        async send(call) {
          return this.sendBatch!([call]);
        },
        async sendBatch(calls) {
          seen.push(calls);
          let receipt: TransactionReceipt | undefined;
          for (const c of calls) receipt = await waitForTransactionReceipt(publicClient, { hash: await relay.sendTransaction(c) });
          return receipt!;
        },
      };
      const s1 = salt("batched-1");
      const s2 = salt("batched-2");
      const pointer = { storageId: key(7), contentHash: key(8), manifestHash: key(9), scheme: 1, keyRelease: 0 };
      const calls = [
        registerRecordCall(on.addresses.recordRegistry, { salt: s1, ...pointer }),
        registerRecordCall(on.addresses.recordRegistry, { salt: s2, ...pointer }),
      ];
      const results = await sendCalls(publicClient, { calls, sender });
      expect(seen).toHaveLength(1);
      expect(seen[0].map((c) => c.data)).toEqual(calls.map((c) => c.data));
      expect(results).toHaveLength(1);
      for (const s of [s1, s2]) expect((await getRecord(publicClient, { ...on, recordId: computeRecordId(sender.address, s) })).owner).toBe(sender.address);

      // A revert is decoded from the sender's address before the sender is asked to send anything.
      const bad = grantCall(on.addresses.recordRegistry, {
        recordId: computeRecordId(sender.address, s1),
        grantee: projectGrantee(4242n),
        purpose: 0,
        expiry: 2n ** 40n,
        fieldMask: 1n,
        wrappedKey: "0x01",
      });
      expect(await sendCalls(publicClient, { calls: [bad], sender }).catch((e) => e)).toMatchObject({ errorName: "GranteeProjectInactive", args: [4242n] });
      expect(seen).toHaveLength(1);

      // The same builders through a plain wallet: one transaction per call, in order.
      const plain = await sendCalls(wallet(SUBJECT), { calls: [registerRecordCall(on.addresses.recordRegistry, { salt: salt("plain"), ...pointer })] });
      expect(parseRecordRegistryEvents(plain[0], { eventName: "RecordRegistered" })[0].args.owner).toBe(address(SUBJECT));
    });

    it("decodes every OneKey event in a receipt", async () => {
      const { receipt } = await createProject(wallet(NEW_ADMIN), { ...on, metadataURI: "ipfs://events" });
      const events = parseOneKeyEvents(receipt);
      expect(events.map((e) => e.eventName)).toEqual(["ProjectCreated"]);
      expect(parseRecordRegistryEvents(receipt)).toEqual([]);
    });
  });
});
