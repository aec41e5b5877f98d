// The audit screen's logic: verify the hash chain in the browser with the SDK's encoding (the one
// the indexer writes with), cross-check its head against one fetched separately, filter the rows
// for the table, and produce the JSON / CSV files the team downloads.
import { toCsv, toExport, verifyExport, verifyRows, type AuditExport, type AuditRow, type VerifyResult } from "@onekey/sdk/audit";

export type { AuditExport, AuditRow, VerifyResult };

/**
 * Verifies an export in this browser: every hash and link, its own head, and — when given — the
 * head fetched from `/audit/head` in a separate request (catches rows cut off the end).
 */
export function verifyInBrowser(input: AuditExport | string, head?: { seq: string; hash: string }): VerifyResult {
  const own = verifyExport(input);
  if (!own.ok || !head) return own;
  const rows = typeof input === "string" ? (JSON.parse(input) as AuditExport).rows : input.rows;
  return verifyRows(rows, { expectedHead: head });
}

/** Verifies a file someone hands over (JSON or CSV); a file that is neither is a failed check, not a crash. */
export function verifyFile(text: string, head?: { seq: string; hash: string }): VerifyResult {
  try {
    if (text.trimStart().startsWith("{")) return verifyInBrowser(text, head);
    return verifyExport(text);
  } catch (error) {
    return { ok: false, count: 0, seq: "0", row: -1, reason: `not an audit export: ${(error as Error).message.slice(0, 200)}` };
  }
}

export interface AuditFilter {
  /** An exact type, a prefix like "grant.*", or empty for all. */
  eventType?: string;
  /** Block time bounds, unix seconds (inclusive from, exclusive to). */
  from?: number;
  to?: number;
  /** Substring of the payload (ids, hashes, addresses: the log holds no personal data). */
  text?: string;
}

export function matchesType(eventType: string, filter: string | undefined): boolean {
  if (!filter || filter === "*") return true;
  if (filter.endsWith(".*")) return eventType.startsWith(filter.slice(0, -1));
  return eventType === filter;
}

export function filterRows(rows: AuditRow[], f: AuditFilter): AuditRow[] {
  const text = f.text?.trim().toLowerCase();
  return rows.filter(
    (r) =>
      matchesType(r.eventType, f.eventType) &&
      (f.from === undefined || Number(r.timestamp) >= f.from) &&
      (f.to === undefined || Number(r.timestamp) < f.to) &&
      (!text || r.payload.toLowerCase().includes(text) || r.transactionHash.includes(text)),
  );
}

/** The distinct event types in the log, for the filter's options. */
export const eventTypesOf = (rows: AuditRow[]): string[] => [...new Set(rows.map((r) => r.eventType))].sort();

/**
 * The file to download. Always the whole chain (a filtered subset could not be verified by
 * anyone: every row links to the one before).
 */
export function exportFile(projectId: bigint, rows: AuditRow[], format: "json" | "csv"): { name: string; type: string; text: string } {
  const name = `onekey-audit-project-${projectId}.${format}`;
  if (format === "csv") return { name, type: "text/csv", text: toCsv(rows) };
  return { name, type: "application/json", text: `${JSON.stringify(toExport(projectId.toString(), rows), null, 2)}\n` };
}

export { download } from "./download.ts";
