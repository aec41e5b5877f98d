// Builds and signs ERC-4337 v0.8 packed user operations for SimpleAccount + OneKeyPaymaster.
import { concat, encodeFunctionData, numberToHex, pad, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { sponsorshipTypes } from "@onekey/sdk/aa";

export const simpleAccountAbi = [
  {
    type: "function",
    name: "execute",
    inputs: [
      { name: "target", type: "address" },
      { name: "value", type: "uint256" },
      { name: "data", type: "bytes" },
    ],
    outputs: [],
    stateMutability: "nonpayable",
  },
  {
    type: "function",
    name: "executeBatch",
    stateMutability: "nonpayable",
    outputs: [],
    inputs: [
      {
        name: "calls",
        type: "tuple[]",
        components: [
          { name: "target", type: "address" },
          { name: "value", type: "uint256" },
          { name: "data", type: "bytes" },
        ],
      },
    ],
  },
] as const;

export const factoryAbi = [
  {
    type: "function",
    name: "createAccount",
    inputs: [
      { name: "owner", type: "address" },
      { name: "salt", type: "uint256" },
    ],
    outputs: [{ type: "address" }],
    stateMutability: "nonpayable",
  },
] as const;

export interface PackedUserOperation {
  sender: Address;
  nonce: bigint;
  initCode: Hex;
  callData: Hex;
  accountGasLimits: Hex;
  preVerificationGas: bigint;
  gasFees: Hex;
  paymasterAndData: Hex;
  signature: Hex;
}

export const packUint128s = (hi: bigint, lo: bigint): Hex => pad(toHex((hi << 128n) | lo), { size: 32 });

export interface SponsorshipFields {
  projectId: bigint;
  validUntil: number;
  validAfter: number;
}

export const GAS = {
  verification: 1_000_000n,
  call: 500_000n,
  preVerification: 60_000n,
  pmValidation: 250_000n,
  pmPostOp: 100_000n,
  maxFee: 3_000_000_000n,
  maxPriority: 1_000_000_000n,
};

export function draftOp(p: { sender: Address; nonce: bigint; initCode?: Hex; callData: Hex }): PackedUserOperation {
  return {
    sender: p.sender,
    nonce: p.nonce,
    initCode: p.initCode ?? "0x",
    callData: p.callData,
    accountGasLimits: packUint128s(GAS.verification, GAS.call),
    preVerificationGas: GAS.preVerification,
    gasFees: packUint128s(GAS.maxPriority, GAS.maxFee),
    paymasterAndData: "0x",
    signature: "0x",
  };
}

export const initCodeFor = (factory: Address, owner: Address, salt = 0n): Hex =>
  concat([factory, encodeFunctionData({ abi: factoryAbi, functionName: "createAccount", args: [owner, salt] })]);

export const executeCall = (target: Address, data: Hex, value = 0n): Hex =>
  encodeFunctionData({ abi: simpleAccountAbi, functionName: "execute", args: [target, value, data] });

export const executeBatchCall = (calls: { target: Address; value?: bigint; data: Hex }[]): Hex =>
  encodeFunctionData({
    abi: simpleAccountAbi,
    functionName: "executeBatch",
    args: [calls.map((c) => ({ target: c.target, value: c.value ?? 0n, data: c.data }))],
  });

// The EIP-712 type the paymaster verifies: one definition, the SDK's.
export { sponsorshipTypes };

/** Signs a sponsorship for `op` and returns paymasterAndData. */
export async function sponsor(
  op: PackedUserOperation,
  s: SponsorshipFields & { paymaster: Address; chainId: number; signer: PrivateKeyAccount },
): Promise<Hex> {
  const { keccak256 } = await import("viem");
  const paymasterGasLimits = (GAS.pmValidation << 128n) | GAS.pmPostOp;
  const signature = await s.signer.signTypedData({
    domain: { name: "OneKeyPaymaster", version: "1", chainId: s.chainId, verifyingContract: s.paymaster },
    types: sponsorshipTypes,
    primaryType: "Sponsorship",
    message: {
      projectId: s.projectId,
      sender: op.sender,
      nonce: op.nonce,
      initCodeHash: keccak256(op.initCode),
      callDataHash: keccak256(op.callData),
      accountGasLimits: op.accountGasLimits,
      preVerificationGas: op.preVerificationGas,
      gasFees: op.gasFees,
      paymasterGasLimits,
      validUntil: s.validUntil,
      validAfter: s.validAfter,
    },
  });
  return concat([
    s.paymaster,
    pad(toHex(GAS.pmValidation), { size: 16 }),
    pad(toHex(GAS.pmPostOp), { size: 16 }),
    pad(toHex(s.projectId), { size: 32 }),
    pad(numberToHex(s.validUntil), { size: 6 }),
    pad(numberToHex(s.validAfter), { size: 6 }),
    signature,
  ]);
}

export const ownerAccount = (key: Hex) => privateKeyToAccount(key);
