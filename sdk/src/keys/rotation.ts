// Rotation, the pure part: a new DEK and version, every field re-encrypted, and the keys of each
// LIVE grant re-sealed for the new version. Dead (revoked, expired) grants get nothing: rotation
// is how a revocation also cuts off later versions. Chain writes are the flow's job
// (flows/rotateRecordKeys); this stays testable without a chain.
import type { Hex } from "viem";
import { decryptRecord, encryptRecord, fieldKeysFor, fieldMaskOf, fieldsOfMask, parseBundle, type EncryptedRecord, type FieldValue } from "../crypto/record.ts";
import type { GranteeRef, KeyRelease } from "../crypto/release.ts";
import { InvalidRecordInputError } from "../crypto/errors.ts";

export type RotationGrant = {
  grantee: GranteeRef;
  /** The grant's mask against the current version's manifest. */
  fieldMask: bigint;
  /** Whether the grant is live right now (RecordRegistry.isGrantLive). */
  live: boolean;
};

export type PrepareRotationParameters = {
  recordId: Hex;
  /** The current version and its DEK (the owner's). */
  version: number;
  dek: Uint8Array;
  /** The current bundle, already checked against the on-chain content hash. */
  bundle: Uint8Array;
  grants: RotationGrant[];
  /** Seals the re-wrapped keys; its mode becomes the new version's key-release mode. */
  keyRelease: KeyRelease;
  /** Values to replace or add in the new version (e.g. a renewed document). */
  updates?: Record<string, FieldValue>;
  litNetwork?: string;
  /** The new version's DEK; default a fresh random key. */
  newDek?: Uint8Array;
};

export type PrepareRotationReturnType = {
  version: number;
  encrypted: EncryptedRecord;
  rewraps: { grantee: GranteeRef; fieldMask: bigint; wrappedKey: Uint8Array }[];
  dropped: GranteeRef[];
};

export async function prepareRotation(p: PrepareRotationParameters): Promise<PrepareRotationReturnType> {
  const { manifest } = parseBundle(p.bundle);
  const current = await decryptRecord({ bundle: p.bundle, recordId: p.recordId, version: p.version, keys: { dek: p.dek } });
  // Keep the old field order so a grant's field indexes mean the same fields; new names go last.
  const fields: Record<string, FieldValue> = {};
  for (const f of manifest.fields) fields[f.name] = p.updates?.[f.name] ?? current[f.name];
  for (const [name, value] of Object.entries(p.updates ?? {})) if (!(name in fields)) fields[name] = value;
  if (p.version >= 0xffffffff) throw new InvalidRecordInputError("the record is at its last version");
  const version = p.version + 1;
  const encrypted = await encryptRecord({ recordId: p.recordId, version, fields, keyRelease: p.keyRelease.mode, litNetwork: p.litNetwork, dek: p.newDek });
  const rewraps: PrepareRotationReturnType["rewraps"] = [];
  const dropped: GranteeRef[] = [];
  for (const g of p.grants) {
    if (!g.live) {
      dropped.push(g.grantee);
      continue;
    }
    const names = fieldsOfMask(manifest, g.fieldMask).map((f) => f.name);
    const fieldMask = fieldMaskOf(encrypted.manifest, names);
    const keys = [...(await fieldKeysFor(encrypted.dek, encrypted.manifest, fieldMask)).values()];
    rewraps.push({ grantee: g.grantee, fieldMask, wrappedKey: await p.keyRelease.seal({ recordId: p.recordId, version, grantee: g.grantee, keys }) });
  }
  return { version, encrypted, rewraps, dropped };
}
