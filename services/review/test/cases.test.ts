// The case state machine: every path from a grant to a closed case, duplicates and races.
import { describe, expect, it } from "vitest";
import { openCase, transition, type Case, type CaseEvent } from "../src/cases/state-machine.ts";
import { InvalidTransitionError } from "../src/errors.ts";

const T0 = 1_000_000;
const limits = { slaMs: 10_000, maxCheckAttempts: 3, maxAttestAttempts: 2 };
function run(events: CaseEvent[], start = openCase("case-1", T0, limits).case) {
  let c: Case = start;
  const effects: string[] = [];
  let t = T0;
  for (const e of events) {
    const r = transition(c, e, ++t, limits);
    c = r.case;
    effects.push(...r.effects.map((x) => (x.type === "emit" ? x.event : x.type)));
  }
  return { c, effects };
}
const started: CaseEvent[] = [{ type: "documents_verified" }, { type: "check_started", provider: "veriff", applicantId: "s1", checkId: "s1" }];

describe("case state machine", () => {
  it("grant -> documents -> provider approves -> attested: closed approved at the policy's level", () => {
    const { c, effects } = run([
      ...started,
      { type: "provider_decided", checkId: "s1", decision: { action: "attest", level: 2 } },
      { type: "attestation_sent", tx: "0xabc" },
      { type: "attested", tx: "0xabc" },
    ]);
    expect(c).toMatchObject({ status: "closed", outcome: "approved", level: 2, attestationTx: "0xabc", provider: { name: "veriff", checkId: "s1" } });
    expect(Object.values(c.steps).map((s) => s.status)).toEqual(["done", "done", "pending", "done"]);
    expect(effects).toEqual(["start_check", "case.check_started", "attest", "case.approved"]);
  });

  it("a decline closes with the normalised reasons and no attestation; a resubmission asks the person", () => {
    const d = run([...started, { type: "provider_decided", checkId: "s1", decision: { action: "decline", reasons: ["document_tampered"] } }]);
    expect(d.c).toMatchObject({ status: "closed", outcome: "declined", reasons: ["document_tampered"] });
    expect(d.effects).not.toContain("attest");
    const r = run([...started, { type: "provider_decided", checkId: "s1", decision: { action: "resubmission", reasons: ["document_unreadable"] } }]);
    expect(r.c.outcome).toBe("resubmission");
    expect(r.effects).toContain("request_resubmission");
  });

  it("a replayed provider callback is a duplicate, before and after the case closed", () => {
    const decided: CaseEvent = { type: "provider_decided", checkId: "s1", decision: { action: "attest", level: 1 } };
    const { c } = run([...started, decided]);
    const again = transition(c, decided, T0 + 100, limits);
    expect(again).toEqual({ case: c, effects: [], duplicate: true });
    const closed = run([{ type: "attested", tx: "0x1" }], c).c;
    expect(transition(closed, decided, T0 + 200, limits).duplicate).toBe(true);
    expect(transition(closed, { type: "attested", tx: "0x1" }, T0 + 200, limits).duplicate).toBe(true);
  });

  it("a callback for another check of the same case is refused", () => {
    const { c } = run(started);
    expect(() => transition(c, { type: "provider_decided", checkId: "other", decision: { action: "attest", level: 1 } }, T0 + 10, limits)).toThrow(
      InvalidTransitionError,
    );
  });

  it("providers unavailable: retried up to the limit, then a person takes over", () => {
    const { c, effects } = run([
      { type: "documents_verified" },
      { type: "providers_unavailable" },
      { type: "providers_unavailable" },
      { type: "providers_unavailable" },
    ]);
    expect(effects).toEqual(["start_check", "retry_check", "retry_check", "queue_manual_review", "case.manual_review"]);
    expect(c).toMatchObject({ status: "manual_review", reasons: ["provider_review"] });
    expect(c.steps.provider).toMatchObject({ status: "failed", attempts: 3 });
  });

  it("manual review with four eyes: two different reviewers approve, then it attests", () => {
    const toReview: CaseEvent[] = [
      ...started,
      {
        type: "provider_decided",
        checkId: "s1",
        decision: { action: "manual_review", proposedLevel: 3, why: ["level_requires_review"], fourEyes: true },
        fourEyesFromLevel: 3,
      },
    ];
    const first = run([...toReview, { type: "claim", reviewer: "0xA" }, { type: "review", reviewer: "0xA", decision: "approve" }]);
    expect(first.c).toMatchObject({ status: "manual_review", assignee: undefined });
    expect(first.effects).toContain("case.awaiting_second_review");
    // The first reviewer cannot be the second pair of eyes.
    expect(() => transition(first.c, { type: "claim", reviewer: "0xa" }, T0 + 50, limits)).toThrow(/already reviewed/);
    const second = run(
      [
        { type: "claim", reviewer: "0xB" },
        { type: "review", reviewer: "0xB", decision: "approve", level: 2 },
      ],
      first.c,
    );
    expect(second.c).toMatchObject({ status: "attesting", level: 2 });
    expect(second.effects).toEqual(["case.claimed", "attest"]);
  });

  it("claims are exclusive, only the assignee reviews or releases, and a conflict waits for a lead", () => {
    const toReview = run([
      ...started,
      {
        type: "provider_decided",
        checkId: "s1",
        decision: { action: "manual_review", proposedLevel: 3, why: ["risk_label"], fourEyes: true },
        fourEyesFromLevel: 3,
      },
    ]).c;
    const claimed = transition(toReview, { type: "claim", reviewer: "0xA" }, T0 + 10, limits).case;
    expect(() => transition(claimed, { type: "claim", reviewer: "0xB" }, T0 + 11, limits)).toThrow(/claimed by another/);
    expect(() => transition(claimed, { type: "review", reviewer: "0xB", decision: "approve" }, T0 + 11, limits)).toThrow(/claim the case first/);
    expect(() => transition(claimed, { type: "release", reviewer: "0xB" }, T0 + 11, limits)).toThrow(InvalidTransitionError);
    expect(transition(claimed, { type: "claim", reviewer: "0xa" }, T0 + 12, limits).duplicate).toBe(true);
    const conflict = run(
      [
        { type: "review", reviewer: "0xA", decision: "approve" },
        { type: "claim", reviewer: "0xB" },
        { type: "review", reviewer: "0xB", decision: "decline" },
      ],
      claimed,
    );
    expect(conflict.c.conflict).toBe(true);
    expect(conflict.effects).toContain("case.review_conflict");
    expect(() => transition(conflict.c, { type: "claim", reviewer: "0xC" }, T0 + 99, limits)).toThrow(/lead decides/);
  });

  it("a single reviewer's decline closes a manual review below the four-eyes level", () => {
    const { c } = run([
      ...started,
      {
        type: "provider_decided",
        checkId: "s1",
        decision: { action: "manual_review", proposedLevel: 1, why: ["provider_review"], fourEyes: false },
        fourEyesFromLevel: 3,
      },
      { type: "claim", reviewer: "0xA" },
      { type: "review", reviewer: "0xA", decision: "decline" },
    ]);
    expect(c).toMatchObject({ status: "closed", outcome: "declined", reasons: ["provider_review"] });
  });

  it("a revoked grant or erased record cancels an open case at any step; a closed case stays closed", () => {
    for (const prefix of [[], started, [...started, { type: "provider_decided", checkId: "s1", decision: { action: "attest", level: 1 } } as CaseEvent]]) {
      for (const type of ["grant_revoked", "record_erased"] as const) {
        const { c, effects } = run([...prefix, { type }]);
        expect(c).toMatchObject({ status: "closed", outcome: "cancelled" });
        expect(effects.at(-1)).toBe("case.cancelled");
      }
    }
    const approved = run([
      ...started,
      { type: "provider_decided", checkId: "s1", decision: { action: "attest", level: 1 } },
      { type: "attested", tx: "0x1" },
    ]).c;
    expect(transition(approved, { type: "grant_revoked" }, T0 + 99, limits).duplicate).toBe(true);
    expect(() => transition(approved, { type: "claim", reviewer: "0xA" }, T0 + 99, limits)).toThrow(/closed/);
  });

  it("an expired grant closes an open case as expired; one whose attestation is in flight is left to land", () => {
    for (const prefix of [[], started]) {
      const { c, effects } = run([...prefix, { type: "grant_expired" }]);
      expect(c).toMatchObject({ status: "closed", outcome: "expired", reasons: ["session_expired"] });
      expect(effects.at(-1)).toBe("case.expired");
    }
    const sending = run([
      ...started,
      { type: "provider_decided", checkId: "s1", decision: { action: "attest", level: 1 } },
      { type: "attestation_sent", tx: "0x2" },
    ]).c;
    expect(transition(sending, { type: "grant_expired" }, T0 + 50, limits).duplicate).toBe(true);
  });

  it("past the SLA an open case expires, except an attestation already sent", () => {
    const opened = openCase("case-2", T0, limits).case;
    expect(transition(opened, { type: "tick" }, T0 + 9_999, limits).duplicate).toBe(true);
    expect(transition(opened, { type: "tick" }, T0 + 10_000, limits).case).toMatchObject({
      status: "closed",
      outcome: "expired",
      reasons: ["session_expired"],
    });
    const sending = run([
      ...started,
      { type: "provider_decided", checkId: "s1", decision: { action: "attest", level: 1 } },
      { type: "attestation_sent", tx: "0x9" },
    ]).c;
    expect(transition(sending, { type: "tick" }, T0 + 20_000, limits).duplicate).toBe(true);
  });

  it("attestation failures retry, then go back to a fresh manual review", () => {
    const { c, effects } = run([
      ...started,
      { type: "provider_decided", checkId: "s1", decision: { action: "attest", level: 2 } },
      { type: "attestation_failed" },
      { type: "attestation_failed" },
    ]);
    expect(effects).toEqual(["start_check", "case.check_started", "attest", "attest", "queue_manual_review", "case.attestation_failed"]);
    expect(c).toMatchObject({ status: "manual_review", reviews: [] });
  });

  it("documents that fail their hash close the case as a resubmission; events out of order are refused", () => {
    const bad = run([{ type: "documents_invalid" }]);
    expect(bad.c).toMatchObject({ status: "closed", outcome: "resubmission", reasons: ["document_missing"] });
    const opened = openCase("case-3", T0, limits).case;
    for (const e of [
      { type: "attested", tx: "0x1" },
      { type: "review", reviewer: "0xA", decision: "approve" },
      { type: "providers_unavailable" },
    ] as CaseEvent[]) {
      expect(() => transition(opened, e, T0 + 1, limits)).toThrow(InvalidTransitionError);
    }
    expect(transition(run([{ type: "documents_verified" }]).c, { type: "documents_verified" }, T0 + 5, limits).duplicate).toBe(true);
  });

  it("a transition never mutates the case it was given", () => {
    const opened = openCase("case-4", T0, limits).case;
    const snapshot = structuredClone(opened);
    transition(opened, { type: "documents_verified" }, T0 + 1, limits);
    expect(opened).toEqual(snapshot);
  });
});
