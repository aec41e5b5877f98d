// The grant-liveness rule has one source (the SDK's grant-state module) and two renderings: the
// TypeScript `grantState` and the SQL `grantStateSql` the `grant_state` view and the REST route
// use. This runs the SQL on a real PostgreSQL engine (PGlite) over every case and checks the two
// agree, including the boundary (expiry == now has ended).
import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { GRANT_STATES, grantState, grantStateSql } from "@onekey/sdk/contracts";

const sqlCase = grantStateSql(
  { revoked: "g.revoked", expiry: "g.expiry", now: "g.now", erased: "g.erased", recordVersion: "g.version", grantRecordVersion: "g.grant_version" },
  String.raw,
);

describe("grant state: TypeScript and SQL from one rule", () => {
  it("agree on every combination, in the rule's order", async () => {
    const db = new PGlite();
    const cases: { revoked: boolean; expiry: bigint; now: bigint; erased: boolean; version: number; grantVersion: number }[] = [];
    for (const revoked of [false, true])
      for (const expiry of [99n, 100n, 101n])
        for (const erased of [false, true]) for (const version of [1, 2]) cases.push({ revoked, expiry, now: 100n, erased, version, grantVersion: 2 });
    const values = cases.map((c) => `(${c.revoked}, ${c.expiry}, ${c.now}, ${c.erased}, ${c.version}, ${c.grantVersion})`).join(", ");
    const { rows } = await db.query<{ state: string }>(
      `SELECT ${sqlCase} AS state FROM (VALUES ${values}) AS g(revoked, expiry, now, erased, version, grant_version)`,
    );
    const expected = cases.map((c) =>
      grantState({ grantedAt: 1, revoked: c.revoked, expiry: c.expiry, recordVersion: c.grantVersion }, { version: c.version, erased: c.erased }, c.now),
    );
    expect(rows.map((r) => r.state)).toEqual(expected);
    expect(new Set(expected)).toEqual(new Set(GRANT_STATES));
    await db.close();
  });
});
