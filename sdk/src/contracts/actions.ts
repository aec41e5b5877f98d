// The first SDK cut imported actions from here; they now live per registry. Import from
// "@onekey/sdk/contracts" (./index.ts) instead; this file goes once no importer is left.
export * from "./grantees.ts";
export * from "./project.ts";
export * from "./record.ts";
export * from "./attestation.ts";
export { EventNotFoundError } from "./errors.ts";
