// Pure pieces, no processes: the audit chain's canonical form and verification, the SSRF guard,
// Standard Webhooks signing, backoff, grantee decoding.
import { describe, expect, it } from "vitest";
import {
  canonicalPayload,
  canonicalRow,
  CSV_COLUMNS,
  GENESIS_HASH,
  parseCsv,
  rowHash,
  toCsv,
  toExport,
  verifyExport,
  verifyRows,
  type AuditRow,
} from "../lib/audit.ts";
import { apiKeyHash, apiKeyScopeNames, ApiKeyScopes } from "@onekey/sdk/contracts";
import { decodeGrantee } from "../lib/onekey.ts";
import { addressRefusal, EndpointRefusedError, parseAllowance, vetEndpoint } from "../lib/ssrf.ts";
import { backoffMs } from "../src/api/webhooks/config.ts";
import { PGlite } from "@electric-sql/pglite";
import { leaseSize, takeTokens } from "../src/api/ratelimit.ts";

function chain(n: number, payloadOf = (i: number) => canonicalPayload({ i: BigInt(i), note: 'a,"b"\nc' })): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev: string = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const row = {
      chainId: "31337",
      projectId: "7",
      seq: String(i),
      eventId: String(1_000 + i).padStart(75, "0"),
      eventType: "grant.created",
      blockNumber: String(100 + i),
      blockHash: `0x${i.toString(16).padStart(64, "0")}`,
      transactionHash: `0x${(i + 9).toString(16).padStart(64, "0")}`,
      logIndex: "0",
      timestamp: String(1_700_000_000 + i),
      payload: payloadOf(i),
      prevHash: prev,
    };
    const hash = rowHash(row);
    rows.push({ ...row, hash });
    prev = hash;
  }
  return rows;
}

describe("audit chain", () => {
  it("serialises payloads canonically: sorted keys, decimal integers, lower-case hex", () => {
    expect(canonicalPayload({ b: 2n, a: "0xABcd", c: true, d: 7, e: "https://x.org/A" })).toBe(
      '{"a":"0xabcd","b":"2","c":"true","d":"7","e":"https://x.org/A"}',
    );
  });

  it("hashes a fixed row to a fixed value (the vector in docs/indexer.md)", () => {
    const [row] = chain(1, () => canonicalPayload({ projectId: 1n, level: 2 }));
    expect(canonicalRow(row)).toBe(
      `["31337","7","1","${"0".repeat(71)}1001","grant.created","101","0x${"0".repeat(63)}1","0x${"0".repeat(63)}a","0","1700000001","{\\"level\\":\\"2\\",\\"projectId\\":\\"1\\"}","${GENESIS_HASH}"]`,
    );
    expect(row.hash).toBe("0x1e4c20211d886fcc8d927d885d258654fc4f67184d2384d79bfe95caec99472d");
  });

  it("verifies an intact chain, JSON and CSV (with quotes, commas and newlines in a payload)", () => {
    const rows = chain(6);
    expect(verifyRows(rows)).toEqual({ ok: true, count: 6, head: { seq: "6", hash: rows[5].hash } });
    expect(verifyExport(JSON.stringify(toExport("7", rows))).ok).toBe(true);
    const csv = toCsv(rows);
    expect(csv.split("\r\n")[0]).toBe(CSV_COLUMNS.join(","));
    expect(parseCsv(csv)).toEqual(rows);
    expect(verifyExport(csv).ok).toBe(true);
  });

  it("names the row when any field of any row is altered", () => {
    const rows = chain(5);
    for (let victim = 0; victim < rows.length; victim++) {
      for (const field of CSV_COLUMNS) {
        const altered = structuredClone(rows);
        altered[victim][field] = field === "seq" ? String(Number(altered[victim][field]) + 10) : `${altered[victim][field]}0`;
        const result = verifyRows(altered);
        expect(result.ok, `${field} of row ${victim}`).toBe(false);
        if (result.ok) continue;
        // Every field, the hash included, is caught at the row itself: the chain starts at seq 1.
        expect(result.row, `${field} of row ${victim}`).toBe(victim);
        expect(result.reason).toContain(`row seq ${altered[victim].seq}`);
      }
    }
  });

  it("catches a recomputed (forged) row at the next link and a cut tail against the known head", () => {
    const rows = chain(5);
    const forged = structuredClone(rows);
    forged[2].payload = canonicalPayload({ i: 999n });
    forged[2].hash = rowHash(forged[2]);
    const result = verifyRows(forged);
    expect(result).toMatchObject({ ok: false, row: 3, seq: "4" });
    expect(!result.ok && result.reason).toMatch(/row 3 or this row was altered/);
    const cut = rows.slice(0, 4);
    expect(verifyRows(cut).ok).toBe(true);
    expect(verifyRows(cut, { expectedHead: { seq: "5", hash: rows[4].hash } }).ok).toBe(false);
    expect(verifyRows(rows.slice(2), { anchor: rows[1].hash }).ok).toBe(true);
    expect(verifyRows(rows.slice(2)).ok).toBe(false);
  });

  it("rejects what is not an export", () => {
    expect(verifyExport('{"format":"other","rows":[]}')).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown format/) });
  });
});

describe("SSRF guard", () => {
  const none = parseAllowance(undefined);

  it("refuses private, loopback, link-local, reserved and mapped addresses", () => {
    for (const address of [
      "10.1.2.3",
      "127.0.0.1",
      "169.254.169.254",
      "172.20.0.1",
      "192.168.0.1",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:10.0.0.1",
      "::ffff:127.0.0.1",
      "64:ff9b::a00:1",
    ]) {
      expect(addressRefusal(address, none), address).toMatch(/private, loopback/);
    }
    for (const address of ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(addressRefusal(address, none), address).toBeNull();
    }
  });

  it("allows exactly what the operator lists, or everything with `1`", () => {
    const loopback = parseAllowance("127.0.0.1/32, ::1");
    expect(addressRefusal("127.0.0.1", loopback)).toBeNull();
    expect(addressRefusal("::1", loopback)).toBeNull();
    expect(addressRefusal("127.0.0.2", loopback)).not.toBeNull();
    expect(addressRefusal("10.0.0.1", parseAllowance("1"))).toBeNull();
    expect(() => parseAllowance("not-an-ip")).toThrow(/not an address/);
  });

  it("checks what a hostname resolves to, the scheme and credentials", async () => {
    await expect(vetEndpoint("http://localhost:8080/x", none)).rejects.toThrow(/resolves to/);
    await expect(vetEndpoint("http://localhost:8080/x", none)).rejects.toBeInstanceOf(EndpointRefusedError);
    await expect(vetEndpoint("file:///etc/passwd", none)).rejects.toThrow(/scheme/);
    await expect(vetEndpoint("https://u:p@1.1.1.1/", none)).rejects.toThrow(/credentials/);
    await expect(vetEndpoint("not a url", none)).rejects.toThrow(/not a valid URL/);
    await expect(vetEndpoint("https://1.1.1.1/hook", none)).resolves.toMatchObject({ addresses: ["1.1.1.1"] });
  });
});

describe("small helpers", () => {
  it("backs off exponentially with equal jitter, capped (defaults: 1 s base, 1 h cap)", () => {
    expect([backoffMs(1, 0), backoffMs(1, 1)]).toEqual([500, 1000]);
    expect(backoffMs(3, 0.5)).toBe(3000);
    expect(backoffMs(40, 1)).toBe(3_600_000);
    expect(backoffMs(40, 0)).toBe(1_800_000);
  });

  it("decodes grantees and scopes, and hashes API keys like the chain", () => {
    expect(decodeGrantee(`0x${((1n << 255n) | 42n).toString(16)}`)).toEqual({ kind: "project", projectId: 42n, account: null });
    expect(decodeGrantee(`0x${"00".repeat(12)}${"ab".repeat(20)}`)).toEqual({ kind: "account", projectId: null, account: `0x${"ab".repeat(20)}` });
    expect(apiKeyScopeNames(ApiKeyScopes.read | ApiKeyScopes.webhooks)).toEqual(["read", "webhooks"]);
    // keccak256("hello") — the same bytes ProjectRegistry.addApiKey receives.
    expect(apiKeyHash("hello")).toBe("0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8");
  });
});

describe("database token buckets with local leases", () => {
  async function bucketDb() {
    const db = new PGlite();
    await db.exec(
      "CREATE SCHEMA s; CREATE TABLE s.rate_bucket (key text PRIMARY KEY, tokens double precision NOT NULL, updated_ms bigint NOT NULL, granted double precision NOT NULL)",
    );
    // Random latency per round trip, so concurrent requests interleave around the awaits.
    return {
      query: async <T>(text: string, params?: unknown[]) => (
        await new Promise((r) => setTimeout(r, Math.random() * 30)), (await db.query<T>(text, params)).rows
      ),
    };
  }
  const run = (db: Awaited<ReturnType<typeof bucketDb>>, n: number, buckets: Parameters<typeof takeTokens>[2]) =>
    Promise.all(Array.from({ length: n }, () => takeTokens(db, "s", buckets)));

  it("leases about 50 ms of refill, at most a quarter of the burst, at least one token", () => {
    expect([
      leaseSize({ rate: 20, burst: 40 }),
      leaseSize({ rate: 200, burst: 400 }),
      leaseSize({ rate: 1e5, burst: 1e5 }),
      leaseSize({ rate: 400, burst: 8 }),
    ]).toEqual([1, 10, 50, 2]);
  });

  it("never admits more than the bucket holds, however requests interleave", async () => {
    const db = await bucketDb();
    const results = await run(db, 60, [{ key: "key:x", limit: { rate: 0.001, burst: 20 } }]);
    expect(results.filter(([r]) => r.allowed)).toHaveLength(20);
    const refused = results.find(([r]) => !r.allowed)![0];
    expect(refused.retryAfterMs).toBeGreaterThan(60_000); // 1 token at 0.001/s
  });

  it("never refuses while both buckets have tokens, and charges both", async () => {
    const db = await bucketDb();
    const buckets = [
      { key: "key:y", limit: { rate: 200, burst: 400 } },
      { key: "project:1", limit: { rate: 1000, burst: 2000 } },
    ];
    const results = await run(db, 300, buckets);
    expect(results.every((r) => r.every((t) => t.allowed))).toBe(true);
    const tiny = [{ key: "key:z", limit: { rate: 0.001, burst: 3 } }, buckets[1]];
    const limited = await run(db, 5, tiny);
    expect(limited.filter((r) => r.every((t) => t.allowed))).toHaveLength(3);
    expect(limited.filter((r) => !r[0].allowed && r[1].allowed)).toHaveLength(2);
  });
});

describe("names beside the numbers (src/names.ts)", () => {
  it("names each event type's enum-like fields, and only those", async () => {
    const { webhookNames } = await import("../src/names.ts");
    const projectKey = `0x8${"0".repeat(62)}7` as const;
    expect(webhookNames("attestation.created", { claims: 0x80000005 })).toEqual({ claimNames: ["AGE_OVER_18", "SANCTIONS_SCREENED", "project:15"] });
    expect(webhookNames("grant.created", { purpose: 3, grantee: projectKey })).toEqual({ purposeName: "DISPUTE", granteeKind: "project" });
    expect(webhookNames("grant.created", { purpose: 77, grantee: "0x1234" })).toEqual({ purposeName: "unknown:77", granteeKind: "unknown" });
    expect(webhookNames("member.roles_granted", { granted: 2, roles: 3 })).toEqual({ grantedRoleNames: ["REVIEWER"], roleNames: ["ADMIN", "REVIEWER"] });
    expect(webhookNames("member.roles_revoked", { revoked: 1, roles: 0 })).toEqual({ revokedRoleNames: ["ADMIN"], roleNames: [] });
    expect(webhookNames("api_key.added", { scopes: -1 })).toEqual({ scopeNames: ["read", "analytics", "audit", "webhooks", "sponsor"] });
    expect(webhookNames("record.rotated", { keyRelease: 1 })).toEqual({ keyReleaseMode: "lit" });
    expect(webhookNames("record.registered", { keyRelease: 9 })).toEqual({ keyReleaseMode: "unknown:9" });
    expect(webhookNames("project.created", { projectId: 1n })).toEqual({});
    // Fields missing or malformed: names of nothing, never a throw (handlers must stay total).
    expect(webhookNames("attestation.created", {})).toEqual({ claimNames: [] });
    expect(webhookNames("attestation.created", { claims: "not a number" })).toEqual({ claimNames: [] });
    expect(webhookNames("member.roles_granted", {})).toEqual({ grantedRoleNames: [], roleNames: [] });
  });

  it("names a reserved claim bit and never throws on a word outside uint32", async () => {
    const { claimLabels } = await import("../src/names.ts");
    expect(claimLabels(2 ** 12)).toEqual(["reserved:12"]);
    expect(claimLabels(2n ** 40n)).toEqual([]);
  });
});

describe("audit hashing in the indexer", () => {
  it("hashes with node:crypto exactly as the SDK's browser-safe rowHash", async () => {
    const sdk = await import("@onekey/sdk/audit");
    for (const row of chain(5)) {
      const { hash: _hash, ...unhashed } = row;
      expect(rowHash(unhashed)).toBe(sdk.rowHash(unhashed));
    }
  });
});
