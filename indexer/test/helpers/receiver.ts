// A real HTTP webhook receiver on 127.0.0.1 that records what arrives and can be taken down,
// made to fail, or made to hold requests (to kill the indexer mid-delivery).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import { freePort } from "../../../scripts/lib/ports.ts";

export interface Received {
  id: string;
  type: string;
  body: string;
  headers: Record<string, string>;
  at: number;
}

export type Mode = "ok" | "fail" | "hold";

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  mode: Mode;
  /** Most requests open at once. */
  maxConcurrent: number;
  up(): Promise<void>;
  down(): Promise<void>;
  /** Answers every held request (they may already be dead). */
  releaseHeld(status?: number): void;
  /** Messages by webhook-id (a duplicate appears twice in `received`, once here). */
  ids(): Set<string>;
  /** Verifies every received message with the standardwebhooks package; returns the bodies. */
  verifyAll(secret: string): { id: string; type: string; data: Record<string, string> }[];
  close(): Promise<void>;
}

export async function startReceiver(path = "/hooks"): Promise<Receiver> {
  const port = await freePort();
  let server: Server | undefined;
  const held: ServerResponse[] = [];
  let open = 0;

  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received: [],
    mode: "ok",
    maxConcurrent: 0,
    async up() {
      if (server) return;
      server = createServer((req: IncomingMessage, res: ServerResponse) => {
        open++;
        receiver.maxConcurrent = Math.max(receiver.maxConcurrent, open);
        res.on("close", () => open--);
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          let type = "";
          try {
            type = (JSON.parse(body) as { type: string }).type;
          } catch {
            // recorded as is
          }
          receiver.received.push({ id: headers["webhook-id"], type, body, headers, at: Date.now() });
          if (receiver.mode === "hold") return void held.push(res);
          res.writeHead(receiver.mode === "ok" ? 204 : 500).end();
        });
      });
      server.keepAliveTimeout = 1000;
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, "127.0.0.1", () => resolve());
      });
    },
    async down() {
      const s = server;
      server = undefined;
      if (!s) return;
      receiver.releaseHeld(503);
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    releaseHeld(status = 204) {
      for (const res of held.splice(0)) {
        try {
          res.writeHead(status).end();
        } catch {
          // the sender is gone
        }
      }
    },
    ids() {
      return new Set(receiver.received.map((r) => r.id));
    },
    verifyAll(secret: string) {
      const verifier = new Webhook(secret);
      return receiver.received.map((r) => verifier.verify(r.body, r.headers) as { id: string; type: string; data: Record<string, string> });
    },
    close: () => receiver.down(),
  };
  await receiver.up();
  return receiver;
}
