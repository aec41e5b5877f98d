// The four-eyes rule as a pure decision: at levels >= N an approval needs two different
// reviewers; below N one reviewer decides. A decline never needs a second pair of eyes (it
// attests nothing), but an approval and a decline on the same case are a conflict for a lead.
export type ReviewerDecision = {
  /** Reviewer id (address or member id); compared case-insensitively. */
  reviewer: string;
  decision: "approve" | "decline";
  /** The level an approving reviewer attests (defaults to the case's proposed level). */
  level?: number;
  at: number;
};

export type FourEyesResult =
  | { status: "awaiting_review" }
  | { status: "awaiting_second_review"; reviewers: string[] }
  | { status: "decided"; decision: "approve"; level: number; reviewers: string[] }
  | { status: "decided"; decision: "decline"; reviewers: string[] }
  | { status: "conflict"; reviewers: string[] };

export function fourEyes(p: {
  proposedLevel: number;
  fromLevel?: number;
  decisions: readonly ReviewerDecision[];
  ineligible?: readonly string[];
}): FourEyesResult {
  const ineligible = new Set((p.ineligible ?? []).map((r) => r.toLowerCase()));
  // One vote per reviewer: their latest decision.
  const latest = new Map<string, ReviewerDecision>();
  for (const d of [...p.decisions].sort((a, b) => a.at - b.at)) {
    const id = d.reviewer.toLowerCase();
    if (!id || ineligible.has(id)) continue;
    latest.set(id, d);
  }
  const votes = [...latest.entries()];
  if (votes.length === 0) return { status: "awaiting_review" };
  const approvals = votes.filter(([, d]) => d.decision === "approve");
  const declines = votes.filter(([, d]) => d.decision === "decline");
  const reviewers = votes.map(([id]) => id).sort();
  if (approvals.length && declines.length) return { status: "conflict", reviewers };
  if (declines.length) return { status: "decided", decision: "decline", reviewers };
  // The attested level is the lowest any approver accepted; the four-eyes threshold looks at the
  // highest anyone proposed, so raising the level cannot dodge the rule.
  const levels = approvals.map(([, d]) => d.level ?? p.proposedLevel);
  const level = Math.min(...levels);
  const highest = Math.max(p.proposedLevel, ...levels);
  const needsTwo = p.fromLevel !== undefined && highest >= p.fromLevel;
  if (needsTwo && approvals.length < 2) return { status: "awaiting_second_review", reviewers };
  return { status: "decided", decision: "approve", level, reviewers };
}
