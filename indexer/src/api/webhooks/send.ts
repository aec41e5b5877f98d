// One HTTP POST of a signed webhook. The connection goes to an address the SSRF guard vetted at
// connect time (a custom `lookup`), so a hostname that re-resolves to a private address after
// registration is still refused. Redirects are not followed.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { addressRefusal, type PrivateAllowance } from "../../../lib/ssrf.ts";

export interface SendResult {
  ok: boolean;
  status?: number;
  error?: string;
  /** Seconds the receiver asked us to wait (Retry-After on 429/503). */
  retryAfterSeconds?: number;
  durationMs: number;
}

function guardedLookup(allowance: PrivateAllowance): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const list: LookupAddress[] = addresses;
      const refused = list.map((a) => addressRefusal(a.address, allowance)).find(Boolean);
      if (refused) return callback(new Error(`refused by SSRF guard: ${hostname} resolves to ${refused}`), "", 0);
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

// Keep-alive pools: the vetting happens in `lookup`, once per new connection.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

export function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowance: PrivateAllowance },
): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Omit<SendResult, "durationMs">): SendResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(done({ ok: false, error: "invalid URL" }));
    }
    const host = target.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host)) {
      const refused = addressRefusal(host, options.allowance);
      if (refused) return resolve(done({ ok: false, error: `refused by SSRF guard: ${refused}` }));
    }
    const client = target.protocol === "https:" ? https : http;
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup(options.allowance),
        timeout: options.timeoutMs,
        agent: target.protocol === "https:" ? agents.https : agents.http,
      },
      (response) => {
        response.resume(); // the body does not matter; drain it so the socket closes
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const retryAfter = Number(response.headers["retry-after"]);
          resolve(
            done({
              ok: status >= 200 && status < 300,
              status,
              error: status >= 200 && status < 300 ? undefined : `HTTP ${status}`,
              retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
            }),
          );
        });
        response.on("error", (error) => resolve(done({ ok: false, status: response.statusCode, error: error.message })));
      },
    );
    request.on("timeout", () => request.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    request.on("error", (error) => resolve(done({ ok: false, error: error.message })));
    request.end(body);
  });
}
