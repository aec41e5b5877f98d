import { createPublicClient, http } from "viem";
import { foundry } from "viem/chains";
import { describe, expect, it } from "vitest";
import { ClientConfigError, getRecord, isVerified } from "./index.ts";

describe("the client argument", () => {
  const publicClient = createPublicClient({ chain: foundry, transport: http("http://127.0.0.1:9") });
  const recordId = `0x${"11".repeat(32)}` as const;

  it("refuses the retired { publicClient, walletClient } bundle and other non-clients with ClientConfigError", async () => {
    for (const bad of [{ publicClient }, { publicClient, walletClient: publicClient, addresses: {} }, {}, null, undefined, "http://127.0.0.1:8545"]) {
      // @ts-expect-error hostile input: what a JavaScript caller or old code passes
      const read = getRecord(bad, { recordId });
      await expect(read).rejects.toBeInstanceOf(ClientConfigError);
      await expect(read).rejects.toThrow(/one viem client/);
    }
  });

  it("takes a real viem client past that check (then fails on the unreachable RPC, not on the argument)", async () => {
    const read = isVerified(publicClient, { subject: `0x${"22".repeat(20)}`, projectId: 1n, minLevel: 1 });
    await expect(read).rejects.not.toBeInstanceOf(ClientConfigError);
  });
});
