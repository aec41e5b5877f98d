// Delivery settings, from the environment (docs/indexer.md lists each with its default).
import { parseAllowance } from "../../../lib/ssrf.ts";

const num = (key: string, fallback: number) => (process.env[key] ? Number(process.env[key]) : fallback);

export const webhookConfig = {
  /** Run the delivery worker in this process (default: in `ponder start`/`dev`, not in `serve`). */
  workerEnabled: process.env.ONEKEY_WEBHOOK_WORKER ? ["1", "true", "yes"].includes(process.env.ONEKEY_WEBHOOK_WORKER) : !process.argv.includes("serve"),
  pollMs: num("ONEKEY_WEBHOOK_POLL_MS", 200),
  /** Blocks an event must be buried under before it is sent (0 = send at once, reorgs compensate). */
  confirmations: num("ONEKEY_WEBHOOK_CONFIRMATIONS", 0),
  /** Default attempts before a delivery is dead-lettered (an endpoint may set its own). */
  maxAttempts: num("ONEKEY_WEBHOOK_MAX_ATTEMPTS", 10),
  backoffBaseMs: num("ONEKEY_WEBHOOK_BACKOFF_BASE_MS", 1000),
  backoffMaxMs: num("ONEKEY_WEBHOOK_BACKOFF_MAX_MS", 3_600_000),
  timeoutMs: num("ONEKEY_WEBHOOK_TIMEOUT_MS", 10_000),
  /** A claimed delivery whose worker died is retried after this long. */
  leaseMs: num("ONEKEY_WEBHOOK_LEASE_MS", 30_000),
  /** Deliveries in flight per process. */
  maxInFlight: num("ONEKEY_WEBHOOK_MAX_IN_FLIGHT", 64),
  defaultConcurrency: num("ONEKEY_WEBHOOK_ENDPOINT_CONCURRENCY", 4),
  defaultRatePerSecond: num("ONEKEY_WEBHOOK_ENDPOINT_RATE", 50),
  maxEndpointsPerProject: num("ONEKEY_WEBHOOK_MAX_ENDPOINTS", 20),
  allowance: parseAllowance(process.env.ONEKEY_WEBHOOK_ALLOW_PRIVATE),
};

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffMs(attempt: number, random = Math.random()): number {
  const ceiling = Math.min(webhookConfig.backoffMaxMs, webhookConfig.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
