// One HTTP request on its own connection, with full control over what goes on the wire (any
// header, a chunked body, a body far over a limit). The server may close the socket right after
// answering a refused upload; the answer still counts, a reset without one is reported as such.
import { request } from "node:http";

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length), in pieces. */
  chunked?: boolean;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function rawRequest(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (body && !r.chunked) headers["content-length"] = String(body.length);
    // Explicit, or Node's client sends a DELETE/GET body unframed.
    if (body && r.chunked) headers["transfer-encoding"] = "chunked";
    const req = request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent: false, timeout: r.timeoutMs ?? 30_000 },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        const stream = String(res.headers["content-type"] ?? "").startsWith("text/event-stream");
        res.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          // A live query streams forever: its status and first bytes are the answer.
          if (stream) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") });
        res.on("end", done);
        res.on("close", done);
        res.on("error", done);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${r.timeoutMs ?? 30_000} ms`)));
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (body && r.chunked) {
      const piece = Math.max(1, Math.ceil(body.length / 4));
      for (let i = 0; i < body.length; i += piece) req.write(body.subarray(i, i + piece));
      req.end();
    } else {
      req.end(body);
    }
  });
}
