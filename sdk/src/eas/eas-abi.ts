// The part of EAS (eas-contracts 1.x: the Base predeploy at 0x4200…0021) the SDK reads. EAS is a
// third-party contract the repo does not compile, so this fragment is kept here; eas.test.ts
// holds it equal to the npm package's shipped artifact, so a drift fails.
export const easReadAbi = [
  {
    type: "function",
    name: "getAttestation",
    stateMutability: "view",
    inputs: [{ name: "uid", type: "bytes32", internalType: "bytes32" }],
    outputs: [
      {
        name: "",
        type: "tuple",
        internalType: "struct Attestation",
        components: [
          { name: "uid", type: "bytes32", internalType: "bytes32" },
          { name: "schema", type: "bytes32", internalType: "bytes32" },
          { name: "time", type: "uint64", internalType: "uint64" },
          { name: "expirationTime", type: "uint64", internalType: "uint64" },
          { name: "revocationTime", type: "uint64", internalType: "uint64" },
          { name: "refUID", type: "bytes32", internalType: "bytes32" },
          { name: "recipient", type: "address", internalType: "address" },
          { name: "attester", type: "address", internalType: "address" },
          { name: "revocable", type: "bool", internalType: "bool" },
          { name: "data", type: "bytes", internalType: "bytes" },
        ],
      },
    ],
  },
] as const;

/** Where EAS lives on the OP-stack chains OneKey targets (Base, Base Sepolia): a predeploy. */
export const EAS_PREDEPLOY = "0x4200000000000000000000000000000000000021";
