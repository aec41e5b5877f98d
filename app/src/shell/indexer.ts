// The indexer as the app reads it: GraphQL over public chain data, REST for a project's own data
// (with that project's API key, org screens only). Plain fetch; errors carry the named error the
// indexer answers with.
import { AppError } from "./errors.ts";

export class IndexerError extends AppError {
  override name = "IndexerError";
  readonly status: number;
  readonly code?: string;
  constructor(status: number, code: string | undefined, message: string) {
    super(`The indexer refused the request${code ? ` (${code})` : ""}: ${message}`, "Try again in a moment.");
    this.status = status;
    this.code = code;
  }
}

export interface IndexerClient {
  url: string;
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  rest<T = unknown>(path: string, init?: { method?: string; body?: unknown; apiKey?: string }): Promise<T>;
  /** The indexed head (block number), or -1 while the indexer is starting. */
  head(): Promise<number>;
}

export function createIndexerClient(url: string, apiKey?: string, fetcher: typeof fetch = (...a) => fetch(...a)): IndexerClient {
  const base = url.replace(/\/+$/, "");
  async function call(path: string, method: string, body: unknown, key: string | undefined) {
    let res: Response;
    try {
      res = await fetcher(`${base}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new AppError("The indexer did not answer.", "It may be starting or down; try again in a moment.", cause);
    }
    const json = (await res.json().catch(() => undefined)) as { error?: string; message?: string } | undefined;
    if (!res.ok) throw new IndexerError(res.status, json?.error, json?.message ?? res.statusText);
    return json;
  }
  return {
    url: base,
    async graphql<T>(query: string, variables?: Record<string, unknown>) {
      const json = (await call("/graphql", "POST", { query, variables }, apiKey)) as { data?: T; errors?: { message: string }[] };
      if (json.errors?.length) throw new IndexerError(200, "GraphQLError", json.errors[0].message);
      return json.data as T;
    },
    async rest<T>(path: string, init: { method?: string; body?: unknown; apiKey?: string } = {}) {
      return (await call(path, init.method ?? (init.body === undefined ? "GET" : "POST"), init.body, init.apiKey ?? apiKey)) as T;
    },
    async head() {
      try {
        const res = await fetcher(`${base}/status`);
        const status = (await res.json()) as Record<string, { block?: { number: number } }>;
        return Object.values(status)[0]?.block?.number ?? -1;
      } catch {
        return -1;
      }
    },
  };
}
