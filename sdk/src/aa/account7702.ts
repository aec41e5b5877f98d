// The person's own EOA as the smart account: an EIP-7702 delegation to Simple7702Account
// (@account-abstraction/contracts 0.8, EntryPoint v0.8). No deployment, same address as the wallet,
// sponsored by the same paymaster; the first user operation carries the signed authorisation.
import type { Address, Chain, Client, JsonRpcAccount, LocalAccount, Transport } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { readContract } from "viem/actions";
import { entryPoint08Abi, toSimple7702SmartAccount, type SmartAccount } from "viem/account-abstraction";
import { BaseError } from "../errors.ts";
import { ENTRY_POINT_V08 } from "./paymaster.ts";

export type ToOneKey7702AccountParameters = {
  /** Needs its `chain` (ChainRequiredError otherwise): the authorisation is signed for that chain id. */
  /** A public client (or any client whose account, if any, is a local or JSON-RPC one). */
  client: Client<Transport, Chain | undefined, JsonRpcAccount | LocalAccount | undefined>;
  /**
   * The EOA's key. A 7702 authorisation is a raw signature over (chain id, delegate, nonce), which
   * wallets behind EIP-1193 do not sign today; such wallets keep a SimpleAccount (toOneKeyAccount).
   */
  owner: PrivateKeyAccount;
  /** The Simple7702Account implementation the EOA delegates to. */
  implementation: Address;
};
export type ToOneKey7702AccountReturnType = SmartAccount;

/**
 * The EOA as an ERC-4337 account. viem signs the authorisation while the EOA is not delegated yet
 * and sends it with the user operation (`eip7702Auth`); later operations need none.
 */
export async function toOneKey7702Account(p: ToOneKey7702AccountParameters): Promise<ToOneKey7702AccountReturnType> {
  if (!p.client.chain) throw new ChainRequiredError();
  return toSimple7702SmartAccount({
    client: p.client,
    owner: p.owner,
    implementation: p.implementation,
    // One sequential nonce key (0), as for SimpleAccount: viem's default key (a timestamp) writes a
    // new EntryPoint slot (~20k gas) on every operation.
    getNonce: () => readContract(p.client, { address: ENTRY_POINT_V08, abi: entryPoint08Abi, functionName: "getNonce", args: [p.owner.address, 0n] }),
  }) as Promise<SmartAccount>;
}

/** A 7702 account was asked for with a client that has no `chain` (the authorisation needs its id). */
export class ChainRequiredError extends BaseError {
  override name = "ChainRequiredError";
  constructor() {
    super("toOneKey7702Account needs a client with a chain: the EIP-7702 authorisation is signed for its id.", { docsPath: "paymaster.md#eip-7702-accounts" });
  }
}
