// @onekey/sdk — the package entry: the public surface of every subpath in one import. Each subpath
// (/contracts, /storage, /crypto, /keys, /flows, /aa, /credentials, /eas, /schema, /abis, /addresses, /errors) also stands on
// its own. /lit is left out on purpose: it needs the optional Lit peer packages, so importing it
// here would break installs without them. Local test servers live in the private devstack workspace.
export * from "./errors.ts";
export * from "./addresses.ts";
export * from "./abis.ts";
export * from "./constants.ts";
export * from "./contracts/index.ts";
export * from "./storage/index.ts";
export * from "./crypto/index.ts";
export * from "./keys/index.ts";
export * from "./flows/index.ts";
export * from "./aa/index.ts";
export * from "./credentials/index.ts";
export * from "./eas/index.ts";
export * from "./schema/index.ts";

// Names two subpaths both export; these are the one meaning each has.
export { KeyReleaseMode } from "./contracts/index.ts"; // the on-chain values and the "envelope" | "lit" names
export { AuditAccessNotRecordedError, GranteeKeyNotSetError } from "./crypto/index.ts"; // moving from /flows to /crypto
