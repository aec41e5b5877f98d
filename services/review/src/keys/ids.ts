// Key ids in a store: one per project and key version for the review key, one per project for the
// audit-escrow key. Ids match the SDK's KeyStore id rule (/^[A-Za-z0-9_.:-]{1,128}$/).
import { InvalidKeyIdError } from "@onekey/sdk/keys";

export const KEY_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function assertKeyId(id: string): string {
  if (typeof id !== "string" || !KEY_ID.test(id)) throw new InvalidKeyIdError(String(id));
  return id;
}

export const reviewKeyId = (projectId: bigint, keyVersion: number): string => `review:${projectId}:v${keyVersion}`;
export const escrowKeyId = (projectId: bigint): string => `escrow:${projectId}`;
