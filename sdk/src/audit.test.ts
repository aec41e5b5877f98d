// The audit chain's encoding: fixed vectors (so a change to the format cannot slip through), the
// same hash as node:crypto's SHA-256, and verification catching every kind of tampering.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AUDIT_FORMAT,
  canonicalPayload,
  canonicalRow,
  GENESIS_HASH,
  parseCsv,
  rowHash,
  toCsv,
  toExport,
  verifyExport,
  verifyRows,
  type AuditRow,
} from "@onekey/sdk/audit";

function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev: string = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const row = {
      chainId: "31337",
      projectId: "3",
      seq: String(i),
      eventId: String(i).padStart(10, "0"),
      eventType: "grant.created",
      blockNumber: String(10 + i),
      blockHash: `0x${"ab".repeat(32)}`,
      transactionHash: `0x${"cd".repeat(32)}`,
      logIndex: "1",
      timestamp: String(1_700_000_000 + i),
      payload: canonicalPayload({ purpose: 0, recordId: `0x${"EF".repeat(32)}`, note: 'a,"b"\nc' }),
      prevHash: prev,
    };
    const full = { ...row, hash: rowHash(row) };
    rows.push(full);
    prev = full.hash;
  }
  return rows;
}

describe("audit chain encoding", () => {
  it("hashes the canonical row exactly as node:crypto SHA-256 over its UTF-8 bytes", () => {
    for (const row of chain(3)) {
      const expected = `0x${createHash("sha256").update(canonicalRow(row), "utf8").digest("hex")}`;
      expect(row.hash).toBe(expected);
    }
  });

  it("keeps the v1 canonical form (a fixed vector)", () => {
    const payload = canonicalPayload({ b: 2n, a: "0xABCD", c: true });
    expect(payload).toBe('{"a":"0xabcd","b":"2","c":"true"}');
    const row = { ...chain(1)[0], payload };
    const { hash: _hash, ...unhashed } = row;
    expect(canonicalRow(unhashed)).toBe(
      `["31337","3","1","0000000001","grant.created","11","0x${"ab".repeat(32)}","0x${"cd".repeat(32)}","1","1700000001",${JSON.stringify(payload)},"${GENESIS_HASH}"]`,
    );
  });

  it("verifies an untouched chain in JSON and CSV, and names the row of each kind of tampering", () => {
    const rows = chain(5);
    const exported = toExport("3", rows);
    expect(exported.format).toBe(AUDIT_FORMAT);
    expect(verifyExport(JSON.stringify(exported))).toEqual({ ok: true, count: 5, head: { seq: "5", hash: rows[4].hash } });
    expect(verifyExport(toCsv(rows))).toMatchObject({ ok: true, count: 5 });
    expect(parseCsv(toCsv(rows))).toEqual(rows);

    const altered = rows.map((r) => ({ ...r }));
    altered[2].payload = altered[2].payload.replace("0", "1");
    expect(verifyRows(altered)).toMatchObject({ ok: false, seq: "3", row: 2 });

    expect(verifyRows([rows[0], rows[2]])).toMatchObject({ ok: false, seq: "3", reason: expect.stringContaining("expected seq 2") });
    const cut = { ...exported, rows: rows.slice(0, 4), count: 4 };
    expect(verifyExport(cut)).toMatchObject({ ok: false, reason: expect.stringContaining("expected head") });
    expect(verifyExport({ ...exported, format: "other" as never })).toMatchObject({ ok: false, reason: expect.stringContaining("unknown format") });
  });
});
