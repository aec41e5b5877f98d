// @onekey/sdk — entry point. Subpaths (/crypto, /keys, /storage, /contracts, /flows, /abis,
// /addresses) can be imported on their own.
export * from "./errors.ts";
export * from "./addresses.ts";
export * from "./contracts/index.ts";
export * from "./flows/index.ts";
