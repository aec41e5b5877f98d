// Just enough of vitest's API (describe / it / expect with toBe, toEqual, toThrow, rejects) to run
// an SDK test file unchanged inside a browser page: a test bundles the file with "vitest"
// aliased to this module, then calls `runCollected()` in the page. Every assertion that fails
// throws, so a test either passes or reports why.
type Case = { name: string; fn: () => unknown };
const cases: Case[] = [];
const pending: Promise<unknown>[] = [];
const prefix: string[] = [];

export function describe(name: string, fn: () => unknown): void {
  prefix.push(name);
  try {
    const r = fn();
    if (r instanceof Promise) pending.push(r);
  } finally {
    prefix.pop();
  }
}
export function it(name: string, fn: () => unknown): void {
  cases.push({ name: [...prefix, name].join(" > "), fn });
}
export const test = it;

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object" && Object.getPrototypeOf(a) === Object.getPrototypeOf(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
const show = (v: unknown) => (v instanceof Uint8Array ? `Uint8Array(${v.length})` : String(v));

function matchesError(error: unknown, expected?: unknown): boolean {
  if (expected === undefined) return true;
  if (typeof expected === "function") return error instanceof (expected as new () => unknown);
  const message = (error as Error)?.message ?? String(error);
  if (expected instanceof RegExp) return expected.test(message) || expected.test(String((error as Error)?.name));
  return message.includes(String(expected));
}

export function expect(actual: unknown) {
  const fail = (what: string) => {
    throw new Error(`expected ${show(actual)} ${what}`);
  };
  const matchers = (negate: boolean) => ({
    toBe: (e: unknown) => Object.is(actual, e) !== negate || fail(`${negate ? "not " : ""}to be ${show(e)}`),
    toEqual: (e: unknown) => equal(actual, e) !== negate || fail(`${negate ? "not " : ""}to equal ${show(e)}`),
    toThrow(e?: unknown) {
      try {
        (actual as () => unknown)();
      } catch (error) {
        if (matchesError(error, e) !== negate) return;
        fail(`to throw ${show(e)}, threw ${String(error)}`);
      }
      if (!negate) fail(`to throw ${show(e)}`);
    },
  });
  return {
    ...matchers(false),
    not: matchers(true),
    rejects: {
      async toThrow(e?: unknown) {
        try {
          await actual;
        } catch (error) {
          if (matchesError(error, e)) return;
          throw new Error(`expected a rejection with ${show(e)}, got ${String(error)}`);
        }
        throw new Error(`expected a rejection with ${show(e)}, but it resolved`);
      },
    },
  };
}

/** Runs every collected case; returns each one's name and error (undefined when it passed). */
export async function runCollected(): Promise<{ name: string; error?: string }[]> {
  await Promise.all(pending);
  const out: { name: string; error?: string }[] = [];
  for (const c of cases) {
    try {
      await c.fn();
      out.push({ name: c.name });
    } catch (error) {
      out.push({ name: c.name, error: String((error as Error)?.stack ?? error) });
    }
  }
  return out;
}
