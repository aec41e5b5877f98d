// A Lit "Staking" contract for a local chain: the real LitNodeClient reads its validator set with
// `getActiveUnkickedValidatorStructsAndCounts()` through ethers. The stub is twelve bytes of EVM
// that return one constant ABI-encoded answer to any call, so the client's own code path
// (contracts-sdk getConnectionInfo → ethers → JSON-RPC → anvil) runs unchanged.
import { concat, encodeFunctionResult, numberToHex, size, type Address, type Hex, type PublicClient } from "viem";
import type { Account, Chain, Transport, WalletClient } from "viem";

/** What the v7 client uses of Staking: one view and the epoch event it listens for (Datil ABI). */
export const stakingAbi = [
  {
    type: "event",
    name: "StateChanged",
    anonymous: false,
    inputs: [{ indexed: false, internalType: "enum LibStakingStorage.States", name: "newState", type: "uint8" }],
  },
  {
    type: "function",
    name: "getActiveUnkickedValidatorStructsAndCounts",
    stateMutability: "view",
    inputs: [],
    outputs: [
      {
        type: "tuple",
        name: "",
        internalType: "struct LibStakingStorage.Epoch",
        components: [
          { name: "epochLength", type: "uint256", internalType: "uint256" },
          { name: "number", type: "uint256", internalType: "uint256" },
          { name: "endTime", type: "uint256", internalType: "uint256" },
          { name: "retries", type: "uint256", internalType: "uint256" },
          { name: "timeout", type: "uint256", internalType: "uint256" },
          { name: "startTime", type: "uint256", internalType: "uint256" },
        ],
      },
      { type: "uint256", name: "", internalType: "uint256" },
      {
        type: "tuple[]",
        name: "",
        internalType: "struct LibStakingStorage.Validator[]",
        components: [
          { name: "ip", type: "uint32", internalType: "uint32" },
          { name: "ipv6", type: "uint128", internalType: "uint128" },
          { name: "port", type: "uint32", internalType: "uint32" },
          { name: "nodeAddress", type: "address", internalType: "address" },
          { name: "reward", type: "uint256", internalType: "uint256" },
          { name: "senderPubKey", type: "uint256", internalType: "uint256" },
          { name: "receiverPubKey", type: "uint256", internalType: "uint256" },
          { name: "lastActiveEpoch", type: "uint256", internalType: "uint256" },
        ],
      },
    ],
  },
] as const;

// PUSH2 n, PUSH1 14, PUSH1 0, CODECOPY, PUSH2 n, PUSH1 0, RETURN: copy the n bytes after these 14
// and return them. Used twice: as init code (returning the runtime) and as runtime (returning data).
function returnsConstant(data: Hex): Hex {
  const n = numberToHex(size(data), { size: 2 }).slice(2);
  return concat([`0x61${n}600e600039` as Hex, `0x61${n}6000f3` as Hex, data]);
}

export type LocalValidator = { port: number; nodeAddress: Address };

/** Deploys the stub announcing `validators` on 127.0.0.1 with `threshold` as the minimum node count. */
export async function deployStakingStub(
  wallet: WalletClient<Transport, Chain, Account>,
  publicClient: PublicClient,
  { validators, threshold }: { validators: LocalValidator[]; threshold: number },
): Promise<Address> {
  const now = BigInt(Math.floor(Date.now() / 1000));
  const answer = encodeFunctionResult({
    abi: stakingAbi,
    functionName: "getActiveUnkickedValidatorStructsAndCounts",
    result: [
      { epochLength: 86_400n, number: 1n, endTime: now + 86_400n, retries: 0n, timeout: 60n, startTime: now - 60n },
      BigInt(threshold),
      validators.map((v) => ({
        ip: 0x7f000001,
        ipv6: 0n,
        port: v.port,
        nodeAddress: v.nodeAddress,
        reward: 0n,
        senderPubKey: 0n,
        receiverPubKey: 0n,
        lastActiveEpoch: 1n,
      })),
    ],
  });
  const hash = await wallet.sendTransaction({ data: returnsConstant(returnsConstant(answer)), account: wallet.account, chain: wallet.chain });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error("deploying the Lit staking stub failed");
  return receipt.contractAddress;
}
