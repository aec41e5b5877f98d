/**
 * One error base for the whole SDK, in viem's shape: a short message, optional details, the
 * cause, and a docs path. Every error the SDK throws is a named subclass, so callers can branch
 * on `error.name` or `instanceof` and never parse messages.
 *
 * Messages never carry plaintext personal data: they name ids, field names and sizes only.
 */
export type BaseErrorParameters = {
  details?: string;
  cause?: unknown;
  docsPath?: string;
  metaMessages?: string[];
};

export class BaseError extends Error {
  override name = "OneKeyError";
  readonly shortMessage: string;
  readonly details?: string;
  readonly docsPath?: string;
  readonly metaMessages?: string[];

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const lines = [shortMessage];
    if (parameters.metaMessages?.length) lines.push("", ...parameters.metaMessages);
    if (parameters.details) lines.push("", `Details: ${parameters.details}`);
    if (parameters.docsPath) lines.push(`Docs: docs/${parameters.docsPath}`);
    super(lines.join("\n"), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = parameters.details;
    this.docsPath = parameters.docsPath;
    this.metaMessages = parameters.metaMessages;
  }

  /** Walks the cause chain and returns the first error `fn` accepts. */
  walk(fn: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    while (current) {
      if (fn(current)) return current;
      current = current instanceof Error ? current.cause : undefined;
    }
    return undefined;
  }
}
