// `npm run bench`: every benchmark in turn, then one table of all their figures
// (bench/results/<name>.json, written by each).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { printTable } from "./report.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
const benches = Object.keys(scripts).filter((name) => name.startsWith("bench:"));
const failed: string[] = [];
const resultFile = (name: string) => join(ROOT, "bench", "results", `${name.slice("bench:".length)}.json`);
for (const name of benches) {
  console.log(`\n=== npm run ${name}`);
  // A bench that fails must not leave an earlier run's figures in the table below.
  rmSync(resultFile(name), { force: true });
  const run = spawnSync("npm", ["run", "--silent", name], { cwd: ROOT, stdio: "inherit" });
  if (run.status !== 0) failed.push(name);
}
const rows = benches.flatMap((name) => {
  const file = resultFile(name);
  if (!existsSync(file)) return [];
  const metrics = JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
  return Object.entries(metrics).map(([metric, value]) => ({
    bench: name.slice(6),
    metric,
    value: Number.isInteger(value) ? value : Number(value.toFixed(2)),
  }));
});
printTable("All benchmarks (bench/results/*.json)", rows);
if (failed.length) {
  console.error(`failed: ${failed.join(", ")}`);
  process.exit(1);
}
