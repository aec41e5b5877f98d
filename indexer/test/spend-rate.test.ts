// The spend-rate rule on its own (no processes): when a project's sponsored spend in a window jumps.
import { describe, expect, it } from "vitest";
import { nextSpendWindow, type SpendWindow } from "../lib/alerts.ts";

const t = { sponsorSpendMin: 100n, sponsorSpendWindow: 3600, sponsorSpendJump: 3 };
function run(charges: [time: number, wei: bigint][]): { fired: number[]; last?: SpendWindow } {
  let row: SpendWindow | undefined;
  const fired: number[] = [];
  for (const [time, wei] of charges) {
    const { next, fire } = nextSpendWindow(row, BigInt(time), wei, t);
    if (fire) fired.push(time);
    row = next;
  }
  return { fired, last: row };
}

describe("nextSpendWindow", () => {
  it("fires once when a window's spend reaches the minimum after a quiet window", () => {
    const { fired, last } = run([
      [3600, 60n],
      [3700, 50n],
      [3800, 500n],
    ]);
    expect(fired).toEqual([3700]);
    expect(last).toMatchObject({ windowStart: 3600n, spent: 610n, previousSpent: 0n, raised: true });
  });

  it("stays quiet below the minimum", () => {
    expect(
      run([
        [0, 50n],
        [10, 49n],
      ]).fired,
    ).toEqual([]);
  });

  it("steady spend is not a jump; three times the previous window is", () => {
    const steady = run([
      [0, 200n],
      [3600, 200n],
      [7200, 200n],
    ]);
    expect(steady.fired).toEqual([0]); // the first window after nothing
    const jump = run([
      [0, 200n],
      [3600, 200n],
      [7200, 500n],
      [7300, 100n],
    ]);
    expect(jump.fired).toEqual([0, 7300]); // 600 >= 3 x 200 in the window starting at 7200
  });

  it("a gap of more than one window resets the comparison to 0", () => {
    const { fired, last } = run([
      [0, 1_000n],
      [3 * 3600, 150n],
    ]);
    expect(fired).toEqual([0, 3 * 3600]);
    expect(last?.previousSpent).toBe(0n);
  });

  it("a fractional jump factor", () => {
    let row: SpendWindow | undefined = { windowStart: 0n, spent: 200n, previousSpent: 0n, raised: true };
    const r1 = nextSpendWindow(row, 3600n, 299n, { ...t, sponsorSpendJump: 1.5 });
    expect(r1.fire).toBe(false);
    row = r1.next;
    expect(nextSpendWindow(row, 3601n, 1n, { ...t, sponsorSpendJump: 1.5 }).fire).toBe(true);
  });
});
