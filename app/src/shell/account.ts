// The person's sponsored smart account: a SimpleAccount (v0.8) owned by the connected wallet, at
// its counterfactual address, deployed by its first user operation. Every write is a user
// operation the configured project's sponsorship pays for, under a ticket its backend signs: the
// person never needs ETH.
import { toAccount } from "viem/accounts";
import { decodeFunctionData, type Address, type Chain, type Hex, type PublicClient, type Transport } from "viem";
import type { SmartAccount } from "viem/account-abstraction";
import { recordRegistryAbi } from "@onekey/sdk/abis";
import { createSponsoredClient, smartAccountSender, toOneKeyAccount, type SponsorshipTicket } from "@onekey/sdk/aa";
import { parseGrantee } from "@onekey/sdk/contracts";
import type { ConnectedWallet } from "./connectors.ts";
import type { NetworkConfig } from "./config.ts";
import { AppError } from "./errors.ts";
import type { OneKeyHandle } from "./handle.ts";

/**
 * The person's handle for @onekey/sdk/flows and /contracts: the public client reads, and every
 * write goes through `on.sender`, the sponsored smart account.
 */
export interface PersonAccount extends OneKeyHandle {
  /** The smart account's address: the owner of the person's records and the subject of attestations. */
  address: Address;
  on: OneKeyHandle["on"] & { sender: ReturnType<typeof routingSender> };
}

/** The wallet as a viem account that signs through the wallet (EIP-1193 or a local key). */
function ownerOf(w: ConnectedWallet) {
  const wallet = w.wallet;
  return toAccount({
    address: w.address,
    signMessage: ({ message }) => wallet.signMessage({ account: wallet.account, message }),
    signTransaction: () => Promise.reject(new AppError("The app never asks your wallet to send a transaction.")),
    signTypedData: (td) => wallet.signTypedData({ account: wallet.account, ...(td as object) } as never),
  });
}

export async function fetchTicket(
  network: NetworkConfig,
  subject: Address,
  projectId: bigint,
  fetcher: typeof fetch = (...a) => fetch(...a),
): Promise<SponsorshipTicket> {
  let res: Response;
  try {
    res = await fetcher(network.sponsor.ticketUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ subject, projectId: projectId.toString() }),
    });
  } catch (cause) {
    throw new AppError("The project that pays for your transactions did not answer.", "Try again in a moment.", cause);
  }
  const body = (await res.json().catch(() => undefined)) as (SponsorshipTicket & { error?: string; message?: string }) | undefined;
  if (!res.ok || !body?.signature) {
    throw new AppError(
      `The project that pays for your transactions refused to cover this account${body?.message ? `: ${body.message}` : ""}.`,
      "Try again later, or contact the project.",
    );
  }
  return body;
}

export async function createPersonAccount(
  network: NetworkConfig,
  publicClient: PublicClient<Transport, Chain>,
  wallet: ConnectedWallet,
): Promise<PersonAccount> {
  if (!network.addresses.factory) throw new AppError(`Smart accounts are not set up on ${network.name}.`, "The app's config.json needs addresses.factory.");
  const account = await toOneKeyAccount({
    client: publicClient,
    owner: ownerOf(wallet),
    factory: network.addresses.factory,
    entryPoint: network.addresses.entryPoint,
  });
  // No ticket yet: each paying project's ticket is fetched on the first call it pays for.
  return { address: account.address, client: publicClient, on: { addresses: network.addresses, sender: routingSender(network, publicClient, account) } };
}

/**
 * Which project pays for a call. A project pays only for calls about itself (the sponsor service
 * refuses FOREIGN_PROJECT otherwise), so a grant to project P or its revocation is paid by P;
 * everything else (register, rotate, erase, grants to accounts) by the app's sponsoring project.
 */
export function payerOf(network: NetworkConfig, call: { to: Address; data: Hex }): bigint {
  if (call.to.toLowerCase() !== network.addresses.recordRegistry.toLowerCase()) return network.sponsor.projectId;
  try {
    const { functionName, args } = decodeFunctionData({ abi: recordRegistryAbi, data: call.data });
    if (functionName === "grant" || functionName === "revoke") {
      const grantee = parseGrantee(args[1] as Hex);
      if ("projectId" in grantee) return grantee.projectId;
    }
  } catch {
    // not a RecordRegistry call the app knows: the default payer
  }
  return network.sponsor.projectId;
}

/** A CallSender that sends each call as a user operation sponsored by the project that pays for it. */
function routingSender(network: NetworkConfig, publicClient: PublicClient<Transport, Chain>, account: SmartAccount) {
  const senders = new Map<bigint, Promise<ReturnType<typeof smartAccountSender>>>();
  const senderFor = (projectId: bigint) => {
    let s = senders.get(projectId);
    if (!s) {
      s = fetchTicket(network, account.address, projectId).then((ticket) =>
        smartAccountSender(
          createSponsoredClient({ account, publicClient, bundlerUrl: network.bundlerUrl, paymasterUrl: network.sponsorUrl, projectId, ticket }),
        ),
      );
      senders.set(projectId, s);
      s.catch(() => senders.delete(projectId));
    }
    return s;
  };
  type Call = { to: Address; data: Hex; value?: bigint };
  return {
    address: account.address,
    send: async (call: Call) => (await senderFor(payerOf(network, call))).send(call),
    // A batch goes out as one operation only when one project pays for all of it.
    sendBatch: async (calls: Call[]) => {
      const payers = [...new Set(calls.map((c) => payerOf(network, c)))];
      if (payers.length === 1) return (await senderFor(payers[0])).sendBatch(calls);
      let last: Awaited<ReturnType<ReturnType<typeof smartAccountSender>["send"]>> | undefined;
      for (const c of calls) last = await (await senderFor(payerOf(network, c))).send(c);
      return last!;
    },
  };
}
