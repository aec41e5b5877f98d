// Project API keys: the hash an ADMIN registers with ProjectRegistry.addApiKey and the scope bits
// (generated from contracts/libraries/Common.sol `ApiKeyScopes`) the indexer API honours.
import { keccak256, stringToBytes, type Hex } from "viem";
import { ApiKeyScopes, type ApiKeyScopeName } from "../constants.ts";

/** keccak256 of the raw key's UTF-8 bytes: the `keyHash` registered on-chain. The raw key never is. */
export function apiKeyHash(rawKey: string): Hex {
  return keccak256(stringToBytes(rawKey));
}

/** The scope names set in a `scopes` mask, in bit order. */
export function apiKeyScopeNames(mask: number): ApiKeyScopeName[] {
  return (Object.keys(ApiKeyScopes) as ApiKeyScopeName[]).filter((name) => (mask & ApiKeyScopes[name]) !== 0);
}
