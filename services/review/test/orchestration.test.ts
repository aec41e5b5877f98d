// The pure orchestration pieces: routing rules, circuit breaker, fallback, verdict normalisation,
// policy and the four-eyes rule.
import { describe, expect, it } from "vitest";
import { InvalidRulesError, NoProviderAvailableError, ProviderRequestError, ProviderTimeoutError, ProviderUnavailableError } from "../src/errors.ts";
import { breakerAllows, breakerRecord, closedBreaker, type BreakerConfig } from "../src/orchestration/breaker.ts";
import { runWithFallback, type BreakerStore } from "../src/orchestration/fallback.ts";
import { fourEyes } from "../src/orchestration/four-eyes.ts";
import { decideCase, type AttestationPolicy } from "../src/orchestration/policy.ts";
import { chooseProviders, type ProjectRules } from "../src/orchestration/rules.ts";
import { normaliseOutcome, REASON_CODES, RISK_LABELS, type Verdict } from "../src/orchestration/verdict.ts";
import type { ProviderName } from "../src/providers/types.ts";

const all = ["passport", "id_card", "driving_licence", "residence_permit"] as const;
const rules: ProjectRules = {
  providers: [
    { provider: "sumsub", priority: 10, costCents: 150, documentTypes: [...all] },
    { provider: "onfido", priority: 10, costCents: 120, documentTypes: ["passport", "driving_licence"] },
    { provider: "veriff", priority: 5, costCents: 90, documentTypes: [...all], countries: ["DEU", "FRA", "EST"] },
  ],
};
const everything = ["firstName", "lastName", "dateOfBirth", "country", "idNumber"] as const;

describe("chooseProviders", () => {
  it("orders by priority, then cost, then name", () => {
    expect(chooseProviders(rules, { documentType: "passport", country: "DEU", grantedFields: everything }).candidates).toEqual(["onfido", "sumsub", "veriff"]);
  });
  it("the cost strategy puts the cheapest first", () => {
    expect(chooseProviders({ ...rules, strategy: "cost" }, { documentType: "passport", country: "DEU", grantedFields: everything }).candidates).toEqual([
      "veriff",
      "onfido",
      "sumsub",
    ]);
  });
  it("skips a provider that does not take the document type", () => {
    const r = chooseProviders(rules, { documentType: "id_card", country: "DEU", grantedFields: everything });
    expect(r.candidates).toEqual(["sumsub", "veriff"]);
    expect(r.skipped).toEqual([{ provider: "onfido", reason: "document_type" }]);
  });
  it("a country allowlist needs the country in the grant and in the list", () => {
    const noCountry = chooseProviders(rules, { documentType: "id_card", grantedFields: ["firstName", "lastName"] });
    expect(noCountry.skipped).toContainEqual({ provider: "veriff", reason: "country_not_granted" });
    // Sumsub needs the country for its document metadata.
    expect(noCountry.skipped).toContainEqual({ provider: "sumsub", reason: "missing_field", field: "country" });
    expect(noCountry.candidates).toEqual([]);
    const elsewhere = chooseProviders(rules, { documentType: "id_card", country: "USA", grantedFields: everything });
    expect(elsewhere.skipped).toContainEqual({ provider: "veriff", reason: "country_not_allowed" });
  });
  it("Onfido is skipped when the grant carries no name; excluded countries and disabled rules are honoured", () => {
    const r = chooseProviders(
      { providers: [{ ...rules.providers[0]!, excludedCountries: ["PRK"] }, rules.providers[1]!, { ...rules.providers[2]!, enabled: false }] },
      { documentType: "passport", country: "PRK", grantedFields: ["country", "dateOfBirth"] },
    );
    expect(r.candidates).toEqual([]);
    expect(r.skipped).toEqual([
      { provider: "sumsub", reason: "country_excluded" },
      { provider: "onfido", reason: "missing_field", field: "firstName" },
      { provider: "veriff", reason: "disabled" },
    ]);
  });
  it("rejects broken rules with a named error", () => {
    const bad: unknown[] = [
      { providers: [] },
      { providers: [{ provider: "jumio", priority: 1, costCents: 1, documentTypes: ["passport"] }] },
      { providers: [rules.providers[0], rules.providers[0]] },
      { providers: [{ ...rules.providers[0], costCents: -1 }] },
      { providers: [{ ...rules.providers[0], documentTypes: ["selfie"] }] },
      { providers: [{ ...rules.providers[0], countries: ["de"] }] },
      { strategy: "random", providers: [rules.providers[0]] },
    ];
    for (const b of bad) expect(() => chooseProviders(b as ProjectRules, { documentType: "passport", grantedFields: [] })).toThrow(InvalidRulesError);
  });
});

describe("circuit breaker", () => {
  const cfg: BreakerConfig = { failureThreshold: 2, openMs: 1_000 };
  it("opens after the threshold, lets one probe through after openMs, closes on success", () => {
    let s = closedBreaker();
    s = breakerRecord(s, false, 0, cfg);
    expect(breakerAllows(s, 0, cfg).allowed).toBe(true);
    s = breakerRecord(s, false, 10, cfg);
    expect(s.state).toBe("open");
    expect(breakerAllows(s, 500, cfg).allowed).toBe(false);
    const probe = breakerAllows(s, 1_010, cfg);
    expect(probe).toEqual({ allowed: true, next: { state: "half_open", probing: true } });
    // A second caller during the probe is held back.
    expect(breakerAllows(probe.next, 1_011, cfg).allowed).toBe(false);
    expect(breakerRecord(probe.next, true, 1_020, cfg)).toEqual(closedBreaker());
  });
  it("a failed probe re-opens from the probe's time; a success resets the count", () => {
    const open = { state: "open", openedAt: 0 } as const;
    const probe = breakerAllows(open, 2_000, cfg).next;
    expect(breakerRecord(probe, false, 2_000, cfg)).toEqual({ state: "open", openedAt: 2_000 });
    expect(breakerRecord({ state: "closed", failures: 1 }, true, 0, cfg)).toEqual({ state: "closed", failures: 0 });
  });
});

describe("runWithFallback", () => {
  const order: ProviderName[] = ["sumsub", "onfido", "veriff"];
  it("moves on after a timeout and a 5xx and returns the first success with the trail", async () => {
    const breakers: BreakerStore = new Map();
    const r = await runWithFallback({
      candidates: order,
      breakers,
      attempt: async (p) => {
        if (p === "sumsub") throw new ProviderTimeoutError(p, "createApplicant", 10);
        if (p === "onfido") throw new ProviderUnavailableError(p, "createApplicant", 503);
        return `${p}-ok`;
      },
    });
    expect(r).toEqual({
      provider: "veriff",
      value: "veriff-ok",
      attempts: [
        { provider: "sumsub", outcome: "timeout" },
        { provider: "onfido", outcome: "unavailable" },
        { provider: "veriff", outcome: "ok" },
      ],
    });
    expect(breakers.get("sumsub")).toEqual({ state: "closed", failures: 1 });
    expect(breakers.get("veriff")).toEqual({ state: "closed", failures: 0 });
  });
  it("skips a provider whose circuit is open without calling it", async () => {
    const breakers: BreakerStore = new Map([["sumsub", { state: "open", openedAt: 1_000 }]]);
    const called: ProviderName[] = [];
    const r = await runWithFallback({ candidates: order, breakers, now: () => 1_500, attempt: async (p) => (called.push(p), p) });
    expect(called).toEqual(["onfido"]);
    expect(r.attempts[0]).toEqual({ provider: "sumsub", outcome: "circuit_open" });
  });
  it("repeated failures open the circuit for the next case", async () => {
    const breakers: BreakerStore = new Map();
    const cfg = { failureThreshold: 2, openMs: 60_000 };
    let calls = 0;
    const attempt = async (p: ProviderName) => {
      if (p === "sumsub") {
        calls++;
        throw new ProviderUnavailableError(p, "x", 500);
      }
      return p;
    };
    for (let i = 0; i < 4; i++) await runWithFallback({ candidates: ["sumsub", "veriff"], breakers, attempt, breaker: cfg, now: () => 0 });
    expect(calls).toBe(2);
    expect(breakers.get("sumsub")?.state).toBe("open");
  });
  it("a 4xx stops the run (no fallback) and does not count against the breaker", async () => {
    const breakers: BreakerStore = new Map();
    const called: ProviderName[] = [];
    await expect(
      runWithFallback({
        candidates: order,
        breakers,
        attempt: async (p) => {
          called.push(p);
          throw new ProviderRequestError(p, "createApplicant", 401);
        },
      }),
    ).rejects.toBeInstanceOf(ProviderRequestError);
    expect(called).toEqual(["sumsub"]);
    expect(breakers.get("sumsub")).toEqual({ state: "closed", failures: 0 });
  });
  it("all failing, or no candidate at all, is NoProviderAvailableError with the attempts", async () => {
    const err = await runWithFallback({
      candidates: ["sumsub"],
      breakers: new Map(),
      attempt: async () => Promise.reject(new ProviderTimeoutError("sumsub", "x", 1)),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(NoProviderAvailableError);
    expect(err.attempts).toEqual([{ provider: "sumsub", outcome: "timeout" }]);
    await expect(runWithFallback({ candidates: [], breakers: new Map(), attempt: async () => 1 })).rejects.toBeInstanceOf(NoProviderAvailableError);
  });
});

describe("normaliseOutcome", () => {
  const n = (provider: ProviderName, status: string, reasons: string[] = [], riskLabels: string[] = []) =>
    normaliseOutcome({ provider, status, reasons, riskLabels });
  it("maps each provider's approval, decline, resubmission and review words", () => {
    const table: [ProviderName, string, Verdict["kind"]][] = [
      ["sumsub", "GREEN", "approved"],
      ["sumsub", "RED/FINAL", "declined"],
      ["sumsub", "RED/RETRY", "resubmission"],
      ["sumsub", "onHold", "manual_review"],
      ["onfido", "clear", "approved"],
      ["onfido", "consider/suspected", "declined"],
      ["onfido", "consider/rejected", "resubmission"],
      ["onfido", "consider/caution", "manual_review"],
      ["veriff", "approved", "approved"],
      ["veriff", "declined", "declined"],
      ["veriff", "resubmission_requested", "resubmission"],
      ["veriff", "review", "manual_review"],
      ["veriff", "expired", "resubmission"],
    ];
    for (const [p, s, kind] of table) expect(n(p, s).kind, `${p} ${s}`).toBe(kind);
  });
  it("an unknown status word never approves: it goes to a human", () => {
    for (const p of ["sumsub", "onfido", "veriff"] as const)
      expect(n(p, "APPROVED_MAYBE")).toMatchObject({ kind: "manual_review", reasons: ["provider_review"] });
  });
  it("normalises reason codes and derives risk labels across providers", () => {
    expect(n("sumsub", "RED/FINAL", ["FORGERY", "SELFIE_MISMATCH"])).toMatchObject({
      reasons: ["document_tampered", "face_mismatch"],
      riskLabels: ["fraud", "identity_risk"],
    });
    expect(n("onfido", "consider/suspected", ["document.visual_authenticity", "watchlist_standard.sanction"])).toMatchObject({
      reasons: ["document_tampered", "sanctions_or_pep"],
      riskLabels: ["fraud", "sanctions"],
    });
    expect(n("veriff", "declined", ["102"], ["document_integration_level_crosslinked_with_fraud", "ip_vpn_detected"])).toMatchObject({
      reasons: ["document_tampered"],
      riskLabels: ["duplicate", "fraud", "location"],
    });
    expect(n("veriff", "resubmission_requested", ["204"]).reasons).toEqual(["document_unreadable"]);
    expect(n("sumsub", "RED/RETRY", ["SOMETHING_NEW"]).reasons).toEqual(["other"]);
  });
  it("only ever emits codes and labels from the fixed vocabularies, sorted and unique", () => {
    const v = n("sumsub", "RED/FINAL", ["FORGERY", "FORGERY", "DOCUMENT_TEMPLATE", "DUPLICATE", "PEP", "x".repeat(100)], ["anything"]);
    expect(v.reasons).toEqual([...new Set(v.reasons)].sort());
    for (const r of v.reasons) expect(REASON_CODES).toContain(r);
    for (const l of v.riskLabels) expect(RISK_LABELS).toContain(l);
  });
});

describe("decideCase (attestation policy)", () => {
  const policy: AttestationPolicy = {
    levels: { passport: 3, id_card: 2, driving_licence: 1 },
    riskCaps: { location: 1 },
    manualReview: { riskLabels: ["fraud"] },
    fourEyesFromLevel: 3,
  };
  const v = (kind: Verdict["kind"], riskLabels: Verdict["riskLabels"] = [], reasons: Verdict["reasons"] = []): Verdict => ({
    kind,
    reasons,
    riskLabels,
    provider: "veriff",
    providerStatus: kind,
  });
  it("an approval is attested at the document type's level", () => {
    expect(decideCase(v("approved"), policy, "id_card")).toEqual({ action: "attest", level: 2 });
  });
  it("a risk label caps the level", () => {
    expect(decideCase(v("approved", ["location"]), policy, "id_card")).toEqual({ action: "attest", level: 1 });
  });
  it("levels at or above the four-eyes threshold always go to people", () => {
    expect(decideCase(v("approved"), policy, "passport")).toEqual({
      action: "manual_review",
      proposedLevel: 3,
      why: ["level_requires_review"],
      fourEyes: true,
    });
  });
  it("a listed risk label, a provider review or an unlisted document type goes to manual review", () => {
    expect(decideCase(v("approved", ["fraud"]), policy, "driving_licence")).toMatchObject({ action: "manual_review", why: ["risk_label"], fourEyes: false });
    expect(decideCase(v("manual_review", [], ["provider_review"]), policy, "id_card")).toMatchObject({
      action: "manual_review",
      proposedLevel: 2,
      why: ["provider_review"],
    });
    expect(decideCase(v("approved"), policy, "residence_permit")).toMatchObject({ action: "manual_review", proposedLevel: 0, why: ["level_below_minimum"] });
  });
  it("declines and resubmissions carry their reasons and never a level", () => {
    expect(decideCase(v("declined", ["fraud"], ["document_tampered"]), policy, "passport")).toEqual({ action: "decline", reasons: ["document_tampered"] });
    expect(decideCase(v("resubmission", [], ["document_unreadable"]), policy, "passport")).toEqual({
      action: "resubmission",
      reasons: ["document_unreadable"],
    });
  });
  it("rejects a policy with levels outside uint8", () => {
    expect(() => decideCase(v("approved"), { levels: { passport: 256 } }, "passport")).toThrow(InvalidRulesError);
    expect(() => decideCase(v("approved"), { levels: { passport: 1.5 } }, "passport")).toThrow(InvalidRulesError);
  });
});

describe("fourEyes", () => {
  const d = (reviewer: string, decision: "approve" | "decline", at: number, level?: number) => ({ reviewer, decision, at, level });
  it("below the threshold one reviewer decides", () => {
    expect(fourEyes({ proposedLevel: 2, fromLevel: 3, decisions: [d("0xA", "approve", 1)] })).toEqual({
      status: "decided",
      decision: "approve",
      level: 2,
      reviewers: ["0xa"],
    });
  });
  it("at the threshold the first approval waits for a second, different reviewer", () => {
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [] })).toEqual({ status: "awaiting_review" });
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [d("0xA", "approve", 1)] }).status).toBe("awaiting_second_review");
    // The same reviewer twice (any casing) is still one pair of eyes.
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [d("0xA", "approve", 1), d("0xa", "approve", 2)] }).status).toBe("awaiting_second_review");
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [d("0xA", "approve", 1), d("0xB", "approve", 2)] })).toEqual({
      status: "decided",
      decision: "approve",
      level: 3,
      reviewers: ["0xa", "0xb"],
    });
  });
  it("raising the level past the threshold cannot dodge the rule; the lower approved level is attested", () => {
    expect(fourEyes({ proposedLevel: 2, fromLevel: 3, decisions: [d("0xA", "approve", 1, 4)] }).status).toBe("awaiting_second_review");
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [d("0xA", "approve", 1, 4), d("0xB", "approve", 2, 3)] })).toMatchObject({
      decision: "approve",
      level: 3,
    });
  });
  it("one decline decides; an approval and a decline conflict; a reviewer's latest vote counts", () => {
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [d("0xA", "decline", 1)] })).toMatchObject({ status: "decided", decision: "decline" });
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [d("0xA", "approve", 1), d("0xB", "decline", 2)] }).status).toBe("conflict");
    expect(fourEyes({ proposedLevel: 1, fromLevel: 3, decisions: [d("0xA", "approve", 2), d("0xA", "decline", 1)] })).toMatchObject({ decision: "approve" });
  });
  it("ineligible reviewers (e.g. the case's opener) are not counted", () => {
    expect(fourEyes({ proposedLevel: 3, fromLevel: 3, decisions: [d("0xA", "approve", 1), d("0xB", "approve", 2)], ineligible: ["0xb"] }).status).toBe(
      "awaiting_second_review",
    );
  });
});
