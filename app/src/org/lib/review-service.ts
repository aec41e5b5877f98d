// The review service's case API (services/review, docs/review-service.md#api) as plain functions
// taking a connection first: the service's URL, one of the project's API keys and the project id.
// The key goes in the Authorization header to the review service only; every change to a case is
// also signed by the reviewer's wallet (EIP-191, one signature per request, the same message code
// the service verifies with). Nothing here carries a field value: cases hold ids, statuses and codes.
import type { Address, Hex } from "viem";
import { type ReviewerSigner, signReviewerRequest } from "../../../../services/review/src/api/reviewer-request.ts";
import { ReviewServiceError } from "./errors.ts";

export interface ReviewServiceConnection {
  url: string;
  apiKey: string;
  projectId: bigint;
  fetch?: typeof fetch;
}

export type CaseStatus = "opened" | "checking" | "manual_review" | "attesting" | "closed";
export type StepName = "documents" | "provider" | "review" | "attestation";
export interface CaseStep {
  status: "pending" | "running" | "done" | "failed";
  attempts: number;
  startedAt?: number;
  finishedAt?: number;
}

/** A case as the service shows it (publicCase): no field values. */
export interface ReviewCase {
  id: string;
  projectId: string;
  recordId: Hex;
  recordVersion: number;
  subject: Address;
  status: CaseStatus;
  outcome: "approved" | "declined" | "resubmission" | "cancelled" | "expired" | null;
  reasons: string[];
  provider: { name: string; checkId: string } | null;
  proposedLevel: number | null;
  level: number | null;
  fourEyesFromLevel: number | null;
  assignee: string | null;
  reviews: { reviewer: string; decision: "approve" | "decline"; level: number | null; at: number }[];
  conflict: boolean;
  attestationTx: Hex | null;
  steps: Record<StepName, CaseStep>;
  slaBreached: string[];
  openedAt: number;
  updatedAt: number;
  deadline: number;
}

export interface CaseDetail extends ReviewCase {
  providerResult: { kind: string; reasons: string[]; riskLabels: string[]; receivedAt: number } | null;
  transitions: { seq: number; at: number; event: string; actor: string | null; from: string; to: string }[];
  webhooks: { id: string; type: string; status: string; attempts: number }[];
}

const base = (url: string) => url.replace(/\/+$/, "");

async function send(url: string, init: RequestInit, fetcher: typeof fetch = (...a) => fetch(...a)): Promise<unknown> {
  let response: Response;
  try {
    response = await fetcher(url, init);
  } catch (cause) {
    // A refused CORS preflight looks like this too; the service names that case when it can answer.
    throw new ReviewServiceError("NetworkError", 0, `The review service at ${new URL(url).origin} did not answer.`, cause);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ReviewServiceError("BadResponse", response.status, `The review service answered ${response.status} without JSON.`);
  }
  if (!response.ok) {
    const b = body as { error?: string; message?: string };
    throw new ReviewServiceError(b.error ?? "BadResponse", response.status, b.message ?? `The review service answered ${response.status}.`);
  }
  return body;
}

/** The projects the service reviews for, each with the public half of the review key it holds (null if none). */
export type ServedProjects = Record<string, Hex | null>;

/** The projects the service at `url` reviews for (its /health, which needs no key). */
export async function servedProjects(url: string, fetcher?: typeof fetch): Promise<ServedProjects> {
  const h = (await send(`${base(url)}/health`, { method: "GET" }, fetcher)) as { projects?: unknown; reviewKeys?: Record<string, unknown> };
  if (!Array.isArray(h.projects)) throw new ReviewServiceError("BadResponse", 200, "The review service's /health does not list its projects.");
  const keys = h.reviewKeys ?? {};
  return Object.fromEntries(
    h.projects.map((p) => {
      const k = keys[String(p)];
      return [String(p), typeof k === "string" && /^0x[0-9a-fA-F]{64}$/.test(k) ? (k.toLowerCase() as Hex) : null];
    }),
  );
}

/**
 * How a project's reviews run: through the service when it is configured for the project and the
 * project registered the service's review key (grants then wrap to the service, which opens a case
 * for each); in this browser otherwise. A service configured for a project that registered another
 * review key never sees a grant it can open, so its queue would stay empty while grants wait here.
 */
export function reviewRoute(served: ServedProjects, projectId: bigint, onChainReviewKey: Hex | undefined): "service" | "unconnected" | "browser" {
  const id = projectId.toString();
  if (!Object.hasOwn(served, id)) return "browser";
  const k = served[id];
  return k && onChainReviewKey && k === onChainReviewKey.toLowerCase() ? "service" : "unconnected";
}

const casesPath = (c: ReviewServiceConnection) => `/v1/projects/${c.projectId}/cases`;
const keyHeader = (c: ReviewServiceConnection) => ({ authorization: `Bearer ${c.apiKey}` });

/** One page of the project's cases (oldest first), optionally of one status. */
export async function listCases(
  c: ReviewServiceConnection,
  q: { status?: CaseStatus; after?: string; limit?: number } = {},
): Promise<{ items: ReviewCase[]; nextCursor: string | null }> {
  const params = new URLSearchParams();
  if (q.status) params.set("status", q.status);
  if (q.after) params.set("after", q.after);
  params.set("limit", String(q.limit ?? 200));
  return (await send(`${base(c.url)}${casesPath(c)}?${params}`, { method: "GET", headers: keyHeader(c) }, c.fetch)) as {
    items: ReviewCase[];
    nextCursor: string | null;
  };
}

/** Every case of the project, following the cursor (bounded: a console shows at most `max`). */
export async function allCases(c: ReviewServiceConnection, max = 2_000): Promise<ReviewCase[]> {
  const out: ReviewCase[] = [];
  let after: string | undefined;
  do {
    const page = await listCases(c, { after });
    out.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after && out.length < max);
  return out;
}

export async function getCase(c: ReviewServiceConnection, caseId: string): Promise<CaseDetail> {
  return (await send(`${base(c.url)}${casesPath(c)}/${encodeURIComponent(caseId)}`, { method: "GET", headers: keyHeader(c) }, c.fetch)) as CaseDetail;
}

export type CaseAction = { action: "claim" } | { action: "release" } | { action: "decide"; decision: "approve" | "decline"; level?: number };

/**
 * Claims, releases or decides a case, signed by the reviewer's wallet. The service takes each
 * signature once, within five minutes of its time stamp, from an account with REVIEWER now.
 */
export async function actOnCase(c: ReviewServiceConnection, signer: ReviewerSigner, caseId: string, a: CaseAction): Promise<ReviewCase> {
  const path = `${casesPath(c)}/${encodeURIComponent(caseId)}/${a.action}`;
  const body = a.action === "decide" ? JSON.stringify({ decision: a.decision, ...(a.level === undefined ? {} : { level: a.level }) }) : "";
  const signed = await signReviewerRequest(signer, { method: "POST", path, projectId: c.projectId, body });
  const headers: Record<string, string> = { ...keyHeader(c), ...signed, ...(body ? { "content-type": "application/json" } : {}) };
  return (await send(`${base(c.url)}${path}`, { method: "POST", headers, body: body || undefined }, c.fetch)) as ReviewCase;
}

/** What a reviewer may do with a case now, from its state (the service has the last word). */
export function caseActions(k: ReviewCase, me: string | undefined): { claim: boolean; release: boolean; decide: boolean; why?: string } {
  const mine = !!me && k.assignee?.toLowerCase() === me.toLowerCase();
  const voted = !!me && k.reviews.some((r) => r.reviewer.toLowerCase() === me.toLowerCase());
  if (k.status !== "manual_review") return { claim: false, release: false, decide: false, why: "Only a case in manual review takes a reviewer's decision." };
  if (k.conflict) return { claim: false, release: false, decide: false, why: "The reviewers disagree: a lead has to settle this case." };
  if (voted && !mine) return { claim: false, release: false, decide: false, why: "You already voted on this case: a second reviewer decides next." };
  if (k.assignee && !mine) return { claim: false, release: false, decide: false, why: `Reviewer ${k.assignee} has taken this case.` };
  return { claim: !k.assignee, release: mine, decide: mine };
}

/** The session's memory of the review service's key per project: sessionStorage (this tab only, gone when it closes). */
export function reviewKeySlot(chainId: number, projectId: bigint, storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> = sessionStorage) {
  const key = `onekey:review-service-key:${chainId}:${projectId}`;
  return {
    get: () => storage.getItem(key) ?? undefined,
    set: (v: string | undefined) => (v ? storage.setItem(key, v) : storage.removeItem(key)),
  };
}
