// Thresholds for the security-monitoring rules. Handlers evaluate the rules over indexed events
// (so a reorg re-evaluates them too) and raise `alert.*` outbox messages, delivered like any
// other webhook. Values come from the environment so handlers stay deterministic for one run.

export interface AlertThresholds {
  /** This many audit accesses in one project within `auditBurstWindow` seconds. */
  auditBurstCount: number;
  auditBurstWindow: number;
  /** This many revocations (grants to the project, or its attestations) within the window. */
  massRevocationCount: number;
  massRevocationWindow: number;
  /** Sponsor balance (wei) under which `alert.sponsor_balance_low` fires when crossed. */
  sponsorBalanceMin: bigint;
  /** An attestation this many seconds or less after the attester became a REVIEWER. */
  newReviewerWindow: number;
  /**
   * `alert.sponsor_spend_rate`: a project's sponsored charges within `sponsorSpendWindow` seconds
   * reach `sponsorSpendMin` wei and at least `sponsorSpendJump` times the previous window's.
   */
  sponsorSpendMin: bigint;
  sponsorSpendWindow: number;
  sponsorSpendJump: number;
}

export function alertThresholds(env: NodeJS.ProcessEnv = process.env): AlertThresholds {
  const num = (key: string, fallback: number) => (env[key] ? Number(env[key]) : fallback);
  return {
    auditBurstCount: num("ONEKEY_ALERT_AUDIT_BURST_COUNT", 5),
    auditBurstWindow: num("ONEKEY_ALERT_AUDIT_BURST_WINDOW_S", 3600),
    massRevocationCount: num("ONEKEY_ALERT_MASS_REVOCATION_COUNT", 10),
    massRevocationWindow: num("ONEKEY_ALERT_MASS_REVOCATION_WINDOW_S", 3600),
    sponsorBalanceMin: BigInt(env.ONEKEY_ALERT_SPONSOR_BALANCE_MIN_WEI ?? 10n ** 16n),
    newReviewerWindow: num("ONEKEY_ALERT_NEW_REVIEWER_WINDOW_S", 3600),
    sponsorSpendMin: BigInt(env.ONEKEY_ALERT_SPONSOR_SPEND_MIN_WEI ?? 10n ** 17n),
    sponsorSpendWindow: num("ONEKEY_ALERT_SPONSOR_SPEND_WINDOW_S", 3600),
    sponsorSpendJump: num("ONEKEY_ALERT_SPONSOR_SPEND_JUMP", 3),
  };
}

export type SpendWindow = { windowStart: bigint; spent: bigint; previousSpent: bigint; raised: boolean };

/**
 * One charge into a project's spend windows (fixed, back to back, aligned to `sponsorSpendWindow`
 * in block time). `fire` is true once per window, when its spend reaches the minimum and at least
 * `sponsorSpendJump` times the window before (an empty or older previous window counts as 0).
 */
export function nextSpendWindow(
  row: SpendWindow | undefined,
  timestamp: bigint,
  charged: bigint,
  t: Pick<AlertThresholds, "sponsorSpendMin" | "sponsorSpendWindow" | "sponsorSpendJump">,
): { next: SpendWindow; fire: boolean } {
  const window = BigInt(t.sponsorSpendWindow);
  const start = timestamp - (timestamp % window);
  const next =
    !row || row.windowStart !== start
      ? { windowStart: start, spent: charged, previousSpent: row && row.windowStart === start - window ? row.spent : 0n, raised: false }
      : { windowStart: row.windowStart, spent: row.spent + charged, previousSpent: row.previousSpent, raised: row.raised };
  // spent >= jump x previous on integers (jump may be fractional, e.g. 1.5)
  const jumped = next.spent * 100n >= BigInt(Math.round(t.sponsorSpendJump * 100)) * next.previousSpent;
  const fire = !next.raised && next.spent >= t.sponsorSpendMin && jumped;
  if (fire) next.raised = true;
  return { next, fire };
}
