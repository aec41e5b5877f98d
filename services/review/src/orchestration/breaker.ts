// A circuit breaker per provider as pure state transitions: the orchestrator keeps the state,
// these functions say whether a call may go and what the state becomes.
export type BreakerConfig = {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before one probe is let through. */
  openMs: number;
};

export type BreakerState = { state: "closed"; failures: number } | { state: "open"; openedAt: number } | { state: "half_open"; probing: boolean };

export const DEFAULT_BREAKER: BreakerConfig = { failureThreshold: 3, openMs: 30_000 };
export const closedBreaker = (): BreakerState => ({ state: "closed", failures: 0 });

/** Whether a call may be made now, and the state to store (open -> half_open once openMs passed). */
export function breakerAllows(s: BreakerState, now: number, cfg: BreakerConfig): { allowed: boolean; next: BreakerState } {
  if (s.state === "closed") return { allowed: true, next: s };
  if (s.state === "open") {
    if (now - s.openedAt < cfg.openMs) return { allowed: false, next: s };
    return { allowed: true, next: { state: "half_open", probing: true } };
  }
  // half_open: exactly one probe at a time.
  if (s.probing) return { allowed: false, next: s };
  return { allowed: true, next: { state: "half_open", probing: true } };
}

/** The state after a call finished. Only provider failures (timeout, 5xx) count; a 4xx is ours. */
export function breakerRecord(s: BreakerState, ok: boolean, now: number, cfg: BreakerConfig): BreakerState {
  if (ok) return closedBreaker();
  if (s.state === "half_open") return { state: "open", openedAt: now };
  if (s.state === "open") return s;
  const failures = s.failures + 1;
  return failures >= cfg.failureThreshold ? { state: "open", openedAt: now } : { state: "closed", failures };
}
