// A grantee as the indexer's rows store it (kind, project id or lowercase account). The encoding
// itself is the SDK's (`parseGrantee`, from contracts/libraries/GranteeKeys.sol), like every
// other OneKey constant the indexer uses (`@onekey/sdk/contracts`).
import { parseGrantee } from "@onekey/sdk/contracts";

export type DecodedGrantee = { kind: "project"; projectId: bigint; account: null } | { kind: "account"; projectId: null; account: `0x${string}` };

export function decodeGrantee(grantee: `0x${string}`): DecodedGrantee {
  const g = parseGrantee(grantee);
  if ("projectId" in g) return { kind: "project", projectId: g.projectId, account: null };
  return { kind: "account", projectId: null, account: g.account.toLowerCase() as `0x${string}` };
}
