// The grantee module, the generated constants it rests on, and grantState: pure functions, so no
// chain here (contracts.test.ts drives the same keys through RecordRegistry on anvil).
import { describe, expect, it } from "vitest";
import { getAddress } from "viem";
import { ALL_API_KEY_SCOPES, ALL_ROLES, ApiKeyScopes, GRANTEE_PROJECT_FLAG, KeyReleaseMode, Purpose, PURPOSES, Roles } from "./constants.ts";
import { accountGrantee, granteeKeyOf, InvalidGranteeError, parseGrantee, projectGrantee } from "./grantees.ts";
import { apiKeyHash, apiKeyScopeNames } from "./contracts/api-keys.ts";
import { grantState } from "./contracts/grant-state.ts";

describe("generated constants", () => {
  it("are the values contracts/libraries/Common.sol and GranteeKeys.sol define", () => {
    expect(Roles).toEqual({ ADMIN: 1, REVIEWER: 2, AUDITOR: 4, SPONSOR: 8 });
    expect(ALL_ROLES).toBe(Roles.ADMIN | Roles.REVIEWER | Roles.AUDITOR | Roles.SPONSOR);
    expect(ALL_API_KEY_SCOPES).toBe(Object.values(ApiKeyScopes).reduce((a, b) => a | b, 0));
    expect(PURPOSES.map((p) => Purpose[p])).toEqual([0, 1, 2, 3, 4]);
    expect(KeyReleaseMode).toEqual({ envelope: 0, lit: 1 });
    expect(GRANTEE_PROJECT_FLAG).toBe(1n << 255n);
  });
});

describe("grantee keys", () => {
  const account = "0x00000000000000000000000000000000000000aB";

  it("round-trips accounts and projects", () => {
    expect(accountGrantee(account)).toBe(`0x${"0".repeat(62)}ab`);
    expect(granteeKeyOf({ projectId: 5n })).toBe(`0x8${"0".repeat(62)}5`);
    expect(parseGrantee(granteeKeyOf({ account }))).toEqual({ account: getAddress(account) });
    expect(parseGrantee(projectGrantee(2n ** 200n))).toEqual({ projectId: 2n ** 200n });
  });

  it("refuses what neither side can be, with InvalidGranteeError", () => {
    for (const bad of [
      () => accountGrantee("0x0000000000000000000000000000000000000000"),
      () => accountGrantee("0x12"),
      () => projectGrantee(0n),
      () => projectGrantee(GRANTEE_PROJECT_FLAG),
      () => parseGrantee(`0x${"0".repeat(64)}`),
      () => parseGrantee(`0x01${"0".repeat(62)}`),
      () => parseGrantee("0xab"),
    ]) {
      expect(bad).toThrow(InvalidGranteeError);
    }
  });
});

describe("API keys", () => {
  it("hashes the UTF-8 bytes like ProjectRegistry.addApiKey receives them, and names scope bits", () => {
    expect(apiKeyHash("hello")).toBe("0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8");
    expect(apiKeyScopeNames(ApiKeyScopes.read | ApiKeyScopes.webhooks)).toEqual(["read", "webhooks"]);
    expect(apiKeyScopeNames(ALL_API_KEY_SCOPES | 0x100)).toEqual(["read", "analytics", "audit", "webhooks", "sponsor"]);
  });
});

describe("grantState", () => {
  const live = { grantedAt: 10, revoked: false, expiry: 100n, recordVersion: 2 };
  const record = { version: 2, erased: false };
  it("applies RecordRegistry.isGrantLive's rule in the indexer view's order", () => {
    expect(grantState(live, record, 99n)).toBe("live");
    expect(grantState({ ...live, grantedAt: 0 }, record, 99n)).toBe("none");
    expect(grantState({ ...live, revoked: true, expiry: 1n }, record, 99n)).toBe("revoked");
    expect(grantState(live, record, 100n)).toBe("expired"); // expiry == now has ended
    expect(grantState(live, { version: 3, erased: false }, 99n)).toBe("superseded");
    expect(grantState(live, { version: 2, erased: true }, 99n)).toBe("superseded");
  });
});
