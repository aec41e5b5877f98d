import { getAddress, type Address } from "viem";
import deployments from "./deployments.json" with { type: "json" };
import { BaseError } from "./errors.ts";

/** Where OneKey lives on one chain. */
export interface OneKeyAddresses {
  projectRegistry: Address;
  recordRegistry: Address;
  attestationRegistry: Address;
  /** Present where gas sponsorship is deployed. */
  paymaster?: Address;
}

/**
 * Deployments by chain id, written by `node scripts/deploy.ts --write-sdk` from Ignition's
 * output. 31337 is a fresh local anvil/hardhat node deployed by anvil's first account (the local
 * stack); Base Sepolia (84532) and Base (8453) appear here once deployed.
 */
export const oneKeyDeployments: Readonly<Record<number, OneKeyAddresses>> = Object.fromEntries(
  Object.entries(deployments as Record<string, Record<string, string>>).map(([chainId, a]) => [
    Number(chainId),
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, getAddress(v)])) as unknown as OneKeyAddresses,
  ]),
);

export class UnknownChainError extends BaseError {
  override name = "UnknownChainError";
  readonly chainId: number;
  constructor(chainId: number) {
    super(`OneKey is not deployed on chain ${chainId}.`, {
      metaMessages: [`Known chains: ${Object.keys(oneKeyDeployments).join(", ") || "none"}.`],
      details: "Pass the addresses explicitly (the `override` argument) for other chains.",
      docsPath: "deploy.md",
    });
    this.chainId = chainId;
  }
}

export type GetAddressesErrorType = UnknownChainError;

/**
 * The OneKey addresses for a chain. `override` replaces any of them (and is required, complete,
 * for a chain without a recorded deployment).
 */
export function getAddresses(chainId: number, override: Partial<OneKeyAddresses> = {}): OneKeyAddresses {
  const known = oneKeyDeployments[chainId];
  const merged = { ...known, ...override } as Partial<OneKeyAddresses>;
  if (!merged.projectRegistry || !merged.recordRegistry || !merged.attestationRegistry) {
    throw new UnknownChainError(chainId);
  }
  return merged as OneKeyAddresses;
}
