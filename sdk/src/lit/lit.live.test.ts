// The same key release against a LIVE Lit network and a live chain. Skipped unless configured;
// it is the only suite that reaches beyond 127.0.0.1. What it covers that the local network
// (lit.test.ts) cannot: Lit's real nodes (SEV-SNP attestation, DKG key, epochs), their RPC view
// of Base / Base Sepolia, their session and capacity-credit checks.
//
//   ONEKEY_LIT_LIVE_NETWORK        datil-test | datil
//   ONEKEY_LIT_LIVE_CHAIN_ID       84532 | 8453
//   ONEKEY_LIT_LIVE_RECORD_REGISTRY  RecordRegistry address on that chain
//   ONEKEY_LIT_LIVE_RECORD_ID      a record the key below can open (e.g. its owner's)
//   ONEKEY_LIT_LIVE_PRIVATE_KEY    that account's key (a test account)
//   ONEKEY_LIT_LIVE_CAPACITY_DELEGATION  optional: JSON capacity-delegation authSig
import { describe, expect, it } from "vitest";
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { randomKey } from "../crypto/primitives.ts";
import { connectLitClient, litChainOf, litKeyRelease, LitAccessDeniedError } from "./index.ts";

const env = process.env;
const configured = Boolean(
  env.ONEKEY_LIT_LIVE_NETWORK && env.ONEKEY_LIT_LIVE_RECORD_REGISTRY && env.ONEKEY_LIT_LIVE_RECORD_ID && env.ONEKEY_LIT_LIVE_PRIVATE_KEY,
);

describe.skipIf(!configured)("lit key release on a live Lit network", () => {
  it("releases to an account with access and refuses a fresh one", async () => {
    const client = await connectLitClient({ network: env.ONEKEY_LIT_LIVE_NETWORK! });
    try {
      const chain = litChainOf(Number(env.ONEKEY_LIT_LIVE_CHAIN_ID ?? 84532));
      const recordRegistry = env.ONEKEY_LIT_LIVE_RECORD_REGISTRY as Address;
      const recordId = env.ONEKEY_LIT_LIVE_RECORD_ID as Hex;
      const capacityDelegationAuthSig = env.ONEKEY_LIT_LIVE_CAPACITY_DELEGATION ? JSON.parse(env.ONEKEY_LIT_LIVE_CAPACITY_DELEGATION) : undefined;
      const release = (key: Hex) => litKeyRelease({ litClient: client, chain, recordRegistry, signer: privateKeyToAccount(key), capacityDelegationAuthSig });
      const owner = privateKeyToAccount(env.ONEKEY_LIT_LIVE_PRIVATE_KEY as Hex);
      const keys = [randomKey()];
      const grantee = { account: owner.address };
      const wrappedKey = await release(env.ONEKEY_LIT_LIVE_PRIVATE_KEY as Hex).seal({ recordId, version: 1, grantee, keys });
      const p = { recordId, version: 1, grantee, wrappedKey, keyCount: 1 };
      expect(await release(env.ONEKEY_LIT_LIVE_PRIVATE_KEY as Hex).open({ ...p, reader: owner.address })).toEqual(keys);
      const stranger = generatePrivateKey();
      await expect(release(stranger).open({ ...p, reader: privateKeyToAccount(stranger).address })).rejects.toThrow(LitAccessDeniedError);
    } finally {
      await client.disconnect();
    }
  }, 180_000);
});
