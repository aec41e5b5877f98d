// What the person's page reads from the indexer (public chain facts only) and opens on this
// device (their own records, decrypted with DEKs derived from the wallet).
import { useQuery } from "@tanstack/react-query";
import type { Hex } from "viem";
import { decryptRecord, parseBundle, type FieldValue, type Manifest } from "@onekey/sdk/crypto";
import { recordDek } from "@onekey/sdk/keys";
import { downloadVerified } from "@onekey/sdk/storage";
import { useOneKey } from "../shell/OneKey.tsx";
import { useIndexer } from "../shell/useIndexer.ts";

export interface RecordRow {
  id: Hex;
  version: number;
  erased: boolean;
  registeredAt: string;
  storageId: Hex;
  contentHash: Hex;
}
export interface GrantRow {
  id: string;
  recordId: Hex;
  grantee: Hex;
  granteeKind: "account" | "project";
  granteeProjectId: string | null;
  granteeAccount: Hex | null;
  purpose: number;
  expiry: string;
  fieldMask: string;
  revoked: boolean;
  recordVersion: number;
  grantedAt: string;
}
export interface AttestationRow {
  id: string;
  projectId: string;
  level: number;
  expiry: string;
  claims: string;
  revoked: boolean;
  attestedAt: string;
  recordId: Hex;
}
export interface AuditRow {
  id: string;
  recordId: Hex;
  projectId: string;
  auditor: Hex;
  authorisationHash: Hex;
  timestamp: string;
  transactionHash: Hex;
}
export interface ProjectRow {
  id: string;
  metadataURI: string;
  suspended: boolean;
  reviewKey: Hex | null;
}

const lower = (a?: string) => a?.toLowerCase();

export function useMyRecords() {
  const { account } = useOneKey();
  return useIndexer<{ records: { items: RecordRow[] } }>(
    ["records", account?.address],
    `query($owner: String!) { records(where: { owner: $owner }, orderBy: "registeredAt", orderDirection: "desc", limit: 100) { items { id version erased registeredAt storageId contentHash } } }`,
    { owner: lower(account?.address) },
    { enabled: !!account },
  );
}

export function useMyGrants() {
  const { account } = useOneKey();
  return useIndexer<{ grants: { items: GrantRow[] } }>(
    ["grants", account?.address],
    `query($owner: String!) { grants(where: { owner: $owner }, orderBy: "grantedAt", orderDirection: "desc", limit: 200) { items { id recordId grantee granteeKind granteeProjectId granteeAccount purpose expiry fieldMask revoked recordVersion grantedAt } } }`,
    { owner: lower(account?.address) },
    { enabled: !!account },
  );
}

export function useMyAttestations() {
  const { account } = useOneKey();
  return useIndexer<{ attestations: { items: AttestationRow[] } }>(
    ["attestations", account?.address],
    `query($subject: String!) { attestations(where: { subject: $subject }, limit: 100) { items { id projectId level expiry claims revoked attestedAt recordId } } }`,
    { subject: lower(account?.address) },
    { enabled: !!account },
  );
}

export function useAuditAccesses(recordIds: string[]) {
  return useIndexer<{ auditAccesss: { items: AuditRow[] } }>(
    ["audit", recordIds.join(",")],
    `query($ids: [String!]) { auditAccesss(where: { recordId_in: $ids }, orderBy: "timestamp", orderDirection: "desc", limit: 200) { items { id recordId projectId auditor authorisationHash timestamp transactionHash } } }`,
    { ids: recordIds },
    { enabled: recordIds.length > 0 },
  );
}

export function useProjects(ids: string[]) {
  return useIndexer<{ projects: { items: ProjectRow[] } }>(
    ["projects", ids.join(",")],
    `query($ids: [BigInt!]) { projects(where: { id_in: $ids }, limit: 100) { items { id metadataURI suspended reviewKey } } }`,
    { ids },
    { enabled: ids.length > 0, refetchInterval: 10_000 },
  );
}

/** A project's display name: `name` of a data: or JSON metadata URI, else the URI's host, else its id. */
export function projectName(p: { id: string; metadataURI?: string } | undefined, id?: string): string {
  if (!p) return `Project ${id}`;
  const uri = p.metadataURI ?? "";
  try {
    if (uri.startsWith("data:application/json,")) {
      const name = (JSON.parse(decodeURIComponent(uri.slice("data:application/json,".length))) as { name?: unknown }).name;
      if (typeof name === "string" && name) return `${name} (#${p.id})`;
    }
    if (/^https?:/.test(uri)) return `${new URL(uri).host}${new URL(uri).pathname.replace(/\.json$/, "")} (#${p.id})`;
  } catch {
    // fall through to the id
  }
  return `Project ${p.id}`;
}

export interface OpenedRecord {
  manifest: Manifest;
  fields: Record<string, FieldValue>;
}

/** Downloads (verified against the chain's content hash) and decrypts one of the person's records. */
export function useOpenedRecord(r: RecordRow | undefined) {
  const { keys, storage, network } = useOneKey();
  return useQuery({
    queryKey: ["opened", network.chainId, r?.id, r?.version],
    enabled: !!r && !!keys && !r.erased,
    staleTime: Infinity,
    queryFn: async (): Promise<OpenedRecord> => {
      const bundle = await downloadVerified(await storage(), r!.storageId, r!.contentHash);
      const dek = await recordDek(keys!.ownerSecret, r!.id, r!.version);
      const fields = await decryptRecord({ bundle, recordId: r!.id, version: r!.version, keys: { dek } });
      return { manifest: parseBundle(bundle).manifest, fields };
    },
  });
}

/** The chain's clock (latest block time), which judges expiry. */
export function useChainTime() {
  const { publicClient, network } = useOneKey();
  return useQuery({
    queryKey: ["chainTime", network.chainId],
    queryFn: async () => (await publicClient.getBlock()).timestamp,
    refetchInterval: 2_000,
  }).data;
}
