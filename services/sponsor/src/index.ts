// The OneKey sponsor service (ERC-7677): policies, caps in a shared database, the HTTP server.
export { startSponsorService } from "./service.ts";
export type { SponsorService, SponsorServiceOptions } from "./service.ts";
export { checkPolicy, effectivePolicy, InvalidPolicyError, loadPolicy, POLICY_DEFAULTS } from "./policy.ts";
export type { EffectivePolicy, ProjectPolicy, SponsorPolicy } from "./policy.ts";
export { openStore, SponsorStoreError, takeCapacity } from "./store.ts";
export type { Caps, CapRefusal, Store, StoreOptions } from "./store.ts";
export { handleReadApi, MAX_PAGE, REFUSAL_REASONS } from "./api.ts";
export { createApiKeyCheck } from "./api-key.ts";
export type { ApiKeyCheck, ApiKeyProblem, ApiKeyVerdict } from "./api-key.ts";
export { ensureRefusalSchema, listRefusals, recordRefusal, refusalCounts, REFUSAL_LIMITS } from "./refusals.ts";
export type { Refusal, RefusalCounts, RefusalEntry, RefusalLimits } from "./refusals.ts";
