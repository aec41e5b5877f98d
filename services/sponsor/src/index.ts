// The OneKey sponsor service (ERC-7677): policies, caps in a shared database, the HTTP server.
export { startSponsorService } from "./service.ts";
export type { SponsorService, SponsorServiceOptions } from "./service.ts";
export { checkPolicy, effectivePolicy, InvalidPolicyError, loadPolicy, POLICY_DEFAULTS } from "./policy.ts";
export type { EffectivePolicy, ProjectPolicy, SponsorPolicy } from "./policy.ts";
export { openStore, SponsorStoreError, takeCapacity } from "./store.ts";
export type { Caps, CapRefusal, Store, StoreOptions } from "./store.ts";
