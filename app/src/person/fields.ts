// The KYC form's fields (manifest names are fixed, labels are what the person reads) and the
// grant field picker's mask.
import { fieldMaskOf, type Manifest } from "@onekey/sdk/crypto";
import { Purpose, type PurposeName } from "@onekey/sdk/constants";

export const TEXT_FIELDS = [
  { name: "full_name", label: "Full name", autoComplete: "name" },
  { name: "date_of_birth", label: "Date of birth", autoComplete: "bday" },
  { name: "nationality", label: "Nationality", autoComplete: "country-name" },
  { name: "document_number", label: "ID document number", autoComplete: "off" },
  { name: "address", label: "Home address", autoComplete: "street-address" },
] as const;

export const fieldLabel = (name: string): string =>
  TEXT_FIELDS.find((f) => f.name === name)?.label ?? (/^document_(\d+)$/.test(name) ? `Document ${name.split("_")[1]}` : name);

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
