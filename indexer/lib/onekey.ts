// OneKey constants the indexer and its API share: grantee encoding, purposes, roles, API-key
// scopes. They mirror contracts/libraries/Common.sol and GranteeKeys.sol; one name per concept.

/** Bit 255 marks a project grantee (GranteeKeys.sol); an account is its address left-padded. */
export const GRANTEE_PROJECT_FLAG = 1n << 255n;

export type DecodedGrantee =
  | { kind: "project"; projectId: bigint; account: null }
  | { kind: "account"; projectId: null; account: `0x${string}` };

export function decodeGrantee(grantee: `0x${string}`): DecodedGrantee {
  const value = BigInt(grantee);
  if (value & GRANTEE_PROJECT_FLAG) return { kind: "project", projectId: value ^ GRANTEE_PROJECT_FLAG, account: null };
  return { kind: "account", projectId: null, account: `0x${grantee.slice(-40).toLowerCase()}` };
}

export const PURPOSES = ["KYC_REVIEW", "COMPLIANCE", "AUDIT", "DISPUTE", "SUPPORT"] as const;

export const ROLES = { ADMIN: 1, REVIEWER: 2, AUDITOR: 4, SPONSOR: 8 } as const;

/**
 * API-key scope bits (the `scopes` mask of ProjectRegistry.addApiKey). The indexer API is the
 * only consumer, so the bits are defined here and documented in docs/indexer.md.
 */
export const SCOPES = {
  /** GraphQL, SQL-free REST reads (grants with state). */
  read: 1,
  /** Per-project analytics. */
  analytics: 2,
  /** Audit-log export and verification. */
  audit: 4,
  /** Webhook endpoints: register, list, delete, delivery log, redelivery. */
  webhooks: 8,
} as const;

export type ScopeName = keyof typeof SCOPES;

export function scopeNames(mask: number): ScopeName[] {
  return (Object.keys(SCOPES) as ScopeName[]).filter((name) => (mask & SCOPES[name]) !== 0);
}

