// The verification case as a pure state machine: (case, event, now) -> (case, effects). The case
// store (next step) persists the result and runs the effects; nothing here does I/O, so every
// path, including duplicates and races, is a unit test. A case holds ids, statuses, codes and
// timestamps only: never a field value.
import { InvalidTransitionError } from "../errors.ts";
import type { ReasonCode } from "../orchestration/verdict.ts";
import type { CaseDecision } from "../orchestration/policy.ts";
import { fourEyes, type ReviewerDecision } from "../orchestration/four-eyes.ts";
import type { ProviderName } from "../providers/types.ts";

export type CaseStatus =
  | "opened" // grant seen; documents to fetch and verify
  | "checking" // documents verified; provider check to start or under way
  | "manual_review"
  | "attesting" // approved; the attestation transaction to send or confirm
  | "closed";

export type CaseOutcome = "approved" | "declined" | "resubmission" | "cancelled" | "expired";

export type StepName = "documents" | "provider" | "review" | "attestation";
export type Step = { status: "pending" | "running" | "done" | "failed"; attempts: number; startedAt?: number; finishedAt?: number };

export type Case = {
  id: string;
  status: CaseStatus;
  outcome?: CaseOutcome;
  reasons: ReasonCode[];
  openedAt: number;
  updatedAt: number;
  /** SLA deadline: past it, an open case is closed as expired. */
  deadline: number;
  steps: Record<StepName, Step>;
  provider?: { name: ProviderName; applicantId: string; checkId: string };
  /** The level the provider verdict and policy propose; the reviewers may lower it. */
  proposedLevel?: number;
  fourEyesFromLevel?: number;
  level?: number;
  assignee?: string;
  reviews: ReviewerDecision[];
  conflict?: boolean;
  attestationTx?: string;
};

export type CaseEvent =
  | { type: "documents_verified" }
  | { type: "documents_invalid" }
  | { type: "check_started"; provider: ProviderName; applicantId: string; checkId: string }
  | { type: "providers_unavailable" }
  | { type: "provider_decided"; checkId: string; decision: CaseDecision; fourEyesFromLevel?: number }
  | { type: "claim"; reviewer: string }
  | { type: "release"; reviewer: string }
  | { type: "review"; reviewer: string; decision: "approve" | "decline"; level?: number }
  | { type: "attestation_sent"; tx: string }
  | { type: "attestation_failed" }
  | { type: "attested"; tx: string }
  | { type: "grant_revoked" }
  | { type: "record_erased" }
  | { type: "grant_expired" }
  | { type: "tick" };

/** What the store should do after persisting the new case. */
export type Effect =
  | { type: "fetch_documents" }
  | { type: "start_check" }
  | { type: "retry_check"; attempt: number }
  | { type: "queue_manual_review" }
  | { type: "attest"; level: number }
  | { type: "request_resubmission"; reasons: ReasonCode[] }
  | { type: "emit"; event: string };

export type TransitionResult = { case: Case; effects: Effect[]; duplicate: boolean };

export type CaseLimits = { slaMs: number; maxCheckAttempts: number; maxAttestAttempts: number };
export const DEFAULT_LIMITS: CaseLimits = { slaMs: 72 * 3600_000, maxCheckAttempts: 5, maxAttestAttempts: 5 };

const step = (): Step => ({ status: "pending", attempts: 0 });

export function openCase(id: string, now: number, limits: CaseLimits = DEFAULT_LIMITS): TransitionResult {
  const c: Case = {
    id,
    status: "opened",
    reasons: [],
    openedAt: now,
    updatedAt: now,
    deadline: now + limits.slaMs,
    steps: { documents: { status: "running", attempts: 1, startedAt: now }, provider: step(), review: step(), attestation: step() },
    reviews: [],
  };
  return { case: c, effects: [{ type: "fetch_documents" }, { type: "emit", event: "case.opened" }], duplicate: false };
}

export function transition(current: Case, event: CaseEvent, now: number, limits: CaseLimits = DEFAULT_LIMITS): TransitionResult {
  const c: Case = structuredClone(current);
  c.updatedAt = now;
  const same = (): TransitionResult => ({ case: current, effects: [], duplicate: true });
  const refuse = (why?: string): never => {
    throw new InvalidTransitionError(c.id, c.status, event.type, why);
  };
  const finish = (name: StepName, status: "done" | "failed") => {
    c.steps[name] = { ...c.steps[name], status, finishedAt: now };
  };
  const begin = (name: StepName) => {
    c.steps[name] = { ...c.steps[name], status: "running", attempts: c.steps[name].attempts + 1, startedAt: c.steps[name].startedAt ?? now };
  };
  const close = (outcome: CaseOutcome, reasons: ReasonCode[] = c.reasons): TransitionResult => {
    c.status = "closed";
    c.outcome = outcome;
    c.reasons = reasons;
    c.assignee = undefined;
    for (const n of Object.keys(c.steps) as StepName[]) if (c.steps[n].status === "running") finish(n, outcome === "approved" ? "done" : "failed");
    const effects: Effect[] = [{ type: "emit", event: `case.${outcome}` }];
    if (outcome === "resubmission") effects.unshift({ type: "request_resubmission", reasons });
    return { case: c, effects, duplicate: false };
  };

  // Cancellation and expiry apply to every open case; on a closed one they are no-ops.
  if (event.type === "grant_revoked" || event.type === "record_erased") return c.status === "closed" ? same() : close("cancelled", []);
  // The grant ran out before a decision: nothing may be read any more, so the case ends as expired.
  if (event.type === "grant_expired")
    return c.status === "closed" || (c.status === "attesting" && c.attestationTx) ? same() : close("expired", ["session_expired"]);
  if (event.type === "tick") {
    if (c.status === "closed" || now < c.deadline) return same();
    // An attestation already in flight is allowed to land: expiring it would race the chain.
    if (c.status === "attesting" && c.attestationTx) return same();
    return close("expired", ["session_expired"]);
  }
  if (c.status === "closed") {
    // Late provider callbacks and repeated confirmations after the end are duplicates, not errors.
    if (event.type === "provider_decided" || event.type === "attested" || event.type === "check_started") return same();
    return refuse("the case is closed");
  }

  switch (event.type) {
    case "documents_verified":
      if (c.status !== "opened") return c.steps.documents.status === "done" ? same() : refuse();
      finish("documents", "done");
      c.status = "checking";
      begin("provider");
      return { case: c, effects: [{ type: "start_check" }], duplicate: false };

    case "documents_invalid":
      if (c.status !== "opened") return refuse();
      finish("documents", "failed");
      // The bundle does not match its on-chain hash: nothing to send; ask the person again.
      return close("resubmission", ["document_missing"]);

    case "check_started":
      if (c.status !== "checking") return refuse();
      if (c.provider?.checkId === event.checkId) return same();
      c.provider = { name: event.provider, applicantId: event.applicantId, checkId: event.checkId };
      return { case: c, effects: [{ type: "emit", event: "case.check_started" }], duplicate: false };

    case "providers_unavailable": {
      if (c.status !== "checking") return refuse();
      if (c.steps.provider.attempts >= limits.maxCheckAttempts) {
        // Every provider kept failing: a person takes over rather than the case dying silently.
        finish("provider", "failed");
        c.status = "manual_review";
        begin("review");
        c.reasons = ["provider_review"];
        return { case: c, effects: [{ type: "queue_manual_review" }, { type: "emit", event: "case.manual_review" }], duplicate: false };
      }
      begin("provider");
      return { case: c, effects: [{ type: "retry_check", attempt: c.steps.provider.attempts }], duplicate: false };
    }

    case "provider_decided": {
      if (c.status !== "checking") return same(); // a replayed callback after the case moved on
      if (c.provider && c.provider.checkId !== event.checkId) return refuse("the callback is for another check");
      finish("provider", "done");
      const d = event.decision;
      if (d.action === "decline") return close("declined", d.reasons);
      if (d.action === "resubmission") return close("resubmission", d.reasons);
      if (d.action === "attest") {
        c.status = "attesting";
        c.level = d.level;
        c.proposedLevel = d.level;
        begin("attestation");
        return { case: c, effects: [{ type: "attest", level: d.level }], duplicate: false };
      }
      c.status = "manual_review";
      c.proposedLevel = d.proposedLevel;
      c.fourEyesFromLevel = event.fourEyesFromLevel;
      begin("review");
      return { case: c, effects: [{ type: "queue_manual_review" }, { type: "emit", event: "case.manual_review" }], duplicate: false };
    }

    case "claim":
      if (c.status !== "manual_review") return refuse();
      if (c.assignee === event.reviewer.toLowerCase()) return same();
      if (c.assignee) return refuse("claimed by another reviewer");
      if (c.conflict) return refuse("the reviewers disagree: a lead decides");
      // Four eyes: a reviewer who already voted on this case cannot be the second pair.
      if (c.reviews.some((r) => r.reviewer === event.reviewer.toLowerCase())) return refuse("already reviewed by this reviewer");
      c.assignee = event.reviewer.toLowerCase();
      return { case: c, effects: [{ type: "emit", event: "case.claimed" }], duplicate: false };

    case "release":
      if (c.status !== "manual_review" || c.assignee !== event.reviewer.toLowerCase()) return refuse("not the assignee");
      c.assignee = undefined;
      return { case: c, effects: [{ type: "emit", event: "case.released" }], duplicate: false };

    case "review": {
      if (c.status !== "manual_review") return refuse();
      const reviewer = event.reviewer.toLowerCase();
      if (c.assignee !== reviewer) return refuse("claim the case first");
      if (event.level !== undefined && (!Number.isInteger(event.level) || event.level < 1 || event.level > 255)) return refuse("level must be 1..255");
      c.reviews.push({ reviewer, decision: event.decision, level: event.level, at: now });
      const r = fourEyes({ proposedLevel: c.proposedLevel ?? 0, fromLevel: c.fourEyesFromLevel, decisions: c.reviews });
      c.assignee = undefined; // the next reviewer claims it
      if (r.status === "decided" && r.decision === "decline") {
        finish("review", "done");
        return close("declined", c.reasons.length ? c.reasons : ["provider_review"]);
      }
      if (r.status === "decided" && r.decision === "approve") {
        if (r.level < 1) return refuse("an approval needs a level of at least 1");
        finish("review", "done");
        c.status = "attesting";
        c.level = r.level;
        begin("attestation");
        return { case: c, effects: [{ type: "attest", level: r.level }], duplicate: false };
      }
      c.conflict = r.status === "conflict";
      return { case: c, effects: [{ type: "emit", event: c.conflict ? "case.review_conflict" : "case.awaiting_second_review" }], duplicate: false };
    }

    case "attestation_sent":
      if (c.status !== "attesting") return refuse();
      if (c.attestationTx === event.tx) return same();
      c.attestationTx = event.tx;
      return { case: c, effects: [], duplicate: false };

    case "attestation_failed":
      if (c.status !== "attesting") return refuse();
      c.attestationTx = undefined;
      if (c.steps.attestation.attempts >= limits.maxAttestAttempts) {
        finish("attestation", "failed");
        c.status = "manual_review";
        // A fresh review: the earlier votes approved an attestation that never landed.
        c.reviews = [];
        begin("review");
        return { case: c, effects: [{ type: "queue_manual_review" }, { type: "emit", event: "case.attestation_failed" }], duplicate: false };
      }
      begin("attestation");
      return { case: c, effects: [{ type: "attest", level: c.level! }], duplicate: false };

    case "attested":
      if (c.status !== "attesting") return refuse();
      c.attestationTx = event.tx;
      finish("attestation", "done");
      return close("approved", []);
  }
}
