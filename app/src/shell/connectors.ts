// Wallet connectors behind one interface: any injected EIP-1193 wallet, the local chain's dev
// accounts, and an embedded wallet (Privy) as one more EIP-1193 provider. The rest of the app sees
// only a ConnectedWallet: an address and a viem wallet client that signs typed data.
import { createWalletClient, custom, http, type Account, type Chain, type EIP1193Provider, type Transport, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { AppError } from "./errors.ts";

export type Wallet = WalletClient<Transport, Chain, Account>;

export interface ConnectedWallet {
  connectorId: string;
  address: `0x${string}`;
  wallet: Wallet;
}

export interface Connector {
  id: string;
  /** What the person sees on the button. */
  label: string;
  /** Shown under the button. */
  description: string;
  connect(chain: Chain): Promise<ConnectedWallet>;
}

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

/** Any EIP-1193 provider as a connector (injected wallets, embedded wallets). */
export function eip1193Connector(o: { id: string; label: string; description: string; provider: () => Promise<EIP1193Provider | undefined> }): Connector {
  return {
    id: o.id,
    label: o.label,
    description: o.description,
    async connect(chain) {
      const provider = await o.provider();
      if (!provider) throw new AppError(`No ${o.label} found in this browser.`, "Install a wallet extension, or pick another way to connect.");
      const accounts = (await provider.request({ method: "eth_requestAccounts" })) as `0x${string}`[];
      if (!accounts?.[0]) throw new AppError("Your wallet shared no account.", "Unlock your wallet and try again.");
      const current = Number(await provider.request({ method: "eth_chainId" }));
      if (current !== chain.id) {
        await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: `0x${chain.id.toString(16)}` }] }).catch((cause: unknown) => {
          throw new AppError(`Your wallet is on chain ${current}, not ${chain.name}.`, `Switch your wallet to ${chain.name} and connect again.`, cause);
        });
      }
      const wallet = createWalletClient({ account: accounts[0], chain, transport: custom(provider) }) as Wallet;
      return { connectorId: o.id, address: accounts[0], wallet };
    },
  };
}

export const injectedConnector = (): Connector =>
  eip1193Connector({
    id: "injected",
    label: "Browser wallet",
    description: "A wallet in this browser (MetaMask, Rabby, Coinbase Wallet, ...).",
    provider: async () => (typeof window === "undefined" ? undefined : window.ethereum),
  });

/**
 * An embedded wallet: the operator's Privy app hands the page an EIP-1193 provider (Privy's
 * `getEthereumProvider()`), registered here with `registerEmbeddedProvider`. Nothing Privy-specific
 * crosses this line, so any embedded wallet fits.
 */
let embedded: (() => Promise<EIP1193Provider>) | undefined;
export function registerEmbeddedProvider(get: () => Promise<EIP1193Provider>): void {
  embedded = get;
}
export const embeddedConnector = (appId: string): Connector =>
  eip1193Connector({
    id: "privy",
    label: "Email or social login",
    description: `An embedded wallet (Privy app ${appId.slice(0, 8)}...): no extension needed.`,
    provider: async () => embedded?.(),
  });

/** anvil's public dev keys (local chain only): a wallet per key, signing in the page. */
export function devConnector(privateKey: `0x${string}`, index: number, rpcUrl: string): Connector {
  const account = privateKeyToAccount(privateKey);
  return {
    id: `dev:${index}`,
    label: `Dev account ${index} (${account.address.slice(0, 6)}...${account.address.slice(-4)})`,
    description: "A public test key of the local chain. Never use it anywhere else.",
    async connect(chain) {
      // The org console's actions read and wait for receipts through this client: the local chain
      // mines at once, so it is polled as often as the app's public client.
      const wallet = createWalletClient({ account, chain, transport: http(rpcUrl), pollingInterval: 250 }) as Wallet;
      return { connectorId: `dev:${index}`, address: account.address, wallet };
    },
  };
}
