// @onekey/sdk/contracts — typed viem actions for the OneKey registries, the call builders under
// them, event decoding and named revert errors.
export * from "./types.ts";
export * from "./errors.ts";
export * from "./grantees.ts";
export * from "./calls.ts";
export * from "./events.ts";
export * from "./project.ts";
export * from "./record.ts";
export * from "./attestation.ts";
export * from "./claims.ts";
export { registryAbis, registryAddress, readerOf, senderAddress, sendCalls, type SendCallsParameters, type SendCallsReturnType } from "./core.ts";
