// The app's one context: config and network, a viem public client, the connected wallet, the
// person's sponsored smart account, their encryption keys and the indexer. Person and org screens
// both read it through useOneKey().
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { createPublicClient, defineChain, http, type Chain, type PublicClient, type Transport } from "viem";
import { base, baseSepolia, foundry } from "viem/chains";
import { deriveOwnerKeys, indexedDbKeyStore, type OwnerKeys } from "@onekey/sdk/keys";
import type { StorageProvider } from "@onekey/sdk/storage";
import { createPersonAccount, type PersonAccount } from "./account.ts";
import type { AppConfig, NetworkConfig } from "./config.ts";
import { devConnector, embeddedConnector, injectedConnector, type ConnectedWallet, type Connector } from "./connectors.ts";
import { createIndexerClient, type IndexerClient } from "./indexer.ts";
import { storageFor } from "./storage.ts";

export interface OneKeyValue {
  config: AppConfig;
  network: NetworkConfig;
  chooseNetwork(chainId: number): void;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  indexer: IndexerClient;
  connectors: Connector[];
  wallet?: ConnectedWallet;
  connect(connectorId: string): Promise<ConnectedWallet>;
  disconnect(): void;
  /** The sponsored smart account, created on first use (no transaction until the first write). */
  getAccount(): Promise<PersonAccount>;
  account?: PersonAccount;
  /** The keys derived from the wallet's signature (asked once per tab), kept in IndexedDB. */
  unlockKeys(): Promise<OwnerKeys>;
  keys?: OwnerKeys;
  storage(): Promise<StorageProvider>;
}

const Ctx = createContext<OneKeyValue | undefined>(undefined);

export function useOneKey(): OneKeyValue {
  const v = useContext(Ctx);
  if (!v) throw new Error("useOneKey() outside <OneKeyProvider>");
  return v;
}

export function chainOf(n: NetworkConfig): Chain {
  const known = [foundry, baseSepolia, base].find((c) => c.id === n.chainId);
  const chain =
    known ??
    defineChain({ id: n.chainId, name: n.name, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [n.rpcUrl] } } });
  return { ...chain, name: n.name || chain.name, rpcUrls: { default: { http: [n.rpcUrl] } } };
}

const NETWORK_KEY = "onekey.chainId";

export function OneKeyProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const [chainId, setChainId] = useState<number>(() => {
    const saved = Number(globalThis.localStorage?.getItem(NETWORK_KEY));
    return config.networks.some((n) => n.chainId === saved) ? saved : config.defaultChainId;
  });
  const network = config.networks.find((n) => n.chainId === chainId)!;
  const chain = useMemo(() => chainOf(network), [network]);
  const publicClient = useMemo(
    () => createPublicClient({ chain, transport: http(network.rpcUrl), pollingInterval: 250 }) as PublicClient<Transport, Chain>,
    [chain, network],
  );
  const indexer = useMemo(() => createIndexerClient(network.indexerUrl, network.indexerApiKey), [network]);
  const connectors = useMemo(() => {
    const list: Connector[] = [injectedConnector()];
    // Privy's SDK is fetched only when a person starts an email login on this network.
    if (network.privyAppId) list.push(embeddedConnector(network.privyAppId, chain));
    for (const [i, k] of (network.devAccounts ?? []).entries()) list.push(devConnector(k, i, network.rpcUrl));
    return list;
  }, [network, chain]);
  const [wallet, setWallet] = useState<ConnectedWallet>();
  const [account, setAccount] = useState<PersonAccount>();
  const [keys, setKeys] = useState<OwnerKeys>();
  const pending = useRef<{ account?: Promise<PersonAccount>; keys?: Promise<OwnerKeys> }>({});

  const reset = useCallback(() => {
    // Disconnecting an email login also ends its session with the wallet's vendor.
    for (const c of connectors) c.emailLogin?.restart();
    pending.current = {};
    setWallet(undefined);
    setAccount(undefined);
    setKeys(undefined);
  }, [connectors]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a network change is what triggers the reset
  useEffect(reset, [network, reset]);

  const connect = useCallback(
    async (id: string) => {
      const connector = connectors.find((c) => c.id === id);
      if (!connector) throw new Error(`no connector ${id}`);
      const w = await connector.connect(chain);
      pending.current = {};
      setAccount(undefined);
      setKeys(undefined);
      setWallet(w);
      return w;
    },
    [connectors, chain],
  );

  const getAccount = useCallback(() => {
    if (!wallet) return Promise.reject(new Error("connect a wallet first"));
    const p = (pending.current.account ??= createPersonAccount(network, publicClient, wallet));
    p.then(setAccount, () => (pending.current.account = undefined));
    return p;
  }, [wallet, network, publicClient]);

  const unlockKeys = useCallback(() => {
    if (!wallet) return Promise.reject(new Error("connect a wallet first"));
    const p = (pending.current.keys ??= (async () => {
      const k = await deriveOwnerKeys(wallet.wallet);
      // The encryption key also goes to this browser's key store (non-extractable), where the
      // SDK's readers find it; the owner secret lives only in this tab's memory.
      await indexedDbKeyStore()
        .put(`derived:${chain.id}:${wallet.address.toLowerCase()}:1`, k.keyPair)
        .catch(() => undefined);
      return k;
    })());
    p.then(setKeys, () => (pending.current.keys = undefined));
    return p;
  }, [wallet, chain]);

  const value: OneKeyValue = {
    config,
    network,
    chain,
    publicClient,
    indexer,
    connectors,
    wallet,
    account,
    keys,
    chooseNetwork: (id) => {
      globalThis.localStorage?.setItem(NETWORK_KEY, String(id));
      setChainId(id);
    },
    connect,
    disconnect: reset,
    getAccount,
    unlockKeys,
    storage: () => storageFor(network),
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
