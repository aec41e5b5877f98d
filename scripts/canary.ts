// The PII canary: searches every place personal data could leak for a unique string, in the
// encodings it could take there (UTF-8 text, hex of its bytes, base64/base64url).
import { gunzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { rpc } from "./lib/service.ts";

export interface CanaryHit {
  source: string;
  encoding: string;
}

/** The forms a canary can take in bytes we scan. */
export function canaryNeedles(canary: string): { encoding: string; bytes: Buffer }[] {
  const utf8 = Buffer.from(canary, "utf8");
  const hex = utf8.toString("hex");
  return [
    { encoding: "utf8", bytes: utf8 },
    { encoding: "utf16le", bytes: Buffer.from(canary, "utf16le") },
    { encoding: "hex", bytes: Buffer.from(hex, "utf8") },
    { encoding: "HEX", bytes: Buffer.from(hex.toUpperCase(), "utf8") },
    // base64 of the canary at each of the three alignments, minus the edge characters that depend
    // on the neighbouring bytes.
    ...[0, 1, 2].map((pad) => {
      const b64 = Buffer.concat([Buffer.alloc(pad), utf8]).toString("base64");
      const inner = b64.slice(Math.ceil((pad * 4) / 3) + 1, -4);
      return { encoding: `base64+${pad}`, bytes: Buffer.from(inner, "utf8") };
    }),
    ...[0, 1, 2].map((pad) => {
      const b64 = Buffer.concat([Buffer.alloc(pad), utf8]).toString("base64url");
      const inner = b64.slice(Math.ceil((pad * 4) / 3) + 1, -4);
      return { encoding: `base64url+${pad}`, bytes: Buffer.from(inner, "utf8") };
    }),
  ];
}

/** Scans one buffer; returns the encodings found. */
export function scanBytes(haystack: Buffer, canary: string): string[] {
  const found: string[] = [];
  for (const { encoding, bytes } of canaryNeedles(canary)) {
    if (bytes.length >= 8 && haystack.includes(bytes)) found.push(encoding);
  }
  // Text sources may have escaped it (JSON \u escapes are not expected, but case folding is cheap).
  if (haystack.toString("utf8").toLowerCase().includes(canary.toLowerCase()) && !found.includes("utf8")) {
    found.push("utf8-casefold");
  }
  return found;
}

/** Every regular file under a directory (following no links). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Scans files and directories (recursively). Large binary files are scanned as bytes too. */
export function scanPaths(paths: string[], canary: string): CanaryHit[] {
  const hits: CanaryHit[] = [];
  for (const path of paths) {
    const files = statSync(path).isDirectory() ? filesUnder(path) : [path];
    for (const file of files) {
      for (const encoding of scanBytes(readFileSync(file), canary)) hits.push({ source: file, encoding });
    }
  }
  return hits;
}

/**
 * Reads the whole chain through RPC: every block with its transactions (calldata), every log,
 * every receipt, and anvil's full state dump (all accounts' code and storage).
 */
export async function scanChain(rpcUrl: string, canary: string): Promise<CanaryHit[]> {
  const hits: CanaryHit[] = [];
  const check = (source: string, value: unknown) => {
    for (const encoding of scanBytes(Buffer.from(JSON.stringify(value)), canary)) hits.push({ source, encoding });
  };
  const latest = Number(await rpc(rpcUrl, "eth_blockNumber"));
  for (let n = 0; n <= latest; n++) {
    const block = (await rpc(rpcUrl, "eth_getBlockByNumber", [`0x${n.toString(16)}`, true])) as {
      transactions: { hash: string }[];
    };
    check(`block ${n}`, block);
    for (const tx of block.transactions) {
      check(`receipt ${tx.hash}`, await rpc(rpcUrl, "eth_getTransactionReceipt", [tx.hash]));
    }
  }
  check("logs 0..latest", await rpc(rpcUrl, "eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }]));
  const dump = (await rpc(rpcUrl, "anvil_dumpState")) as string;
  const state = gunzipSync(Buffer.from(dump.slice(2), "hex"));
  for (const encoding of scanBytes(state, canary)) hits.push({ source: "anvil state (all storage)", encoding });
  return hits;
}

/** Scans named texts (a service's log lines, API answers, webhook bodies). */
export function scanTexts(sources: [source: string, text: string][], canary: string): CanaryHit[] {
  return sources.flatMap(([source, text]) => scanBytes(Buffer.from(text), canary).map((encoding) => ({ source, encoding })));
}

/**
 * Dumps a PGlite database (the indexer's or the review service's, after it stopped) table by table as JSON rows — every
 * schema but the catalogs — and scans the dump. A logical dump sees values PostgreSQL stores
 * compressed (TOAST), which a scan of the raw data files would miss.
 */
export async function scanPgliteDump(dir: string, canary: string, label = "indexer"): Promise<{ hits: CanaryHit[]; tables: number; rows: number }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite(dir);
  try {
    const { rows: tables } = await db.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_%'`,
    );
    const hits: CanaryHit[] = [];
    let rows = 0;
    for (const { schema, name } of tables) {
      const quoted = `"${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}"`;
      const result = await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${quoted} t`);
      rows += result.rows.length;
      const dump = Buffer.from(result.rows.map((r) => r.row).join("\n"));
      for (const encoding of scanBytes(dump, canary)) hits.push({ source: `${label} table ${schema}.${name}`, encoding });
    }
    return { hits, tables: tables.length, rows };
  } finally {
    await db.close();
  }
}

// --- the browser path ----------------------------------------------------------------------------

/** What a browser session sent and printed, as playwright saw it. */
export interface BrowserCapture {
  requests: { method: string; url: string; headers: Record<string, string>; body: string }[];
  console: string[];
}

/** Scans every request the browser sent (URL, headers, body bytes) and everything it printed. */
export function scanBrowserCapture(capture: BrowserCapture, canary: string): CanaryHit[] {
  const hits: CanaryHit[] = [];
  capture.requests.forEach((r, i) => {
    const source = `browser request ${i}: ${r.method} ${r.url.slice(0, 80)}`;
    for (const encoding of scanBytes(Buffer.from(`${r.url}\n${JSON.stringify(r.headers)}`), canary)) hits.push({ source: `${source} (url/headers)`, encoding });
    for (const encoding of scanBytes(Buffer.from(r.body, "latin1"), canary)) hits.push({ source: `${source} (body)`, encoding });
  });
  for (const encoding of scanBytes(Buffer.from(capture.console.join("\n")), canary)) hits.push({ source: "browser console", encoding });
  return hits;
}

/**
 * A person submits through the web app in headless Chromium with the canary in every form field
 * and inside a document file; returns every request the browser sent (bodies included) and its
 * console. The caller scans that, the app server's log and everything else.
 */
export async function submitThroughApp(o: { appUrl: string; canary: string; devAccount?: number }): Promise<BrowserCapture & { recordId: string }> {
  const { launchChromium } = await import("./lib/chromium.ts");
  const browser = await launchChromium();
  const capture: BrowserCapture = { requests: [], console: [] };
  try {
    const context = await browser.newContext();
    context.setDefaultTimeout(60_000);
    context.on("request", (r) => {
      const body = r.postDataBuffer();
      capture.requests.push({ method: r.method(), url: r.url(), headers: r.headers(), body: body ? body.toString("latin1") : "" });
    });
    const page = await context.newPage();
    page.on("console", (m) => capture.console.push(`[${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => capture.console.push(`[pageerror] ${e.message}`));
    await page.goto(o.appUrl);
    await page.getByRole("button", { name: new RegExp(`Dev account ${o.devAccount ?? 7}`) }).click();
    await page.getByRole("button", { name: "Set up my account and keys" }).click();
    await page.getByRole("heading", { name: "My OneKey account" }).waitFor();
    // The record schema's form: the canary goes in every free-text field; dates, countries and the
    // document type only take the schema's formats.
    for (const label of ["First name", "Last name", "Document number", "Home address"]) {
      await page.getByLabel(label).fill(`${label} ${o.canary}`);
    }
    await page.getByLabel("Date of birth").fill("1990-02-03");
    await page.getByLabel("Nationality").selectOption("DEU");
    await page.getByLabel("Type of identity document").selectOption("passport");
    await page.getByLabel("Country that issued the document").selectOption("DEU");
    const pdf = Buffer.from(`%PDF-1.4\n% ${o.canary}\n1 0 obj << /Title (${o.canary}) >> endobj\n%%EOF\n`);
    await page.getByLabel("Front of the document").setInputFiles({ name: `scan-${o.canary}.pdf`, mimeType: "application/pdf", buffer: pdf });
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    const status = page.getByRole("status").filter({ hasText: "Submitted." });
    await status.waitFor({ timeout: 120_000 });
    // The person's own page shows the decrypted record: the canary is in this browser's memory only.
    await page.getByText(`First name ${o.canary}`).waitFor({ timeout: 60_000 });
    const recordId = ((await status.locator("code").textContent()) ?? "").replace("...", "");
    await context.close();
    return { ...capture, recordId };
  } finally {
    await browser.close();
  }
}
