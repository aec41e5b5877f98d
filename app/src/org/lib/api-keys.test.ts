// @vitest-environment node
import { describe, expect, it } from "vitest";
import { apiKeyHash, ApiKeyScopes } from "@onekey/sdk/contracts";
import { expiryFromDate, newApiKey, scopesMask } from "./api-keys.ts";

describe("API keys", () => {
  it("makes long random keys whose hash is the SDK's (what the indexer checks)", () => {
    const keys = new Set(Array.from({ length: 200 }, newApiKey));
    expect(keys.size).toBe(200);
    for (const k of keys) expect(k).toMatch(/^onekey_[A-Za-z0-9_-]{43}$/);
    const k = [...keys][0];
    expect(apiKeyHash(k)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(apiKeyHash(k)).not.toBe(apiKeyHash([...keys][1]));
  });

  it("turns scope names into the SDK's bits and refuses none or unknown", () => {
    expect(scopesMask(["read", "audit"])).toBe(ApiKeyScopes.read | ApiKeyScopes.audit);
    expect(scopesMask(["read", "analytics", "audit", "webhooks", "sponsor"])).toBe(31);
    expect(() => scopesMask([])).toThrow(/at least one/);
    expect(() => scopesMask(["root" as never])).toThrow(/Unknown scope/);
  });

  it("reads an expiry date as the end of that UTC day, refusing the past", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    expect(expiryFromDate("2026-12-31", now)).toBe(BigInt(Date.parse("2026-12-31T23:59:59Z") / 1000));
    expect(() => expiryFromDate("2026-11-30", now)).toThrow(/future/);
    expect(() => expiryFromDate("", now)).toThrow(/expiry date/);
  });
});
