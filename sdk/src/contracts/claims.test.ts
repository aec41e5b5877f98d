// The claim derivations with one right answer: vectors chosen at the edges (birthdays, 29 February,
// time zones, case, hostile input).
import { describe, expect, it } from "vitest";
import {
  Claim,
  InvalidClaimError,
  InvalidCountryCodeError,
  InvalidDateError,
  PROJECT_CLAIMS,
  RESERVED_CLAIMS,
  STANDARD_CLAIMS,
  ageClaims,
  ageOn,
  claimsValue,
  countryClaims,
  decodeClaims,
  includesClaims,
  isCountryIn,
  projectClaim,
} from "./claims.ts";

describe("ageOn (UTC calendar dates)", () => {
  it("counts completed years: the day before a birthday, on it, after it", () => {
    expect(ageOn("2000-06-15", "2018-06-14")).toBe(17);
    expect(ageOn("2000-06-15", "2018-06-15")).toBe(18);
    expect(ageOn("2000-06-15", "2018-06-16")).toBe(18);
    expect(ageOn("2000-06-15", "2000-06-15")).toBe(0);
    expect(ageOn("2000-12-31", "2001-01-01")).toBe(0);
  });

  it("29 February: a year older on 1 March in common years, on 29 February in leap years", () => {
    expect(ageOn("2004-02-29", "2022-02-28")).toBe(17);
    expect(ageOn("2004-02-29", "2022-03-01")).toBe(18);
    expect(ageOn("2000-02-29", "2018-02-28")).toBe(17);
    expect(ageOn("2000-02-29", "2018-03-01")).toBe(18);
    expect(ageOn("2004-02-29", "2024-02-28")).toBe(19);
    expect(ageOn("2004-02-29", "2024-02-29")).toBe(20);
    // Born 28 February: the birthday is 28 February every year.
    expect(ageOn("2004-02-28", "2022-02-28")).toBe(18);
  });

  it("reads an instant as its UTC date, whatever the local time zone", () => {
    // 23:30 on 14 June in UTC-5 is already 15 June in UTC: the birthday has come.
    expect(ageOn("2000-06-15", new Date("2018-06-14T23:30:00-05:00"))).toBe(18);
    // 00:30 on 15 June in UTC+2 is still 14 June in UTC.
    expect(ageOn("2000-06-15", new Date("2018-06-15T00:30:00+02:00"))).toBe(17);
    expect(ageOn("2000-06-15", new Date(Date.UTC(2018, 5, 15)))).toBe(18);
  });

  it("refuses what is not a calendar date, and a birth after the review, without echoing the value", () => {
    for (const bad of [
      "2001-02-29",
      "2000-13-01",
      "2000-00-10",
      "2000-04-31",
      "15/06/2000",
      "2000-6-15",
      " 2000-06-15",
      "2000-06-15T00:00:00Z",
      "",
      "x".repeat(10_000),
    ]) {
      expect(() => ageOn(bad, "2020-01-01")).toThrow(InvalidDateError);
    }
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    expect(() => ageOn(123, "2020-01-01")).toThrow(InvalidDateError);
    expect(() => ageOn("2000-06-15", new Date("nope"))).toThrow(InvalidDateError);
    expect(() => ageOn("2020-01-02", "2020-01-01")).toThrow(InvalidDateError);
    try {
      ageOn("1999-02-30", "2020-01-01");
    } catch (error) {
      expect((error as Error).message).not.toContain("1999");
    }
  });

  it("ageClaims gives AGE_OVER_18 and AGE_OVER_21 exactly from the birthdays on", () => {
    expect(ageClaims("2000-06-15", "2018-06-14")).toBe(0);
    expect(ageClaims("2000-06-15", "2018-06-15")).toBe(Claim.AGE_OVER_18);
    expect(ageClaims("2000-06-15", "2021-06-14")).toBe(Claim.AGE_OVER_18);
    expect(ageClaims("2000-06-15", "2021-06-15")).toBe(Claim.AGE_OVER_18 | Claim.AGE_OVER_21);
    expect(ageClaims("2003-02-28", "2021-02-28")).toBe(Claim.AGE_OVER_18);
  });
});

describe("country in a list (ISO 3166-1 alpha-2)", () => {
  it("matches case-insensitively on both sides", () => {
    expect(isCountryIn("fr", ["DE", "FR"])).toBe(true);
    expect(isCountryIn("FR", ["de", "fr"])).toBe(true);
    expect(isCountryIn("Fr", ["DE"])).toBe(false);
    expect(isCountryIn("GB", [])).toBe(false);
    expect(countryClaims("nl", ["NL"])).toBe(Claim.COUNTRY_ALLOWED);
    expect(countryClaims("US", ["NL"])).toBe(0);
  });

  it("refuses anything that is not two ASCII letters, in the country or the list", () => {
    for (const bad of ["FRA", "F", "", " FR", "FR ", "F1", "ÉS", "250", "fr\n"]) {
      expect(() => isCountryIn(bad, ["FR"])).toThrow(InvalidCountryCodeError);
      expect(() => isCountryIn("FR", ["DE", bad])).toThrow(InvalidCountryCodeError);
    }
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    expect(() => isCountryIn("FR", "FR")).toThrow(InvalidCountryCodeError);
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    expect(() => isCountryIn(undefined, ["FR"])).toThrow(InvalidCountryCodeError);
  });
});

describe("claim names <-> bits", () => {
  it("names or-ed into bits, and back, with project claims as indices", () => {
    expect(claimsValue(["AGE_OVER_18", "COUNTRY_ALLOWED"])).toBe(0x81);
    expect(claimsValue()).toBe(0);
    expect(claimsValue([])).toBe(0);
    const all = (STANDARD_CLAIMS | PROJECT_CLAIMS) >>> 0;
    expect(decodeClaims(all).names).toEqual(Object.keys(Claim));
    expect(decodeClaims(all).project).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(projectClaim(15)).toBe(0x80000000);
    expect(decodeClaims(projectClaim(15) + Claim.PEP_SCREENED)).toEqual({ names: ["PEP_SCREENED"], project: [15] });
    expect(includesClaims(0x80000081, ["AGE_OVER_18"])).toBe(true);
    expect(includesClaims(0x80000081, projectClaim(15))).toBe(true);
    expect(includesClaims(0x81, projectClaim(15))).toBe(false);
  });

  it("refuses reserved bits, non-uint32 values, unknown names and bad project indices", () => {
    for (const bad of [1 << 9, RESERVED_CLAIMS, -1, 2 ** 32, 0.5, Number.NaN]) expect(() => claimsValue(bad)).toThrow(InvalidClaimError);
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    expect(() => claimsValue(["AGE_OVER_18", "toString"])).toThrow(InvalidClaimError);
    // @ts-expect-error hostile input: the run-time check must refuse what the types forbid
    expect(() => claimsValue("AGE_OVER_18")).toThrow(InvalidClaimError);
    for (const bad of [-1, 16, 1.5]) expect(() => projectClaim(bad)).toThrow(InvalidClaimError);
  });
});
