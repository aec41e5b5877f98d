// @onekey/sdk/keys — a person's or organisation's X25519 encryption keys.
//
// Two ways to hold one: derive it from a wallet signature over a fixed EIP-712 message (so it can
// be recovered from the wallet alone, on any device), or generate it and keep it in a KeyStore:
// IndexedDB in the browser (./browser-store.ts, non-extractable), an encrypted directory in Node
// (./file-store.ts, Node-only: not exported here so a browser bundle never pulls node:fs), or a
// KMS/HSM behind the same interface.
import type { Account, Address, Chain, Hex, Transport, WalletClient } from "viem";
import { fromHex, utf8 } from "../crypto/bytes.ts";
import { generateX25519KeyPair, hkdf, x25519PublicKey, type X25519KeyPair } from "../crypto/primitives.ts";
import type { KeyAgreement } from "../crypto/wrap.ts";
import { InvalidKeyIdError, KeyNotExportableError, NonDeterministicSignatureError } from "./errors.ts";

export * from "./errors.ts";

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

/** The X25519 key pair a signature derives (HKDF over the 65-byte signature). */
export async function keyPairFromSignature(signature: Hex): Promise<X25519KeyPair> {
  const privateKey = await hkdf(fromHex(signature), utf8("onekey/x25519-from-signature/v1"), utf8("x25519"), 32);
  return { privateKey, publicKey: await x25519PublicKey(privateKey) };
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
 * Where generated keys live. A store that keeps private keys inside (browser IndexedDB with
 * non-extractable keys, KMS, HSM) returns `undefined` from `get` for them and implements
 * `agreement`, the one operation unwrapping needs; pass that to envelopeKeyRelease as `keyPair`.
 */
export interface KeyStore {
  get(id: string): Promise<X25519KeyPair | undefined>;
  put(id: string, pair: X25519KeyPair): Promise<void>;
  delete(id: string): Promise<void>;
  list(): Promise<string[]>;
  agreement?(id: string): Promise<KeyAgreement | undefined>;
}

const KEY_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Key ids are file names in the Node store and keys in IndexedDB: one rule for both. */
export function checkKeyId(id: string): string {
  if (typeof id !== "string" || !KEY_ID.test(id)) throw new InvalidKeyIdError(id);
  return id;
}

/** The key under `id`, generated and stored on first use. For stores that hand out raw keys. */
export async function getOrCreateKey(store: KeyStore, id: string): Promise<X25519KeyPair> {
  const existing = await store.get(id);
  if (existing) return existing;
  // A store that keeps the key inside answers `get` with undefined: never overwrite its key.
  if (store.agreement && (await store.agreement(id))) throw new KeyNotExportableError(id);
  const pair = await generateX25519KeyPair();
  await store.put(id, pair);
  return pair;
}

/** The KeyAgreement for `id`, generating and storing a key on first use. Works with every store. */
export async function getOrCreateAgreement(store: KeyStore & { agreement(id: string): Promise<KeyAgreement | undefined> }, id: string): Promise<KeyAgreement> {
  const existing = await store.agreement(id);
  if (existing) return existing;
  await store.put(id, await generateX25519KeyPair());
  return (await store.agreement(id))!;
}

/**
 * The wallet-derived key as a KeyAgreement from `store`, asking the wallet to sign only when this
 * device has not kept it yet. The derivation is the same everywhere, so a second device (or a
 * cleared browser) recovers the same key from the wallet alone.
 */
export async function loadOrDeriveKey(
  store: KeyStore & { agreement(id: string): Promise<KeyAgreement | undefined> },
  wallet: WalletClient<Transport, Chain, Account>,
  { keyVersion = 1, id = `derived:${wallet.chain.id}:${wallet.account.address.toLowerCase()}:${keyVersion}` }: { keyVersion?: number; id?: string } = {},
): Promise<KeyAgreement> {
  const kept = await store.agreement(id);
  if (kept) return kept;
  await store.put(id, await deriveEncryptionKey(wallet, { keyVersion }));
  return (await store.agreement(id))!;
}

export { indexedDbKeyStore, type IndexedDbKeyStoreOptions } from "./browser-store.ts";
export { prepareRotation, type PrepareRotationParameters, type PrepareRotationReturnType, type RotationGrant } from "./rotation.ts";
export { deriveOwnerKeys, ownerSecretFromSignature, recordDek, type OwnerKeys } from "./owner.ts";
