// Labels for the grant picker, purposes and grant states. The record's fields, their labels and
// formats are the SDK's record schema (@onekey/sdk/schema), which the review service reads too.
import { fieldMaskOf, type Manifest } from "@onekey/sdk/crypto";
import { Purpose, type PurposeName } from "@onekey/sdk/constants";
import { COUNTRY_ALPHA2 } from "@onekey/sdk/schema";

export { fieldLabel } from "@onekey/sdk/schema";

// Country names from the browser's own data (no table in the bundle), sorted as the person reads them.
const regionNames = new Intl.DisplayNames(["en"], { type: "region" });
export const COUNTRIES: { code: string; label: string }[] = Object.entries(COUNTRY_ALPHA2)
  .map(([code, alpha2]) => ({ code, label: regionNames.of(alpha2) ?? code }))
  .sort((a, b) => a.label.localeCompare(b.label));

export const PURPOSES: { name: PurposeName; label: string }[] = (Object.keys(Purpose) as PurposeName[]).map((name) => ({
  name,
  label:
    { KYC_REVIEW: "Identity check (KYC review)", COMPLIANCE: "Compliance", AUDIT: "Audit", DISPUTE: "A dispute", SUPPORT: "Customer support" }[name] ?? name,
}));
export const purposeLabel = (value: number) => PURPOSES.find((p) => Purpose[p.name] === value)?.label ?? `purpose ${value}`;

/** The on-chain field mask for the chosen fields (the SDK's encoding: bit i = manifest field i). */
export function grantMask(manifest: Manifest, chosen: string[]): bigint {
  return fieldMaskOf(manifest, chosen);
}

/** The state a person reads for a grant, judged at chain time. */
export type GrantStateName = "live" | "expired" | "revoked" | "superseded";
export function grantStateOf(
  g: { revoked: boolean; expiry: bigint; recordVersion: number },
  recordVersion: number,
  erased: boolean,
  now: bigint,
): GrantStateName {
  if (g.revoked || erased) return "revoked";
  if (g.recordVersion !== recordVersion) return "superseded";
  if (g.expiry <= now) return "expired";
  return "live";
}
