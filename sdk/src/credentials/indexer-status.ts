// A credential's status through the OneKey indexer instead of an RPC: the same rule
// (judgeCredentialStatus) applied to the indexer's `attestationState` row, judged at the indexed
// head (`asOfTimestamp`), one GraphQL request. For backends that already trust their indexer; the
// indexer must index the credential's chain and AttestationRegistry (its chain id is checked).
import { getAddress, type Address } from "viem";
import { BaseError } from "../errors.ts";
import type { VerifiedCredential } from "./credential.ts";
import { judgeCredentialStatus, type AttestationSlot } from "./status.ts";

export interface IndexerEndpoint {
  /** The indexer's base URL (GraphQL at `/graphql`). */
  url: string;
  /** An API key with the `read` scope. */
  apiKey: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

export class IndexerStatusError extends BaseError {
  override name = "IndexerStatusError";
  constructor(what: string, cause?: unknown) {
    super(`The indexer could not answer the credential's status: ${what}.`, { cause, docsPath: "credentials.md#what-a-verifier-must-check" });
  }
}

type Row = { attester: Address; level: number; claims: string; expiry: string; revoked: boolean; asOfBlock: string; asOfTimestamp: string };

export type CheckCredentialStatusWithIndexerReturnType = { blockNumber: bigint; timestamp: bigint; attestation: AttestationSlot };

const QUERY = `query ($id: String!) {
  attestationStates(where: { id: $id }, limit: 1) { items { attester level claims expiry revoked asOfBlock asOfTimestamp } }
  _meta { status }
}`;

/** `checkCredentialStatus`, answered by the indexer at its indexed head. */
export async function checkCredentialStatusWithIndexer(
  indexer: IndexerEndpoint,
  credential: VerifiedCredential,
): Promise<CheckCredentialStatusWithIndexerReturnType> {
  const id = `${credential.projectId}:${credential.subject.toLowerCase()}`;
  let body: {
    data?: { attestationStates: { items: Row[] }; _meta: { status: Record<string, { id: number; block: { number: number; timestamp: number } }> } };
    errors?: { message: string }[];
  };
  try {
    const res = await (indexer.fetch ?? fetch)(`${indexer.url.replace(/\/$/, "")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${indexer.apiKey}` },
      body: JSON.stringify({ query: QUERY, variables: { id } }),
    });
    if (!res.ok) throw new IndexerStatusError(`HTTP ${res.status}`);
    body = await res.json();
  } catch (error) {
    if (error instanceof IndexerStatusError) throw error;
    throw new IndexerStatusError("the request failed", error);
  }
  if (!body.data || body.errors?.length)
    throw new IndexerStatusError(
      `GraphQL errors: ${(body.errors ?? [])
        .map((e) => e.message)
        .join("; ")
        .slice(0, 200)}`,
    );
  const chains = Object.values(body.data._meta.status ?? {});
  if (!chains.some((c) => c.id === credential.chainId)) throw new IndexerStatusError(`it does not index chain ${credential.chainId}`);
  const head = chains.find((c) => c.id === credential.chainId)!.block;
  const row = body.data.attestationStates.items[0];
  // A revoked (or never indexed) attestation reads as the empty slot, as getAttestation returns it.
  const slot: AttestationSlot =
    row && !row.revoked
      ? { level: row.level, expiry: BigInt(row.expiry), attester: getAddress(row.attester), claims: Number(BigInt(row.claims)) }
      : { level: 0, expiry: 0n, attester: "0x0000000000000000000000000000000000000000", claims: 0 };
  const blockNumber = row ? BigInt(row.asOfBlock) : BigInt(head.number);
  const timestamp = row ? BigInt(row.asOfTimestamp) : BigInt(head.timestamp);
  judgeCredentialStatus(credential, slot, timestamp, `the indexer at block ${blockNumber}`);
  return { blockNumber, timestamp, attestation: slot };
}
