// @vitest-environment node
// The console's client for the review service's case API: what each request carries (the key in
// one header, the reviewer's signature over exactly this request, checked with the service's own
// message code), refusals turned into named errors with plain words, which route a project's
// reviews take, and what a reviewer may do with a case.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyMessage, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { REVIEWER_HEADERS, reviewerRequestMessage } from "../../../../services/review/src/api/reviewer-request.ts";
import { plainWords, ReviewServiceError } from "./errors.ts";
import { actOnCase, caseActions, listCases, reviewRoute, servedProjects, type ReviewCase } from "./review-service.ts";

let server: Server;
let url = "";
const seen: { method: string; path: string; headers: IncomingMessage["headers"]; body: string }[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = "";
    for await (const c of req) body += c;
    seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
    res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const reviewer = privateKeyToAccount(generatePrivateKey());
const conn = () => ({ url, apiKey: "ok_console_test", projectId: 7n });
const CASE = `case_${"ab".repeat(12)}`;

describe("case API client", () => {
  it("signs a decision over exactly the request the service receives", async () => {
    answer = { status: 200, body: { id: CASE } };
    await actOnCase(conn(), reviewer, CASE, { action: "decide", decision: "approve", level: 2 });
    const r = seen.at(-1)!;
    expect(r.method).toBe("POST");
    expect(r.path).toBe(`/v1/projects/7/cases/${CASE}/decide`);
    expect(r.headers.authorization).toBe("Bearer ok_console_test");
    expect(JSON.parse(r.body)).toEqual({ decision: "approve", level: 2 });
    expect(r.headers[REVIEWER_HEADERS.reviewer]).toBe(reviewer.address);
    const message = reviewerRequestMessage({
      method: "POST",
      path: r.path,
      projectId: 7n,
      timestamp: Number(r.headers[REVIEWER_HEADERS.timestamp]),
      body: r.body,
    });
    expect(await verifyMessage({ address: reviewer.address, message, signature: r.headers[REVIEWER_HEADERS.signature] as Hex })).toBe(true);
    // A claim has no body, and its signature covers the empty body.
    await actOnCase(conn(), reviewer, CASE, { action: "claim" });
    const c = seen.at(-1)!;
    expect(c.body).toBe("");
    expect(c.headers["content-type"]).toBeUndefined();
  });

  it("turns refusals into named errors with plain words", async () => {
    answer = { status: 403, body: { error: "NotAReviewer", message: "0x.. does not hold the REVIEWER role of project 7" } };
    const e = await actOnCase(conn(), reviewer, CASE, { action: "claim" }).catch((x) => x);
    expect(e).toBeInstanceOf(ReviewServiceError);
    expect([e.code, e.status]).toEqual(["NotAReviewer", 403]);
    expect(plainWords(e).message).toMatch(/does not hold this project's REVIEWER role/);
    answer = { status: 401, body: { error: "UnknownApiKey", message: "not a key" } };
    expect(plainWords(await listCases(conn()).catch((x) => x)).message).toMatch(/does not accept this API key/);
    const down = await servedProjects("http://127.0.0.1:9").catch((x) => x);
    expect(down.code).toBe("NetworkError");
    expect(plainWords(down).message).toMatch(/cannot be reached/);
  });

  it("reads which projects the service serves and with which review key", async () => {
    const k = `0x${"AB".repeat(32)}`;
    answer = { status: 200, body: { ok: true, projects: ["7", "8"], reviewKeys: { "7": k, "8": null } } };
    const s = await servedProjects(url);
    expect(s).toEqual({ "7": k.toLowerCase(), "8": null });
    expect(reviewRoute(s, 7n, k as Hex)).toBe("service");
    expect(reviewRoute(s, 7n, `0x${"cd".repeat(32)}`)).toBe("unconnected");
    expect(reviewRoute(s, 8n, k as Hex)).toBe("unconnected");
    expect(reviewRoute(s, 9n, k as Hex)).toBe("browser");
  });
});

describe("what a reviewer may do with a case", () => {
  const base = { status: "manual_review", assignee: null, reviews: [], conflict: false } as unknown as ReviewCase;
  const me = "0x00000000000000000000000000000000000000aa";
  it("claims an open manual case, then decides or releases it", () => {
    expect(caseActions(base, me)).toMatchObject({ claim: true, decide: false, release: false });
    expect(caseActions({ ...base, assignee: me.toUpperCase().replace("0X", "0x") }, me)).toMatchObject({ claim: false, decide: true, release: true });
  });
  it("keeps out of someone else's case, a case it voted on, a conflict, and a case not in manual review", () => {
    expect(caseActions({ ...base, assignee: "0xbb" }, me)).toMatchObject({ claim: false, decide: false });
    expect(caseActions({ ...base, reviews: [{ reviewer: me, decision: "approve", level: 3, at: 1 }] }, me).claim).toBe(false);
    expect(caseActions({ ...base, conflict: true }, me).claim).toBe(false);
    expect(caseActions({ ...base, status: "checking" } as ReviewCase, me).claim).toBe(false);
  });
});
