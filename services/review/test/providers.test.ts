// Each real adapter against its local simulator: the provider's request shapes, auth and webhook
// signatures end to end over HTTP, every decision the simulator can be told to make, and the
// failures the orchestrator falls back on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import {
  InvalidCallbackSignatureError,
  MissingGrantedFieldError,
  ProviderRequestError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from "../src/errors.ts";
import { onfidoProvider } from "../src/providers/onfido.ts";
import { sumsubProvider } from "../src/providers/sumsub.ts";
import type { KycProvider, ProviderCallback, ProviderResult } from "../src/providers/types.ts";
import { veriffProvider } from "../src/providers/veriff.ts";
import type { Decision, SimulatorBase } from "./simulators/common.ts";
import { startOnfidoSimulator } from "./simulators/onfido.ts";
import { startSumsubSimulator } from "./simulators/sumsub.ts";
import { startVeriffSimulator } from "./simulators/veriff.ts";
import { CANARY, fields, passport, startReceiver } from "./fixtures.ts";

type Case = {
  name: string;
  start(): Promise<SimulatorBase>;
  adapter(url: string, o?: { timeoutMs?: number; wrongSecret?: boolean }): KycProvider;
  /** Expected raw provider status word per decision. */
  status: Record<Decision, string>;
  /** Re-signs a body with the provider's scheme (to forge a callback with the wrong key). */
  forge(body: Uint8Array, key: string): Record<string, string>;
};

const cases: Case[] = [
  {
    name: "sumsub",
    start: () => startSumsubSimulator({ appToken: "sbx:app-token", secretKey: "sumsub-secret", webhookSecret: "sumsub-webhook" }),
    adapter: (url, o = {}) =>
      sumsubProvider({
        baseUrl: url,
        appToken: "sbx:app-token",
        secretKey: o.wrongSecret ? "nope" : "sumsub-secret",
        webhookSecret: "sumsub-webhook",
        levelName: "basic-kyc-level",
        timeoutMs: o.timeoutMs ?? 5_000,
      }),
    status: { approve: "GREEN", decline: "RED/FINAL", resubmit: "RED/RETRY", review: "onHold" },
    forge: (body, key) => ({ "x-payload-digest": createHmac("sha256", key).update(body).digest("hex"), "x-payload-digest-alg": "HMAC_SHA256_HEX" }),
  },
  {
    name: "onfido",
    start: () => startOnfidoSimulator({ apiToken: "api_sandbox.token", webhookToken: "onfido-webhook" }),
    adapter: (url, o = {}) =>
      onfidoProvider({ baseUrl: url, apiToken: o.wrongSecret ? "nope" : "api_sandbox.token", webhookToken: "onfido-webhook", timeoutMs: o.timeoutMs ?? 5_000 }),
    status: { approve: "clear", decline: "consider/suspected", resubmit: "consider/rejected", review: "consider/caution" },
    forge: (body, key) => ({ "x-sha2-signature": createHmac("sha256", key).update(body).digest("hex") }),
  },
  {
    name: "veriff",
    start: () => startVeriffSimulator({ apiKey: "veriff-api-key", sharedSecret: "veriff-secret" }),
    adapter: (url, o = {}) =>
      veriffProvider({ baseUrl: url, apiKey: "veriff-api-key", sharedSecret: o.wrongSecret ? "nope" : "veriff-secret", timeoutMs: o.timeoutMs ?? 5_000 }),
    status: { approve: "approved", decline: "declined", resubmit: "resubmission_requested", review: "review" },
    forge: (body, key) => ({ "x-auth-client": "veriff-api-key", "x-hmac-signature": createHmac("sha256", key).update(body).digest("hex") }),
  },
];

for (const c of cases) {
  describe(`${c.name} adapter against its simulator`, () => {
    let sim: SimulatorBase;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let provider: KycProvider;
    beforeAll(async () => {
      sim = await c.start();
      receiver = await startReceiver();
      sim.callbackUrl = receiver.url;
      provider = c.adapter(sim.url);
    });
    afterAll(async () => {
      await sim.close();
      await receiver.close();
    });

    async function runCase(decision: Decision, reference = `case-${crypto.randomUUID()}`) {
      sim.decision = decision;
      sim.mode = "normal";
      const before = receiver.received.length;
      const { applicantId } = await provider.createApplicant({ reference, fields, documentType: "passport", country: "DEU" });
      const { checkId } = await provider.submit({ applicantId, documents: [passport] });
      await waitFor(() => receiver.received.length > before);
      const raw = receiver.received[before]!;
      const callback = provider.parseCallback({ headers: raw.headers, rawBody: raw.rawBody });
      const polled = await provider.fetchResult({ applicantId, checkId });
      return { applicantId, checkId, callback, polled, raw, reference };
    }

    for (const decision of ["approve", "decline", "resubmit", "review"] as const) {
      it(`${decision}: the signed callback and the polled result agree on "${c.status[decision]}"`, async () => {
        const { callback, polled, checkId, reference } = await runCase(decision);
        expect(callback.provider).toBe(c.name);
        expect(callback.eventId).toMatch(new RegExp(`^${c.name}:`));
        expect(callback.checkId).toBe(checkId);
        if (callback.reference !== undefined) expect(callback.reference).toBe(reference);
        expect(polled.state).toBe("completed");
        const outcome = (polled as Extract<ProviderResult, { state: "completed" }>).outcome;
        expect(outcome.status).toBe(c.status[decision]);
        if (decision === "approve") expect(outcome.reasons).toEqual([]);
        if (decision === "decline" || decision === "resubmit") expect(outcome.reasons.length).toBeGreaterThan(0);
        // Sumsub and Veriff put the decision in the callback itself; it must match the poll.
        if (callback.result) expect(callback.result).toEqual(polled);
        // Nothing from the person reaches what the adapter returns (Veriff's webhook echoes it).
        expect(JSON.stringify({ callback, polled })).not.toContain(CANARY);
      });
    }

    it("a result polled before the decision is pending", async () => {
      sim.mode = "normal";
      const { applicantId } = await provider.createApplicant({ reference: `case-${crypto.randomUUID()}`, fields, documentType: "passport", country: "DEU" });
      // Not submitted: no check exists yet on the provider's side (Onfido: no check id at all).
      if (c.name !== "onfido") expect((await provider.fetchResult({ applicantId, checkId: applicantId })).state).toBe("pending");
    });

    it("refuses a callback with a tampered body, a wrong key or no signature", async () => {
      const { raw } = await runCase("approve");
      const tampered = new Uint8Array(raw.rawBody);
      tampered[tampered.length - 2] ^= 1;
      expect(() => provider.parseCallback({ headers: raw.headers, rawBody: tampered })).toThrow(InvalidCallbackSignatureError);
      expect(() => provider.parseCallback({ headers: c.forge(raw.rawBody, "attacker-key"), rawBody: raw.rawBody })).toThrow(InvalidCallbackSignatureError);
      expect(() => provider.parseCallback({ headers: {}, rawBody: raw.rawBody })).toThrow(InvalidCallbackSignatureError);
      // The genuine one still verifies: the refusals above were about the signature, not the body shape.
      expect(() => provider.parseCallback({ headers: raw.headers, rawBody: raw.rawBody })).not.toThrow();
    });

    it("a replayed callback parses to the same event id; another case's event to a different one", async () => {
      const first = await runCase("approve");
      const again = provider.parseCallback({ headers: first.raw.headers, rawBody: first.raw.rawBody });
      expect(again).toEqual(first.callback);
      const other = await runCase("approve");
      expect(other.callback.eventId).not.toBe(first.callback.eventId);
    });

    it("a provider that hangs past the timeout fails with ProviderTimeoutError", async () => {
      sim.mode = "timeout";
      const quick = c.adapter(sim.url, { timeoutMs: 300 });
      const t0 = Date.now();
      await expect(quick.createApplicant({ reference: "case-timeout", fields, documentType: "passport" })).rejects.toBeInstanceOf(ProviderTimeoutError);
      expect(Date.now() - t0).toBeLessThan(5_000);
      sim.mode = "normal";
    });

    it("5xx fails with ProviderUnavailableError naming the status; a refused connection too", async () => {
      sim.mode = "error5xx";
      const err = await provider.createApplicant({ reference: "case-5xx", fields, documentType: "passport" }).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderUnavailableError);
      expect(err.status).toBe(503);
      sim.mode = "normal";
      const dead = c.adapter("http://127.0.0.1:1");
      await expect(dead.createApplicant({ reference: "case-dead", fields, documentType: "passport" })).rejects.toBeInstanceOf(ProviderUnavailableError);
    });

    it("wrong credentials are a ProviderRequestError (401) whose message carries no granted value", async () => {
      sim.mode = "normal";
      const bad = c.adapter(sim.url, { wrongSecret: true });
      // Veriff's create needs only the API key; its signed calls are where a wrong secret shows.
      const err =
        c.name === "veriff"
          ? await bad
              .submit({
                applicantId: (await provider.createApplicant({ reference: `case-${crypto.randomUUID()}`, fields, documentType: "passport" })).applicantId,
                documents: [passport],
              })
              .catch((e) => e)
          : await bad.createApplicant({ reference: `case-${crypto.randomUUID()}`, fields, documentType: "passport" }).catch((e) => e);
      expect(err).toBeInstanceOf(ProviderRequestError);
      expect(err.status).toBe(401);
      expect(`${err.message}${JSON.stringify(err)}`).not.toContain(CANARY);
    });

    it("submitting without a document image is a named error before any request", async () => {
      const count = sim.requests.length;
      await expect(provider.submit({ applicantId: "x", documents: [] })).rejects.toBeInstanceOf(MissingGrantedFieldError);
      expect(sim.requests.length).toBe(count);
    });
  });
}

describe("what each provider receives", () => {
  it("only the granted fields: an ungranted date of birth and id number never leave", async () => {
    const granted = { firstName: fields.firstName, lastName: fields.lastName };
    const sumsub = await startSumsubSimulator({ appToken: "t", secretKey: "s", webhookSecret: "w" });
    const onfido = await startOnfidoSimulator({ apiToken: "t", webhookToken: "w" });
    const veriff = await startVeriffSimulator({ apiKey: "k", sharedSecret: "s" });
    try {
      const providers = [
        sumsubProvider({ baseUrl: sumsub.url, appToken: "t", secretKey: "s", webhookSecret: "w", levelName: "l" }),
        onfidoProvider({ baseUrl: onfido.url, apiToken: "t", webhookToken: "w" }),
        veriffProvider({ baseUrl: veriff.url, apiKey: "k", sharedSecret: "s" }),
      ];
      for (const p of providers) {
        const { applicantId } = await p.createApplicant({ reference: `case-${p.name}`, fields: granted, documentType: "passport", country: "DEU" });
        await p.submit({ applicantId, documents: [passport] });
      }
      for (const sim of [sumsub, onfido, veriff]) {
        const sent = sim.requests.map((r) => r.body.toString("latin1")).join("\n");
        expect(sent).toContain(fields.firstName);
        expect(sent).not.toContain("1990-02-03");
        expect(sent).not.toContain(fields.idNumber);
      }
      expect([...veriff.sessions.values()][0]!.document).toEqual({ type: "PASSPORT", country: "DE" });
      expect(sumsub.received[0]!.docs).toEqual([{ idDocType: "PASSPORT", country: "DEU", bytes: passport.bytes.length }]);
    } finally {
      await Promise.all([sumsub.close(), onfido.close(), veriff.close()]);
    }
  });

  it("Onfido without a granted name is refused locally (Onfido requires first and last name)", async () => {
    const p = onfidoProvider({ baseUrl: "http://127.0.0.1:1", apiToken: "t", webhookToken: "w" });
    await expect(p.createApplicant({ reference: "r", fields: { country: "DEU" }, documentType: "passport" })).rejects.toBeInstanceOf(MissingGrantedFieldError);
  });
});

describe("callback parsing of hostile input", () => {
  const sumsub = sumsubProvider({ appToken: "t", secretKey: "s", webhookSecret: "w", levelName: "l" });
  const sign = (b: Uint8Array, alg = "sha256") => createHmac(alg, "w").update(b).digest("hex");
  it("a correctly signed but non-JSON or shapeless body is MalformedCallbackError, not a crash", () => {
    for (const text of ["not json", "[]", "{}", '{"applicantId":5,"type":"applicantReviewed"}', "\u0000".repeat(10_000)]) {
      const b = new TextEncoder().encode(text);
      expect(() => sumsub.parseCallback({ headers: { "X-Payload-Digest": sign(b) }, rawBody: b })).toThrowError(/MalformedCallbackError|malformed/);
    }
  });
  it("SHA-1 digests and unknown algorithms are refused; SHA-512 is accepted", () => {
    const b = new TextEncoder().encode(JSON.stringify({ applicantId: "a1", type: "applicantCreated", createdAtMs: "1" }));
    expect(() => sumsub.parseCallback({ headers: { "x-payload-digest": sign(b, "sha1"), "x-payload-digest-alg": "HMAC_SHA1_HEX" }, rawBody: b })).toThrow(
      InvalidCallbackSignatureError,
    );
    expect(() => sumsub.parseCallback({ headers: { "x-payload-digest": sign(b), "x-payload-digest-alg": "ROT13" }, rawBody: b })).toThrow(
      InvalidCallbackSignatureError,
    );
    const cb: ProviderCallback = sumsub.parseCallback({
      headers: { "x-payload-digest": sign(b, "sha512"), "x-payload-digest-alg": "HMAC_SHA512_HEX" },
      rawBody: b,
    });
    expect(cb).toMatchObject({ type: "applicantCreated", applicantId: "a1" });
    expect(cb.result).toBeUndefined();
  });
  it("a signature of the wrong length is refused without throwing anything else", () => {
    const b = new TextEncoder().encode("{}");
    expect(() => sumsub.parseCallback({ headers: { "x-payload-digest": "ab" }, rawBody: b })).toThrow(InvalidCallbackSignatureError);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("hostile provider answers", () => {
  it("a huge body (declared or streamed) is ProviderResponseError, and a 2xx non-JSON body too", async () => {
    const { createServer } = await import("node:http");
    const { ProviderResponseError } = await import("../src/errors.ts");
    const server = createServer((req, res) => {
      if (req.url?.includes("stream")) {
        res.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        let sent = 0;
        const push = () => {
          while (sent < 4 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return res.once("drain", push);
          }
          res.end();
        };
        push();
      } else if (req.url?.includes("html")) res.writeHead(200, { "content-type": "text/html" }).end("<html>");
      else res.writeHead(200, { "content-length": String(50 * 1024 * 1024) }).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as { port: number };
    try {
      for (const path of ["declared", "stream", "html"]) {
        const p = onfidoProvider({ baseUrl: `http://127.0.0.1:${port}/${path}`, apiToken: "t", webhookToken: "w", timeoutMs: 10_000 });
        await expect(p.createApplicant({ reference: "r", fields, documentType: "passport" }), path).rejects.toBeInstanceOf(ProviderResponseError);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
