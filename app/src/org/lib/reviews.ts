// The in-browser review: the queue of records granted to the project for KYC_REVIEW (from the
// indexer), opening one with the project's review key (readRecord checks access on-chain, verifies
// the bundle's hash and decrypts only the granted fields, here, in memory), then an attestation
// on-chain (approve) or a decline kept in this browser (the contracts record no declines).
import { attest, claimsValue, Claim, getAttestation, Purpose, revokeAttestation, type ClaimName } from "@onekey/sdk/contracts";
import { IndexerBehindError, readRecord, type IndexerSource } from "@onekey/sdk/flows";
import type { FieldValue, KeyAgreement, X25519KeyPair } from "@onekey/sdk/crypto";
import { fieldLabel, isDocumentField, sniffMimeType, unpackFile } from "@onekey/sdk/schema";
import type { Address, Hex } from "viem";
import type { OneKeyHandle } from "../../shell/handle.ts";
import type { GrantRow } from "./indexer.ts";
import { InvalidInputError } from "./errors.ts";

export const CLAIM_NAMES = Object.keys(Claim) as ClaimName[];

export interface Decision {
  recordId: Hex;
  grantId: string;
  outcome: "approved" | "rejected";
  at: string;
  /** A reason code, never a field value. */
  reason?: string;
  level?: number;
}

/** Where decisions live: this browser's localStorage, per chain and project. Ids and codes only. */
export interface DecisionLog {
  list(): Decision[];
  add(d: Decision): void;
}

export function localDecisionLog(chainId: number, projectId: bigint, storage: Pick<Storage, "getItem" | "setItem"> = localStorage): DecisionLog {
  const key = `onekey:decisions:${chainId}:${projectId}`;
  const read = (): Decision[] => {
    try {
      const v = JSON.parse(storage.getItem(key) ?? "[]");
      return Array.isArray(v) ? v : [];
    } catch {
      return [];
    }
  };
  return {
    list: read,
    add: (d) => storage.setItem(key, JSON.stringify([...read().filter((x) => x.grantId !== d.grantId), d])),
  };
}

export interface QueueItem extends GrantRow {
  decision?: Decision;
}

/** Live KYC_REVIEW grants, oldest first, each with this browser's decision if one was made. */
export function reviewQueue(grants: GrantRow[], decisions: Decision[]): { open: QueueItem[]; decided: QueueItem[] } {
  const byGrant = new Map(decisions.map((d) => [d.grantId, d]));
  const items = grants
    .filter((g) => g.state === "live" && Number(g.purpose) === Purpose.KYC_REVIEW)
    .map((g) => ({ ...g, decision: byGrant.get(g.id) }))
    .sort((a, b) => Number(a.grantedAt) - Number(b.grantedAt));
  return { open: items.filter((i) => !i.decision), decided: items.filter((i) => i.decision) };
}

export type OpenReviewParameters = {
  projectId: bigint;
  recordId: Hex;
  storage: Parameters<typeof readRecord>[1]["storage"];
  reviewKey: KeyAgreement | X25519KeyPair;
  /** The reviewer (default the client's account): must be an active REVIEWER of the project. */
  reader?: Address;
  /** Where the storage id and the wrapped key are read: the project's indexer connection (an API key with the read scope). */
  indexer?: IndexerSource;
  /** Without an indexer: where the scan of the chain's logs for the grant starts (the registries' deployment block); one of the two is required. */
  fromBlock?: bigint;
};

/** How long an indexer that has not caught up with the grant yet is waited for. */
const INDEXER_WAIT_MS = 20_000;

/**
 * The granted fields, decrypted in this browser. Nothing here is sent anywhere. An indexer that
 * lags the chain (a grant made seconds ago) is asked again for a while, then the error shows.
 */
export async function openForReview(
  h: OneKeyHandle,
  p: OpenReviewParameters,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<Record<string, FieldValue>> {
  const read = () =>
    readRecord(h.client, {
      ...h.on,
      recordId: p.recordId,
      storage: p.storage,
      via: { projectId: p.projectId },
      keyPair: p.reviewKey,
      reader: p.reader,
      indexer: p.indexer,
      fromBlock: p.fromBlock,
    });
  const until = Date.now() + INDEXER_WAIT_MS;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof IndexerBehindError) || Date.now() >= until) throw error;
      await sleep(500);
    }
  }
}

export type ApproveParameters = {
  projectId: bigint;
  subject: Address;
  recordId: Hex;
  level: number;
  /** Unix seconds. */
  expiry: bigint;
  claims: ClaimName[];
  /** Chain time now (the head's timestamp), to refuse an expiry already past. */
  now: bigint;
};

export function checkApproval(p: Pick<ApproveParameters, "level" | "expiry" | "now">): void {
  if (!Number.isInteger(p.level) || p.level < 1 || p.level > 255) throw new InvalidInputError("level", "The level is a whole number from 1 to 255.");
  if (p.expiry <= p.now) throw new InvalidInputError("expiry", "The attestation's expiry must be in the future.");
}

/** Attests on-chain: level, expiry, claims (bits only; the fields behind them stay here). */
export async function approve(h: OneKeyHandle, p: ApproveParameters) {
  checkApproval(p);
  const r = await attest(h.client, {
    ...h.on,
    projectId: p.projectId,
    subject: p.subject,
    level: p.level,
    expiry: p.expiry,
    claims: claimsValue(p.claims),
    recordId: p.recordId,
  });
  return r;
}

/** Declines: recorded in this browser; an attestation the project already gave the subject is revoked on-chain. */
export async function reject(h: OneKeyHandle, p: { projectId: bigint; subject: Address }): Promise<{ revokedAttestation: boolean }> {
  const existing = await getAttestation(h.client, { addresses: h.on.addresses, subject: p.subject, projectId: p.projectId });
  if (existing.level === 0) return { revokedAttestation: false };
  await revokeAttestation(h.client, { ...h.on, projectId: p.projectId, subject: p.subject });
  return { revokedAttestation: true };
}

/** Field values for display: text as is, bytes as a document (with its type guessed from magic bytes). */
/**
 * How a granted field is shown. A document (the record schema's front, back and further
 * documents) is unpacked: its own file name and type travelled encrypted inside the value. A
 * value that is not a packed document, or bytes in a text field, are shown by their sniffed type.
 */
export function displayValue(
  name: string,
  v: FieldValue,
): { kind: "text"; label: string; text: string } | { kind: "file"; label: string; bytes: Uint8Array; type: string; fileName?: string } {
  const label = fieldLabel(name);
  if (typeof v === "string") return { kind: "text", label, text: v };
  if (isDocumentField(name)) {
    try {
      const f = unpackFile(v);
      return { kind: "file", label, bytes: f.bytes, type: f.type, fileName: f.name };
    } catch {
      // Not packed (a record written before the schema): fall through to the raw bytes.
    }
  }
  return { kind: "file", label, bytes: v, type: sniffMimeType(v) ?? "application/octet-stream" };
}
