// A GraphQL explorer that works offline: GraphiQL bundled from npm (its Monaco workers through
// Vite, no CDN), pointed at the indexer's /graphql with the project's API key. GraphQL shows
// public chain data only; the project's own data is on the other pages (REST).
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { GraphiQL } from "graphiql";
import { useMemo } from "react";
import { useOneKey } from "../shell/OneKey.tsx";
import { useProject } from "./project.tsx";
import { ApiKeyGate } from "./gate.tsx";

type Params = { query: string; variables?: unknown; operationName?: string | null };

export function graphqlFetcher(url: string, apiKey: string, fetcher: typeof fetch = (...a) => fetch(...a)) {
  return async (params: Params) => {
    const res = await fetcher(`${url.replace(/\/$/, "")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(params),
    });
    return res.json();
  };
}

function Explorer({ apiKey }: { apiKey: string }) {
  const { network } = useOneKey();
  const { projectId } = useProject();
  const fetcher = useMemo(() => graphqlFetcher(network.indexerUrl, apiKey), [network.indexerUrl, apiKey]);
  const initialQuery = `# Public chain data for project ${projectId}\nquery {\n  project(id: "${projectId}") {\n    admin\n    suspended\n    reviewKeyVersion\n    members { items { account roles } }\n  }\n}\n`;
  return (
    <div style={{ height: "75vh", border: "1px solid #dde1e6" }} aria-label="GraphQL explorer" role="region">
      <GraphiQL fetcher={fetcher} initialQuery={initialQuery} />
    </div>
  );
}

export default function ExplorerPage() {
  return <ApiKeyGate scope="read">{(conn) => <Explorer apiKey={conn.apiKey} />}</ApiKeyGate>;
}
