import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { listRefusals, refusalCounts, refusalSeries, refusalWords, SponsorLogError } from "./refusals.ts";

// A loopback HTTP server answering as the sponsor service's read door does (its shapes and error
// names); the service itself is exercised in services/sponsor/test/refusals.test.ts and e2e.
let server: Server;
let url: string;
const seen: { url: string; auth?: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    // CORS as the service answers it (happy-dom enforces it like a browser).
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "authorization, x-api-key");
    if (req.method === "OPTIONS") return res.writeHead(204).end();
    seen.push({ url: req.url ?? "", auth: req.headers.authorization });
    res.setHeader("content-type", "application/json");
    if (req.headers.authorization !== "Bearer ok_read")
      return res.writeHead(401).end(JSON.stringify({ error: "UnknownApiKey", message: "API key 0x… is not a key of project 7" }));
    if (req.url?.startsWith("/v1/projects/7/refusals/counts")) return res.end(JSON.stringify({ total: 3, byReason: {}, hours: [] }));
    res.end(JSON.stringify({ items: [], next: null }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

test("the client sends the key as a bearer header and the query it was given", async () => {
  const c = { url: `${url}/`, apiKey: "ok_read", projectId: 7n };
  await listRefusals(c, { limit: 20, before: "99", reason: "TICKET_EXPIRED" });
  expect(seen.at(-1)).toEqual({ url: "/v1/projects/7/refusals?limit=20&before=99&reason=TICKET_EXPIRED", auth: "Bearer ok_read" });
  expect((await refusalCounts(c, 1000)).total).toBe(3);
  expect(seen.at(-1)!.url).toBe("/v1/projects/7/refusals/counts?since=1000");
});

test("a refused read becomes SponsorLogError in plain words; an unreachable service says so", async () => {
  const e = await listRefusals({ url, apiKey: "ok_other", projectId: 7n }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(SponsorLogError);
  expect((e as SponsorLogError).code).toBe("UnknownApiKey");
  expect((e as Error).message).toMatch(/does not know this API key for this project/);
  const down = await listRefusals({ url: "http://127.0.0.1:9", apiKey: "k", projectId: 1n }).catch((x: unknown) => x);
  expect((down as SponsorLogError).code).toBe("NetworkError");
});

test("refusal series: one row per hour, a column per reason (most frequent first), zeros filled", () => {
  const { rows, reasons } = refusalSeries({
    total: 6,
    byReason: { TICKET_EXPIRED: 1, NOT_AUTHORISED: 5 },
    hours: [
      { hour: "2026-12-01T10:00:00.000Z", reason: "NOT_AUTHORISED", count: 4 },
      { hour: "2026-12-01T09:00:00.000Z", reason: "TICKET_EXPIRED", count: 1 },
      { hour: "2026-12-01T09:00:00.000Z", reason: "NOT_AUTHORISED", count: 1 },
    ],
  });
  expect(reasons).toEqual(["NOT_AUTHORISED", "TICKET_EXPIRED"]);
  expect(rows).toEqual([
    { hour: "2026-12-01 09:00", NOT_AUTHORISED: 1, TICKET_EXPIRED: 1 },
    { hour: "2026-12-01 10:00", NOT_AUTHORISED: 4, TICKET_EXPIRED: 0 },
  ]);
  expect(refusalWords("NOT_AUTHORISED")).toMatch(/^Not authorised/);
  expect(refusalWords("FROM_A_NEWER_SERVICE")).toBe("FROM_A_NEWER_SERVICE");
});
