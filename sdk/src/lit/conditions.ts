// The Lit access-control conditions a OneKey key release is encrypted under. Built the same way
// on both sides (seal and open), from values carried in the key-release blob, so the canonical
// hash — and with it the Lit identity the network signs — is reproducible.
import { getAddress, type Address, type Hex } from "viem";
import { BaseError } from "../errors.ts";
import type { RegistryReadName } from "../contracts/types.ts";

/** Lit chain names OneKey deploys to, by chain id. Lit has no name for a local chain. */
export const LIT_CHAIN_BY_ID: Readonly<Record<number, string>> = { 8453: "base", 84532: "baseSepolia" };
export const CHAIN_ID_BY_LIT_CHAIN: Readonly<Record<string, number>> = { base: 8453, baseSepolia: 84532 };

export class UnsupportedLitChainError extends BaseError {
  override name = "UnsupportedLitChainError";
  constructor(chain: number | string) {
    super(`Lit key release is not available on chain ${chain}.`, {
      details: "Lit conditions name a chain Lit's nodes know: base (8453) or baseSepolia (84532).",
      docsPath: "sdk.md#lit",
    });
  }
}

export function litChainOf(chainId: number): string {
  const name = LIT_CHAIN_BY_ID[chainId];
  if (!name) throw new UnsupportedLitChainError(chainId);
  return name;
}

const bytes32 = { name: "recordId", type: "bytes32", internalType: "bytes32" } as const;
const boolOut = [{ name: "", type: "bool", internalType: "bool" }] as const;

/** One `evmContract` condition: the named view returns true. */
function isTrue(chain: string, registry: Address, functionName: RegistryReadName<"recordRegistry">, params: string[], inputs: object[]) {
  return {
    // Checksummed: the canonical hash (and so the Lit identity) covers the address string as written.
    contractAddress: getAddress(registry),
    chain,
    functionName,
    functionParams: params,
    functionAbi: { type: "function", name: functionName, stateMutability: "view", inputs, outputs: boolOut },
    returnValueTest: { key: "", comparator: "=", value: "true" },
  };
}

export type OneKeyConditionParameters = {
  chain: string;
  recordRegistry: Address;
  recordId: Hex;
  /** For a grant to a project: its auditors may also open once their audit access is on-chain. */
  projectId?: bigint;
};

export type EvmContractCondition = ReturnType<typeof isTrue> | { operator: "or" | "and" };

/**
 * `RecordRegistry.hasAccess(recordId, :userAddress)`; for a project grant, OR
 * `hasAuditAccess(recordId, projectId, :userAddress)`, so the escrow path needs no escrow key
 * under Lit: the network checks the audit log itself.
 */
export function oneKeyConditions(p: OneKeyConditionParameters): EvmContractCondition[] {
  const access = isTrue(
    p.chain,
    p.recordRegistry,
    "hasAccess",
    [p.recordId.toLowerCase(), ":userAddress"],
    [bytes32, { name: "user", type: "address", internalType: "address" }],
  );
  if (p.projectId === undefined) return [access];
  const audit = isTrue(
    p.chain,
    p.recordRegistry,
    "hasAuditAccess",
    [p.recordId.toLowerCase(), p.projectId.toString(), ":userAddress"],
    [bytes32, { name: "projectId", type: "uint256", internalType: "uint256" }, { name: "auditor", type: "address", internalType: "address" }],
  );
  return [access, { operator: "or" }, audit];
}
