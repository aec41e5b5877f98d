// The audit chain's encoding lives in the SDK (@onekey/sdk/audit), so the indexer that writes the
// chain and the browser console that verifies it share one source. Re-exported here for the
// indexer's own modules, with one substitution: the handlers hash every event, so they hash the
// SDK's canonical bytes with node:crypto's native SHA-256 (about 3.5x faster here than the pure-JS
// one the SDK uses to run in browsers). Same bytes, same digest: sdk/src/audit.test.ts holds the two equal.
import { createHash } from "node:crypto";
import { canonicalRow, type AuditRow } from "@onekey/sdk/audit";

export * from "@onekey/sdk/audit";

export function rowHash(row: Omit<AuditRow, "hash">): `0x${string}` {
  return `0x${createHash("sha256").update(canonicalRow(row), "utf8").digest("hex")}`;
}
