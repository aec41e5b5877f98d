// The sponsor service's refusal log (services/sponsor/src/api.ts), read with one of the project's
// API keys (read scope), and the words the console shows for each refusal reason.
import type { SponsorRefusal } from "@onekey/sdk/aa";
import { AppError } from "../../shell/errors.ts";

export interface RefusalRow {
  id: string;
  time: string;
  reason: SponsorRefusal;
  sender: string | null;
  nonce: string | null;
  method: string | null;
}

export interface RefusalCounts {
  total: number;
  byReason: Partial<Record<SponsorRefusal, number>>;
  hours: { hour: string; reason: SponsorRefusal; count: number }[];
}

export interface SponsorLogConnection {
  /** The sponsor service's URL (network.sponsorUrl). */
  url: string;
  apiKey: string;
  projectId: bigint;
  fetch?: typeof fetch;
}

/** What each refusal means, for a project's team (exhaustive over the SDK's reasons). */
export const REFUSAL_WORDS: Record<SponsorRefusal, string> = {
  INVALID_REQUEST: "The request was malformed",
  UNSUPPORTED_ENTRY_POINT: "The operation was for another EntryPoint",
  WRONG_CHAIN: "The operation was for another chain",
  PROJECT_NOT_SPONSORED: "The sponsor service's policy does not cover this project",
  SIGNER_NOT_SPONSOR: "The sponsor service's key is not a SPONSOR of this project",
  CALL_NOT_SPONSORED: "The operation called something other than the OneKey registries",
  METHOD_NOT_ALLOWED: "The project's policy does not sponsor this function",
  FOREIGN_PROJECT: "The operation was about another project",
  GAS_LIMITS_CHANGED: "The paymaster gas limits were altered",
  OVER_GAS_LIMIT: "The operation asked for more gas than the policy allows",
  FEE_TOO_HIGH: "The operation's gas fees were above the market ceiling",
  OVER_MAX_COST: "The operation could cost more than the policy allows",
  PROJECT_BALANCE_TOO_LOW: "The project's sponsorship balance was too low",
  INTERNAL: "The sponsor service failed on its side",
  NOT_AUTHORISED: "Not authorised: no API key and no ticket from the project",
  API_KEY_REJECTED: "The API key sent is not a live key of this project",
  API_KEY_MISSING_SCOPE: "The API key sent lacks the sponsor scope",
  INVALID_TICKET: "The sponsorship ticket was malformed or forged",
  TICKET_EXPIRED: "The sponsorship ticket had expired",
  TICKET_WRONG_PROJECT: "The sponsorship ticket was for another project",
  TICKET_WRONG_SUBJECT: "The sponsorship ticket was for another account",
  TICKET_SIGNER_NOT_SPONSOR: "The ticket was signed by a key that is not a SPONSOR of this project",
  TICKET_USED_UP: "The sponsorship ticket's operations were all used",
  PROJECT_OPS_CAP_REACHED: "The project reached its cap of sponsored operations for the period",
  PROJECT_SPEND_CAP_REACHED: "The project reached its spending cap for the period",
  SUBJECT_OPS_CAP_REACHED: "This account reached its cap of sponsored operations for the period",
  SUBJECT_SPEND_CAP_REACHED: "This account reached its spending cap for the period",
};

/** A reason in plain words (an unknown code, from a newer service, shown as it is). */
export const refusalWords = (reason: string): string => REFUSAL_WORDS[reason as SponsorRefusal] ?? reason;

const WORDS: Record<string, string> = {
  MissingApiKey: "Enter one of the project's API keys (read scope) to see refusals.",
  UnknownApiKey: "The sponsor service does not know this API key for this project (it may belong to another project or chain).",
  ApiKeyRevoked: "This API key was revoked. Create a new one under API keys.",
  ApiKeyExpired: "This API key has expired. Create a new one under API keys.",
  MissingScope: "This API key lacks the read scope the refusal log needs.",
};

/** The sponsor service refused the read, or did not answer; `code` is its error name. */
export class SponsorLogError extends AppError {
  override name = "SponsorLogError";
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, cause?: unknown) {
    super(WORDS[code] ?? message, code === "NetworkError" ? "Check that the sponsor service is running and its URL in the configuration." : undefined, cause);
    this.code = code;
    this.status = status;
  }
}

async function get<T>(c: SponsorLogConnection, path: string): Promise<T> {
  let res: Response;
  try {
    res = await (c.fetch ?? fetch)(`${c.url.replace(/\/$/, "")}/v1/projects/${c.projectId}/refusals${path}`, {
      headers: { authorization: `Bearer ${c.apiKey}` },
    });
  } catch (cause) {
    throw new SponsorLogError("NetworkError", 0, "The sponsor service cannot be reached.", cause);
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!res.ok) throw new SponsorLogError(body.error ?? "BadResponse", res.status, body.message ?? `The sponsor service answered ${res.status}.`);
  return body as T;
}

/** The newest refusals (at most 200 a page; `before` = the previous page's `next`). */
export const listRefusals = (c: SponsorLogConnection, q: { limit?: number; before?: string; reason?: SponsorRefusal } = {}) => {
  const params = new URLSearchParams();
  if (q.limit) params.set("limit", String(q.limit));
  if (q.before) params.set("before", q.before);
  if (q.reason) params.set("reason", q.reason);
  const s = params.toString();
  return get<{ items: RefusalRow[]; next: string | null }>(c, s ? `?${s}` : "");
};

/** Counts per hour and reason since `since` (ms; the service's default is a week). */
export const refusalCounts = (c: SponsorLogConnection, since?: number) => get<RefusalCounts>(c, `/counts${since === undefined ? "" : `?since=${since}`}`);

/** Chart rows: one per hour (label "YYYY-MM-DD HH:00"), a count per reason, zeros filled. */
export function refusalSeries(counts: RefusalCounts): { rows: Record<string, string | number>[]; reasons: SponsorRefusal[] } {
  const reasons = (Object.keys(counts.byReason) as SponsorRefusal[]).sort((a, b) => (counts.byReason[b] ?? 0) - (counts.byReason[a] ?? 0));
  const byHour = new Map<string, Record<string, string | number>>();
  for (const h of counts.hours) {
    const label = `${h.hour.slice(0, 13).replace("T", " ")}:00`;
    const row = byHour.get(label) ?? Object.fromEntries([["hour", label], ...reasons.map((r) => [r, 0])]);
    row[h.reason] = Number(row[h.reason] ?? 0) + h.count;
    byHour.set(label, row);
  }
  return { rows: [...byHour.values()].sort((a, b) => String(a.hour).localeCompare(String(b.hour))), reasons };
}
