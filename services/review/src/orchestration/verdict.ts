// One verdict from three providers' vocabularies. Pure: a table per provider from its own status
// words and reason codes to ours. Anything a table does not know goes to a human: an unknown
// status never becomes an approval.
import type { ProviderName, ProviderOutcome } from "../providers/types.ts";

export type VerdictKind = "approved" | "declined" | "resubmission" | "manual_review";

export const REASON_CODES = [
  "document_unreadable",
  "document_expired",
  "document_tampered",
  "document_unsupported",
  "document_missing",
  "face_mismatch",
  "data_mismatch",
  "suspected_fraud",
  "duplicate_identity",
  "sanctions_or_pep",
  "age_requirement",
  "restricted_location",
  "provider_review",
  "session_expired",
  "other",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const RISK_LABELS = ["fraud", "document_risk", "identity_risk", "duplicate", "sanctions", "location"] as const;
export type RiskLabel = (typeof RISK_LABELS)[number];

export type Verdict = {
  kind: VerdictKind;
  /** Sorted, unique. */
  reasons: ReasonCode[];
  /** Sorted, unique. */
  riskLabels: RiskLabel[];
  provider: ProviderName;
  /** The provider's own status word, kept for the audit trail (a code, never free text). */
  providerStatus: string;
};

// --- Sumsub: reviewAnswer GREEN / RED + reviewRejectType FINAL | RETRY; reviewStatus onHold.
// Reject labels from Sumsub's "Rejection labels" list.
const SUMSUB_STATUS: Record<string, VerdictKind> = { GREEN: "approved", "RED/FINAL": "declined", "RED/RETRY": "resubmission", onHold: "manual_review" };
const SUMSUB_LABELS: Record<string, ReasonCode> = {
  FORGERY: "document_tampered",
  DOCUMENT_TEMPLATE: "document_tampered",
  DIGITAL_DOCUMENT: "document_unsupported",
  ID_INVALID: "document_unsupported",
  UNSUITABLE_DOCUMENT: "document_unsupported",
  LOW_QUALITY: "document_unreadable",
  UNSATISFACTORY_PHOTOS: "document_unreadable",
  SCREENSHOTS: "document_unreadable",
  BAD_PROOF_OF_IDENTITY: "document_unreadable",
  INCOMPLETE_DOCUMENT: "document_missing",
  DOCUMENT_MISSING: "document_missing",
  EXPIRATION_DATE: "document_expired",
  SELFIE_MISMATCH: "face_mismatch",
  BAD_FACE_MATCHING: "face_mismatch",
  PROBLEMATIC_APPLICANT_DATA: "data_mismatch",
  INCONSISTENT_PROFILE: "data_mismatch",
  WRONG_USER_REGION: "restricted_location",
  REGULATIONS_VIOLATIONS: "restricted_location",
  BLACKLIST: "suspected_fraud",
  BLOCKLIST: "suspected_fraud",
  FRAUDULENT_PATTERNS: "suspected_fraud",
  FRAUDULENT_LIVENESS: "suspected_fraud",
  THIRD_PARTY_INVOLVED: "suspected_fraud",
  DUPLICATE: "duplicate_identity",
  ADVERSE_MEDIA: "sanctions_or_pep",
  CRIMINAL: "sanctions_or_pep",
  COMPROMISED_PERSONS: "sanctions_or_pep",
  PEP: "sanctions_or_pep",
  SANCTIONS: "sanctions_or_pep",
  AGE_REQUIREMENT_MISMATCH: "age_requirement",
};

// --- Onfido: check result clear / consider, refined by the document report's sub_result
// (rejected = cannot be processed, e.g. poor image; suspected = fraud signals; caution = e.g.
// an expired document), reasons are the breakdown items that were not clear.
const ONFIDO_STATUS: Record<string, VerdictKind> = {
  clear: "approved",
  "consider/suspected": "declined",
  "consider/rejected": "resubmission",
  "consider/caution": "manual_review",
  consider: "manual_review",
  withdrawn: "manual_review",
};
const ONFIDO_BREAKDOWN: Record<string, ReasonCode> = {
  visual_authenticity: "document_tampered",
  image_integrity: "document_unreadable",
  data_validation: "data_mismatch",
  data_consistency: "data_mismatch",
  data_comparison: "data_mismatch",
  age_validation: "age_requirement",
  compromised_document: "suspected_fraud",
  police_record: "suspected_fraud",
  face_comparison: "face_mismatch",
  sanction: "sanctions_or_pep",
  politically_exposed_person: "sanctions_or_pep",
  adverse_media: "sanctions_or_pep",
};

// --- Veriff: verification.status and reasonCode ("Verification session decision codes").
const VERIFF_STATUS: Record<string, VerdictKind> = {
  approved: "approved",
  declined: "declined",
  resubmission_requested: "resubmission",
  review: "manual_review",
  expired: "resubmission",
  abandoned: "resubmission",
};
const VERIFF_REASONS: Record<string, ReasonCode> = {
  "101": "document_unsupported",
  "102": "document_tampered",
  "103": "face_mismatch",
  "104": "data_mismatch",
  "105": "suspected_fraud",
  "106": "suspected_fraud",
  "107": "duplicate_identity",
  "108": "duplicate_identity",
  "109": "duplicate_identity",
  "110": "duplicate_identity",
  "111": "suspected_fraud",
  "112": "restricted_location",
  "113": "suspected_fraud",
  "120": "face_mismatch",
  "201": "document_missing",
  "202": "document_unreadable",
  "203": "document_unreadable",
  "204": "document_unreadable",
  "205": "document_unreadable",
  "206": "document_unsupported",
  "207": "document_expired",
};

/** Risk labels every verdict gets from its reasons, whichever provider gave them. */
const REASON_RISK: Partial<Record<ReasonCode, RiskLabel>> = {
  document_tampered: "fraud",
  suspected_fraud: "fraud",
  duplicate_identity: "duplicate",
  sanctions_or_pep: "sanctions",
  restricted_location: "location",
  face_mismatch: "identity_risk",
  data_mismatch: "identity_risk",
};

/** A provider's own risk label (Veriff's riskLabels[].label) to ours, by the words it contains. */
export function riskLabelOf(label: string): RiskLabel {
  const l = label.toLowerCase();
  if (/sanction|pep|adverse_media|watchlist/.test(l)) return "sanctions";
  if (/duplicate|crosslinked|velocity/.test(l)) return "duplicate";
  if (/fraud|tamper|forg/.test(l)) return "fraud";
  if (/ip_|device|location|vpn|proxy|country/.test(l)) return "location";
  if (/document/.test(l)) return "document_risk";
  return "identity_risk";
}

export function normaliseOutcome(o: ProviderOutcome): Verdict {
  let kind: VerdictKind | undefined;
  const reasons = new Set<ReasonCode>();
  const risks = new Set<RiskLabel>();
  if (o.provider === "sumsub") {
    kind = SUMSUB_STATUS[o.status];
    for (const r of o.reasons) reasons.add(SUMSUB_LABELS[r] ?? "other");
  } else if (o.provider === "onfido") {
    kind = ONFIDO_STATUS[o.status];
    for (const r of o.reasons) {
      const [report = "", item = ""] = r.split(".", 2);
      reasons.add(
        ONFIDO_BREAKDOWN[item] ?? (report.startsWith("watchlist") ? "sanctions_or_pep" : report.startsWith("facial_similarity") ? "face_mismatch" : "other"),
      );
    }
    if (o.status === "withdrawn") reasons.add("provider_review");
  } else {
    kind = VERIFF_STATUS[o.status];
    for (const r of o.reasons) reasons.add(VERIFF_REASONS[r] ?? "other");
    if (o.status === "expired" || o.status === "abandoned") reasons.add("session_expired");
  }
  for (const label of o.riskLabels) risks.add(riskLabelOf(label));
  if (!kind) {
    kind = "manual_review";
    reasons.add("provider_review");
  }
  if (kind === "manual_review") reasons.add("provider_review");
  for (const r of reasons) {
    const risk = REASON_RISK[r];
    if (risk) risks.add(risk);
  }
  return { kind, reasons: [...reasons].sort(), riskLabels: [...risks].sort(), provider: o.provider, providerStatus: o.status.slice(0, 64) };
}
