// Chart data: sponsored charges bucketed over time, and the analytics API's series as numbers the
// chart library plots. Wei stays bigint until the last step (a float only for drawing).
import { formatEther } from "viem";

export interface Charge {
  timestamp: string | bigint;
  charged: string | bigint;
}

export type SpendPoint = { start: string; spentEth: number; cumulativeEth: number; operations: number };

/** Charges summed per bucket (seconds), in time order, with the running total. */
export function spendSeries(charges: Charge[], bucketSeconds = 3600): SpendPoint[] {
  const buckets = new Map<bigint, { wei: bigint; n: number }>();
  const size = BigInt(bucketSeconds);
  for (const c of charges) {
    const t = BigInt(c.timestamp);
    const start = t - (t % size);
    const b = buckets.get(start) ?? { wei: 0n, n: 0 };
    b.wei += BigInt(c.charged);
    b.n += 1;
    buckets.set(start, b);
  }
  let total = 0n;
  return [...buckets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([start, b]) => {
      total += b.wei;
      return {
        start: new Date(Number(start) * 1000).toISOString().slice(0, 16).replace("T", " "),
        spentEth: Number(formatEther(b.wei)),
        cumulativeEth: Number(formatEther(total)),
        operations: b.n,
      };
    });
}

/** `{ KYC_REVIEW: 3, ... }` as chart rows, zero entries kept so every purpose has a bar. */
export const byKey = (counts: Record<string, number>, label = "name") => Object.entries(counts).map(([k, v]) => ({ [label]: k, count: v }));
