// What the app hands every @onekey/sdk action: one viem client first, and the parameters each call
// repeats. `on.addresses` are the network's registries (the SDK records no deployment for the
// local chain, and config.json may override the recorded ones); `on.sender`, when set, sends the
// writes instead of the client, which then only reads. A call site spreads them into its
// parameters: `revoke(h.client, { ...h.on, recordId, grantee })`.
import type { CallSender, ClientInput } from "@onekey/sdk/contracts";
import type { AppAddresses } from "./config.ts";
import { AppError } from "./errors.ts";

export interface OneKeyHandle {
  client: ClientInput;
  on: { addresses: AppAddresses; sender?: CallSender };
}

/** The handle, or a plain-words error when no wallet is connected yet. */
export function connected(h: OneKeyHandle | undefined): OneKeyHandle {
  if (!h) throw new AppError("No wallet is connected.", "Connect a wallet, then try again.");
  return h;
}
