// A GraphQL explorer that works offline: GraphiQL bundled from npm (its Monaco workers through
// Vite, no CDN), pointed at the indexer's /graphql with the project's API key. GraphQL shows
// public chain data only; the project's own data is on the other pages (REST).
import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { GraphiQL } from "graphiql";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";
import { useEffect, useMemo, useState } from "react";
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

// The indexer refuses queries deeper than its limit (10 by default), and GraphiQL's standard
// introspection nests `ofType` deeper than that; this one stops at four levels, enough for every
// type Ponder's schema has ([T!]! and the like), so docs and autocompletion work.
const TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
const INPUT_VALUE = `name description defaultValue type { ${TYPE_REF} }`;
export const COMPACT_INTROSPECTION = `query OneKeyIntrospection { __schema {
  queryType { name } mutationType { name } subscriptionType { name }
  types { kind name description
    fields(includeDeprecated: true) { name description args { ${INPUT_VALUE} } type { ${TYPE_REF} } isDeprecated deprecationReason }
    inputFields { ${INPUT_VALUE} } interfaces { ${TYPE_REF} }
    enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
    possibleTypes { ${TYPE_REF} } }
  directives { name description locations args { ${INPUT_VALUE} } } } }`;

/** The schema (undefined while loading, null when the indexer would not answer the introspection). */
function useSchema(fetcher: (p: Params) => Promise<unknown>): GraphQLSchema | undefined | null {
  const [schema, setSchema] = useState<GraphQLSchema | null>();
  useEffect(() => {
    let live = true;
    fetcher({ query: COMPACT_INTROSPECTION, operationName: "OneKeyIntrospection" })
      .then((r) => live && setSchema(buildClientSchema((r as { data: IntrospectionQuery }).data)))
      // Leave it to GraphiQL's own introspection (and its error message) when ours fails.
      .catch(() => live && setSchema(null));
    return () => void (live = false);
  }, [fetcher]);
  return schema;
}

function Explorer({ apiKey }: { apiKey: string }) {
  const { network } = useOneKey();
  const { projectId } = useProject();
  const fetcher = useMemo(() => graphqlFetcher(network.indexerUrl, apiKey), [network.indexerUrl, apiKey]);
  const schema = useSchema(fetcher);
  const initialQuery = `# Public chain data for project ${projectId}\nquery {\n  project(id: "${projectId}") {\n    admin\n    suspended\n    reviewKeyVersion\n    members { items { account roles } }\n  }\n}\n`;
  return (
    <section style={{ height: "75vh", border: "1px solid #dde1e6" }} aria-label="GraphQL explorer">
      {schema === undefined ? (
        <p aria-busy="true">Loading the schema…</p>
      ) : (
        <GraphiQL fetcher={fetcher} initialQuery={initialQuery} {...(schema ? { schema } : {})} />
      )}
    </section>
  );
}

export default function ExplorerPage() {
  return <ApiKeyGate scope="read">{(conn) => <Explorer apiKey={conn.apiKey} />}</ApiKeyGate>;
}
