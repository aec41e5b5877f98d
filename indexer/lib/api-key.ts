import { keccak256, stringToBytes, type Hex } from "viem";

/** keccak256 of the raw key's UTF-8 bytes: the `keyHash` an ADMIN registers on-chain. */
export function apiKeyHash(rawKey: string): Hex {
  return keccak256(stringToBytes(rawKey));
}
