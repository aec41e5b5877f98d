// The SDK as an outsider gets it: `npm pack` sdk/, install the tarball into a scratch project in a
// temp dir outside the repo with an empty npm cache, then
//   (a) import every subpath from plain .mjs on Node 20 and on Node 22, and run encrypt -> wrap ->
//       unwrap -> decrypt and a grant call from the installed JavaScript,
//   (b) bundle a browser entry (encrypt, wrap, build a grant) with Vite and find no `node:` import,
//   (c) type-check a TypeScript consumer under moduleResolution bundler and nodenext,
// and check that the tarball ships only dist/, README and LICENSE and that `npm ls` resolves.
// ONEKEY_CONSUMER_BROWSER=0 skips (b) (for a quick local run); CI runs all three.
// Prints one line per check and ends with `N passed, N failed` (scripts/test.sh reads it).
//
//   node scripts/consumer-check.ts            # ~1-2 min, most of it the npm install
//   ONEKEY_CONSUMER_KEEP=1 ...                # keep the scratch dir for a look
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, resolve, sep } from "node:path";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const SDK = join(ROOT, "sdk");
const BROWSER = process.env.ONEKEY_CONSUMER_BROWSER !== "0";

let passed = 0,
  failed = 0;
// A check returns a note to print, or nothing.
function check(name: string, fn: () => unknown): void {
  try {
    const note = fn();
    passed++;
    console.log(`ok - ${name}${typeof note === "string" && note ? ` (${note})` : ""}`);
  } catch (err) {
    failed++;
    console.log(
      `not ok - ${name}\n${String((err as Error).message ?? err)
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}`,
    );
  }
}
async function checkAsync(name: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    const note = await fn();
    passed++;
    console.log(`ok - ${name}${typeof note === "string" && note ? ` (${note})` : ""}`);
  } catch (err) {
    failed++;
    console.log(
      `not ok - ${name}\n${String((err as Error).message ?? err)
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n")}`,
    );
  }
}

// npm run passes its own settings down as npm_config_*; the scratch install must not see them
// (a workspace flag or this repo's cache would make it an insider). The machine's and the user's
// npm config files stay: an outsider has them too (registry, CA file), and without the global one
// an npm run by another Node finds no CA file behind a TLS-inspecting proxy.
const KEEP = new Set(["npm_config_globalconfig", "npm_config_userconfig"]);
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if ((KEEP.has(k.toLowerCase()) || !/^npm_/i.test(k)) && k !== "INIT_CWD" && k !== "NODE_OPTIONS") env[k] = v;
  return { ...env, ...extra };
};

function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): string {
  // Bounded: a registry that stops answering fails the check instead of hanging the suite.
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 64 << 20, timeout: 10 * 60_000 });
  if (r.status !== 0) throw new Error(`${[cmd, ...args].join(" ")} exited ${r.status ?? r.signal}\n${(r.stderr || r.stdout).slice(-3000)}`);
  return r.stdout;
}

/** The first `node` of a major version on PATH outside any node_modules/.bin, or ONEKEY_NODE<major>. */
function findNode(major: number): string {
  const override = process.env[`ONEKEY_NODE${major}`];
  const candidates = [
    ...(override ? [override] : []),
    ...(process.env.PATH ?? "")
      .split(delimiter)
      .filter((d) => d && !d.split(sep).includes("node_modules"))
      .map((d) => join(d, "node")),
    "/usr/bin/node",
    "/usr/local/bin/node",
    ...(major === 22 ? [join(ROOT, "node_modules/.bin/node"), process.execPath] : []),
  ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (execFileSync(c, ["-p", "process.versions.node"], { encoding: "utf8" }).trim().split(".")[0] === String(major)) return c;
    } catch {
      /* not there */
    }
  }
  throw new Error(`no Node ${major} found (set ONEKEY_NODE${major})`);
}

const scratch = mkdtempSync(join(tmpdir(), "onekey-consumer-"));
if (!relative(ROOT, scratch).startsWith("..")) throw new Error(`scratch dir ${scratch} is inside the repo`);
const app = join(scratch, "app");
const cache = join(scratch, "npm-cache"); // empty: nothing comes from this machine's npm cache
mkdirSync(app);
mkdirSync(cache);
console.log(`# scratch project: ${app}`);

// ---- pack -------------------------------------------------------------------------------------
let tarball = "";
let subpaths: string[] = [];
check("npm pack builds the SDK and ships only dist/, README and LICENSE", () => {
  const out = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", scratch, "--cache", cache], SDK));
  tarball = join(scratch, out[0].filename);
  const files: string[] = out[0].files.map((f: { path: string }) => f.path);
  const stray = files.filter((f) => !(f.startsWith("dist/") || ["package.json", "README.md", "LICENSE"].includes(f)));
  if (stray.length) throw new Error(`unexpected files in the tarball: ${stray.join(", ")}`);
  const leaks = files.filter((f) => /\.test\.|testing\/|\.typecheck\.|tsbuildinfo|(?<!\.d)\.ts$/.test(f));
  if (leaks.length) throw new Error(`tests or sources in the tarball: ${leaks.join(", ")}`);
  for (const need of ["README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]) if (!files.includes(need)) throw new Error(`${need} missing`);
  return `${files.length} files, ${(out[0].size / 1024).toFixed(0)} KiB packed`;
});

check("the built code imports only declared dependencies, never the devstack", () => {
  const pkg = JSON.parse(readFileSync(join(SDK, "package.json"), "utf8"));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const used = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".js")) {
        const text = readFileSync(p, "utf8");
        const specs = [
          ...text.matchAll(/^\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']/gm),
          ...text.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
          ...text.matchAll(/\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/g),
        ];
        for (const m of specs) {
          if (m[1].startsWith(".")) continue;
          if (m[1].startsWith("node:")) continue;
          used.add(m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0]);
        }
      }
    }
  };
  walk(join(SDK, "dist"));
  const undeclared = [...used].filter((d) => !declared.has(d));
  if (undeclared.length) throw new Error(`dist imports undeclared packages: ${undeclared.join(", ")}`);
  const unused = Object.keys(pkg.dependencies ?? {}).filter((d) => !used.has(d));
  if (unused.length) throw new Error(`dependencies the shipped code never imports: ${unused.join(", ")}`);
  return [...used].sort().join(", ");
});

// ---- install ----------------------------------------------------------------------------------
check("the tarball installs into an empty project with an empty npm cache", () => {
  if (!tarball) throw new Error("no tarball");
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "onekey-consumer", private: true, type: "module" }, null, 2));
  const t0 = Date.now();
  // @types/node: what a Node TypeScript project has anyway; check (c) below type-checks against it.
  run("npm", ["install", "--cache", cache, "--no-audit", "--no-fund", "--loglevel=error", tarball, "@types/node@22"], app);
  subpaths = Object.keys(JSON.parse(readFileSync(join(app, "node_modules/@onekey/sdk/package.json"), "utf8")).exports).filter((s) => s !== "./package.json");
  return `${((Date.now() - t0) / 1000).toFixed(0)} s`;
});

check("npm ls resolves the installed tree without the repo", () => {
  run("npm", ["ls", "--all", "--cache", cache], app);
  const real = readFileSync(join(app, "node_modules/@onekey/sdk/package.json"), "utf8");
  if (!real.includes('"@onekey/sdk"')) throw new Error("the installed package is not @onekey/sdk");
  // A symlink back into the repo would make every check above meaningless.
  if (!relative(ROOT, resolve(app, "node_modules/@onekey/sdk")).startsWith("..")) throw new Error("installed copy lives in the repo");
});

// ---- (a) plain .mjs on Node 20 and Node 22 ----------------------------------------------------
const SMOKE = `
const subpaths = JSON.parse(process.argv[2]);
const counts = [];
for (const s of subpaths) {
  const spec = s === "." ? "@onekey/sdk" : "@onekey/sdk/" + s.slice(2);
  const m = await import(spec);
  const n = Object.keys(m).length;
  if (n === 0) throw new Error(spec + " exports nothing");
  counts.push(spec + ":" + n);
}
const { encryptRecord, decryptRecord, generateX25519KeyPair, wrapKeys, unwrapKeys, grantContext } = await import("@onekey/sdk/crypto");
const { projectGrantee, grantCall, Purpose, Roles } = await import("@onekey/sdk/contracts");
const recordId = "0x" + "11".repeat(32);
const enc = await encryptRecord({ recordId, version: 1, fields: { name: "Ada", country: "GB" } });
const reviewer = await generateX25519KeyPair();
const grantee = projectGrantee(7n);
const wrapped = await wrapKeys(reviewer.publicKey, [enc.dek], grantContext(recordId, 1, grantee));
const [dek] = await unwrapKeys(reviewer.privateKey, reviewer.publicKey, wrapped, grantContext(recordId, 1, grantee));
const got = JSON.stringify(await decryptRecord({ bundle: enc.bundle, recordId, version: 1, keys: { dek } }));
if (!got.includes("Ada") || !got.includes("GB")) throw new Error("round trip lost the fields: " + got);
const call = grantCall("0x" + "22".repeat(20), { recordId, grantee, purpose: "KYC_REVIEW", expiry: 2n ** 40n, fieldMask: 3n, wrappedKey: "0x" + Buffer.from(wrapped).toString("hex") });
if (!call.data.startsWith("0x") || Purpose.KYC_REVIEW !== 0 || Roles.REVIEWER !== 2) throw new Error("grant call or constants wrong");
console.log(process.version + " " + counts.length + " subpaths; encrypt/wrap/unwrap/decrypt/grant ok");
`;
for (const major of [20, 22]) {
  check(`(a) every subpath imports from plain .mjs on Node ${major}, and the crypto round trip runs`, () => {
    const node = findNode(major);
    writeFileSync(join(app, "smoke.mjs"), SMOKE);
    return run(node, ["smoke.mjs", JSON.stringify(subpaths)], app).trim();
  });
}

// ---- (b) a browser bundle ---------------------------------------------------------------------
const BROWSER_ENTRY = `
import { encryptRecord, generateX25519KeyPair, grantContext, toHex, wrapKeys } from "@onekey/sdk/crypto";
import { grantCall, projectGrantee } from "@onekey/sdk/contracts";
import { arweaveStorage, irysWebStorage } from "@onekey/sdk/storage";

export async function encryptAndGrant(registry, fields) {
  const recordId = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const enc = await encryptRecord({ recordId, version: 1, fields });
  const reviewer = await generateX25519KeyPair();
  const grantee = projectGrantee(1n);
  const wrapped = await wrapKeys(reviewer.publicKey, [enc.dek], grantContext(recordId, 1, grantee));
  return grantCall(registry, { recordId, grantee, purpose: "KYC_REVIEW", expiry: 2n ** 40n, fieldMask: 1n, wrappedKey: toHex(wrapped) });
}
window.onekey = { encryptAndGrant, arweaveStorage, irysWebStorage };
`;
if (BROWSER) {
  await checkAsync("(b) Vite bundles a browser entry (encrypt, wrap, grant, arweave + Irys storage) with no node: import", async () => {
    writeFileSync(join(app, "browser.js"), BROWSER_ENTRY);
    writeFileSync(join(app, "index.html"), `<!doctype html><script type="module" src="./browser.js"></script>\n`);
    // The repo's Vite (pinned 8.3.8), resolving @onekey/sdk from the scratch project's node_modules.
    const { build } = await import("vite");
    const warnings: string[] = [];
    await build({
      root: app,
      logLevel: "silent",
      configFile: false,
      build: { outDir: join(app, "dist"), target: "es2022", minify: false, emptyOutDir: true },
      customLogger: {
        info() {},
        warnOnce: (m: string) => void warnings.push(m),
        warn: (m: string) => void warnings.push(m),
        error: (m: string) => void warnings.push(m),
        clearScreen() {},
        hasErrorLogged: () => false,
        hasWarned: false,
      },
    });
    const js = readdirSync(join(app, "dist/assets")).filter((f) => f.endsWith(".js"));
    const text = js.map((f) => readFileSync(join(app, "dist/assets", f), "utf8")).join("\n");
    const nodeImports = [...new Set([...text.matchAll(/(?:from|import|require)\s*\(?\s*["'](node:[^"']+)["']/g)].map((m) => m[1]))];
    const externalized = warnings.filter((w) => /externalized for browser compatibility/.test(w));
    if (nodeImports.length || externalized.length || text.includes("__vite-browser-external")) {
      throw new Error([`node: imports: ${nodeImports.join(", ") || "none"}`, ...externalized.slice(0, 20)].join("\n"));
    }
    return `${js.length} chunk(s), ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB`;
  });
} else {
  console.log("# (b) browser bundle: off (ONEKEY_CONSUMER_BROWSER=0)");
}

// ---- (c) TypeScript consumers -----------------------------------------------------------------
const TS_CONSUMER = `
import { encryptRecord, wrapKeys, grantContext, type EncryptedRecord } from "@onekey/sdk/crypto";
import { grantCall, projectGrantee, Roles, Purpose, type GrantArgs, type PurposeName } from "@onekey/sdk/contracts";
import { ENTRY_POINT_V08, GRANTEE_PROJECT_FLAG } from "@onekey/sdk/constants";
import { recordRegistryAbi } from "@onekey/sdk/abis";
import { BaseError } from "@onekey/sdk/errors";
import { getAddresses } from "@onekey/sdk/addresses";
import type { StorageProvider } from "@onekey/sdk/storage";
import type { KeyStore } from "@onekey/sdk/keys";
import { createSponsoredClient } from "@onekey/sdk/aa";
import { submitRecord } from "@onekey/sdk/flows";
import { litKeyRelease } from "@onekey/sdk/lit";
import * as all from "@onekey/sdk";

const purpose: PurposeName = "KYC_REVIEW";
const reviewerBit: 2 = Roles.REVIEWER;
const flag: bigint = GRANTEE_PROJECT_FLAG;
const ep: \`0x\${string}\` = ENTRY_POINT_V08;
const fn: "grant" = recordRegistryAbi.find((x) => x.type === "function" && x.name === "grant")!.name as "grant";
export async function go(): Promise<EncryptedRecord> {
  const enc = await encryptRecord({ recordId: "0x00", version: 1, fields: { a: "b" } });
  const args: GrantArgs = { recordId: "0x00", grantee: projectGrantee(1n), purpose, expiry: 1n, fieldMask: 1n, wrappedKey: "0x" };
  grantCall("0x0000000000000000000000000000000000000001", args);
  await wrapKeys(new Uint8Array(32), [enc.dek], grantContext("0x00", 1, args.grantee));
  return enc;
}
// @ts-expect-error: not a purpose
const bad: PurposeName = "NOT_A_PURPOSE";
export const used = [purpose, reviewerBit, flag, ep, fn, Purpose, BaseError, getAddresses, createSponsoredClient, submitRecord, litKeyRelease, all, bad];
export type Used = StorageProvider | KeyStore;
`;
const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
for (const resolution of ["bundler", "nodenext"] as const) {
  check(`(c) a TypeScript consumer type-checks under moduleResolution ${resolution}`, () => {
    writeFileSync(join(app, "consumer.ts"), TS_CONSUMER);
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: resolution === "bundler" ? "ESNext" : "NodeNext",
        moduleResolution: resolution,
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        lib: ["ES2022", "DOM"],
        types: ["node"],
      },
      files: ["consumer.ts"],
    };
    writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2));
    run(process.execPath, [tsc, "-p", `tsconfig.${resolution}.json`], app);
  });
}

if (process.env.ONEKEY_CONSUMER_KEEP !== "1") rmSync(scratch, { recursive: true, force: true });
else console.log(`# kept ${scratch}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
