// What the local stack needs before it starts anything, checked up front so a half-installed
// machine gets one clear message instead of a child's stack trace halfway through start-up.
// Imports only node builtins (and anvil.ts, which does too): it must run when the rest is missing.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { anvilBinary } from "../lib/anvil.ts";

/** The Node the stack runs on: Hardhat 3 (Ignition deploys) needs >= 22.13, as package.json says. */
export const MIN_NODE = [22, 13] as const;

export interface Prerequisites {
  /** The running Node's version (`process.versions.node`). */
  nodeVersion: string;
  /** Files the stack executes, as it will execute them. */
  files: { what: string; path: string }[];
  /** Modules that must load here, e.g. a native binding that has to be built for this Node. */
  modules: { what: string; specifier: string; from: string }[];
}

export class MissingPrerequisitesError extends Error {
  override name = "MissingPrerequisitesError";
  readonly missing: string[];
  constructor(missing: string[]) {
    super(
      `the local stack cannot start; missing:\n${missing.map((m) => `  - ${m}`).join("\n")}\n` +
        "Fix: run `npm run setup` (installs Node 22 and every dependency), then start again with `npm start`.",
    );
    this.missing = missing;
  }
}

/** What `npm start` needs on this machine: the real paths the stack runs and loads. */
export function stackPrerequisites(root: string, nodeVersion: string = process.versions.node): Prerequisites {
  let anvil: string;
  try {
    anvil = anvilBinary();
  } catch {
    // Not installed (or no package for this platform): a path that cannot exist names it.
    anvil = join(root, "node_modules/@foundry-rs/anvil-<platform>/bin/anvil");
  }
  return {
    nodeVersion,
    files: [
      { what: "anvil (npm @foundry-rs/anvil)", path: anvil },
      { what: "alto bundler (npm @pimlico/alto)", path: join(root, "node_modules/@pimlico/alto/esm/cli/alto.js") },
      { what: "Ponder indexer (npm ponder)", path: join(root, "node_modules/ponder/dist/esm/bin/ponder.js") },
    ],
    // arlocal keeps its store in SQLite through the sqlite3 native binding, built at install time
    // for the Node that ran the install: loading it is the only honest check.
    modules: [{ what: "sqlite3 native binding (arlocal's store)", specifier: "sqlite3", from: join(root, "node_modules/arlocal/package.json") }],
  };
}

/** Every missing prerequisite, each named with what was looked for; empty when all are there. */
export function findMissing(p: Prerequisites): string[] {
  const missing: string[] = [];
  const [major = 0, minor = 0] = p.nodeVersion.split(".").map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    missing.push(`Node >= ${MIN_NODE.join(".")} (this is Node ${p.nodeVersion}; use node_modules/.bin/node, which \`npm start\` puts first)`);
  }
  for (const file of p.files) {
    if (!existsSync(file.path)) missing.push(`${file.what}: ${file.path} not found`);
  }
  for (const module of p.modules) {
    try {
      createRequire(module.from)(module.specifier);
    } catch (error) {
      missing.push(`${module.what}: cannot load ${module.specifier} (${firstLine(error)})`);
    }
  }
  return missing;
}

/** Throws one MissingPrerequisitesError naming everything missing and the fix. */
export function preflight(p: Prerequisites): void {
  const missing = findMissing(p);
  if (missing.length > 0) throw new MissingPrerequisitesError(missing);
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split("\n")[0];
}
