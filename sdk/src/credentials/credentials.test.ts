// Attestation credentials: the committed vectors (fixed key, expected output), offline
// verification and every way it must fail, and the status against real contracts on anvil
// (revoked, re-attested, expired, signed by someone who is not the attester).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  concat,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  getAddress,
  hashTypedData,
  http,
  keccak256,
  toHex,
  zeroHash,
  type Address,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { startAnvil, ANVIL_KEYS, type Anvil } from "../../../scripts/lib/anvil.ts";
import { deployOneKey, type OneKeyDeployment } from "../../../scripts/lib/artifacts.ts";
import { Roles, attest, createProject, grantRoles, revokeAttestation } from "../contracts/index.ts";
import {
  CredentialAttesterMismatchError,
  CredentialExpectationError,
  CredentialExpiredError,
  CredentialFormatError,
  CredentialIssueError,
  CredentialNotYetValidError,
  CredentialRevokedError,
  CredentialSignatureError,
  CredentialSupersededError,
  checkCredentialStatus,
  credentialTypedData,
  issueAttestationCredential,
  signCredential,
  verifyCredential,
  verifyCredentialWithStatus,
  type AttestationCredential,
  type CredentialStatement,
} from "./index.ts";
import vectors from "./vectors.json" with { type: "json" };

const statementOf = (v: (typeof vectors.vectors)[number]["statement"]): CredentialStatement => ({
  ...v,
  issuer: v.issuer as Address,
  attestationRegistry: v.attestationRegistry as Address,
  subject: v.subject as Address,
  projectId: BigInt(v.projectId),
  validFrom: BigInt(v.validFrom),
  validUntil: BigInt(v.validUntil),
  binding: v.binding as CredentialStatement["binding"],
});
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe("committed test vectors", () => {
  const signer = privateKeyToAccount(vectors.privateKey as `0x${string}`);

  it("the fixed key is the well-known public test key", () => {
    expect(signer.address).toBe("0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  });

  for (const v of vectors.vectors) {
    it(`${v.label}: signing reproduces the committed credential byte for byte`, async () => {
      const { issuer: _issuer, ...statement } = statementOf(v.statement);
      expect(await signCredential(signer, statement)).toEqual(v.credential);
      expect(JSON.stringify(await signCredential(signer, statement), null, 2)).toBe(JSON.stringify(v.credential, null, 2));
    });

    it(`${v.label}: the typed-data hash matches an encoding written out by hand (EIP-712)`, () => {
      const s = statementOf(v.statement);
      const typeHash = keccak256(
        toHex("OneKeyCredential(address issuer,address subject,uint256 projectId,uint8 level,uint32 claims,uint64 validFrom,uint64 validUntil,uint8 binding)"),
      );
      const structHash = keccak256(
        encodeAbiParameters(
          [
            { type: "bytes32" },
            { type: "address" },
            { type: "address" },
            { type: "uint256" },
            { type: "uint8" },
            { type: "uint32" },
            { type: "uint64" },
            { type: "uint64" },
            { type: "uint8" },
          ],
          [typeHash, s.issuer, s.subject, s.projectId, s.level, s.claims, s.validFrom, s.validUntil, s.binding === "exact" ? 0 : 1],
        ),
      );
      const domainHash = keccak256(
        encodeAbiParameters(
          [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }, { type: "address" }],
          [
            keccak256(toHex("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")),
            keccak256(toHex("OneKey Credential")),
            keccak256(toHex("1")),
            BigInt(s.chainId),
            s.attestationRegistry,
          ],
        ),
      );
      const digest = keccak256(concat(["0x1901", domainHash, structHash]));
      expect(digest).toBe(v.typedDataHash);
      expect(hashTypedData(credentialTypedData(s))).toBe(v.typedDataHash);
      expect(v.credential.id).toBe(`urn:onekey:credential:${v.typedDataHash}`);
    });

    it(`${v.label}: verifies offline inside its window and names its claims`, async () => {
      const s = statementOf(v.statement);
      const verified = await verifyCredential(v.credential, { now: s.validFrom + 60n, chainId: s.chainId, projectId: s.projectId });
      expect(verified).toMatchObject({ issuer: s.issuer, subject: s.subject, level: s.level, claims: s.claims, binding: s.binding });
      expect(verified.claimNames).toEqual(v.credential.credentialSubject.claims);
    });
  }
});

describe("offline verification fails", () => {
  const v = vectors.vectors[0];
  const s = statementOf(v.statement);
  const now = s.validFrom + 60n;
  const good = v.credential as unknown as AttestationCredential;

  it("after expiry (validUntil is the first invalid second) and before validFrom", async () => {
    await expect(verifyCredential(good, { now: s.validUntil })).rejects.toBeInstanceOf(CredentialExpiredError);
    await expect(verifyCredential(good, { now: s.validUntil - 1n })).resolves.toBeTruthy();
    await expect(verifyCredential(good, { now: s.validFrom - 1n })).rejects.toBeInstanceOf(CredentialNotYetValidError);
  });

  it("with any signed field tampered", async () => {
    const edits: [string, (c: any) => void][] = [
      ["level", (c) => (c.credentialSubject.level = 3)],
      ["a claim added", (c) => c.credentialSubject.claims.push("ACCREDITED_INVESTOR")],
      ["a claim removed", (c) => c.credentialSubject.claims.shift()],
      ["projectId", (c) => (c.credentialSubject.projectId = "8")],
      ["subject", (c) => (c.credentialSubject.id = c.credentialSubject.id.replace(/2222$/, "3333"))],
      ["validUntil", (c) => (c.validUntil = "2028-12-01T00:00:00Z")],
      ["binding", (c) => (c.credentialStatus.binding = "minimum")],
      ["registry", (c) => (c.credentialStatus.attestationRegistry = "0x3333333333333333333333333333333333333333")],
      ["chain (issuer DID)", (c) => (c.issuer = c.issuer.replace("eip155:8453:", "eip155:1:"))],
    ];
    for (const [what, edit] of edits) {
      const c = clone(good);
      edit(c);
      // A changed statement makes a document whose signature recovers another address, or no
      // longer matches the document the statement makes (ids, DIDs, eip712 copy).
      const error = await verifyCredential(c, { now }).catch((e) => e);
      expect([CredentialSignatureError.name, CredentialFormatError.name], what).toContain(error?.name);
    }
  });

  it("with the signature changed, an added field, a dropped field, or garbage", async () => {
    const flipped = clone(good);
    flipped.proof.proofValue =
      `${good.proof.proofValue.slice(0, 10)}${good.proof.proofValue[10] === "0" ? "1" : "0"}${good.proof.proofValue.slice(11)}` as `0x${string}`;
    await expect(verifyCredential(flipped, { now })).rejects.toBeInstanceOf(CredentialSignatureError);
    const added = clone(good) as any;
    added.credentialSubject.dateOfBirth = "1990-01-01";
    await expect(verifyCredential(added, { now })).rejects.toBeInstanceOf(CredentialFormatError);
    const dropped = clone(good) as any;
    delete dropped.proof.eip712;
    await expect(verifyCredential(dropped, { now })).rejects.toBeInstanceOf(CredentialFormatError);
    for (const bad of [
      null,
      7,
      "x",
      [],
      {},
      { ...clone(good), credentialSubject: { ...good.credentialSubject, claims: ["reserved:9"] } },
      { ...clone(good), validFrom: "yesterday" },
    ]) {
      await expect(verifyCredential(bad, { now })).rejects.toBeInstanceOf(CredentialFormatError);
    }
  });

  it("when signed by a key other than the issuer it names", async () => {
    const other = privateKeyToAccount(ANVIL_KEYS[9]);
    const forged = await signCredential(other, { ...s });
    const c = clone(forged);
    c.issuer = good.issuer;
    await expect(verifyCredential(c, { now })).rejects.toBeInstanceOf(CredentialFormatError);
    // The very statement naming the real issuer, signed by another key: the signature check names that key.
    const swapped = clone(good);
    swapped.proof.proofValue = await other.signTypedData(credentialTypedData(s));
    const error = await verifyCredential(swapped, { now }).catch((e) => e);
    expect(error).toBeInstanceOf(CredentialSignatureError);
    expect(error.recovered).toBe(other.address);
    // Another credential's signature pasted in recovers to neither.
    const pasted = clone(good);
    pasted.proof.proofValue = forged.proof.proofValue;
    const e2 = await verifyCredential(pasted, { now }).catch((e) => e);
    expect(e2).toBeInstanceOf(CredentialSignatureError);
    expect([s.issuer, other.address]).not.toContain(e2.recovered);
  });

  it("when it is for another chain, registry or project than the verifier expects", async () => {
    await expect(verifyCredential(good, { now, chainId: 1 })).rejects.toBeInstanceOf(CredentialExpectationError);
    await expect(verifyCredential(good, { now, projectId: 8n })).rejects.toBeInstanceOf(CredentialExpectationError);
    await expect(verifyCredential(good, { now, attestationRegistry: "0x3333333333333333333333333333333333333333" })).rejects.toBeInstanceOf(
      CredentialExpectationError,
    );
  });
});

describe("status against the chain (anvil)", () => {
  const [DEPLOYER, ADMIN, REVIEWER, OTHER_REVIEWER, SUBJECT, STRANGER] = [0, 1, 2, 3, 4, 5];
  const account = (i: number) => privateKeyToAccount(ANVIL_KEYS[i]);
  let anvil: Anvil;
  let publicClient: PublicClient;
  let on: { addresses: OneKeyDeployment };
  let projectId: bigint;
  const wallet = (i: number) => createWalletClient({ account: account(i), chain: foundry, transport: http(anvil.rpcUrl) });
  const now = async () => (await publicClient.getBlock({ blockTag: "latest" })).timestamp;
  const subject = () => account(SUBJECT).address;
  const attestNow = async (by: number, claims: string[], expiryIn = 3600n, level = 2) =>
    attest(wallet(by), { ...on, projectId, subject: subject(), level, expiry: (await now()) + expiryIn, claims: claims as never, recordId: zeroHash });

  beforeAll(async () => {
    anvil = await startAnvil();
    publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    on = { addresses: await deployOneKey(wallet(DEPLOYER), publicClient) };
    ({ projectId } = await createProject(wallet(ADMIN), { ...on, metadataURI: "ipfs://credentials" }));
    await grantRoles(wallet(ADMIN), { ...on, projectId, account: account(REVIEWER).address, roles: Roles.REVIEWER });
    await grantRoles(wallet(ADMIN), { ...on, projectId, account: account(OTHER_REVIEWER).address, roles: Roles.REVIEWER });
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  it("issues from the slot, verifies offline and with one read, and fails after revocation", async () => {
    await attestNow(REVIEWER, ["AGE_OVER_18", "SANCTIONS_SCREENED"]);
    const credential = await issueAttestationCredential(publicClient, account(REVIEWER), { ...on, projectId, subject: subject() });
    expect(credential.credentialSubject.claims).toEqual(["AGE_OVER_18", "SANCTIONS_SCREENED"]);
    expect(credential.issuer).toBe(`did:pkh:eip155:31337:${account(REVIEWER).address}`);
    const at = await now();
    const ok = await verifyCredentialWithStatus(publicClient, credential, { now: at, attestationRegistry: on.addresses.attestationRegistry });
    expect(ok.status.attestation.attester).toBe(account(REVIEWER).address);
    // A wallet client signs the same way as a local account.
    const viaWallet = await issueAttestationCredential(publicClient, wallet(REVIEWER), {
      ...on,
      projectId,
      subject: subject(),
      validFrom: BigInt(Date.parse(credential.validFrom) / 1000),
    });
    expect(viaWallet).toEqual(credential);

    await revokeAttestation(wallet(REVIEWER), { ...on, projectId, subject: subject() });
    // Offline it still verifies (no RPC): the status read is what catches the revocation.
    await expect(verifyCredential(credential, { now: at })).resolves.toBeTruthy();
    await expect(verifyCredentialWithStatus(publicClient, credential, { now: at })).rejects.toBeInstanceOf(CredentialRevokedError);
    await expect(issueAttestationCredential(publicClient, account(REVIEWER), { ...on, projectId, subject: subject() })).rejects.toBeInstanceOf(
      CredentialIssueError,
    );
  });

  it("an exact credential is invalid after a re-attestation; a minimum one holds while the claims it states do", async () => {
    await attestNow(REVIEWER, ["AGE_OVER_18", "SANCTIONS_SCREENED", "COUNTRY_ALLOWED"]);
    const exact = await issueAttestationCredential(publicClient, account(REVIEWER), { ...on, projectId, subject: subject() });
    const over18 = await issueAttestationCredential(publicClient, account(REVIEWER), {
      ...on,
      projectId,
      subject: subject(),
      binding: "minimum",
      level: 1,
      claims: ["AGE_OVER_18"],
    });
    expect(over18.credentialSubject).toMatchObject({ level: 1, claims: ["AGE_OVER_18"] });
    const at = await now();
    await verifyCredentialWithStatus(publicClient, exact, { now: at });
    await verifyCredentialWithStatus(publicClient, over18, { now: at });

    // Re-attested with another claim set (and a new expiry): the exact one is superseded, the
    // minimum one still holds because AGE_OVER_18 and level >= 1 still do.
    await attestNow(REVIEWER, ["AGE_OVER_18", "PEP_SCREENED"], 7200n);
    await expect(verifyCredentialWithStatus(publicClient, exact, { now: at })).rejects.toBeInstanceOf(CredentialSupersededError);
    await verifyCredentialWithStatus(publicClient, over18, { now: at });
    // Re-attested without it: the minimum one fails too.
    await attestNow(REVIEWER, ["PEP_SCREENED"], 7200n);
    await expect(verifyCredentialWithStatus(publicClient, over18, { now: at })).rejects.toBeInstanceOf(CredentialSupersededError);
    // A minimum credential cannot state more than the slot does.
    await expect(
      issueAttestationCredential(publicClient, account(REVIEWER), { ...on, projectId, subject: subject(), binding: "minimum", claims: ["AGE_OVER_18"] }),
    ).rejects.toBeInstanceOf(CredentialIssueError);
  });

  it("fails when signed by an account that is not the attestation's attester", async () => {
    await attestNow(REVIEWER, ["AGE_OVER_18"]);
    const at = await now();
    // The SDK refuses to issue for a slot the signer did not attest (a reviewer of the same project, a stranger).
    for (const who of [OTHER_REVIEWER, STRANGER]) {
      await expect(issueAttestationCredential(publicClient, account(who), { ...on, projectId, subject: subject() })).rejects.toBeInstanceOf(
        CredentialIssueError,
      );
    }
    // One signed by hand with the right terms verifies offline (it is a good signature by its
    // issuer) but the status read shows the issuer is not the attester.
    const slot = (
      await checkCredentialStatus(
        publicClient,
        await verifyCredential(await issueAttestationCredential(publicClient, account(REVIEWER), { ...on, projectId, subject: subject() }), { now: at }),
      )
    ).attestation;
    for (const who of [OTHER_REVIEWER, STRANGER]) {
      const forged = await signCredential(account(who), {
        chainId: 31337,
        attestationRegistry: on.addresses.attestationRegistry,
        subject: subject(),
        projectId,
        level: slot.level,
        claims: slot.claims,
        validFrom: at,
        validUntil: slot.expiry,
        binding: "exact",
      });
      await verifyCredential(forged, { now: at });
      const error = await verifyCredentialWithStatus(publicClient, forged, { now: at }).catch((e) => e);
      expect(error).toBeInstanceOf(CredentialAttesterMismatchError);
      expect(error.attester).toBe(getAddress(account(REVIEWER).address));
    }
    // After another reviewer re-attests, the first reviewer's credential fails the same way.
    const first = await issueAttestationCredential(publicClient, account(REVIEWER), { ...on, projectId, subject: subject(), binding: "minimum" });
    await attestNow(OTHER_REVIEWER, ["AGE_OVER_18"]);
    await expect(verifyCredentialWithStatus(publicClient, first, { now: at })).rejects.toBeInstanceOf(CredentialAttesterMismatchError);
  });

  it("fails after expiry, by the verifier's clock offline and by the chain's clock online", async () => {
    await attestNow(REVIEWER, ["AGE_OVER_18"], 100n);
    const credential = await issueAttestationCredential(publicClient, account(REVIEWER), { ...on, projectId, subject: subject() });
    const at = await now();
    await verifyCredentialWithStatus(publicClient, credential, { now: at });
    await expect(verifyCredential(credential, { now: at + 100n })).rejects.toBeInstanceOf(CredentialExpiredError);
    await publicClient.request({ method: "evm_increaseTime" as never, params: [200] as never });
    await publicClient.request({ method: "evm_mine" as never, params: [] as never });
    // The verifier's clock says "not yet", the chain says expired: the chain wins.
    const error = await verifyCredentialWithStatus(publicClient, credential, { now: at + 1n }).catch((e) => e);
    expect(error).toBeInstanceOf(CredentialExpiredError);
    expect(error.shortMessage).toMatch(/the chain at block/);
  });
});
