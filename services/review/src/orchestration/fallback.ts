// Runs one step (e.g. create + submit) on the first provider that can take it, in the order the
// rules chose, moving on when a provider times out, fails with 5xx/connection errors or has an
// open circuit. A 4xx or any other error stops: it would fail the same way elsewhere.
import { NoProviderAvailableError, ProviderTimeoutError, ProviderUnavailableError } from "../errors.ts";
import type { ProviderName } from "../providers/types.ts";
import { breakerAllows, breakerRecord, closedBreaker, DEFAULT_BREAKER, type BreakerConfig, type BreakerState } from "./breaker.ts";

export type AttemptOutcome = "ok" | "timeout" | "unavailable" | "circuit_open";
export type Attempt = { provider: ProviderName; outcome: AttemptOutcome };

export type FailureClass = "timeout" | "unavailable" | "fatal";
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof ProviderTimeoutError) return "timeout";
  if (error instanceof ProviderUnavailableError) return "unavailable";
  return "fatal";
}

/** Where breaker states live between cases (memory here; the case store can back it later). */
export type BreakerStore = Map<ProviderName, BreakerState>;

export async function runWithFallback<T>(p: {
  candidates: readonly ProviderName[];
  breakers: BreakerStore;
  attempt: (provider: ProviderName) => Promise<T>;
  now?: () => number;
  breaker?: BreakerConfig;
}): Promise<{ provider: ProviderName; value: T; attempts: Attempt[] }> {
  const now = p.now ?? Date.now;
  const cfg = p.breaker ?? DEFAULT_BREAKER;
  const attempts: Attempt[] = [];
  for (const provider of p.candidates) {
    const gate = breakerAllows(p.breakers.get(provider) ?? closedBreaker(), now(), cfg);
    p.breakers.set(provider, gate.next);
    if (!gate.allowed) {
      attempts.push({ provider, outcome: "circuit_open" });
      continue;
    }
    try {
      const value = await p.attempt(provider);
      p.breakers.set(provider, breakerRecord(p.breakers.get(provider)!, true, now(), cfg));
      attempts.push({ provider, outcome: "ok" });
      return { provider, value, attempts };
    } catch (error) {
      const kind = classifyFailure(error);
      if (kind === "fatal") {
        // Not the provider's health: release a half-open probe without counting a failure.
        const s = p.breakers.get(provider)!;
        if (s.state === "half_open") p.breakers.set(provider, { state: "half_open", probing: false });
        throw error;
      }
      p.breakers.set(provider, breakerRecord(p.breakers.get(provider)!, false, now(), cfg));
      attempts.push({ provider, outcome: kind });
    }
  }
  throw new NoProviderAvailableError(attempts);
}
