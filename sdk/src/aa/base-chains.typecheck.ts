// Compile-time check (run by `npm test`'s typecheck, never executed): the aa functions accept a
// public client for Base and Base Sepolia, whose OP-stack formatters make their client types
// differ from a plain PublicClient.
import { createPublicClient, http } from "viem";
import { base, baseSepolia } from "viem/chains";
import type { SmartAccount } from "viem/account-abstraction";
import { createSponsoredClient, estimateSponsoredGas, getProjectBalance } from "./index.ts";

export function typecheckBaseChains(account: SmartAccount) {
  for (const chain of [base, baseSepolia]) {
    const publicClient = createPublicClient({ chain, transport: http() });
    void getProjectBalance(publicClient, { paymaster: "0x0000000000000000000000000000000000000001", projectId: 1n });
    void estimateSponsoredGas(publicClient, account, []);
    void createSponsoredClient({ account, publicClient, bundlerUrl: "http://127.0.0.1:4337", paymasterUrl: "http://127.0.0.1:4338", projectId: 1n });
  }
}
