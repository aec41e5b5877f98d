// The package entry loads on its own and carries every subpath's surface (without /lit).
import { describe, expect, it } from "vitest";
import * as sdk from "./index.ts";
import * as contracts from "./contracts/index.ts";
import * as storage from "./storage/index.ts";
import * as schema from "./schema/index.ts";

describe("@onekey/sdk entry", () => {
  it("re-exports the contracts, storage and schema subpaths whole", () => {
    const entry: Record<string, unknown> = { ...sdk };
    for (const [name, value] of Object.entries(contracts)) expect(entry[name], name).toBe(value);
    for (const [name, value] of Object.entries(storage)) expect(entry[name], name).toBe(value);
    for (const [name, value] of Object.entries(schema)) expect(entry[name], name).toBe(value);
  });

  it("has one meaning for names two subpaths share", () => {
    expect(sdk.KeyReleaseMode).toEqual({ envelope: 0, lit: 1 });
    expect(sdk.ContentHashMismatchError).toBe(storage.ContentHashMismatchError);
    expect(typeof sdk.createProject).toBe("function");
    expect(typeof sdk.openUploadQueue).toBe("function");
    expect(typeof sdk.getAddresses).toBe("function");
  });
});
