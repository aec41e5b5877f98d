import type { Hex } from "viem";
import { InvalidStorageIdError } from "./errors.ts";

// Arweave and Irys ids are 32 bytes, written as base64url (43 characters). The chain stores the
// raw 32 bytes; these convert exactly both ways.

export function storageIdToBytes32(id: string): Hex {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) throw new InvalidStorageIdError(`"${id}" is not a 43-character base64url id`);
  const bytes = Buffer.from(id, "base64url");
  if (bytes.length !== 32 || bytes.toString("base64url") !== id) throw new InvalidStorageIdError(`"${id}" does not encode 32 bytes`);
  return `0x${bytes.toString("hex")}`;
}

export function bytes32ToStorageId(hex: Hex): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new InvalidStorageIdError(`"${hex}" is not 32 bytes hex`);
  return Buffer.from(hex.slice(2), "hex").toString("base64url");
}
