// From a normalised verdict to what the case does next, by the project's attestation policy.
// Pure: the same verdict and policy always give the same decision.
import { InvalidRulesError } from "../errors.ts";
import type { DocumentType } from "../providers/types.ts";
import type { ReasonCode, RiskLabel, Verdict } from "./verdict.ts";

export type AttestationPolicy = {
  /** The level an approved check on each document type earns; a type not listed earns none. */
  levels: Partial<Record<DocumentType, number>>;
  /** Below this an approval is not attested automatically (it goes to a human). Default 1. */
  minLevel?: number;
  /** A risk label caps the level (e.g. location: 1). */
  riskCaps?: Partial<Record<RiskLabel, number>>;
  /** Approvals that still go to a human. */
  manualReview?: { riskLabels?: RiskLabel[]; reasons?: ReasonCode[]; fromLevel?: number };
  /** Levels >= this need two different reviewers to approve (fourEyes). */
  fourEyesFromLevel?: number;
};

export type ManualReviewWhy = "provider_review" | "level_below_minimum" | "risk_label" | "reason" | "level_requires_review";

export type CaseDecision =
  | { action: "attest"; level: number }
  | { action: "manual_review"; proposedLevel: number; why: ManualReviewWhy[]; fourEyes: boolean }
  | { action: "decline"; reasons: ReasonCode[] }
  | { action: "resubmission"; reasons: ReasonCode[] };

const MAX_LEVEL = 255; // the attestation level is a uint8 on-chain

export function validatePolicy(policy: AttestationPolicy): AttestationPolicy {
  const levels = [
    ...Object.values(policy.levels ?? {}),
    ...Object.values(policy.riskCaps ?? {}),
    policy.minLevel,
    policy.fourEyesFromLevel,
    policy.manualReview?.fromLevel,
  ];
  for (const l of levels)
    if (l !== undefined && (!Number.isInteger(l) || l < 0 || l > MAX_LEVEL)) throw new InvalidRulesError(`levels are integers 0..${MAX_LEVEL}`);
  return policy;
}

export function levelFor(verdict: Verdict, policy: AttestationPolicy, documentType: DocumentType): number {
  let level = policy.levels[documentType] ?? 0;
  for (const label of verdict.riskLabels) {
    const cap = policy.riskCaps?.[label];
    if (cap !== undefined) level = Math.min(level, cap);
  }
  return level;
}

export function decideCase(verdict: Verdict, policy: AttestationPolicy, documentType: DocumentType): CaseDecision {
  validatePolicy(policy);
  if (verdict.kind === "declined") return { action: "decline", reasons: verdict.reasons };
  if (verdict.kind === "resubmission") return { action: "resubmission", reasons: verdict.reasons };
  const level = levelFor(verdict, policy, documentType);
  const fourEyes = policy.fourEyesFromLevel !== undefined && level >= policy.fourEyesFromLevel;
  const why: ManualReviewWhy[] = [];
  if (verdict.kind === "manual_review") why.push("provider_review");
  if (level < (policy.minLevel ?? 1)) why.push("level_below_minimum");
  if (verdict.riskLabels.some((l) => policy.manualReview?.riskLabels?.includes(l))) why.push("risk_label");
  if (verdict.reasons.some((r) => policy.manualReview?.reasons?.includes(r))) why.push("reason");
  if (policy.manualReview?.fromLevel !== undefined && level >= policy.manualReview.fromLevel) why.push("level_requires_review");
  // Four eyes means people: an approval at such a level is never attested by the machine alone.
  if (fourEyes && why.length === 0) why.push("level_requires_review");
  if (why.length) return { action: "manual_review", proposedLevel: level, why, fourEyes };
  return { action: "attest", level };
}
