// The project's review and escrow keys, generated in this browser. The private half goes two
// places only: the browser's key store (IndexedDB, non-extractable once stored) and a backup file
// encrypted under a passphrase the team chooses (PBKDF2-SHA-256 -> AES-256-GCM, WebCrypto). Only
// the public half is sent anywhere: on-chain, with setReviewKey / setEscrowKey.
import { toHex, type Hex } from "viem";
import { fromHex, generateX25519KeyPair, x25519PublicKey, type X25519KeyPair } from "@onekey/sdk/crypto";
import type { KeyStore } from "@onekey/sdk/keys";
import type { KeyAgreement } from "@onekey/sdk/crypto";
import { InvalidInputError, KeyBackupError } from "./errors.ts";

export type ProjectKeyKind = "review" | "escrow";
export const BACKUP_FORMAT = "onekey-project-key-backup-v1";
/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; a backup is opened rarely, so slow is fine. */
export const BACKUP_ITERATIONS = 600_000;
export const MIN_PASSPHRASE = 12;

export interface KeyBackup {
  format: typeof BACKUP_FORMAT;
  kind: ProjectKeyKind;
  chainId: number;
  projectId: string;
  publicKey: Hex;
  kdf: { name: "PBKDF2"; hash: "SHA-256"; iterations: number; salt: Hex };
  cipher: { name: "AES-GCM"; iv: Hex };
  /** The 32-byte private key, encrypted; the backup's header is its associated data. */
  ciphertext: Hex;
  createdAt: string;
}

/**
 * The store id of a project key: by its public key, so the key the chain names (getProject's
 * reviewKey / escrowKey) finds its private half without tracking versions.
 */
export function projectKeyId(kind: ProjectKeyKind, chainId: number, projectId: bigint, publicKey: Hex | Uint8Array): string {
  const hex = (typeof publicKey === "string" ? publicKey : toHex(publicKey)).slice(2, 34).toLowerCase();
  return `org:${kind}:${chainId}:${projectId}:${hex}`;
}

const subtle = () => globalThis.crypto.subtle;
const enc = new TextEncoder();
const aad = (b: Pick<KeyBackup, "format" | "kind" | "chainId" | "projectId" | "publicKey">) =>
  enc.encode(JSON.stringify([b.format, b.kind, b.chainId, b.projectId, b.publicKey.toLowerCase()]));

async function passphraseKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await subtle().importKey("raw", enc.encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveKey"]);
  return subtle().deriveKey({ name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations }, base, { name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
}

/** Encrypts a key pair's private half under a passphrase: the file the team keeps. */
export async function backupKey(
  pair: X25519KeyPair,
  p: { kind: ProjectKeyKind; chainId: number; projectId: bigint; passphrase: string; iterations?: number },
): Promise<KeyBackup> {
  if (p.passphrase.length < MIN_PASSPHRASE) throw new InvalidInputError("passphrase", `Choose a passphrase of at least ${MIN_PASSPHRASE} characters.`);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const iterations = p.iterations ?? BACKUP_ITERATIONS;
  const header = { format: BACKUP_FORMAT, kind: p.kind, chainId: p.chainId, projectId: p.projectId.toString(), publicKey: toHex(pair.publicKey) } as const;
  const key = await passphraseKey(p.passphrase, salt, iterations);
  const ct = new Uint8Array(await subtle().encrypt({ name: "AES-GCM", iv, additionalData: aad(header) }, key, pair.privateKey as BufferSource));
  return {
    ...header,
    kdf: { name: "PBKDF2", hash: "SHA-256", iterations, salt: toHex(salt) },
    cipher: { name: "AES-GCM", iv: toHex(iv) },
    ciphertext: toHex(ct),
    createdAt: new Date().toISOString(),
  };
}

/** Opens a backup file; a wrong passphrase or an altered file is a KeyBackupError, never garbage. */
export async function restoreKey(text: string, passphrase: string): Promise<{ pair: X25519KeyPair; backup: KeyBackup }> {
  let b: KeyBackup;
  try {
    b = JSON.parse(text) as KeyBackup;
  } catch (cause) {
    throw new KeyBackupError("This file is not a OneKey key backup (not JSON).", cause);
  }
  if (b?.format !== BACKUP_FORMAT || (b.kind !== "review" && b.kind !== "escrow") || typeof b.ciphertext !== "string") {
    throw new KeyBackupError("This file is not a OneKey key backup.");
  }
  if (!Number.isInteger(b.kdf?.iterations) || b.kdf.iterations < 100_000 || b.kdf.iterations > 10_000_000) {
    throw new KeyBackupError("This backup's key derivation settings are out of range.");
  }
  let privateKey: Uint8Array;
  try {
    const key = await passphraseKey(passphrase, fromHex(b.kdf.salt), b.kdf.iterations);
    privateKey = new Uint8Array(
      await subtle().decrypt({ name: "AES-GCM", iv: fromHex(b.cipher.iv) as BufferSource, additionalData: aad(b) }, key, fromHex(b.ciphertext) as BufferSource),
    );
  } catch (cause) {
    throw new KeyBackupError("Wrong passphrase, or the backup file was altered.", cause);
  }
  const publicKey = await x25519PublicKey(privateKey);
  if (toHex(publicKey) !== b.publicKey.toLowerCase()) throw new KeyBackupError("The backup's private key does not match its public key.");
  return { pair: { privateKey, publicKey }, backup: b };
}

/** A new key pair for the project, its backup, and the store entry; the caller then registers the public half. */
export async function createProjectKey(
  store: KeyStore,
  p: { kind: ProjectKeyKind; chainId: number; projectId: bigint; passphrase: string; iterations?: number },
): Promise<{ publicKey: Hex; backup: KeyBackup; id: string }> {
  const pair = await generateX25519KeyPair();
  const backup = await backupKey(pair, p);
  const id = projectKeyId(p.kind, p.chainId, p.projectId, pair.publicKey);
  await store.put(id, pair);
  // Drop our copy of the bytes: the store and the encrypted backup are the only holders now.
  pair.privateKey.fill(0);
  return { publicKey: backup.publicKey, backup, id };
}

/** Puts a restored backup into the store (after checking it is the project's key the caller expects). */
export async function importProjectKey(store: KeyStore, text: string, passphrase: string, expect?: { chainId: number; projectId: bigint }) {
  const { pair, backup } = await restoreKey(text, passphrase);
  if (expect && (backup.chainId !== expect.chainId || backup.projectId !== expect.projectId.toString())) {
    throw new KeyBackupError(
      `This backup is project ${backup.projectId}'s on chain ${backup.chainId}, not project ${expect.projectId}'s on chain ${expect.chainId}.`,
    );
  }
  const id = projectKeyId(backup.kind, backup.chainId, BigInt(backup.projectId), pair.publicKey);
  await store.put(id, pair);
  pair.privateKey.fill(0);
  return { id, kind: backup.kind, publicKey: backup.publicKey };
}

/** The agreement for the key the chain currently names, if this browser holds it. */
export async function projectKeyAgreement(
  store: KeyStore & { agreement?(id: string): Promise<KeyAgreement | undefined> },
  p: { kind: ProjectKeyKind; chainId: number; projectId: bigint; publicKey: Hex },
): Promise<KeyAgreement | X25519KeyPair | undefined> {
  if (/^0x0*$/.test(p.publicKey)) return undefined;
  const id = projectKeyId(p.kind, p.chainId, p.projectId, p.publicKey);
  return (await store.agreement?.(id)) ?? (await store.get(id));
}

/** A KeyStore in memory (tests, and a browser without IndexedDB for one session). */
export function memoryKeyStore(): KeyStore {
  const keys = new Map<string, X25519KeyPair>();
  return {
    get: async (id) => {
      const k = keys.get(id);
      return k && { privateKey: k.privateKey.slice(), publicKey: k.publicKey.slice() };
    },
    put: async (id, pair) => void keys.set(id, { privateKey: pair.privateKey.slice(), publicKey: pair.publicKey.slice() }),
    delete: async (id) => void keys.delete(id),
    list: async () => [...keys.keys()].sort(),
  };
}
