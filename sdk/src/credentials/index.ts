// @onekey/sdk/credentials — W3C Verifiable Credentials 2.0 for OneKey attestations, signed with the
// attester's Ethereum key (EIP-712), verified offline, status bound to the on-chain attestation.
export * from "./credential.ts";
export * from "./issue.ts";
export * from "./status.ts";
export * from "./indexer-status.ts";
