// A throwaway PostgreSQL cluster for one test file or benchmark: initdb into a temp dir, start on
// a free loopback port, stop and delete afterwards. PostgreSQL refuses to run as root, so as root
// the cluster belongs to the `postgres` system user (Debian's package creates it).
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort } from "../../../scripts/lib/ports.ts";

export interface Postgres {
  url: string;
  port: number;
  dir: string;
  stop(): void;
}

/** Directory holding initdb/pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  // Debian links only a few tools onto PATH; the versioned bin directory has them all.
  const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return dirname(realpathSync(onPath));
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin/pg_ctl"))) return join(root, v, "bin");
  return undefined;
}

export function postgresUnavailableReason(): string | undefined {
  if (!postgresBinDir()) return "PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install -y postgresql";
  if (process.getuid?.() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0) {
    return "running as root but there is no `postgres` user to own the cluster";
  }
  return undefined;
}

/** `durable: false` (tests) turns fsync off; benchmarks keep PostgreSQL's defaults. */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<Postgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresUnavailableReason());
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "onekey-pg-"));
  const data = join(dir, "data");
  const run = (tool: string, args: string[]) => {
    const command = join(bin, tool);
    if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "pipe" });
    else execFileSync(command, args, { stdio: "pipe" });
  };
  if (asRoot) {
    execFileSync("chown", ["postgres:postgres", dir]);
    chmodSync(dir, 0o700);
  }
  const port = await freePort();
  run("initdb", ["-D", data, "-U", "onekey", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200${options.durable ? "" : " -c fsync=off"}`;
  run("pg_ctl", ["-D", data, "-o", settings, "-l", join(dir, "postgres.log"), "-w", "-t", "60", "start"]);
  run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "onekey", "onekey"]);
  return {
    url: `postgres://onekey@127.0.0.1:${port}/onekey`,
    port,
    dir,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
