// One way to check what a client sends: a zod schema per route for the query string and the JSON
// body, and one guard in front of every route for size and media type. A refusal is always an
// ApiError with a name saying which part was wrong and a message naming the field and the rule —
// bounded in length, so a hostile value is never echoed back whole.
import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod/v4";
import { BODY_LIMITS, MAX_INT8, MAX_URL_BYTES, PAGE_LIMIT_MAX } from "../../lib/limits.ts";
import { ApiError } from "./errors.ts";
import { routeFor } from "./surface.ts";

export { z };

export const clip = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max)}…` : text);

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length ? issue.path.map(String).join(".") : "(root)";
      return `${clip(where, 60)}: ${clip(issue.message)}`;
    })
    .join("; ");
}

/** Free text for a text column: PostgreSQL cannot store U+0000, so it is refused here. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes("\u0000"), "no NUL characters");

/** A decimal string (query strings) for an int8 column: block numbers, cursors. */
export const int8String = z
  .string()
  .regex(/^\d{1,19}$/, "a decimal integer")
  // zod runs refinements after a failed check too: guard the BigInt.
  .refine((v) => !/^\d{1,19}$/.test(v) || BigInt(v) <= MAX_INT8, `at most ${MAX_INT8}`);

/** A decimal integer in [min, max] from the query string. */
export const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `an integer in ${min}..${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const pageLimit = (max = PAGE_LIMIT_MAX) => intParam(1, max);

/** Query-string schemas are strict: an unknown parameter is refused (it is usually a typo). */
export function query<T extends z.ZodRawShape>(c: Context, shape: T): z.infer<z.ZodObject<T>> {
  const raw = c.req.query();
  const parsed = z.strictObject(shape).safeParse(raw);
  if (!parsed.success) throw new ApiError("InvalidQuery", 400, `Query string refused: ${describe(parsed.error)}.`);
  return parsed.data as z.infer<z.ZodObject<T>>;
}

/** The body as text (its size was bounded by `bodyGuard` before anything read it). */
export async function bodyText(c: Context): Promise<string> {
  return c.req.text();
}

/** A JSON body checked against `schema`: malformed JSON and schema mismatches are both 400s. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await bodyText(c);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError("InvalidJson", 400, "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError("InvalidBody", 400, `Request body refused: ${describe(parsed.error)}.`);
  return parsed.data;
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * In front of every route: refuses an over-long URL (414), a body larger than the route allows
 * (413; judged by Content-Length before a byte is read, or counted while streaming when the body
 * is chunked), and a body of a media type the route does not take (415).
 */
export const bodyGuard: MiddlewareHandler = async (c, next) => {
  const url = c.req.url;
  const target = url.length - new URL(url).origin.length;
  if (target > MAX_URL_BYTES) throw new ApiError("UriTooLong", 414, `Request target longer than ${MAX_URL_BYTES} bytes.`);
  // No text column can hold NUL: refuse it in any path segment or parameter, encoded or not.
  if (/%00|\u0000/i.test(url)) throw new ApiError("InvalidCharacter", 400, "The request target contains a NUL character.");
  const spec = routeFor(c.req.method, c.req.path);
  const policy = spec?.body;
  const maxBytes = policy?.maxBytes ?? BODY_LIMITS.none;
  const raw = c.req.raw;
  if (!raw.body) {
    if (policy) throw new ApiError("MissingBody", 400, `${c.req.method} ${spec!.path} takes a body (${policy.types.join(" or ")}).`);
    return next();
  }
  const tooLarge = () => new ApiError("PayloadTooLarge", 413, `Request body larger than ${maxBytes} bytes, the limit of this route.`);
  const length = c.req.header("content-length");
  if (length !== undefined && !c.req.header("transfer-encoding")) {
    if (Number(length) > maxBytes) throw tooLarge();
  }
  if (policy) {
    const type = mediaType(c.req.header("content-type"));
    if (!policy.types.includes(type)) {
      throw new ApiError("UnsupportedMediaType", 415, `Content-Type must be ${policy.types.join(" or ")} (got "${clip(type, 60)}").`);
    }
  }
  if (length === undefined || c.req.header("transfer-encoding")) {
    // Chunked: count while reading and stop at the limit, so at most maxBytes are ever held.
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
    c.req.raw = new Request(raw, { body: Buffer.concat(chunks) });
  }
  return next();
};
