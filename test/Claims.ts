// The SDK's claim map (sdk/src/contracts/claims.ts) against the `Claims` library in
// contracts/libraries/Common.sol, read through ClaimsProbe: a bit renamed, moved or added on one
// side only fails here.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { network } from "hardhat";
import { Claim, PROJECT_CLAIMS, RESERVED_CLAIMS, STANDARD_CLAIMS } from "@onekey/sdk/contracts";

describe("claim bits: SDK == Solidity", () => {
  it("every standard claim has the same name and bit, and the masks agree", async () => {
    const { viem } = await network.create();
    const probe = await viem.deployContract("ClaimsProbe");
    const values = await probe.read.standard();
    const outputs = probe.abi.find((x) => x.type === "function" && x.name === "standard")!.outputs.map((o) => o.name);
    assert.deepEqual(Object.fromEntries(outputs.map((name, i) => [name, values[i]])), Claim);
    const [standard, reserved, project] = await probe.read.masks();
    assert.deepEqual({ standard, reserved, project }, { standard: STANDARD_CLAIMS, reserved: RESERVED_CLAIMS, project: PROJECT_CLAIMS });
    // The standard mask is exactly the defined bits, so a bit defined in Solidity but missing
    // from the SDK (or the probe) shows up as a mask difference.
    assert.equal(
      Object.values(Claim).reduce((a, b) => a | b, 0),
      STANDARD_CLAIMS,
    );
    assert.equal((STANDARD_CLAIMS | RESERVED_CLAIMS | PROJECT_CLAIMS) >>> 0, 0xffffffff);
    assert.equal(STANDARD_CLAIMS & RESERVED_CLAIMS, 0);
  });
});
