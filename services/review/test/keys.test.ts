// Review and escrow key custody: the SDK's encrypted file store and the PKCS#11 store on a fresh
// SoftHSM2 token. Both are used through the SDK's KeyAgreement seam to open a real grant wrap.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateX25519KeyPair, grantContext, randomKey, unwrapKeysWith, wrapKeys } from "@onekey/sdk/crypto";
import { CorruptKeyStoreError, InvalidKeyIdError, openFileKeyStore, WrongPassphraseError as SdkWrongPassphraseError } from "@onekey/sdk/keys";
import { TokenNotFoundError, WeakPassphraseError, WrongPinError } from "../src/errors.ts";
import { optionsFromEnv } from "../src/service/from-env.ts";
import { escrowKeyId, reviewKeyId } from "../src/keys/ids.ts";
import { pkcs11KeyStore, SOFTHSM2_MODULE } from "../src/keys/pkcs11-store.ts";

const FAST = { N: 2 ** 12, r: 8, p: 1 }; // keeps tests quick; the default (2^17) is tested once
const PASS = "correct horse battery staple";
const recordId = `0x${"ab".repeat(32)}` as const;
const grantee = `0x${"cd".repeat(32)}` as const;

/** A grant-style wrap to `publicKey`, opened through the store's agreement: the path the service uses. */
async function roundTrip(
  agreementOf: () => Promise<{ publicKey: Uint8Array; agree(p: Uint8Array): Uint8Array | Promise<Uint8Array> } | undefined>,
  publicKey: Uint8Array,
) {
  const keys = [randomKey(), randomKey()];
  const context = grantContext(recordId, 1, grantee);
  const wrapped = await wrapKeys(publicKey, keys, context);
  const agreement = await agreementOf();
  expect(agreement).toBeDefined();
  expect(await unwrapKeysWith(agreement!, wrapped, context)).toEqual(keys);
}

/** Every encoding a careless store might write a private key in. */
function encodings(privateKey: Uint8Array): Buffer[] {
  const b = Buffer.from(privateKey);
  return [
    b,
    Buffer.from(b.toString("hex")),
    Buffer.from(b.toString("base64")),
    Buffer.from(b.toString("base64url")),
    Buffer.from(b.toString("hex").toUpperCase()),
  ];
}
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}
async function assertNotOnDisk(dir: string, privateKey: Uint8Array) {
  const files = await filesUnder(dir);
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    const bytes = await readFile(f);
    for (const enc of encodings(privateKey)) expect(bytes.includes(enc), `${f} holds the private key`).toBe(false);
  }
}

// The service keeps its keys in the SDK's encrypted file store (one implementation for the SDK and
// the service): these tests hold it to what the service relies on.
describe("encrypted file key store (the SDK's openFileKeyStore)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "onekey-review-keys-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("stores the review and escrow keys encrypted (0600 files, 0700 dir) and opens a grant wrap with them", async () => {
    const store = await openFileKeyStore({ directory: dir, passphrase: PASS, scrypt: FAST });
    const review = await generateX25519KeyPair();
    const escrow = await generateX25519KeyPair();
    await store.put(reviewKeyId(7n, 1), review);
    await store.put(escrowKeyId(7n), escrow);
    expect((await store.list()).sort()).toEqual(["escrow:7", "review:7:v1"]);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(dir)) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    await assertNotOnDisk(dir, review.privateKey);
    await assertNotOnDisk(dir, escrow.privateKey);
    await roundTrip(() => store.agreement(reviewKeyId(7n, 1)), review.publicKey);
    await roundTrip(() => store.agreement(escrowKeyId(7n)), escrow.publicKey);
    expect((await store.get(reviewKeyId(7n, 1)))?.privateKey).toEqual(review.privateKey);
  });

  it("a new process with the same passphrase reads the keys; a wrong passphrase is WrongPassphraseError at open", async () => {
    const pair = await generateX25519KeyPair();
    await (await openFileKeyStore({ directory: dir, passphrase: PASS })).put("review:8:v1", pair);
    const again = await openFileKeyStore({ directory: dir, passphrase: PASS });
    await roundTrip(() => again.agreement("review:8:v1"), pair.publicKey);
    const err = await openFileKeyStore({ directory: dir, passphrase: `${PASS}!` }).catch((e) => e);
    expect(err).toBeInstanceOf(SdkWrongPassphraseError);
    expect(err.message).not.toContain(PASS);
  });

  it("an altered, re-keyed or renamed file does not open", async () => {
    const store = await openFileKeyStore({ directory: dir, passphrase: PASS });
    const pair = await generateX25519KeyPair();
    await store.put("review:9:v1", pair);
    const path = join(dir, "review:9:v1.json");
    const f = JSON.parse(await readFile(path, "utf8"));
    const flipped = `${f.ciphertext.slice(0, -1)}${f.ciphertext.endsWith("0") ? "1" : "0"}`;
    await writeFile(path, JSON.stringify({ ...f, ciphertext: flipped }), { mode: 0o600 });
    await expect(store.get("review:9:v1")).rejects.toBeInstanceOf(CorruptKeyStoreError);
    await writeFile(path, JSON.stringify({ ...f, publicKey: `0x${Buffer.from((await generateX25519KeyPair()).publicKey).toString("hex")}` }), { mode: 0o600 });
    await expect(store.get("review:9:v1")).rejects.toBeInstanceOf(CorruptKeyStoreError);
    await writeFile(path, JSON.stringify(f), { mode: 0o600 });
    await copyFile(path, join(dir, "review:10:v1.json"));
    await expect(store.get("review:10:v1")).rejects.toBeInstanceOf(CorruptKeyStoreError);
    expect((await store.get("review:9:v1"))?.publicKey).toEqual(pair.publicKey);
    for (const id of ["../etc/passwd", "", "a/b", "x".repeat(200)]) await expect(store.put(id, pair)).rejects.toBeInstanceOf(InvalidKeyIdError);
    expect(await store.get("review:404:v1")).toBeUndefined();
  });

  it("the service refuses a key-store passphrase under 12 characters", async () => {
    await expect(
      optionsFromEnv({ ONEKEY_REVIEW_CONFIG: "/nonexistent", ONEKEY_REVIEW_KEYSTORE_DIR: dir, ONEKEY_REVIEW_KEYSTORE_PASSPHRASE: "short" }),
    ).rejects.toBeInstanceOf(WeakPassphraseError);
  });
});

const haveSoftHsm = existsSync(SOFTHSM2_MODULE) && existsSync("/usr/bin/softhsm2-util");

describe.skipIf(!haveSoftHsm)("PKCS#11 key store on a fresh SoftHSM2 token", () => {
  let dir: string;
  const label = "onekey-test";
  const pin = "246810";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "onekey-softhsm-"));
    await writeFile(join(dir, "softhsm2.conf"), `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    execFileSync("mkdir", ["-p", join(dir, "tokens")]);
    await chmod(join(dir, "tokens"), 0o700);
    // SoftHSM reads SOFTHSM2_CONF at C_Initialize, in this process and in softhsm2-util.
    process.env.SOFTHSM2_CONF = join(dir, "softhsm2.conf");
    execFileSync("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", "13579", "--pin", pin], { stdio: "ignore" });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("generates a key, returns only its public key, and agrees through the token's wrapping key", async () => {
    const store = pkcs11KeyStore({ tokenLabel: label, pin });
    try {
      const publicKey = await store.generate(reviewKeyId(1n, 1));
      expect(publicKey).toHaveLength(32);
      expect(await store.get(reviewKeyId(1n, 1))).toBeUndefined();
      expect(await store.publicKey(reviewKeyId(1n, 1))).toEqual(publicKey);
      await roundTrip(() => store.agreement(reviewKeyId(1n, 1)), publicKey);
    } finally {
      store.close();
    }
  });

  it("an imported key never reaches the token's files in plaintext, and survives a restart", async () => {
    const pair = await generateX25519KeyPair();
    let store = pkcs11KeyStore({ tokenLabel: label, pin });
    await store.put(escrowKeyId(1n), pair);
    store.close();
    await assertNotOnDisk(join(dir, "tokens"), pair.privateKey);
    store = pkcs11KeyStore({ tokenLabel: label, pin });
    try {
      await roundTrip(() => store.agreement(escrowKeyId(1n)), pair.publicKey);
      expect((await store.list()).sort()).toEqual([escrowKeyId(1n), reviewKeyId(1n, 1)].sort());
      // Replacing a key leaves one object under the id.
      const next = await generateX25519KeyPair();
      await store.put(escrowKeyId(1n), next);
      expect((await store.list()).filter((id) => id === escrowKeyId(1n))).toHaveLength(1);
      await roundTrip(() => store.agreement(escrowKeyId(1n)), next.publicKey);
      await store.delete(escrowKeyId(1n));
      expect(await store.agreement(escrowKeyId(1n))).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it("the wrapping key is sensitive and non-extractable inside the token", async () => {
    const store = pkcs11KeyStore({ tokenLabel: label, pin });
    store.close();
    const { createRequire } = await import("node:module");
    const p = createRequire(import.meta.url)("pkcs11js");
    const lib = new p.PKCS11();
    lib.load(SOFTHSM2_MODULE);
    lib.C_Initialize();
    try {
      const slot = lib.C_GetSlotList(true).find((s: Buffer) => lib.C_GetTokenInfo(s).label.trim() === label);
      const s = lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
      lib.C_Login(s, p.CKU_USER, pin);
      lib.C_FindObjectsInit(s, [
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_LABEL, value: "onekey-review-wrap" },
      ]);
      const [key] = lib.C_FindObjects(s, 2);
      lib.C_FindObjectsFinal(s);
      const attrs = lib.C_GetAttributeValue(s, key, [{ type: p.CKA_SENSITIVE }, { type: p.CKA_EXTRACTABLE }, { type: p.CKA_TOKEN }]);
      expect(attrs.map((a: { value: Buffer }) => a.value[0])).toEqual([1, 0, 1]);
      expect(() => lib.C_GetAttributeValue(s, key, [{ type: p.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
      lib.C_Logout(s);
      lib.C_CloseSession(s);
    } finally {
      lib.C_Finalize();
    }
  });

  it("a wrong PIN is WrongPinError and an absent token TokenNotFoundError; the store still works after", async () => {
    expect(() => pkcs11KeyStore({ tokenLabel: label, pin: "000000" })).toThrow(WrongPinError);
    expect(() => pkcs11KeyStore({ tokenLabel: "no-such-token", pin })).toThrow(TokenNotFoundError);
    const store = pkcs11KeyStore({ tokenLabel: label, pin });
    try {
      expect(await store.publicKey(reviewKeyId(1n, 1))).toHaveLength(32);
      await expect(store.put("../x", await generateX25519KeyPair())).rejects.toBeInstanceOf(InvalidKeyIdError);
    } finally {
      store.close();
    }
  });
});
