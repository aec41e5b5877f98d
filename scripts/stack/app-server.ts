// The web app's server: static files from app/dist plus /config.json, nothing else. It never
// proxies, never sees a key or a field (the browser talks to the chain, bundler, sponsor service,
// storage and indexer itself), and logs only method, path and status.
import { createReadStream, existsSync, statSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";

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
