// Every refusal the API makes is a named error with an HTTP status and a message that says what
// was wrong and what to do. Messages carry ids, hashes and scope names only — never a raw key.
import { BaseError } from "@onekey/sdk/errors";
import { Hono, type Context, type Env } from "hono";

export class ApiError extends BaseError {
  override name = "ApiError";
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 422 | 429 | 500 | 503;
  readonly headers: Record<string, string>;
  constructor(name: string, status: ApiError["status"], message: string, options: { headers?: Record<string, string>; details?: string } = {}) {
    super(message, { details: options.details, docsPath: "indexer.md" });
    this.name = name;
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

export function errorResponse(c: Context, error: unknown): Response {
  if (error instanceof ApiError) {
    for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
    return c.json({ error: error.name, message: error.shortMessage, ...(error.details ? { details: error.details } : {}) }, error.status);
  }
  if (error instanceof BaseError) return c.json({ error: error.name, message: error.shortMessage }, 400);
  console.error("onekey api: unexpected error", error);
  return c.json({ error: "InternalError", message: "Internal error; see the indexer log." }, 500);
}

/** A Hono router whose errors become the JSON refusals above (sub-routers do not inherit onError). */
export function router<E extends Env = Env>(): Hono<E> {
  const r = new Hono<E>();
  r.onError((error, c) => errorResponse(c, error));
  return r;
}
