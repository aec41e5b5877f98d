// Shared benchmark output: one table on stdout and flat JSON in bench/results/<name>.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type Row = Record<string, string | number | boolean | undefined>;

const ROOT = new URL("../..", import.meta.url).pathname;

export function printTable(title: string, rows: Row[]): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: Row[string]) =>
    v === undefined ? "—" : typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(2)) : String(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  console.log(`\n${title}\n`);
  console.log(line(columns));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(columns.map((c) => cell(r[c]))));
  console.log();
}

/** Writes `{"metric": number}` to bench/results/<name>.json (git-ignored) and returns its path. */
export function writeResults(name: string, metrics: Record<string, number>): string {
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(metrics, null, 2)}\n`);
  return file;
}
