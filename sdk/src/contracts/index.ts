// @onekey/sdk/contracts — typed viem actions for the OneKey registries, the call builders under
// them, event decoding and named revert errors.
export * from "./types.ts";
export * from "./errors.ts";
export * from "../grantees.ts";
export * from "./api-keys.ts";
export {
  Roles,
  ALL_ROLES,
  Purpose,
  PURPOSES,
  KeyReleaseMode,
  ApiKeyScopes,
  ALL_API_KEY_SCOPES,
  MAX_MEMBERSHIPS,
  AUDIT_ACCESS_WINDOW,
  MAX_REWRAP_BATCH,
  type RoleName,
  type PurposeName,
  type ApiKeyScopeName,
} from "../constants.ts";
export * from "./calls.ts";
export * from "./events.ts";
export * from "./project.ts";
export * from "./record.ts";
export * from "./grant-state.ts";
export * from "./attestation.ts";
export * from "./claims.ts";
export * from "../names.ts";
export * from "./rewrap.ts";
export { registryAbis, registryAddress, readerOf, senderAddress, sendCalls, type SendCallsParameters, type SendCallsReturnType } from "./core.ts";
