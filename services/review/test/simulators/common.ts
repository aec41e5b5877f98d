// Shared machinery for the provider simulators: a real HTTP server on 127.0.0.1 and a free port,
// switchable behaviour (answer, hang past the client's timeout, fail with 5xx), and signed
// callback delivery to a URL the test gives. A simulator stands in for the provider, so it does
// hold the fields it is sent (in memory, in `received`), exactly as the real provider would.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type Decision = "approve" | "decline" | "resubmit" | "review";
export type Mode = "normal" | "timeout" | "error5xx";

export type SimRequest = { method: string; path: string; headers: IncomingMessage["headers"]; body: Buffer };
export type SimReply = { status: number; json?: unknown; headers?: Record<string, string> };
export type DeliveredCallback = { headers: Record<string, string>; body: Buffer; status: number };

export type SimulatorBase = {
  readonly url: string;
  /** What the next decision will be. */
  decision: Decision;
  mode: Mode;
  /** Each answer and each callback waits this long first (a provider that takes its time). */
  latencyMs: number;
  /** Where decisions are POSTed; unset = no callbacks (tests poll fetchResult). */
  callbackUrl?: string;
  /** Every request that reached a route, in order (method + path only is enough for most asserts). */
  readonly requests: SimRequest[];
  readonly callbacks: DeliveredCallback[];
  /** Waits until `n` callbacks were delivered. */
  waitForCallbacks(n: number, timeoutMs?: number): Promise<DeliveredCallback[]>;
  close(): Promise<void>;
};

export type Handler = (req: SimRequest) => SimReply | Promise<SimReply>;

export async function startSimulator(
  name: string,
  route: Handler,
  errorBody: (status: number) => unknown,
  options: { port?: number } = {},
): Promise<SimulatorBase & { deliver(headers: Record<string, string>, body: Buffer): Promise<void> }> {
  const sockets = new Set<Socket>();
  const requests: SimRequest[] = [];
  const callbacks: DeliveredCallback[] = [];
  const waiters: (() => void)[] = [];
  const state = { decision: "approve" as Decision, mode: "normal" as Mode, latencyMs: 0, callbackUrl: undefined as string | undefined };
  const pause = () => (state.latencyMs > 0 ? new Promise((r) => setTimeout(r, state.latencyMs)) : undefined);

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (state.mode === "timeout") return; // hold the request open: the client's timeout fires
    await pause();
    const sreq: SimRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks) };
    requests.push(sreq);
    let reply: SimReply;
    if (state.mode === "error5xx") reply = { status: 503, json: errorBody(503) };
    else {
      try {
        reply = await route(sreq);
      } catch {
        reply = { status: 500, json: errorBody(500) };
      }
    }
    const text = reply.json === undefined ? "" : JSON.stringify(reply.json);
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(text);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    get decision() {
      return state.decision;
    },
    set decision(d: Decision) {
      state.decision = d;
    },
    get mode() {
      return state.mode;
    },
    set mode(m: Mode) {
      state.mode = m;
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(ms: number) {
      state.latencyMs = ms;
    },
    get callbackUrl() {
      return state.callbackUrl;
    },
    set callbackUrl(u: string | undefined) {
      state.callbackUrl = u;
    },
    requests,
    callbacks,
    async deliver(headers, body) {
      await pause();
      if (!state.callbackUrl) return;
      let status = 0;
      try {
        const r = await fetch(state.callbackUrl, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: body as unknown as BodyInit,
          signal: AbortSignal.timeout(10_000),
        });
        status = r.status;
        await r.arrayBuffer();
      } catch {
        status = -1;
      }
      callbacks.push({ headers, body, status });
      for (const w of waiters.splice(0)) w();
    },
    async waitForCallbacks(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (callbacks.length < n) {
        if (Date.now() > deadline) throw new Error(`${name} simulator: ${callbacks.length}/${n} callbacks after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return callbacks.slice(0, n);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let counter = 0;
/** Provider-looking ids: unique, not derived from anything the person sent. */
export function simId(prefix = ""): string {
  counter += 1;
  return `${prefix}${Date.now().toString(16)}${counter.toString(16).padStart(6, "0")}${Math.random().toString(16).slice(2, 10)}`;
}

/** Parses a multipart/form-data body into its named parts (enough for the simulators' checks). */
export function parseMultipart(contentType: string | undefined, body: Buffer): Map<string, { value: Buffer; filename?: string; contentType?: string }> {
  const m = /boundary=([^;]+)/.exec(contentType ?? "");
  const out = new Map<string, { value: Buffer; filename?: string; contentType?: string }>();
  if (!m) return out;
  const delimiter = Buffer.from(`--${m[1]}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, headerEnd).toString("utf8");
    const value = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1];
    if (name) out.set(name, { value, filename: /filename="([^"]*)"/.exec(head)?.[1], contentType: /Content-Type: (.*)/i.exec(head)?.[1]?.trim() });
    pos = next;
  }
  return out;
}

export function schedule(fn: () => Promise<void>): void {
  setImmediate(() => {
    void fn();
  });
}
