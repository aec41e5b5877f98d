// @onekey/sdk/contracts — typed actions for the OneKey registries.
export * from "./actions.ts";
export {
  ContractRevertError, ChainMismatchError, TransactionFailedError, NoSignerError, decodeRevert, write, read, senderAddress,
  type OneKeyClients, type OneKeyWallet, type CallSender,
} from "./core.ts";
