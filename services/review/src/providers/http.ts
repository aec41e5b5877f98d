// HTTP plumbing shared by the adapters: one request function that turns timeouts, connection
// failures, 5xx and 4xx into the named errors the orchestrator branches on, plus the HMAC helpers.
import { createHmac, timingSafeEqual } from "node:crypto";
import {
  MalformedCallbackError,
  ProviderRequestError,
  ProviderResponseError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  type ProviderName,
} from "../errors.ts";

export const DEFAULT_TIMEOUT_MS = 30_000;

export type RequestSpec = {
  provider: ProviderName;
  operation: string;
  method: "GET" | "POST" | "PATCH";
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  timeoutMs: number;
  fetch: typeof fetch;
};

/** Sends one request and returns the parsed JSON body of a 2xx answer. */
export async function requestJson<T>(spec: RequestSpec): Promise<{ status: number; headers: Headers; json: T }> {
  let response: Response;
  try {
    response = await spec.fetch(spec.url, {
      method: spec.method,
      headers: spec.headers,
      body: spec.body as BodyInit | undefined,
      signal: AbortSignal.timeout(spec.timeoutMs),
    });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") throw new ProviderTimeoutError(spec.provider, spec.operation, spec.timeoutMs);
    // Connection refused/reset: the provider is down as far as we can tell.
    throw new ProviderUnavailableError(spec.provider, spec.operation, undefined, error);
  }
  let text: string;
  try {
    text = await readCapped(response, spec);
  } catch (error) {
    if (error instanceof ProviderResponseError) throw error;
    const name = (error as { name?: string }).name;
    if (name === "TimeoutError" || name === "AbortError") throw new ProviderTimeoutError(spec.provider, spec.operation, spec.timeoutMs);
    throw new ProviderUnavailableError(spec.provider, spec.operation, response.status, error);
  }
  if (response.status >= 500) throw new ProviderUnavailableError(spec.provider, spec.operation, response.status);
  if (response.status === 429) throw new ProviderUnavailableError(spec.provider, spec.operation, 429);
  if (response.status >= 400) throw new ProviderRequestError(spec.provider, spec.operation, response.status, errorCodeOf(text));
  if (!text) return { status: response.status, headers: response.headers, json: {} as T };
  try {
    return { status: response.status, headers: response.headers, json: JSON.parse(text) as T };
  } catch {
    throw new ProviderResponseError(spec.provider, spec.operation, "not JSON");
  }
}

/** Provider answers are small JSON; a body past this is refused rather than buffered. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

async function readCapped(response: Response, spec: RequestSpec): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw new ProviderResponseError(spec.provider, spec.operation, `body over ${MAX_RESPONSE_BYTES} bytes`);
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      await response.body.cancel().catch(() => {});
      throw new ProviderResponseError(spec.provider, spec.operation, `body over ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The provider's machine-readable error code or correlation id, if its error body has one. */
function errorCodeOf(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const e = (j.error ?? j) as Record<string, unknown>;
    for (const k of ["type", "code", "errorCode", "correlationId"]) {
      const v = e[k] ?? j[k];
      if (typeof v === "string" || typeof v === "number") return String(v).slice(0, 64);
    }
  } catch {
    /* not JSON: keep nothing (a free-text body may echo what we sent) */
  }
  return undefined;
}

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function hmacHex(algorithm: "sha1" | "sha256" | "sha512", key: string | Uint8Array, ...parts: (string | Uint8Array)[]): string {
  const h = createHmac(algorithm, key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/** Constant-time comparison of two hex strings (case-insensitive). */
export function hexEquals(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), "utf8");
  const y = Buffer.from(b.toLowerCase(), "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * A multipart/form-data body built by hand: Sumsub signs the exact body bytes, so we need them
 * before sending (FormData would choose its own boundary and encoding inside fetch).
 */
export function multipart(parts: { name: string; value: string | Uint8Array; filename?: string; contentType?: string }[]): {
  body: Uint8Array;
  contentType: string;
} {
  const boundary = `----onekey${Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex")}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename) head += `; filename="${p.filename}"`;
    head += "\r\n";
    if (p.contentType) head += `Content-Type: ${p.contentType}\r\n`;
    head += "\r\n";
    chunks.push(Buffer.from(head, "utf8"), Buffer.from(p.value), Buffer.from("\r\n", "utf8"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, "utf8"));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function extensionOf(mimeType: string): string {
  return mimeType === "image/png" ? "png" : mimeType === "application/pdf" ? "pdf" : "jpg";
}

export function requireString(provider: ProviderName, operation: string, value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 256) throw new ProviderResponseError(provider, operation, `missing ${what}`);
  return value;
}

export function parseCallbackJson(provider: ProviderName, raw: Uint8Array): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    throw new MalformedCallbackError(provider, "body is not JSON");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new MalformedCallbackError(provider, "body is not an object");
  return v as Record<string, unknown>;
}

export function callbackField(provider: ProviderName, v: unknown, name: string): string {
  if (typeof v !== "string" || !v || v.length > 256) throw new MalformedCallbackError(provider, `missing ${name}`);
  return v;
}

export const strings = (v: unknown, max = 32): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x.length <= 128).slice(0, max) : [];
