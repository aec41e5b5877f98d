// @vitest-environment node
import { describe, expect, it } from "vitest";
import { encryptRecord, UnknownFieldError } from "@onekey/sdk/crypto";
import { countBits, disclosure, maskOf, selectedBy, toggle, unknownBits } from "./field-mask.ts";

describe("field picker mask", async () => {
  const { manifest } = await encryptRecord({
    recordId: `0x${"01".repeat(32)}`,
    version: 1,
    fields: { fullName: "x", dateOfBirth: "y", country: "z", passport: new Uint8Array([1, 2, 3]) },
  });
  const index = (n: string) => manifest.fields.find((f) => f.name === n)!.index;

  it("builds the SDK's mask (bit = manifest index) and reads it back in manifest order", () => {
    const mask = maskOf(manifest, ["country", "fullName"]);
    expect(mask).toBe((1n << BigInt(index("country"))) | (1n << BigInt(index("fullName"))));
    expect(new Set(selectedBy(manifest, mask))).toEqual(new Set(["country", "fullName"]));
    expect(maskOf(manifest, [])).toBe(0n);
    expect(countBits(mask)).toBe(2);
    expect(() => maskOf(manifest, ["ssn"])).toThrow(UnknownFieldError);
  });

  it("toggles without mutating the picker's state", () => {
    const a = new Set(["country"]);
    const b = toggle(a, "passport");
    expect([...a]).toEqual(["country"]);
    expect(new Set(b)).toEqual(new Set(["country", "passport"]));
    expect([...toggle(b, "country")]).toEqual(["passport"]);
  });

  it("splits a manifest into granted and withheld fields, and flags bits the manifest lacks", () => {
    const mask = maskOf(manifest, ["dateOfBirth"]) | (1n << 40n);
    const { granted, withheld } = disclosure(manifest, mask);
    expect(granted.map((f) => f.name)).toEqual(["dateOfBirth"]);
    expect(withheld).toHaveLength(3);
    expect(unknownBits(manifest, mask)).toEqual([40]);
  });
});
