// Builds @onekey/sdk (sdk/dist) when any shipped source is newer than the last build, so `npm start`,
// `npm run demo`, the benches and the Hardhat tests, which load the package like any consumer,
// never run a stale build. `--force` always builds. The build itself is `npm run build -w sdk`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const SDK = new URL("../sdk/", import.meta.url).pathname;
const STAMP = join(SDK, "dist/index.js");

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (!/\.test\.ts$|\.typecheck\.ts$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(SDK, "src")), statSync(join(SDK, "package.json")).mtimeMs, statSync(join(SDK, "tsconfig.build.json")).mtimeMs);
if (process.argv.includes("--force") || !existsSync(STAMP) || statSync(STAMP).mtimeMs < sources) {
  const t0 = Date.now();
  const r = spawnSync("npm", ["run", "build", "--silent"], { cwd: SDK, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`built @onekey/sdk in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
