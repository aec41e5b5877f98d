// The audit chain's encoding lives in the SDK (@onekey/sdk/audit), so the indexer that writes the
// chain and the browser console that verifies it share one source. Re-exported here for the
// indexer's own modules.
export * from "@onekey/sdk/audit";
