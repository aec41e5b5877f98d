// @onekey/sdk/audit — the hash-chained audit log: canonical row serialisation, hashing, export
// formats and verification. The ONE source of this encoding: the indexer writes its chain with it,
// the API and a regulator's offline check (indexer/scripts/verify-audit.ts) verify with it, and
// the organisation's console verifies exports in the browser with it. Synchronous SHA-256 from
// viem (pure JS, so it runs in every browser and in Node without node:crypto). The format is
// specified in docs/indexer.md ("Audit export"); changing anything here is a new format version.
import { sha256, stringToBytes } from "viem";

export const AUDIT_FORMAT = "onekey-audit-v1";
export const GENESIS_HASH = `0x${"00".repeat(32)}` as const;

/** One row of the log, every field a string exactly as it is hashed. */
export interface AuditRow {
  projectId: string;
  seq: string;
  eventId: string;
  eventType: string;
  chainId: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  logIndex: string;
  timestamp: string;
  payload: string;
  prevHash: string;
  hash: string;
}

/** The fields in the order they are serialised (the hash is not part of its own input). */
export const CANONICAL_FIELDS = [
  "chainId",
  "projectId",
  "seq",
  "eventId",
  "eventType",
  "blockNumber",
  "blockHash",
  "transactionHash",
  "logIndex",
  "timestamp",
  "payload",
  "prevHash",
] as const satisfies readonly (keyof AuditRow)[];

export const CSV_COLUMNS = [...CANONICAL_FIELDS, "hash"] as const;

const HEX = /^0x[0-9a-fA-F]*$/;

/** An event argument as a canonical string: decimal integers, lower-case hex, "true"/"false". */
export function canonicalValue(value: unknown): string {
  if (typeof value === "bigint" || typeof value === "number") return value.toString(10);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return HEX.test(value) ? value.toLowerCase() : value;
  throw new TypeError(`unsupported payload value of type ${typeof value}`);
}

/** Event arguments as canonical JSON: keys sorted, every value a canonical string, no spaces. */
export function canonicalPayload(args: Record<string, unknown>): string {
  const keys = Object.keys(args).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, canonicalValue(args[k])])));
}

/** The exact bytes hashed for a row: a JSON array of the canonical fields, in order. */
export function canonicalRow(row: Omit<AuditRow, "hash">): string {
  return JSON.stringify(CANONICAL_FIELDS.map((field) => row[field]));
}

export function rowHash(row: Omit<AuditRow, "hash">): `0x${string}` {
  return sha256(stringToBytes(canonicalRow(row)));
}

export interface AuditExport {
  format: typeof AUDIT_FORMAT;
  projectId: string;
  count: number;
  head: { seq: string; hash: string };
  rows: AuditRow[];
}

export function toExport(projectId: string, rows: AuditRow[]): AuditExport {
  const last = rows.at(-1);
  return {
    format: AUDIT_FORMAT,
    projectId,
    count: rows.length,
    head: { seq: last?.seq ?? "0", hash: last?.hash ?? GENESIS_HASH },
    rows,
  };
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function toCsv(rows: AuditRow[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of rows) lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** RFC 4180 CSV (quoted cells may hold commas, quotes and newlines). */
export function parseCsv(text: string): AuditRow[] {
  const records: string[][] = [];
  let cell = "";
  let current: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") current.push(cell), (cell = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      current.push(cell), records.push(current), (current = []), (cell = "");
    } else cell += ch;
  }
  if (cell !== "" || current.length) current.push(cell), records.push(current);
  const [header, ...body] = records.filter((r) => r.length > 1 || r[0] !== "");
  if (!header) return [];
  return body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])) as unknown as AuditRow);
}

export type VerifyResult =
  | { ok: true; count: number; head: { seq: string; hash: string } }
  | { ok: false; count: number; seq: string; row: number; reason: string };

/**
 * Recomputes every hash and link. Rows must be one chain from seq 1 (or from `anchor`, the hash
 * of the row before the first one given). The first failure names the row (its seq and 0-based
 * position) and what is wrong. `expectedHead`, when given (e.g. fetched separately from the API or
 * recomputed by re-indexing the chain), also catches rows cut off the end.
 */
export function verifyRows(rows: AuditRow[], options: { anchor?: string; expectedHead?: { seq: string; hash: string } } = {}): VerifyResult {
  let prev = options.anchor ?? GENESIS_HASH;
  let prevSeq = rows.length && options.anchor ? BigInt(rows[0].seq) - 1n : 0n;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const fail = (reason: string): VerifyResult => ({ ok: false, count: rows.length, seq: row.seq, row: i, reason });
    const missing = CSV_COLUMNS.find((c) => typeof row[c] !== "string");
    if (missing) return fail(`row seq ${row.seq}: field ${missing} is missing or not a string`);
    if (BigInt(row.seq) !== prevSeq + 1n) {
      return fail(`row seq ${row.seq}: expected seq ${prevSeq + 1n} (a row was removed or reordered)`);
    }
    if (row.prevHash !== prev) {
      return fail(`row seq ${row.seq}: prevHash ${row.prevHash} does not match the previous row's hash ${prev} (row ${prevSeq} or this row was altered)`);
    }
    const computed = rowHash(row);
    if (computed !== row.hash)
      return fail(`row seq ${row.seq}: content does not match its hash (computed ${computed}, stored ${row.hash}): the row was altered`);
    prev = row.hash;
    prevSeq = BigInt(row.seq);
  }
  const head = { seq: prevSeq.toString(), hash: prev };
  const expected = options.expectedHead;
  if (expected && (expected.seq !== head.seq || expected.hash !== head.hash)) {
    const last = rows.length - 1;
    return {
      ok: false,
      count: rows.length,
      seq: head.seq,
      row: last,
      reason: `chain ends at seq ${head.seq} hash ${head.hash} but the expected head is seq ${expected.seq} hash ${expected.hash} (rows were removed from the end or the export is stale)`,
    };
  }
  return { ok: true, count: rows.length, head };
}

/** Verifies a JSON export (object or text) or a CSV export (text), including its own head. */
export function verifyExport(given: AuditExport | string): VerifyResult {
  let input: AuditExport;
  if (typeof given === "string") {
    const trimmed = given.trimStart();
    if (!trimmed.startsWith("{")) return verifyRows(parseCsv(given));
    input = JSON.parse(trimmed) as AuditExport;
  } else input = given;
  if (input.format !== AUDIT_FORMAT) {
    return { ok: false, count: 0, seq: "0", row: -1, reason: `unknown format ${String(input.format)}; expected ${AUDIT_FORMAT}` };
  }
  return verifyRows(input.rows, { expectedHead: input.head });
}
