// @onekey/sdk/eas — the EAS mirror: sync a subject's OneKey attestation into EAS, opt a project
// in or out, and read the mirrored EAS attestation decoded under the OneKey schema.
export * from "./mirror.ts";
export * from "./eas-abi.ts";
