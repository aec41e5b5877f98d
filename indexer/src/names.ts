// Names beside the numbers: what the tables, GraphQL and webhook bodies show for claim bits, role
// and scope masks, purposes and key-release modes. The spellings are the SDK's (sdk/src/names.ts,
// generated from contracts/libraries/Common.sol); the numeric fields stay for compatibility. Every
// function here is total (an unknown value gets a marked name, never a throw): handlers call them.
import { apiKeyScopeNames, claimNames, KEY_RELEASE_MODES, purposeName, roleNames, type ClaimLabel } from "@onekey/sdk/contracts";
import { decodeGrantee } from "../lib/onekey.ts";

/** Claim names of a uint32 claims word; a value outside uint32 (not emitted by any contract) names nothing. */
export function claimLabels(claims: unknown): ClaimLabel[] {
  try {
    return claimNames(BigInt(claims as number | bigint));
  } catch {
    return [];
  }
}

export const keyReleaseModeLabel = (value: number): string => KEY_RELEASE_MODES[value] ?? `unknown:${value}`;

export { purposeName, roleNames, apiKeyScopeNames };

function granteeKind(key: unknown): string {
  try {
    return decodeGrantee(key as `0x${string}`).kind;
  } catch {
    return "unknown";
  }
}

/** Webhook `data` values: the event's fields as canonical strings, and name lists as arrays. */
export type WebhookData = Record<string, string | string[]>;

/**
 * The name fields a webhook message of `eventType` carries beside the event's own (numeric) fields.
 * Keyed by type, not by argument name, so a field is named only where its meaning is known.
 */
export function webhookNames(eventType: string, args: Record<string, unknown>): WebhookData {
  // Number() of a missing or odd field is NaN, which the name functions map to nothing or `unknown:NaN`; never a throw.
  const num = (k: string) => Number(args[k] ?? 0);
  switch (eventType) {
    case "attestation.created":
      return { claimNames: claimLabels(args.claims) };
    case "member.roles_granted":
      return { grantedRoleNames: roleNames(num("granted")), roleNames: roleNames(num("roles")) };
    case "member.roles_revoked":
      return { revokedRoleNames: roleNames(num("revoked")), roleNames: roleNames(num("roles")) };
    case "api_key.added":
      return { scopeNames: apiKeyScopeNames(num("scopes")) };
    case "record.registered":
    case "record.rotated":
      return { keyReleaseMode: keyReleaseModeLabel(num("keyRelease")) };
    case "grant.created":
      return { purposeName: purposeName(num("purpose")), granteeKind: granteeKind(args.grantee) };
    case "grant.revoked":
      return { granteeKind: granteeKind(args.grantee) };
    default:
      return {};
  }
}
