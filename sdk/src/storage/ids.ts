import type { Hex } from "viem";
import { concat, fromHex, toHex } from "../crypto/bytes.ts";
import { InvalidStorageIdError } from "./errors.ts";

// Arweave and Irys ids are 32 bytes. Gateways and Irys receipts write them as base64url (43
// characters); @irys/bundles prints DataItem ids in base58. The chain stores the raw 32 bytes, so
// both conversions are exact and refuse anything that does not round-trip.

export type StorageIdEncoding = "base64url" | "base58";

const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BASE58_INDEX = new Map([...BASE58_ALPHABET].map((c, i) => [c, BigInt(i)]));

/** The raw 32 bytes (0x-hex, as the chain stores them) of a provider id. */
export function storageIdToBytes32(id: string, encoding: StorageIdEncoding = "base64url"): Hex {
  const bytes = encoding === "base58" ? base58Decode(id) : base64urlDecode(id);
  if (bytes.length !== 32) throw new InvalidStorageIdError(`"${id}" does not encode 32 bytes`);
  return toHex(bytes);
}

/** The provider id (base64url by default) of raw 32 bytes. */
export function bytes32ToStorageId(hex: Hex, encoding: StorageIdEncoding = "base64url"): string {
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new InvalidStorageIdError(`"${String(hex)}" is not 32 bytes hex`);
  const bytes = fromHex(hex);
  return encoding === "base58" ? base58Encode(bytes) : base64urlEncode(bytes);
}

function base64urlDecode(id: string): Uint8Array {
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(id)) {
    throw new InvalidStorageIdError(`"${String(id)}" is not a 43-character base64url id`);
  }
  const bin = atob(id.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  // Decoders ignore stray low bits in the last character; a non-canonical id would alias another.
  if (base64urlEncode(bytes) !== id) throw new InvalidStorageIdError(`"${id}" is not canonical base64url`);
  return bytes;
}

function base64urlEncode(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base58Encode(bytes: Uint8Array): string {
  let n = bytes.length ? BigInt(toHex(bytes)) : 0n;
  let out = "";
  while (n > 0n) {
    out = BASE58_ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  // Each leading zero byte is one leading "1".
  for (let i = 0; i < bytes.length && bytes[i] === 0; i++) out = `1${out}`;
  return out;
}

export function base58Decode(text: string): Uint8Array {
  if (typeof text !== "string" || text.length === 0 || text.length > 64) throw new InvalidStorageIdError(`"${String(text)}" is not a base58 id`);
  let n = 0n;
  for (const c of text) {
    const digit = BASE58_INDEX.get(c);
    if (digit === undefined) throw new InvalidStorageIdError(`"${text}" has a character outside base58`);
    n = n * 58n + digit;
  }
  const hex = n === 0n ? "" : n.toString(16);
  const body = fromHex(hex.length % 2 ? `0${hex}` : hex);
  let zeros = 0;
  while (zeros < text.length && text[zeros] === "1") zeros++;
  return concat(new Uint8Array(zeros), body);
}
