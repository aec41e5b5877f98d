// Reading a record's pointer and a grant's wrapped key through the OneKey indexer (GraphQL) instead
// of scanning the chain's logs: Base RPC providers refuse eth_getLogs from block 0, and a scan over
// a long chain is slow even where allowed. The indexer is trusted for nothing it could abuse: the
// content hash and version come from the chain, so a wrong storage id fails the hash check and a
// wrong wrapped key fails authentication (AES-GCM) before any plaintext exists.
import { isHex, type Hex } from "viem";
import { BaseError } from "../errors.ts";

/** Where the indexer is: its base URL (GraphQL at `/graphql`) and an API key with the read scope. */
export interface IndexerSource {
  url: string;
  apiKey?: string;
  /** Default: globalThis.fetch. */
  fetch?: typeof fetch;
}

/** The indexer could not be asked, or answered something that is not a OneKey record or grant. */
export class IndexerRequestError extends BaseError {
  override name = "IndexerRequestError";
  constructor(details: string, cause?: unknown) {
    super("The indexer request failed.", { details, cause, docsPath: "sdk.md#submit-grant-read" });
  }
}

/** The indexer has not caught up with the chain for this record or grant (yet). */
export class IndexerBehindError extends BaseError {
  override name = "IndexerBehindError";
  constructor(details: string) {
    super("The indexer is behind the chain for this record.", {
      details,
      docsPath: "sdk.md#submit-grant-read",
      metaMessages: ["Retry shortly, or pass `fromBlock` to read the chain's logs instead."],
    });
  }
}

export type IndexedPointer = { version: number; storageId: Hex };
export type IndexedGrant = { wrappedKey: Hex; recordVersion: number; fieldMask: bigint };

type Answer = {
  data?: {
    record?: { version: number; storageId: string } | null;
    grant?: { wrappedKey: string; recordVersion: number; fieldMask: string | number } | null;
  };
  errors?: { message?: string }[];
};

/** The record's current pointer and the latest grant to `grantee`, as the indexer has them. */
export async function readFromIndexer(source: IndexerSource, recordId: Hex, grantee: Hex): Promise<{ record?: IndexedPointer; grant?: IndexedGrant }> {
  // Ids are checked hex: interpolating them cannot change the query.
  if (!isHex(recordId, { strict: true }) || !isHex(grantee, { strict: true })) throw new IndexerRequestError("record id and grantee must be hex");
  const query = `{ record(id: "${recordId.toLowerCase()}") { version storageId } grant(id: "${recordId.toLowerCase()}:${grantee.toLowerCase()}") { wrappedKey recordVersion fieldMask } }`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (source.apiKey) headers.authorization = `Bearer ${source.apiKey}`;
  let answer: Answer;
  try {
    const res = await (source.fetch ?? fetch)(new URL("/graphql", source.url), { method: "POST", headers, body: JSON.stringify({ query }) });
    if (!res.ok) throw new IndexerRequestError(`HTTP ${res.status} from ${new URL(source.url).origin}`);
    answer = (await res.json()) as Answer;
  } catch (error) {
    if (error instanceof IndexerRequestError) throw error;
    throw new IndexerRequestError((error as Error).message, error);
  }
  if (answer.errors?.length || !answer.data) throw new IndexerRequestError(`GraphQL: ${String(answer.errors?.[0]?.message).slice(0, 200)}`);
  const { record, grant } = answer.data;
  const hex = (v: unknown): v is Hex => typeof v === "string" && isHex(v, { strict: true });
  if (record && (!hex(record.storageId) || !Number.isInteger(record.version))) throw new IndexerRequestError("malformed record row");
  if (grant && (!hex(grant.wrappedKey) || !Number.isInteger(grant.recordVersion) || !/^\d+$/.test(String(grant.fieldMask)))) {
    throw new IndexerRequestError("malformed grant row");
  }
  return {
    record: record ? { version: record.version, storageId: record.storageId as Hex } : undefined,
    grant: grant ? { wrappedKey: grant.wrappedKey as Hex, recordVersion: grant.recordVersion, fieldMask: BigInt(grant.fieldMask) } : undefined,
  };
}
