// @vitest-environment node
import { describe, expect, it } from "vitest";
import { Purpose } from "@onekey/sdk/contracts";
import type { GrantRow } from "./indexer.ts";
import { checkApproval, displayValue, localDecisionLog, reviewQueue } from "./reviews.ts";
import { fieldLabel, packFile } from "@onekey/sdk/schema";

const grant = (id: string, over: Partial<GrantRow> = {}): GrantRow => ({
  id,
  recordId: `0x${id.padStart(64, "0")}` as `0x${string}`,
  grantee: "0x01",
  owner: "0x02",
  recordVersion: "1",
  purpose: String(Purpose.KYC_REVIEW),
  expiry: "9999999999",
  fieldMask: "3",
  grantedAt: id,
  revokedAt: null,
  state: "live",
  ...over,
});

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe("review queue", () => {
  it("lists live KYC_REVIEW grants oldest first and moves decided ones aside", () => {
    const grants = [grant("3"), grant("1"), grant("2", { state: "revoked" }), grant("4", { purpose: String(Purpose.AUDIT) }), grant("5", { state: "expired" })];
    const log = localDecisionLog(31337, 1n, memoryStorage());
    expect(reviewQueue(grants, log.list()).open.map((g) => g.id)).toEqual(["1", "3"]);
    log.add({ recordId: grants[0].recordId, grantId: "3", outcome: "rejected", at: "t", reason: "DOCUMENT_UNREADABLE" });
    const q = reviewQueue(grants, log.list());
    expect(q.open.map((g) => g.id)).toEqual(["1"]);
    expect(q.decided.map((g) => [g.id, g.decision?.outcome])).toEqual([["3", "rejected"]]);
  });

  it("keeps decisions per chain and project, one per grant", () => {
    const storage = memoryStorage();
    const a = localDecisionLog(31337, 1n, storage);
    a.add({ recordId: "0x1", grantId: "g", outcome: "rejected", at: "t" });
    a.add({ recordId: "0x1", grantId: "g", outcome: "approved", at: "t2", level: 2 });
    expect(a.list()).toEqual([{ recordId: "0x1", grantId: "g", outcome: "approved", at: "t2", level: 2 }]);
    expect(localDecisionLog(31337, 2n, storage).list()).toEqual([]);
  });

  it("refuses a level out of range or an expiry already past", () => {
    expect(() => checkApproval({ level: 0, expiry: 10n, now: 1n })).toThrow(/level/);
    expect(() => checkApproval({ level: 2, expiry: 1n, now: 1n })).toThrow(/future/);
    expect(() => checkApproval({ level: 2, expiry: 2n, now: 1n })).not.toThrow();
  });

  it("shows text as text and documents by their type", () => {
    expect(displayValue("first_name", "Ada")).toEqual({ kind: "text", label: "First name", text: "Ada" });
    // A schema document is unpacked: the file's own name and type, the bytes without the header.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7]);
    const shown = displayValue("document_front", packFile({ name: "passport.png", type: "image/png", bytes: png }));
    expect(shown).toMatchObject({ kind: "file", label: fieldLabel("document_front"), type: "image/png", fileName: "passport.png" });
    expect(shown.kind === "file" && [...shown.bytes]).toEqual([...png]);
    // Raw bytes (a record from before the schema, or not a packed value) are sniffed.
    expect(displayValue("document_1", new Uint8Array([0x25, 0x50, 0x44, 0x46, 1]))).toMatchObject({
      kind: "file",
      type: "application/pdf",
      label: "Further document 1",
    });
    expect(displayValue("scan", new Uint8Array([1, 2, 3]))).toMatchObject({ kind: "file", type: "application/octet-stream", label: "Scan" });
  });
});
