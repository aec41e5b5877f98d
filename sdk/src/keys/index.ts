// @onekey/sdk/keys — a person's or organisation's X25519 encryption keys.
//
// Two ways to hold one: derive it from a wallet signature over a fixed EIP-712 message (so it can
// be recovered from the wallet alone), or generate it and keep it in a KeyStore (file-based here;
// the interface fits a KMS or HSM).
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Account, Address, Chain, Hex, Transport, WalletClient } from "viem";
import { BaseError } from "../errors.ts";
import { fromHex, toHex, utf8 } from "../crypto/bytes.ts";
import { generateX25519KeyPair, hkdf, x25519PublicKey, type X25519KeyPair } from "../crypto/primitives.ts";
import { localKeyAgreement, type KeyAgreement } from "../crypto/wrap.ts";

/** The EIP-712 message a wallet signs to derive its OneKey encryption key. */
export function keyDerivationTypedData(chainId: number, account: Address, keyVersion = 1) {
  return {
    domain: { name: "OneKey", version: "1", chainId },
    types: {
      DeriveEncryptionKey: [
        { name: "account", type: "address" },
        { name: "purpose", type: "string" },
        { name: "keyVersion", type: "uint32" },
      ],
    },
    primaryType: "DeriveEncryptionKey" as const,
    message: {
      account,
      purpose: "Derive my OneKey encryption key. Sign only on a OneKey app you trust.",
      keyVersion,
    },
  };
}

export class NonDeterministicSignatureError extends BaseError {
  override name = "NonDeterministicSignatureError";
  constructor() {
    super("The wallet signed the key-derivation message twice with different results.", {
      details: "Deriving keys needs deterministic (RFC 6979) signatures; use a generated key in a KeyStore instead.",
      docsPath: "sdk.md#keys",
    });
  }
}

/** The X25519 key pair a signature derives (HKDF over the 65-byte signature). */
export function keyPairFromSignature(signature: Hex): X25519KeyPair {
  const privateKey = hkdf(fromHex(signature), utf8("onekey/x25519-from-signature/v1"), utf8("x25519"), 32);
  return { privateKey, publicKey: x25519PublicKey(privateKey) };
}

/**
 * Asks the wallet to sign the derivation message (twice, to prove the signature is
 * deterministic — otherwise the key could never be recovered) and derives the key pair.
 */
export async function deriveEncryptionKey(
  wallet: WalletClient<Transport, Chain, Account>,
  { keyVersion = 1 }: { keyVersion?: number } = {},
): Promise<X25519KeyPair> {
  const typedData = keyDerivationTypedData(wallet.chain.id, wallet.account.address, keyVersion);
  const first = await wallet.signTypedData({ account: wallet.account, ...typedData });
  const second = await wallet.signTypedData({ account: wallet.account, ...typedData });
  if (first !== second) throw new NonDeterministicSignatureError();
  return keyPairFromSignature(first);
}

/**
 * Where generated keys live. A store that keeps private keys inside (KMS, HSM) returns
 * `undefined` from `get` for them and implements `agreement`, the one operation unwrapping needs;
 * pass that to envelopeKeyRelease as `keyPair`.
 */
export interface KeyStore {
  get(id: string): Promise<X25519KeyPair | undefined>;
  put(id: string, pair: X25519KeyPair): Promise<void>;
  delete(id: string): Promise<void>;
  list(): Promise<string[]>;
  agreement?(id: string): Promise<KeyAgreement | undefined>;
}

export class InvalidKeyIdError extends BaseError {
  override name = "InvalidKeyIdError";
  constructor(id: string) {
    super(`Key id "${id.slice(0, 80)}" must match /^[A-Za-z0-9_.:-]{1,128}$/.`);
  }
}

const KEY_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Keys as JSON files (mode 0600) in a directory (mode 0700), written atomically. */
export class FileKeyStore implements KeyStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }

  private path(id: string): string {
    if (!KEY_ID.test(id)) throw new InvalidKeyIdError(id);
    return join(this.dir, `${id}.json`);
  }

  async get(id: string): Promise<X25519KeyPair | undefined> {
    const p = this.path(id);
    if (!existsSync(p)) return undefined;
    const { privateKey } = JSON.parse(readFileSync(p, "utf8")) as { privateKey: Hex };
    const priv = fromHex(privateKey, 32);
    return { privateKey: priv, publicKey: x25519PublicKey(priv) };
  }

  async put(id: string, pair: X25519KeyPair): Promise<void> {
    const p = this.path(id);
    const tmp = `${p}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ privateKey: toHex(pair.privateKey), publicKey: toHex(pair.publicKey) }), { mode: 0o600 });
    renameSync(tmp, p);
  }

  async delete(id: string): Promise<void> {
    rmSync(this.path(id), { force: true });
  }

  async list(): Promise<string[]> {
    return readdirSync(this.dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
  }

  async agreement(id: string): Promise<KeyAgreement | undefined> {
    const pair = await this.get(id);
    return pair && localKeyAgreement(pair);
  }
}

/** The key under `id`, generated and stored on first use. */
export async function getOrCreateKey(store: KeyStore, id: string): Promise<X25519KeyPair> {
  const existing = await store.get(id);
  if (existing) return existing;
  const { privateKey, publicKey } = generateX25519KeyPair();
  await store.put(id, { privateKey, publicKey });
  return { privateKey, publicKey };
}

export { prepareRotation, type PrepareRotationParameters, type PrepareRotationReturnType, type RotationGrant } from "./rotation.ts";
