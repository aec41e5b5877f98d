// @onekey/sdk/lit — Lit Protocol key release (v7, Datil) behind the SDK's KeyRelease interface.
// Importing this subpath does not load the Lit packages; connectLitClient does, on first use.
export {
  litKeyRelease,
  connectLitClient,
  litNetworkId,
  type LitClientLike,
  type LitSigner,
  type LitKeyReleaseParameters,
  type ConnectLitClientParameters,
} from "./release.ts";
export {
  oneKeyConditions,
  litChainOf,
  LIT_CHAIN_BY_ID,
  CHAIN_ID_BY_LIT_CHAIN,
  UnsupportedLitChainError,
  type OneKeyConditionParameters,
} from "./conditions.ts";
export { encodeLitBlob, parseLitBlob, LIT_BLOB_FORMAT, type LitBlob } from "./blob.ts";
export { rewrapKeys } from "../crypto/release.ts";
export * from "./errors.ts";
