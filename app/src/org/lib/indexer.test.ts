// @vitest-environment node
// The REST client against a real HTTP server on a free loopback port that answers like the
// indexer (named refusals as { error, message }): headers, query strings, paging, error names.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexerApiError, plainWords } from "./errors.ts";
import { allPages, createEndpoint, getAnalytics, listEvents, redeliver, type IndexerConnection } from "./indexer.ts";

const seen: { method: string; url: string; auth?: string; body: string }[] = [];
let url = "";
const server = createServer(async (req: IncomingMessage, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
  const send = (status: number, json: unknown) => (res.writeHead(status, { "content-type": "application/json" }), res.end(JSON.stringify(json)));
  if (req.headers.authorization !== "Bearer good")
    return send(401, { error: "UnknownApiKey", message: "API key not recognised: its hash 0xab is not registered" });
  const u = new URL(req.url!, "http://x");
  if (u.pathname === "/v1/projects/4/events") {
    const after = Number(u.searchParams.get("after") ?? 0);
    const items = after < 4 ? [{ seq: String(after + 1) }, { seq: String(after + 2) }] : [];
    return send(200, { items, nextCursor: items.length ? items.at(-1)!.seq : null });
  }
  if (u.pathname === "/v1/projects/4/webhooks" && req.method === "POST") return send(201, { id: "ep_1", ...JSON.parse(body), secret: "whsec_x" });
  if (u.pathname.endsWith("/redeliver")) return send(409, { error: "DeliveryInProgress", message: "Delivery d1 is pending already." });
  if (u.pathname === "/v1/projects/4/analytics") return send(200, { bucket: u.searchParams.get("bucket") });
  return send(404, { error: "NotFound", message: "No route" });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("indexer REST client", () => {
  const c = (): IndexerConnection => ({ url, apiKey: "good", projectId: 4n });

  it("sends the key as a bearer token, builds queries and follows cursors", async () => {
    const items = await allPages((after) => listEvents(c(), { after, eventType: "grant.*" }));
    expect(items.map((i) => i.seq)).toEqual(["1", "2", "3", "4"]);
    expect(seen.at(-1)).toMatchObject({ method: "GET", auth: "Bearer good" });
    expect(seen.at(-1)!.url).toBe("/v1/projects/4/events?after=4&eventType=grant.*");
    expect(await getAnalytics(c(), { bucket: "hour" })).toEqual({ bucket: "hour" });
  });

  it("posts JSON and returns the once-only secret", async () => {
    const ep = await createEndpoint(c(), { url: "http://127.0.0.1:9/hook", eventTypes: ["grant.*"] });
    expect(ep).toMatchObject({ id: "ep_1", secret: "whsec_x", eventTypes: ["grant.*"] });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ url: "http://127.0.0.1:9/hook", eventTypes: ["grant.*"] });
  });

  it("turns refusals into named errors with plain words", async () => {
    const bad = redeliver(c(), "d1");
    await expect(bad).rejects.toMatchObject({ name: "IndexerApiError", code: "DeliveryInProgress", status: 409 });
    const e = await listEvents({ ...c(), apiKey: "bad" }).catch((x) => x);
    expect(e).toBeInstanceOf(IndexerApiError);
    expect(plainWords(e).message).toMatch(/does not know this API key/);
    const down = await listEvents({ ...c(), url: "http://127.0.0.1:1" }).catch((x) => x);
    expect(down.code).toBe("NetworkError");
    expect(plainWords(down).message).toMatch(/cannot be reached/);
  });
});
