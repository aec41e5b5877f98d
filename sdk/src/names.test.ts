// Names <-> values for claims, roles, purposes and modes, as the package exports them.
import { describe, expect, it } from "vitest";
import {
  ATTESTATION_STATES,
  CLAIM_NAMES,
  Claim,
  InvalidNameError,
  PROJECT_CLAIMS,
  Purpose,
  Roles,
  STANDARD_CLAIMS,
  attestationStateAt,
  claimMask,
  claimNames,
  claimsValue,
  decodeClaims,
  isClaimName,
  KEY_RELEASE_MODES,
  purposeName,
  purposeValue,
  roleMask,
  roleNames,
} from "@onekey/sdk/contracts";

describe("claim names", () => {
  it("names the standard bits in bit order and project bits as project:<n>", () => {
    expect(CLAIM_NAMES[0]).toBe("AGE_OVER_18");
    expect(CLAIM_NAMES.map((n) => Claim[n])).toEqual(CLAIM_NAMES.map((_, i) => 2 ** i));
    expect(claimNames(Claim.AGE_OVER_18 | Claim.COUNTRY_ALLOWED)).toEqual(["AGE_OVER_18", "COUNTRY_ALLOWED"]);
    expect(claimNames(2 ** 16 + 2 ** 31 + Claim.SANCTIONS_SCREENED)).toEqual(["SANCTIONS_SCREENED", "project:0", "project:15"]);
    expect(claimNames(PROJECT_CLAIMS)).toHaveLength(16);
    expect(claimNames(0)).toEqual([]);
    expect(claimNames(0xffffffffn)).toHaveLength(32);
  });

  it("names a reserved bit instead of dropping it or throwing (the indexer must stay total)", () => {
    expect(claimNames((2 ** 9) | Claim.AGE_OVER_21)).toEqual(["AGE_OVER_21", "reserved:9"]);
  });

  it("claimMask inverts claimNames for every word attest accepts", () => {
    for (const word of [0, STANDARD_CLAIMS, PROJECT_CLAIMS, (STANDARD_CLAIMS | PROJECT_CLAIMS) >>> 0, 0x80000005, 0x10100]) {
      expect(claimMask(claimNames(word))).toBe(word);
    }
    // Random words without reserved bits.
    for (let i = 0; i < 200; i++) {
      const word = (Math.floor(Math.random() * 2 ** 32) & ~0xfe00) >>> 0;
      expect(claimMask(claimNames(word))).toBe(word);
      expect(claimNames(word).filter((n) => !n.startsWith("project:"))).toEqual(decodeClaims(word).names);
    }
    expect(claimMask(["AGE_OVER_18", "AGE_OVER_18"])).toBe(Claim.AGE_OVER_18);
    expect(claimMask(["AGE_OVER_18", "SANCTIONS_SCREENED"])).toBe(claimsValue(["AGE_OVER_18", "SANCTIONS_SCREENED"]));
  });

  it("refuses names that mean nothing and words that are not uint32", () => {
    for (const bad of ["age_over_18", "project:16", "project:-1", "project:", "reserved:9", "toString", "__proto__", "x".repeat(10_000)]) {
      expect(() => claimMask([bad]), bad.slice(0, 20)).toThrow(InvalidNameError);
      expect(isClaimName(bad)).toBe(false);
    }
    expect(() => claimMask("AGE_OVER_18" as never)).toThrow(InvalidNameError);
    expect(() => claimMask([7 as never])).toThrow(InvalidNameError);
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN, -1n, 2n ** 32n]) expect(() => claimNames(bad)).toThrow(InvalidNameError);
    expect(isClaimName("project:3")).toBe(true);
  });
});

describe("role, purpose and mode names", () => {
  it("maps roles masks both ways", () => {
    expect(roleNames(Roles.ADMIN | Roles.SPONSOR)).toEqual(["ADMIN", "SPONSOR"]);
    expect(roleNames(0)).toEqual([]);
    expect(roleNames(0xf0)).toEqual([]); // bits no role has
    expect(roleMask(["REVIEWER", "AUDITOR"])).toBe(Roles.REVIEWER | Roles.AUDITOR);
    expect(() => roleMask(["OWNER"])).toThrow(InvalidNameError);
  });

  it("names purposes and key-release modes, marking values defined after this SDK", () => {
    expect(purposeName(0)).toBe("KYC_REVIEW");
    expect(purposeName(BigInt(Purpose.SUPPORT))).toBe("SUPPORT");
    expect(purposeName(9)).toBe("unknown:9");
    expect(purposeValue("AUDIT")).toBe(Purpose.AUDIT);
    expect(() => purposeValue("constructor")).toThrow(InvalidNameError);
    expect(KEY_RELEASE_MODES).toEqual(["envelope", "lit"]);
  });

  it("judges an attestation's state the way the contract does (expiry > now is valid)", () => {
    expect(attestationStateAt({ revoked: false, expiry: 101n }, 100n)).toBe("valid");
    expect(attestationStateAt({ revoked: false, expiry: 100n }, 100n)).toBe("expired");
    expect(attestationStateAt({ revoked: true, expiry: 999n }, 100n)).toBe("revoked");
    expect(ATTESTATION_STATES).toContain("valid");
  });
});
