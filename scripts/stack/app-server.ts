// The web app's server: static files from app/dist plus /config.json, nothing else. It never
// proxies, never sees a key or a field (the browser talks to the chain, bundler, sponsor service,
// storage and indexer itself), and logs only method, path and status.
//
// The networks it serves: the local stack's (scripts/stack/app.ts) merged with the operator's file
// (ONEKEY_APP_CONFIG=<file>) for Base Sepolia / Base, checked with the app's own parseConfig so a
// file the browser would refuse is refused here, at start, in plain words. Standalone, for a
// deployment without the local stack:
//
//   ONEKEY_APP_CONFIG=base-sepolia.json ONEKEY_APP_PORT=8080 node scripts/stack/app-server.ts
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../../app/src/shell/config.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};
const MAX_URL = 2_048;

export interface AppServerOptions {
  /** The built app (app/dist). */
  distDir: string;
  /** What /config.json answers (the networks the app runs on). */
  config: unknown;
  port: number;
  host?: string;
  /** One line per request: method, path, status (never a query string or body). */
  logFile?: string;
}

export interface AppServer {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

export class AppNotBuiltError extends Error {
  override name = "AppNotBuiltError";
  constructor(dir: string) {
    super(`the web app is not built (${dir}/index.html missing): run \`npm run build -w app\``);
  }
}

/** The operator's config file cannot be used; the message says why in plain words. */
export class AppConfigFileError extends Error {
  override name = "AppConfigFileError";
  constructor(path: string, problem: string, cause?: unknown) {
    super(`ONEKEY_APP_CONFIG=${path}: ${problem}`, cause === undefined ? undefined : { cause });
  }
}

type RawNetwork = Record<string, unknown> & { chainId?: unknown };
type RawConfig = { networks: RawNetwork[]; defaultChainId?: number };

const asList = (raw: unknown): RawConfig => {
  const r = raw as Record<string, unknown>;
  return Array.isArray(r.networks)
    ? { networks: r.networks as RawNetwork[], defaultChainId: r.defaultChainId as number | undefined }
    : { networks: [r as RawNetwork] };
};

/**
 * The networks the app server answers in /config.json: the local stack's entry (if any) and the
 * operator's (its entry for a chain replaces the local one; its defaultChainId wins), validated
 * as the browser will validate them. Throws AppConfigFileError naming the file and the problem.
 */
export function mergeAppConfig(local: unknown, operator: unknown, path = "(operator config)"): RawConfig {
  if (!operator || typeof operator !== "object" || Array.isArray(operator)) throw new AppConfigFileError(path, "it is not a JSON object");
  const mine = asList(operator);
  const base = local === undefined ? { networks: [] } : asList(local);
  const chainIds = new Set(mine.networks.map((n) => String(n?.chainId)));
  const merged: RawConfig = {
    networks: [...base.networks.filter((n) => !chainIds.has(String(n.chainId))), ...mine.networks],
    defaultChainId: mine.defaultChainId ?? base.defaultChainId ?? (base.networks[0]?.chainId as number | undefined),
  };
  if (merged.defaultChainId === undefined) delete merged.defaultChainId;
  try {
    parseConfig(merged);
  } catch (error) {
    throw new AppConfigFileError(path, (error as Error).message, error);
  }
  return merged;
}

/** Reads and merges the operator's file (ONEKEY_APP_CONFIG) over the local entry. */
export function loadAppConfigFile(path: string, local?: unknown): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new AppConfigFileError(path, "the file cannot be read (does it exist?)", cause);
  }
  if (text.length > 1_000_000) throw new AppConfigFileError(path, "the file is larger than 1 MB");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppConfigFileError(path, `it is not valid JSON (${(cause as Error).message})`, cause);
  }
  return mergeAppConfig(local, json, path);
}

/** Resolves a URL path inside `root`, or undefined when it would leave it or is not a plain file. */
export function staticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return undefined;
  return full;
}

export async function startAppServer(o: AppServerOptions): Promise<AppServer> {
  const root = resolve(o.distDir);
  if (!existsSync(join(root, "index.html"))) throw new AppNotBuiltError(root);
  const configBody = JSON.stringify(o.config, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  const headers = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
  };
  const log = (line: string) => (o.logFile ? appendFile(o.logFile, `${new Date().toISOString()} ${line}\n`).catch(() => undefined) : undefined);
  const server = createServer((req, res) => {
    const done = (status: number, type: string, body: string) => {
      res.writeHead(status, { ...headers, "content-type": type, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : body);
      void log(`${req.method} ${path.slice(0, 200)} ${status}`);
    };
    const raw = req.url ?? "/";
    const path = raw.split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD")
      return done(405, "application/json", JSON.stringify({ error: "MethodNotAllowed", message: "This server only serves files (GET)." }));
    if (raw.length > MAX_URL)
      return done(414, "application/json", JSON.stringify({ error: "UrlTooLong", message: `URLs are limited to ${MAX_URL} characters.` }));
    if (!path.startsWith("/")) return done(400, "application/json", JSON.stringify({ error: "InvalidPath", message: "The path must start with /." }));
    if (path === "/config.json") return done(200, TYPES[".json"], configBody);
    const file = staticPath(root, path);
    if (file === undefined) return done(400, "application/json", JSON.stringify({ error: "InvalidPath", message: "That path is not allowed." }));
    let target = file;
    let stat = existsSync(target) ? statSync(target) : undefined;
    if (stat?.isDirectory()) {
      target = join(target, "index.html");
      stat = existsSync(target) ? statSync(target) : undefined;
    }
    if (!stat?.isFile()) {
      // A client-side route (no dot in its last segment) gets the app; a missing asset a 404.
      if (!/\.[A-Za-z0-9]+$/.test(path)) {
        target = join(root, "index.html");
        stat = statSync(target);
      } else {
        return done(404, "application/json", JSON.stringify({ error: "NotFound", message: "No such file." }));
      }
    }
    const type = TYPES[extname(target)] ?? "application/octet-stream";
    const immutable = target.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      ...headers,
      "content-type": type,
      "content-length": String(stat.size),
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-store",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(target).pipe(res);
    void log(`${req.method} ${path.slice(0, 200)} 200`);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(o.port, o.host ?? "127.0.0.1", () => ok());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${o.host ?? "127.0.0.1"}:${port}`,
    server,
    stop: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

// Standalone: serve app/dist with the operator's networks only (no local stack).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = process.env.ONEKEY_APP_CONFIG;
  if (!path) {
    console.error("app-server: set ONEKEY_APP_CONFIG=<file> (the networks to serve; docs/deploy.md)");
    process.exit(2);
  }
  try {
    const config = loadAppConfigFile(path);
    const app = await startAppServer({
      distDir: resolve(fileURLToPath(new URL("../../app/dist", import.meta.url))),
      config,
      port: Number(process.env.ONEKEY_APP_PORT ?? 3000),
      host: process.env.ONEKEY_APP_HOST,
    });
    console.log(`app: ${app.url} (${config.networks.map((n) => n.chainId).join(", ")})`);
  } catch (error) {
    console.error(`app-server: ${(error as Error).message}`);
    process.exit(1);
  }
}
