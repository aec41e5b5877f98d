// TanStack Query over the indexer: one hook for GraphQL reads that refresh while the page is open.
import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useOneKey } from "./OneKey.tsx";

export function useIndexer<T>(
  key: readonly unknown[],
  query: string,
  variables?: Record<string, unknown>,
  options: { enabled?: boolean; refetchInterval?: number | false } = {},
): UseQueryResult<T> {
  const { indexer, network } = useOneKey();
  return useQuery({
    queryKey: ["indexer", network.chainId, ...key, variables],
    queryFn: () => indexer.graphql<T>(query, variables),
    enabled: options.enabled ?? true,
    refetchInterval: options.refetchInterval ?? 1_000,
  });
}
