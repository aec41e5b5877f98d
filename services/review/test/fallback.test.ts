// Orchestration over real HTTP: the adapters against their simulators, a provider that hangs or
// fails moves the check to the next one, and the next one's signed verdict is normalised and
// mapped to a decision. Timeouts are 1.5 s so a loaded machine still answers the healthy ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NoProviderAvailableError } from "../src/errors.ts";
import { startCheck } from "../src/orchestration/check.ts";
import type { BreakerStore } from "../src/orchestration/fallback.ts";
import { decideCase, type AttestationPolicy } from "../src/orchestration/policy.ts";
import type { ProjectRules } from "../src/orchestration/rules.ts";
import { normaliseOutcome } from "../src/orchestration/verdict.ts";
import { onfidoProvider } from "../src/providers/onfido.ts";
import { sumsubProvider } from "../src/providers/sumsub.ts";
import type { KycProvider, ProviderName } from "../src/providers/types.ts";
import { veriffProvider } from "../src/providers/veriff.ts";
import { startOnfidoSimulator } from "./simulators/onfido.ts";
import { startSumsubSimulator } from "./simulators/sumsub.ts";
import { startVeriffSimulator } from "./simulators/veriff.ts";
import { CANARY, fields, passport, startReceiver } from "./fixtures.ts";

const rules: ProjectRules = {
  providers: [
    { provider: "sumsub", priority: 30, costCents: 150, documentTypes: ["passport", "id_card"] },
    { provider: "onfido", priority: 20, costCents: 120, documentTypes: ["passport"] },
    { provider: "veriff", priority: 10, costCents: 90, documentTypes: ["passport", "id_card"] },
  ],
};
const policy: AttestationPolicy = { levels: { passport: 2, id_card: 1 }, fourEyesFromLevel: 3 };

describe("fallback across real provider simulators", () => {
  let sumsub: Awaited<ReturnType<typeof startSumsubSimulator>>;
  let onfido: Awaited<ReturnType<typeof startOnfidoSimulator>>;
  let veriff: Awaited<ReturnType<typeof startVeriffSimulator>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let providers: Record<ProviderName, KycProvider>;
  beforeAll(async () => {
    [sumsub, onfido, veriff, receiver] = await Promise.all([
      startSumsubSimulator({ appToken: "t", secretKey: "s", webhookSecret: "w" }),
      startOnfidoSimulator({ apiToken: "t", webhookToken: "w" }),
      startVeriffSimulator({ apiKey: "k", sharedSecret: "s" }),
      startReceiver(),
    ]);
    for (const s of [sumsub, onfido, veriff]) s.callbackUrl = receiver.url;
    providers = {
      sumsub: sumsubProvider({ baseUrl: sumsub.url, appToken: "t", secretKey: "s", webhookSecret: "w", levelName: "l", timeoutMs: 1_500 }),
      onfido: onfidoProvider({ baseUrl: onfido.url, apiToken: "t", webhookToken: "w", timeoutMs: 1_500 }),
      veriff: veriffProvider({ baseUrl: veriff.url, apiKey: "k", sharedSecret: "s", timeoutMs: 1_500 }),
    };
  });
  afterAll(async () => {
    await Promise.all([sumsub.close(), onfido.close(), veriff.close(), receiver.close()]);
  });

  async function verdictFromCallback(provider: ProviderName, before: number) {
    const deadline = Date.now() + 20_000;
    while (receiver.received.length <= before) {
      if (Date.now() > deadline) throw new Error("no callback");
      await new Promise((r) => setTimeout(r, 20));
    }
    const raw = receiver.received[receiver.received.length - 1]!;
    const cb = providers[provider].parseCallback({ headers: raw.headers, rawBody: raw.rawBody });
    const result = cb.result ?? (await providers[provider].fetchResult({ applicantId: cb.applicantId ?? "", checkId: cb.checkId! }));
    if (result.state !== "completed") throw new Error("not completed");
    return normaliseOutcome(result.outcome);
  }

  it("provider A times out, B answers 5xx, C approves: the case is attested by C's verdict", async () => {
    sumsub.mode = "timeout";
    onfido.mode = "error5xx";
    veriff.mode = "normal";
    veriff.decision = "approve";
    const before = receiver.received.length;
    const breakers: BreakerStore = new Map();
    const started = await startCheck({ rules, providers, breakers, reference: "case-fallback-1", documentType: "passport", fields, documents: [passport] });
    expect(started.provider).toBe("veriff");
    expect(started.attempts).toEqual([
      { provider: "sumsub", outcome: "timeout" },
      { provider: "onfido", outcome: "unavailable" },
      { provider: "veriff", outcome: "ok" },
    ]);
    const verdict = await verdictFromCallback("veriff", before);
    expect(verdict).toMatchObject({ kind: "approved", provider: "veriff" });
    expect(decideCase(verdict, policy, "passport")).toEqual({ action: "attest", level: 2 });
    // What the case store would keep carries no personal data.
    expect(JSON.stringify({ started, verdict })).not.toContain(CANARY);
  });

  it("B declines after A timed out: the decline carries the normalised reason, no level", async () => {
    sumsub.mode = "timeout";
    onfido.mode = "normal";
    onfido.decision = "decline";
    const before = receiver.received.length;
    const started = await startCheck({
      rules,
      providers,
      breakers: new Map(),
      reference: "case-fallback-2",
      documentType: "passport",
      fields,
      documents: [passport],
    });
    expect(started.provider).toBe("onfido");
    const verdict = await verdictFromCallback("onfido", before);
    expect(decideCase(verdict, policy, "passport")).toEqual({ action: "decline", reasons: ["document_tampered"] });
  });

  it("after A failed often enough its circuit opens and later cases skip it without waiting", async () => {
    sumsub.mode = "error5xx";
    onfido.mode = "normal";
    onfido.decision = "approve";
    const breakers: BreakerStore = new Map();
    const breaker = { failureThreshold: 2, openMs: 60_000 };
    for (const i of [1, 2])
      await startCheck({ rules, providers, breakers, breaker, reference: `case-breaker-${i}`, documentType: "passport", fields, documents: [passport] });
    const hits = sumsub.requests.length;
    const third = await startCheck({
      rules,
      providers,
      breakers,
      breaker,
      reference: "case-breaker-3",
      documentType: "passport",
      fields,
      documents: [passport],
    });
    expect(third.attempts[0]).toEqual({ provider: "sumsub", outcome: "circuit_open" });
    expect(sumsub.requests.length).toBe(hits);
  });

  it("every provider down is NoProviderAvailableError listing each attempt", async () => {
    sumsub.mode = "error5xx";
    onfido.mode = "timeout";
    veriff.mode = "error5xx";
    const err = await startCheck({
      rules,
      providers,
      breakers: new Map(),
      reference: "case-down",
      documentType: "passport",
      fields,
      documents: [passport],
    }).catch((e) => e);
    expect(err).toBeInstanceOf(NoProviderAvailableError);
    expect(err.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["unavailable", "timeout", "unavailable"]);
    expect(err.message).not.toContain(CANARY);
    for (const s of [sumsub, onfido, veriff]) s.mode = "normal";
  });

  it("routing uses what the grant carries: no name granted, Onfido is never called", async () => {
    sumsub.mode = "timeout";
    veriff.mode = "normal";
    const onfidoHits = onfido.requests.length;
    const started = await startCheck({
      rules,
      providers,
      breakers: new Map(),
      reference: "case-noname",
      documentType: "passport",
      fields: { country: "DEU" },
      documents: [passport],
    });
    expect(started.provider).toBe("veriff");
    expect(started.skipped).toEqual([{ provider: "onfido", reason: "missing_field", field: "firstName" }]);
    expect(onfido.requests.length).toBe(onfidoHits);
    sumsub.mode = "normal";
  });
});
