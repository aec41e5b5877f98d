// The field picker's logic, on the SDK's field-mask encoding (bit `index` of a manifest field set
// = that field disclosed): the mask a selection builds, the selection a mask shows, and what a
// grant's mask discloses of a manifest (so the reviewer sees exactly which fields were granted).
import { fieldMaskOf, fieldsOfMask, type Manifest, type ManifestField } from "@onekey/sdk/crypto";

export type { Manifest, ManifestField };

/** The mask for the chosen field names (unknown names throw the SDK's UnknownFieldError). */
export const maskOf = (manifest: Manifest, selected: Iterable<string>): bigint => fieldMaskOf(manifest, [...selected]);

/** The field names a mask selects, in manifest order. */
export const selectedBy = (manifest: Manifest, mask: bigint): string[] => fieldsOfMask(manifest, mask).map((f) => f.name);

/** Toggles one value in a selection (a new Set; a picker's state stays immutable). */
export function toggle<T>(selection: ReadonlySet<T>, value: T): Set<T> {
  const next = new Set(selection);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return next;
}

/** Bits a mask sets beyond the manifest's fields: a grant asking for fields the record lacks. */
export function unknownBits(manifest: Manifest, mask: bigint): number[] {
  const known = manifest.fields.reduce((m, f) => m | (1n << BigInt(f.index)), 0n);
  const rest = mask & ~known;
  const bits: number[] = [];
  for (let i = 0; rest >> BigInt(i) > 0n; i++) if ((rest >> BigInt(i)) & 1n) bits.push(i);
  return bits;
}

/** How many fields a mask discloses (the on-chain mask without a manifest: just its set bits). */
export function countBits(mask: bigint): number {
  let n = 0;
  for (let m = mask; m > 0n; m >>= 1n) n += Number(m & 1n);
  return n;
}

/** The granted and withheld fields of a manifest under a grant's mask, for the review screen. */
export function disclosure(manifest: Manifest, mask: bigint): { granted: ManifestField[]; withheld: ManifestField[] } {
  const granted = fieldsOfMask(manifest, mask);
  return { granted, withheld: manifest.fields.filter((f) => !granted.includes(f)) };
}
