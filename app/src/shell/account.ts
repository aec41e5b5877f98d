// The person's sponsored smart account: a SimpleAccount (v0.8) owned by the connected wallet, at
// its counterfactual address, deployed by its first user operation. Every write is a user
// operation the configured project's sponsorship pays for, under a ticket its backend signs: the
// person never needs ETH.
import { toAccount } from "viem/accounts";
import type { Address, Chain, PublicClient, Transport } from "viem";
import { createSponsoredClient, smartAccountSender, toOneKeyAccount, type SponsorshipTicket } from "@onekey/sdk/aa";
import type { ConnectedWallet } from "./connectors.ts";
import type { NetworkConfig } from "./config.ts";
import { AppError } from "./errors.ts";

export interface PersonAccount {
  /** The smart account's address: the owner of the person's records and the subject of attestations. */
  address: Address;
  /** What @onekey/sdk/flows and /contracts take as their client. */
  client: {
    publicClient: PublicClient<Transport, Chain>;
    sender: ReturnType<typeof smartAccountSender>;
    addresses: NetworkConfig["addresses"];
  };
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

export async function fetchTicket(network: NetworkConfig, subject: Address, fetcher: typeof fetch = (...a) => fetch(...a)): Promise<SponsorshipTicket> {
  let res: Response;
  try {
    res = await fetcher(network.sponsor.ticketUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ subject }) });
  } catch (cause) {
    throw new AppError("The project that pays for your transactions did not answer.", "Try again in a moment.", cause);
  }
  const body = (await res.json().catch(() => undefined)) as (SponsorshipTicket & { error?: string; message?: string }) | undefined;
  if (!res.ok || !body?.signature) {
    throw new AppError(`The project that pays for your transactions refused to cover this account${body?.message ? `: ${body.message}` : ""}.`, "Try again later, or contact the project.");
  }
  return body;
}

export async function createPersonAccount(network: NetworkConfig, publicClient: PublicClient<Transport, Chain>, wallet: ConnectedWallet): Promise<PersonAccount> {
  if (!network.addresses.factory) throw new AppError(`Smart accounts are not set up on ${network.name}.`, "The app's config.json needs addresses.factory.");
  const account = await toOneKeyAccount({ client: publicClient, owner: ownerOf(wallet), factory: network.addresses.factory, entryPoint: network.addresses.entryPoint });
  const ticket = await fetchTicket(network, account.address);
  const bundler = createSponsoredClient({
    account, publicClient, bundlerUrl: network.bundlerUrl, paymasterUrl: network.sponsorUrl, projectId: network.sponsor.projectId, ticket,
  });
  return { address: account.address, client: { publicClient, sender: smartAccountSender(bundler), addresses: network.addresses } };
}
