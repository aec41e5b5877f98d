// Gas snapshot: total transaction gas per operation, compared with test/gas-snapshot.json.
// Any drift fails; `npm run gas:update` (ONEKEY_UPDATE_GAS=1) rewrites the snapshot.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { deployFixture } from "./helpers/fixture.ts";
import { measureGas } from "./helpers/gas.ts";

const SNAPSHOT = new URL("./gas-snapshot.json", import.meta.url);

describe("gas snapshot", () => {
  let measured: Record<string, number>;
  before(async () => {
    measured = await measureGas(await deployFixture());
  });

  it("matches test/gas-snapshot.json (run `npm run gas:update` after an intended change)", () => {
    if (process.env.ONEKEY_UPDATE_GAS === "1") {
      writeFileSync(SNAPSHOT, `${JSON.stringify(measured, null, 2)}\n`);
    }
    const committed = JSON.parse(readFileSync(SNAPSHOT, "utf8"));
    assert.deepEqual(measured, committed);
  });
});
