// Test data: a made-up person whose every value is a recognisable canary, so a test can grep
// logs, errors and stored rows for it.
import { createServer, type IncomingMessage } from "node:http";
import type { GrantedDocument, GrantedFields } from "../src/providers/types.ts";

export const CANARY = "Zqxcanary";
export const fields: GrantedFields = {
  firstName: `${CANARY}First`,
  lastName: `${CANARY}Last`,
  dateOfBirth: "1990-02-03",
  country: "DEU",
  idNumber: `${CANARY}ID42`,
};
// A few bytes that start like a JPEG; the simulators check presence and size, not pixels.
export const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new TextEncoder().encode(`${CANARY}-image-bytes`), 0xff, 0xd9]);
export const passport: GrantedDocument = { type: "passport", side: "front", country: "DEU", mimeType: "image/jpeg", bytes: jpeg };

/** A real HTTP receiver for provider callbacks: keeps the raw bytes and headers of each. */
export async function startReceiver() {
  const received: { headers: IncomingMessage["headers"]; rawBody: Uint8Array }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({ headers: req.headers, rawBody: new Uint8Array(Buffer.concat(chunks)) });
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/callback`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
