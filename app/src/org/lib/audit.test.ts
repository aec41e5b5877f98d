// @vitest-environment node
import { describe, expect, it } from "vitest";
import { canonicalPayload, GENESIS_HASH, rowHash, toCsv, toExport, type AuditRow } from "@onekey/sdk/audit";
import { eventTypesOf, exportFile, filterRows, matchesType, verifyFile, verifyInBrowser } from "./audit.ts";

function chain(types: string[]): AuditRow[] {
  let prev: string = GENESIS_HASH;
  return types.map((eventType, i) => {
    const row = {
      chainId: "31337",
      projectId: "9",
      seq: String(i + 1),
      eventId: String(i + 1).padStart(8, "0"),
      eventType,
      blockNumber: String(5 + i),
      blockHash: `0x${"11".repeat(32)}`,
      transactionHash: `0x${(i + 1).toString(16).padStart(64, "0")}`,
      logIndex: "0",
      timestamp: String(1_000 + i * 100),
      payload: canonicalPayload({ recordId: `0x${"aa".repeat(32)}`, n: BigInt(i) }),
      prevHash: prev,
    };
    const full = { ...row, hash: rowHash(row) };
    prev = full.hash;
    return full;
  });
}

describe("audit log in the browser", () => {
  const rows = chain(["project.created", "grant.created", "grant.revoked", "attestation.created", "alert.audit_burst"]);
  const exported = toExport("9", rows);

  it("verifies the indexer's export and checks it against the head fetched separately", () => {
    expect(verifyInBrowser(exported)).toMatchObject({ ok: true, count: 5 });
    expect(verifyInBrowser(exported, { seq: "5", hash: rows[4].hash })).toMatchObject({ ok: true });
    // An export that stops short of the head the indexer reports: rows were cut off the end.
    const short = toExport("9", rows.slice(0, 4));
    expect(verifyInBrowser(short)).toMatchObject({ ok: true });
    expect(verifyInBrowser(short, { seq: "5", hash: rows[4].hash })).toMatchObject({ ok: false, reason: expect.stringContaining("expected head") });
  });

  it("names the altered row of a tampered file, JSON or CSV, and refuses a file that is neither", () => {
    const tampered = structuredClone(exported);
    tampered.rows[1].eventType = "grant.revoked";
    expect(verifyFile(JSON.stringify(tampered))).toMatchObject({ ok: false, seq: "2", row: 1 });
    const csv = toCsv(rows).replace('"n"":""3', '"n"":""4');
    expect(csv).not.toBe(toCsv(rows));
    expect(verifyFile(csv)).toMatchObject({ ok: false, seq: "4" });
    expect(verifyFile("{not json")).toMatchObject({ ok: false, reason: expect.stringContaining("not an audit export") });
  });

  it("filters by type (exact and prefix), time window and text", () => {
    expect(matchesType("grant.created", "grant.*")).toBe(true);
    expect(matchesType("grants.x", "grant.*")).toBe(false);
    expect(filterRows(rows, { eventType: "grant.*" }).map((r) => r.seq)).toEqual(["2", "3"]);
    expect(filterRows(rows, { from: 1100, to: 1300 }).map((r) => r.seq)).toEqual(["2", "3"]);
    expect(filterRows(rows, { text: rows[3].transactionHash }).map((r) => r.seq)).toEqual(["4"]);
    expect(eventTypesOf(rows)).toEqual(["alert.audit_burst", "attestation.created", "grant.created", "grant.revoked", "project.created"]);
  });

  it("exports files that verify again", () => {
    const json = exportFile(9n, rows, "json");
    expect(json.name).toBe("onekey-audit-project-9.json");
    expect(verifyFile(json.text)).toMatchObject({ ok: true, count: 5 });
    const csv = exportFile(9n, rows, "csv");
    expect(csv.type).toBe("text/csv");
    expect(verifyFile(csv.text)).toMatchObject({ ok: true, count: 5 });
  });
});
