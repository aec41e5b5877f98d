// The owner's keys from one wallet signature: the X25519 encryption key (keyPairFromSignature) and
// an owner secret from which every record version's DEK is derived. A person who opens the app on
// a second device (or a cleared browser) re-derives both from the wallet alone and can read, grant
// and rotate their records without any key having been copied or stored elsewhere.
import type { Account, Chain, Hex, Transport, WalletClient } from "viem";
import { fromHex, utf8 } from "../crypto/bytes.ts";
import { hkdf, type X25519KeyPair } from "../crypto/primitives.ts";
import { bs, subtle } from "../crypto/webcrypto.ts";
import { NonDeterministicSignatureError } from "./errors.ts";
import { keyDerivationTypedData, keyPairFromSignature } from "./index.ts";

const OWNER_INFO = utf8("onekey/owner-secret-from-signature/v1");

/**
 * The owner secret a derivation signature gives, as a non-extractable HKDF key: it derives DEKs
 * and cannot be read back out of WebCrypto (or out of IndexedDB, where a CryptoKey can be kept).
 */
export async function ownerSecretFromSignature(signature: Hex): Promise<CryptoKey> {
  const bits = await hkdf(fromHex(signature), utf8("onekey/owner"), OWNER_INFO, 32);
  try {
    return await subtle().importKey("raw", bs(bits), "HKDF", false, ["deriveBits"]);
  } finally {
    bits.fill(0);
  }
}

/** The DEK of one record version: HKDF(owner secret, salt = record id, info = version). */
export async function recordDek(ownerSecret: CryptoKey, recordId: Hex, version: number): Promise<Uint8Array> {
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) throw new RangeError(`record version ${version} is not 1..2^32-1`);
  return hkdf(ownerSecret, fromHex(recordId, 32), utf8(`onekey/record-dek/v1|${version}`), 32);
}

export type OwnerKeys = { keyPair: X25519KeyPair; ownerSecret: CryptoKey };

/**
 * Signs the derivation message twice (a wallet whose signatures vary could never recover its
 * keys) and derives the encryption key pair and the owner secret from it.
 */
export async function deriveOwnerKeys(wallet: WalletClient<Transport, Chain, Account>, { keyVersion = 1 }: { keyVersion?: number } = {}): Promise<OwnerKeys> {
  const typedData = keyDerivationTypedData(wallet.chain.id, wallet.account.address, keyVersion);
  const first = await wallet.signTypedData({ account: wallet.account, ...typedData });
  const second = await wallet.signTypedData({ account: wallet.account, ...typedData });
  if (first !== second) throw new NonDeterministicSignatureError();
  const [keyPair, ownerSecret] = await Promise.all([keyPairFromSignature(first), ownerSecretFromSignature(first)]);
  return { keyPair, ownerSecret };
}
