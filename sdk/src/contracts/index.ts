// @onekey/sdk/contracts — typed actions for the OneKey registries.
export * from "./actions.ts";
export { ContractRevertError, ChainMismatchError, TransactionFailedError, decodeRevert, write, read, type OneKeyClients, type OneKeyWallet } from "./core.ts";
