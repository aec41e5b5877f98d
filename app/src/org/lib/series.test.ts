// @vitest-environment node
import { describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { byKey, spendSeries } from "./series.ts";

describe("chart series", () => {
  it("buckets charges per hour in time order with a running total, exact in wei until drawn", () => {
    const h = 1_767_225_600; // 2026-01-01T00:00:00Z
    const s = spendSeries([
      { timestamp: String(h + 7200 + 5), charged: parseEther("0.3").toString() },
      { timestamp: String(h + 10), charged: parseEther("0.1").toString() },
      { timestamp: BigInt(h + 3599), charged: parseEther("0.2") },
    ]);
    expect(s).toEqual([
      { start: "2026-01-01 00:00", spentEth: 0.3, cumulativeEth: 0.3, operations: 2 },
      { start: "2026-01-01 02:00", spentEth: 0.3, cumulativeEth: 0.6, operations: 1 },
    ]);
    expect(spendSeries([])).toEqual([]);
  });

  it("keeps zero counts as bars", () => {
    expect(byKey({ KYC_REVIEW: 2, AUDIT: 0 }, "purpose")).toEqual([
      { purpose: "KYC_REVIEW", count: 2 },
      { purpose: "AUDIT", count: 0 },
    ]);
  });
});
