// Headless Chromium for tests and benchmarks: Debian's chromium driven by playwright-core (no
// browser download), a page served over http://127.0.0.1:<free port> (WebCrypto exists only in
// secure contexts, so never about:blank), and esbuild bundles of SDK code for the page.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { builtinModules } from "node:module";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";

/** Where setup installs Chromium (apt-get install chromium); override with ONEKEY_CHROMIUM. */
export const CHROMIUM_PATH = process.env.ONEKEY_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/**
 * Bundles `source` (ESM, resolved from `resolveDir`) for the browser: platform "browser", so
 * packages resolve their browser builds and any node:* import fails the build. Returns the code.
 */
export async function bundleForBrowser(source: string, resolveDir: string, alias: Record<string, string> = {}): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir, loader: "ts", sourcefile: "entry.ts" },
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
    alias,
    define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
  });
  // Belt and braces: a node builtin reached through a package's "browser" map still shows here.
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const nodeInputs = Object.keys(result.metafile.inputs).filter((p) => builtins.has(p) || p.startsWith("node:"));
  if (nodeInputs.length) throw new Error(`browser bundle pulls Node built-ins: ${nodeInputs.join(", ")}`);
  return result.outputFiles[0].text;
}

export interface PageServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves `files` (path → body) on 127.0.0.1; `/` is a page that loads /bundle.js as a module. */
export async function servePage(files: Record<string, string | Uint8Array>): Promise<PageServer> {
  const all: Record<string, string | Uint8Array> = {
    "/": '<!doctype html><meta charset="utf-8"><title>onekey</title><script type="module" src="/bundle.js"></script>',
    ...files,
  };
  const server: Server = createServer((req, res) => {
    const body = all[new URL(req.url ?? "/", "http://x").pathname];
    if (body === undefined) return res.writeHead(404).end();
    const type = req.url?.endsWith(".js") ? "text/javascript" : "text/html";
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
