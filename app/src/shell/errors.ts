// Errors as a person reads them: what happened, in plain words, and what to do. Technical detail
// (an SDK error's name, a bundler code) stays available for the "details" toggle, never first.
import { BaseError } from "@onekey/sdk/errors";

/** An error the app raises itself, already in plain words. */
export class AppError extends Error {
  override name = "AppError";
  readonly hint?: string;
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.hint = hint;
  }
}

export interface PlainError {
  /** One sentence: what went wrong. */
  title: string;
  /** What the person can do about it. */
  hint: string;
  /** The technical name and message, for support. */
  detail: string;
  /** Whether trying again may help (nothing typed or uploaded is lost either way). */
  retryable: boolean;
}

const chain = (e: unknown): unknown[] => {
  const out: unknown[] = [];
  for (let c: unknown = e; c && out.length < 10; c = (c as { cause?: unknown }).cause) out.push(c);
  return out;
};
const names = (e: unknown) => chain(e).map((c) => (c as Error)?.name ?? "");
const text = (e: unknown) =>
  chain(e)
    .map((c) => `${(c as Error)?.message ?? String(c)}`)
    .join(" | ");

/** Maps any error to plain words. Order matters: the most specific cause wins. */
export function toPlainError(error: unknown): PlainError {
  const n = names(error);
  const t = text(error);
  const detail = `${n.filter(Boolean).join(" <- ")}: ${t}`.slice(0, 600);
  // The app's own words win, wherever an SDK or viem error wrapped them.
  const own = chain(error).find((c): c is AppError => c instanceof AppError);
  if (own) return { title: own.message, hint: own.hint ?? "Try again.", detail, retryable: true };
  if (n.includes("UserRejectedRequestError") || /user rejected|denied|code[": ]+4001/i.test(t)) {
    return { title: "Your wallet declined the request.", hint: "Nothing was sent. Approve it in your wallet when you try again.", detail, retryable: true };
  }
  if (n.includes("SponsorshipRefusedError") || /NOT_AUTHORISED|CAP_REACHED|sponsorship/i.test(t)) {
    return {
      title: "The project paying for your transactions refused this one.",
      hint: "Your data is kept here. Try again later, or contact the project.",
      detail,
      retryable: true,
    };
  }
  if (n.includes("StorageUploadError") || n.includes("StorageIdNotFoundError") || /arweave|storage/i.test(t)) {
    return { title: "The storage service is not reachable.", hint: "Your form and files are kept. Try again in a moment.", detail, retryable: true };
  }
  if (n.includes("ContentHashMismatchError")) {
    return {
      title: "The stored copy does not match what the chain recorded.",
      hint: "Do not trust it; try another gateway or contact support.",
      detail,
      retryable: false,
    };
  }
  if (n.includes("UserOperationRejectedError") || /bundler|AA\d\d/.test(t)) {
    return { title: "The network did not accept the transaction.", hint: "Nothing changed on-chain. Try again.", detail, retryable: true };
  }
  if (n.includes("TypeError") && /fetch|network/i.test(t)) {
    return { title: "A OneKey service did not answer.", hint: "Check your connection and try again.", detail, retryable: true };
  }
  if (error instanceof BaseError) return { title: error.shortMessage, hint: "Try again; if it keeps failing, contact support.", detail, retryable: true };
  return { title: "Something went wrong.", hint: "Try again; if it keeps failing, contact support.", detail, retryable: true };
}
