// Gas snapshot: total transaction gas per operation, compared with test/gas-snapshot.json.
// Any drift fails; `npm run gas:update` (ONEKEY_UPDATE_GAS=1) rewrites the snapshot, never in CI.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { deployFixture } from "./helpers/fixture.ts";
import { measureGas } from "./helpers/gas.ts";

const SNAPSHOT = new URL("./gas-snapshot.json", import.meta.url);
const UPDATE = process.env.ONEKEY_UPDATE_GAS === "1";

describe("gas snapshot", () => {
  let measured: Record<string, number>;
  before(async () => {
    measured = await measureGas(await deployFixture());
  });

  it("is measured the same way twice (no time or order dependence)", async () => {
    assert.deepEqual(await measureGas(await deployFixture()), measured);
  });

  it("matches test/gas-snapshot.json (run `npm run gas:update` after an intended change)", () => {
    if (UPDATE) {
      // CI must fail on drift, so it never rewrites the file it checks against.
      assert.ok(!process.env.CI, "ONEKEY_UPDATE_GAS is refused when CI is set");
      writeFileSync(SNAPSHOT, `${JSON.stringify(measured, null, 2)}\n`);
    }
    const committed: Record<string, number> = JSON.parse(readFileSync(SNAPSHOT, "utf8"));
    const drift = [...new Set([...Object.keys(committed), ...Object.keys(measured)])]
      .filter((k) => committed[k] !== measured[k])
      .map((k) => `${k}: snapshot ${committed[k] ?? "—"}, measured ${measured[k] ?? "—"}`);
    assert.deepEqual(drift, [], `gas drifted from test/gas-snapshot.json:\n  ${drift.join("\n  ")}`);
  });
});
