// Offline verification of a OneKey audit export (JSON or CSV), for a regulator or auditor:
//
//   node indexer/scripts/verify-audit.ts export.json [--head <seq>:<hash>]
//
// Needs only Node >= 22.6 (type stripping) and the SDK's audit module (@onekey/sdk/audit, through
// lib/audit.ts), which needs nothing but viem. --head is the chain head obtained independently (GET .../audit/head at
// another time, or recomputed by re-indexing the chain); with it, rows cut off the end are caught
// too. Exit status 0 = verified, 1 = verification failed (the message names the row), 2 = usage.
import { readFileSync } from "node:fs";
import { verifyExport, verifyRows, parseCsv, type AuditExport } from "../lib/audit.ts";

const [file, flag, head] = process.argv.slice(2);
if (!file || (flag && (flag !== "--head" || !head?.includes(":")))) {
  console.error("usage: node indexer/scripts/verify-audit.ts <export.json|export.csv> [--head <seq>:<hash>]");
  process.exit(2);
}
const text = readFileSync(file, "utf8");
let result = verifyExport(text);
if (result.ok && head) {
  const [seq, hash] = head.split(":");
  const rows = text.trimStart().startsWith("{") ? (JSON.parse(text) as AuditExport).rows : parseCsv(text);
  result = verifyRows(rows, { expectedHead: { seq, hash: hash.toLowerCase() } });
}
if (result.ok) {
  console.log(`OK: ${result.count} rows, head seq ${result.head.seq} hash ${result.head.hash}`);
  process.exit(0);
}
console.log(`FAILED at row seq ${result.seq} (position ${result.row}): ${result.reason}`);
process.exit(1);
