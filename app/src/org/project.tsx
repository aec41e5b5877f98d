// The project the console is working on: its id, the API key the team entered for the indexer's
// project-scoped REST (held in this tab's memory only, never stored), and the handle the console
// sends with — the connected wallet as an EOA, against the network's configured addresses.
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { useOneKey } from "../shell/OneKey.tsx";
import type { OneKeyHandle } from "../shell/handle.ts";
import type { IndexerConnection } from "./lib/indexer.ts";

export interface OrgProject {
  projectId: bigint;
  apiKey?: string;
  setApiKey(key: string | undefined): void;
  /** Project-scoped REST with the key (undefined until a key is entered). */
  conn?: IndexerConnection;
  /** What @onekey/sdk/contracts actions take: `fn(org.client, { ...org.on, ... })` (undefined until a wallet is connected). */
  org?: OneKeyHandle;
}

const Ctx = createContext<OrgProject | undefined>(undefined);

export function useProject(): OrgProject {
  const v = useContext(Ctx);
  if (!v) throw new Error("useProject() outside <ProjectProvider>");
  return v;
}

/** The handle org screens write with: the connected wallet's client (an EOA; it pays its own gas). */
export function useOrgClient(): OneKeyHandle | undefined {
  const { wallet, network } = useOneKey();
  return useMemo(() => (wallet ? { client: wallet.wallet, on: { addresses: network.addresses } } : undefined), [wallet, network]);
}

// One key per project per tab: switching projects and back keeps it, a reload forgets it.
const keys = new Map<string, string>();

export function ProjectProvider({ projectId, children }: { projectId: bigint; children: ReactNode }) {
  const { network } = useOneKey();
  const slot = `${network.chainId}:${projectId}`;
  const [apiKey, setKey] = useState<string | undefined>(() => keys.get(slot));
  const org = useOrgClient();
  const value = useMemo<OrgProject>(() => {
    const setApiKey = (k: string | undefined) => {
      if (k) keys.set(slot, k);
      else keys.delete(slot);
      setKey(k);
    };
    return { projectId, apiKey, setApiKey, org, conn: apiKey ? { url: network.indexerUrl, apiKey, projectId } : undefined };
  }, [projectId, apiKey, org, network, slot]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
