// A SimpleAccount (EntryPoint v0.8, from SimpleAccountFactory) owned by any viem account.
import { encodeFunctionData, type Account, type Address, type Chain, type Client, type JsonRpcAccount, type LocalAccount, type Transport } from "viem";
import { getChainId, readContract, signTypedData } from "viem/actions";
import { entryPoint08Abi, getUserOperationTypedData, toSmartAccount, type SmartAccount, type UserOperation } from "viem/account-abstraction";
import { simpleAccountAbi, simpleAccountFactoryAbi } from "../abis.ts";
import { ENTRY_POINT_V08, SmartAccountUnsupportedError, STUB_SIGNATURE } from "./paymaster.ts";

export type ToOneKeyAccountParameters = {
  /** A public client (or any client whose account, if any, is a local or JSON-RPC one). */
  client: Client<Transport, Chain | undefined, JsonRpcAccount | LocalAccount | undefined>;
  /** Any viem account: a local key, or a JSON-RPC/EIP-1193 account (e.g. an embedded wallet). */
  owner: LocalAccount | Account;
  factory: Address;
  salt?: bigint;
  entryPoint?: Address;
};
export type ToOneKeyAccountReturnType = SmartAccount;

/**
 * A SimpleAccount (v0.8) controlled by `owner`, at its counterfactual address (deployed by its
 * first user operation). The user-operation signature is EIP-712 typed data, so any wallet that
 * signs typed data can own one; a JSON-RPC account signs through `client`'s transport.
 */
export async function toOneKeyAccount(p: ToOneKeyAccountParameters): Promise<ToOneKeyAccountReturnType> {
  const salt = p.salt ?? 0n;
  const entryPoint = { abi: entryPoint08Abi, address: p.entryPoint ?? ENTRY_POINT_V08, version: "0.8" as const };
  const { owner } = p;
  const factoryData = encodeFunctionData({ abi: simpleAccountFactoryAbi, functionName: "createAccount", args: [owner.address, salt] });
  const address = await readContract(p.client, { address: p.factory, abi: simpleAccountFactoryAbi, functionName: "getAddress", args: [owner.address, salt] });
  const signWithOwner = async (typedData: ReturnType<typeof getUserOperationTypedData>) => {
    if ("signTypedData" in owner && owner.signTypedData) return owner.signTypedData(typedData);
    return signTypedData(p.client, { account: owner, ...typedData });
  };
  return toSmartAccount({
    client: p.client,
    entryPoint,
    async encodeCalls(calls) {
      if (calls.length === 1) {
        return encodeFunctionData({ abi: simpleAccountAbi, functionName: "execute", args: [calls[0].to, calls[0].value ?? 0n, calls[0].data ?? "0x"] });
      }
      return encodeFunctionData({
        abi: simpleAccountAbi,
        functionName: "executeBatch",
        args: [calls.map((c) => ({ target: c.to, value: c.value ?? 0n, data: c.data ?? "0x" }))],
      });
    },
    async getAddress() {
      return address;
    },
    async getFactoryArgs() {
      return { factory: p.factory, factoryData };
    },
    // One sequential nonce key (0): a fresh key per operation would write a new EntryPoint slot
    // (~20k gas) every time.
    async getNonce() {
      return readContract(p.client, { address: entryPoint.address, abi: entryPoint08Abi, functionName: "getNonce", args: [address, 0n] });
    },
    async getStubSignature() {
      // Well-formed (low s) so SimpleAccount's ECDSA.recover does not revert during estimation.
      return STUB_SIGNATURE;
    },
    async signMessage() {
      throw new SmartAccountUnsupportedError("sign messages");
    },
    async signTypedData() {
      throw new SmartAccountUnsupportedError("sign typed data");
    },
    async signUserOperation(userOperation) {
      const chainId = userOperation.chainId ?? p.client.chain?.id ?? (await getChainId(p.client));
      const typedData = getUserOperationTypedData({
        chainId,
        entryPointAddress: entryPoint.address,
        userOperation: { ...userOperation, sender: address } as UserOperation<"0.8">,
      });
      return signWithOwner(typedData);
    },
  });
}
