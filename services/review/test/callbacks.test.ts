// Receiving real signed callbacks from the simulators: accepted once, replays flagged as
// duplicates, forgeries refused with 401, and log lines that carry no personal data even though
// Veriff's decision webhook echoes the person's fields.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memorySeenEvents, receiveCallback, type CallbackLogLine } from "../src/callbacks.ts";
import { veriffProvider } from "../src/providers/veriff.ts";
import { sumsubProvider } from "../src/providers/sumsub.ts";
import { startVeriffSimulator } from "./simulators/veriff.ts";
import { startSumsubSimulator } from "./simulators/sumsub.ts";
import { CANARY, fields, passport, startReceiver } from "./fixtures.ts";

describe("receiveCallback", () => {
  let veriff: Awaited<ReturnType<typeof startVeriffSimulator>>;
  let sumsub: Awaited<ReturnType<typeof startSumsubSimulator>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    [veriff, sumsub, receiver] = await Promise.all([
      startVeriffSimulator({ apiKey: "k", sharedSecret: "s" }),
      startSumsubSimulator({ appToken: "t", secretKey: "s", webhookSecret: "w" }),
      startReceiver(),
    ]);
    veriff.callbackUrl = receiver.url;
    sumsub.callbackUrl = receiver.url;
  });
  afterAll(async () => {
    await Promise.all([veriff.close(), sumsub.close(), receiver.close()]);
  });

  it("accepts once, flags the replay as a duplicate, refuses a forgery, and logs no field", async () => {
    const provider = veriffProvider({ baseUrl: veriff.url, apiKey: "k", sharedSecret: "s" });
    veriff.decision = "decline";
    const { applicantId } = await provider.createApplicant({ reference: "case-cb-1", fields, documentType: "passport", country: "DEU" });
    await provider.submit({ applicantId, documents: [passport] });
    const [delivered] = await veriff.waitForCallbacks(1);
    // The simulator's webhook, like Veriff's, carries the person's data.
    expect(delivered!.body.toString()).toContain(CANARY);
    const raw = receiver.received.at(-1)!;
    const lines: CallbackLogLine[] = [];
    const seen = memorySeenEvents();
    const log = (l: CallbackLogLine) => lines.push(l);
    const first = await receiveCallback({ provider, input: { headers: raw.headers, rawBody: raw.rawBody }, seen, log });
    expect(first).toMatchObject({ status: 200, duplicate: false, callback: { type: "decision", checkId: applicantId } });
    const replay = await receiveCallback({ provider, input: { headers: raw.headers, rawBody: raw.rawBody }, seen, log });
    expect(replay).toMatchObject({ status: 200, duplicate: true });
    const forged = new Uint8Array(raw.rawBody);
    forged[10] ^= 1;
    expect(await receiveCallback({ provider, input: { headers: raw.headers, rawBody: forged }, seen, log })).toEqual({
      status: 401,
      error: "InvalidCallbackSignatureError",
    });
    expect(lines.map((l) => l.event)).toEqual(["callback.accepted", "callback.duplicate", "callback.refused"]);
    expect(JSON.stringify(lines)).not.toContain(CANARY);
    expect(JSON.stringify([first, replay])).not.toContain(CANARY);
  });

  it("two different events of the same provider are both accepted", async () => {
    const provider = sumsubProvider({ baseUrl: sumsub.url, appToken: "t", secretKey: "s", webhookSecret: "w", levelName: "l" });
    const seen = memorySeenEvents();
    const results = [];
    for (const ref of ["case-cb-2", "case-cb-3"]) {
      const before = receiver.received.length;
      const { applicantId } = await provider.createApplicant({ reference: ref, fields, documentType: "passport", country: "DEU" });
      await provider.submit({ applicantId, documents: [passport] });
      const deadline = Date.now() + 20_000;
      while (receiver.received.length <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const raw = receiver.received.at(-1)!;
      results.push(await receiveCallback({ provider, input: { headers: raw.headers, rawBody: raw.rawBody }, seen }));
    }
    expect(results.map((r) => r.status === 200 && r.duplicate)).toEqual([false, false]);
  });

  it("a validly signed body that is not the provider's shape is 400 MalformedCallbackError", async () => {
    const { createHmac } = await import("node:crypto");
    const provider = veriffProvider({ apiKey: "k", sharedSecret: "s" });
    const body = new TextEncoder().encode(JSON.stringify({ hello: "world" }));
    const headers = { "x-auth-client": "k", "x-hmac-signature": createHmac("sha256", "s").update(body).digest("hex") };
    const lines: CallbackLogLine[] = [];
    expect(await receiveCallback({ provider, input: { headers, rawBody: body }, seen: memorySeenEvents(), log: (l) => lines.push(l) })).toEqual({
      status: 400,
      error: "MalformedCallbackError",
    });
    expect(lines[0]).toMatchObject({ event: "callback.malformed", provider: "veriff" });
  });
});
