// The browser routes' CORS, as an outsider sees it: the console's origin (configured) may call
// them and read every answer, errors included; any other page — a hostile site, an origin spelt a
// little differently, `null`, dozens of random ones — gets a named 403 before any key or case is
// looked at; callers without an Origin (integrator backends) are unaffected; the service keeps
// answering. Real anvil with OneKey deployed, a real service instance on PGlite.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createWalletClient, http } from "viem";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { addApiKey, ALL_API_KEY_SCOPES, apiKeyHash, createProject } from "@onekey/sdk/contracts";
import { openFileKeyStore } from "@onekey/sdk/keys";
import { arweaveStorage, generateArweaveWallet } from "@onekey/sdk/storage";
import { startChain, type Chain31337 } from "../../../indexer/test/helpers/stack.ts";
import { InvalidCorsOriginError, parseCorsOrigins } from "../src/api/cors.ts";
import { signReviewerRequest } from "../src/api/reviewer-request.ts";
import { startReviewService, type ReviewService } from "../src/service/index.ts";
import { account, FAST_SCRYPT, PASSPHRASE, ROLE } from "./helpers/harness.ts";

const CONSOLE = "http://127.0.0.1:5173";
let chain: Chain31337;
let service: ReviewService;
let closed: ReviewService;
let projectId: bigint;
let apiKey: string;

async function start(corsOrigins?: string[]) {
  return startReviewService({
    port: 0,
    rpcUrl: chain.anvil.rpcUrl,
    // Never reached: the project below has no indexer key, so the service polls nothing.
    indexerUrl: "http://127.0.0.1:9",
    addresses: chain.deployment,
    storage: arweaveStorage({ url: "http://127.0.0.1:9", wallet: await generateArweaveWallet() }),
    keyStore: await openFileKeyStore({ directory: mkdtempSync(join(tmpdir(), "onekey-cors-keys-")), passphrase: PASSPHRASE, scrypt: FAST_SCRYPT }),
    attesterKey: `0x${"11".repeat(32)}`,
    relayerKey: `0x${"22".repeat(32)}`,
    providers: {},
    projects: [{ projectId, rules: { providers: [] }, policy: { levels: {} } }],
    dbDir: mkdtempSync(join(tmpdir(), "onekey-cors-db-")),
    corsOrigins,
    log: () => {},
  });
}

beforeAll(async () => {
  chain = await startChain();
  const admin = createWalletClient({ account: account(ROLE.admin), chain: foundry, transport: http(chain.anvil.rpcUrl) });
  ({ projectId } = await createProject(admin, { addresses: chain.deployment, metadataURI: "ipfs://cors" }));
  apiKey = `ok_${randomBytes(18).toString("base64url")}`;
  await addApiKey(admin, {
    addresses: chain.deployment,
    projectId,
    keyHash: apiKeyHash(apiKey),
    scopes: ALL_API_KEY_SCOPES,
    expiry: BigInt(Math.floor(Date.now() / 1000) + 86_400),
  });
  service = await start([CONSOLE]);
  closed = await start();
});

afterAll(async () => {
  await service?.stop();
  await closed?.stop();
  await chain?.stop();
});

const cases = () => `/v1/projects/${projectId}/cases`;
async function call(s: ReviewService, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${s.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe("CORS on the browser routes", () => {
  test("the console's preflight for a signed decision is allowed, with the reviewer headers", async () => {
    const r = await call(service, `${cases()}/case_${"0".repeat(24)}/decide`, {
      method: "OPTIONS",
      headers: {
        origin: CONSOLE,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-onekey-signature",
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe(CONSOLE);
    expect(r.headers.get("vary")).toBe("Origin");
    const allowed = r.headers.get("access-control-allow-headers")!.split(", ");
    expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "x-onekey-reviewer", "x-onekey-timestamp", "x-onekey-signature"]));
  });

  test("the console reads the queue, and reads the errors too (wrong key, not a reviewer)", async () => {
    const ok = await call(service, cases(), { headers: { origin: CONSOLE, authorization: `Bearer ${apiKey}` } });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ items: [], nextCursor: null });
    expect(ok.headers.get("access-control-allow-origin")).toBe(CONSOLE);

    const wrong = await call(service, cases(), { headers: { origin: CONSOLE, authorization: "Bearer ok_not_a_key" } });
    expect(wrong.status).toBe(401);
    expect(wrong.json?.error).toBe("UnknownApiKey");
    expect(wrong.headers.get("access-control-allow-origin")).toBe(CONSOLE);

    const path = `${cases()}/case_${"a".repeat(24)}/claim`;
    const signed = await signReviewerRequest(account(ROLE.outsider), { method: "POST", path, projectId, body: "" });
    const outsider = await call(service, path, { method: "POST", headers: { origin: CONSOLE, authorization: `Bearer ${apiKey}`, ...signed } });
    expect(outsider.status).toBe(403);
    expect(outsider.json?.error).toBe("NotAReviewer");
    expect(outsider.headers.get("access-control-allow-origin")).toBe(CONSOLE);
  });

  test("another page is refused with a named 403 before the key is looked at, and sees no case", async () => {
    for (const origin of [
      "https://evil.example",
      "http://127.0.0.1:5174",
      "http://localhost:5173",
      `${CONSOLE}.evil.example`,
      "null",
      "HTTP://127.0.0.1:5173",
    ]) {
      const attempts: { method?: string; headers: Record<string, string> }[] = [
        { headers: { origin, authorization: `Bearer ${apiKey}` } },
        { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } },
      ];
      for (const init of attempts) {
        const r = await call(service, cases(), init);
        expect(r.status, `${origin} ${init.method ?? "GET"}`).toBe(403);
        expect(r.json?.error).toBe("OriginNotAllowed");
        expect(r.headers.get("access-control-allow-origin")).toBeNull();
        expect(r.json).not.toHaveProperty("items");
      }
    }
    const health = await call(service, "/health", { headers: { origin: "https://evil.example" } });
    expect(health.status).toBe(403);
  });

  test("dozens of random origins at once: all refused, the service keeps answering the console", async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(service, cases(), { headers: { origin: `https://${randomBytes(6).toString("hex")}-${i}.example`, authorization: `Bearer ${apiKey}` } }),
      ),
    );
    expect(new Set(answers.map((a) => `${a.status} ${a.json?.error}`))).toEqual(new Set(["403 OriginNotAllowed"]));
    const health = await call(service, "/health", { headers: { origin: CONSOLE } });
    expect(health.status).toBe(200);
    // The store holds no review key for the project: the console then keeps the in-browser review.
    expect(health.json?.reviewKeys).toEqual({ [projectId.toString()]: null });
  });

  test("callers without an Origin (backends) are unaffected and get no CORS headers", async () => {
    const r = await call(service, cases(), { headers: { authorization: `Bearer ${apiKey}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await call(service, cases(), { method: "OPTIONS" });
    expect(preflight.status).toBe(405);
    expect(preflight.json?.error).toBe("MethodNotAllowed");
    // A preflight for a method the API does not have.
    const del = await call(service, cases(), { method: "OPTIONS", headers: { origin: CONSOLE, "access-control-request-method": "DELETE" } });
    expect(del.status).toBe(405);
  });

  test("server-to-server routes ignore CORS: a provider callback from a page gets no CORS headers", async () => {
    const r = await call(service, "/v1/providers/sumsub/callback", { method: "POST", headers: { origin: CONSOLE }, body: "{}" });
    expect(r.status).toBe(404);
    expect(r.json?.error).toBe("UnknownProvider");
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("a service configured with no origins refuses every page, even the console's", async () => {
    const r = await call(closed, cases(), { headers: { origin: CONSOLE, authorization: `Bearer ${apiKey}` } });
    expect(r.status).toBe(403);
    expect(r.json?.error).toBe("OriginNotAllowed");
    expect((await call(closed, cases(), { headers: { authorization: `Bearer ${apiKey}` } })).status).toBe(200);
  });

  test("configured origins must be origins", () => {
    expect(parseCorsOrigins("http://127.0.0.1:3000, https://console.example.org/")).toEqual(["http://127.0.0.1:3000", "https://console.example.org"]);
    expect(parseCorsOrigins(undefined)).toEqual([]);
    for (const bad of ["*", "console.example.org", "https://console.example.org/app", "ftp://x.example", "https://x.example?q=1", "https://u:p@x.example"])
      expect(() => parseCorsOrigins([bad]), bad).toThrow(InvalidCorsOriginError);
  });
});
