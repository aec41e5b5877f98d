// Cross-origin access for the browser routes (the console's case queue): only the origins the
// operator lists, compared exactly; a request from any other page is refused with a named 403
// before it touches a key or a case, so a page the operator did not list can neither read cases
// nor spend a reviewer's signature. Requests without an Origin (integrator backends, curl) are not
// browsers and pass unchanged.
import { REVIEWER_HEADERS } from "./reviewer-request.ts";

export const CORS_ALLOWED_HEADERS = ["authorization", "x-api-key", "content-type", ...Object.values(REVIEWER_HEADERS)] as const;
export const CORS_ALLOWED_METHODS = ["GET", "POST"] as const;
/** How long a browser may cache a preflight answer (seconds). */
export const CORS_MAX_AGE_S = 600;

export class InvalidCorsOriginError extends Error {
  override name = "InvalidCorsOriginError";
  constructor(entry: string) {
    super(`"${entry.slice(0, 100)}" is not an origin (scheme://host[:port], nothing after it)`);
  }
}

/** Checks and normalises the configured origins (an origin is scheme://host[:port] and nothing else). */
export function parseCorsOrigins(list: readonly string[] | string | undefined): string[] {
  const items = typeof list === "string" ? list.split(",") : (list ?? []);
  return items
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      let u: URL;
      try {
        u = new URL(entry);
      } catch {
        throw new InvalidCorsOriginError(entry);
      }
      if ((u.protocol !== "http:" && u.protocol !== "https:") || u.origin !== entry.replace(/\/$/, "").toLowerCase()) throw new InvalidCorsOriginError(entry);
      return u.origin;
    });
}

export type CorsVerdict =
  /** Not a browser's cross-origin request: nothing to add. */
  { kind: "none" } | { kind: "allowed"; headers: Record<string, string> } | { kind: "refused"; origin: string };

/** What to do with a request's Origin header. */
export function corsVerdict(origin: string | string[] | undefined, allowed: readonly string[]): CorsVerdict {
  if (origin === undefined) return { kind: "none" };
  const o = Array.isArray(origin) ? origin.join(",") : origin;
  if (!allowed.includes(o)) return { kind: "refused", origin: o.slice(0, 100) };
  return {
    kind: "allowed",
    headers: {
      "access-control-allow-origin": o,
      vary: "Origin",
      "access-control-allow-methods": CORS_ALLOWED_METHODS.join(", "),
      "access-control-allow-headers": CORS_ALLOWED_HEADERS.join(", "),
      "access-control-max-age": String(CORS_MAX_AGE_S),
    },
  };
}
