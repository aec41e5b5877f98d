// Screens that read the indexer's project-scoped REST need one of the project's API keys. The
// team pastes it here (or uses the one it just created); it stays in this tab's memory.
import { useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { getProject } from "@onekey/sdk/contracts";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import type { IndexerConnection } from "./lib/indexer.ts";

export function ApiKeyGate({ scope, children }: { scope: string; children: (conn: IndexerConnection) => ReactNode }) {
  const { conn, setApiKey } = useProject();
  const [draft, setDraft] = useState("");
  if (conn) return <>{children(conn)}</>;
  return (
    <form className="card gate" onSubmit={(e) => (e.preventDefault(), draft.trim() && setApiKey(draft.trim()))}>
      <p>This page reads the project's data from the indexer. Enter an API key of this project with the “{scope}” scope (create one under API keys).</p>
      <label htmlFor="gate-api-key">Project API key</label>
      <input id="gate-api-key" type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} />
      <button type="submit">Use this key</button>
      <p className="note">The key is kept in this tab's memory only and sent only to the indexer (and, for refusals, the sponsor service).</p>
    </form>
  );
}

/** The project as the chain holds it, refreshed every two seconds. */
export function useOnChainProject() {
  const { publicClient, network } = useOneKey();
  const { projectId } = useProject();
  return useQuery({
    queryKey: ["onchain-project", network.chainId, projectId.toString()],
    queryFn: () => getProject(publicClient, { projectId, addresses: network.addresses }),
    refetchInterval: 2000,
  });
}
