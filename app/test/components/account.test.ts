import { encodeFunctionData } from "viem";
import { expect, test } from "vitest";
import { recordRegistryAbi } from "@onekey/sdk/abis";
import { accountGrantee, projectGrantee } from "@onekey/sdk/contracts";
import { payerOf } from "../../src/shell/account.ts";
import { parseConfig } from "../../src/shell/config.ts";

const network = parseConfig({
  chainId: 31337,
  rpcUrl: "http://127.0.0.1:1",
  bundlerUrl: "http://127.0.0.1:2",
  sponsorUrl: "http://127.0.0.1:3",
  indexerUrl: "http://127.0.0.1:4",
  storageUrls: ["http://127.0.0.1:5"],
  sponsor: { projectId: "1", ticketUrl: "http://127.0.0.1:6/ticket" },
  // The registries come from @onekey/sdk's 31337 entry; every network names its paymaster and factory.
  addresses: { paymaster: "0x0000000000000000000000000000000000000a11", factory: "0x0000000000000000000000000000000000000fac" },
}).networks[0];
const registry = network.addresses.recordRegistry;
const recordId = `0x${"12".repeat(32)}` as const;

test("a grant to project P and its revocation are paid by P; the person's own calls by the app's project", () => {
  const grant = (grantee: `0x${string}`) =>
    encodeFunctionData({ abi: recordRegistryAbi, functionName: "grant", args: [recordId, grantee, 0, 2n ** 40n, 1n, "0x01"] });
  expect(payerOf(network, { to: registry, data: grant(projectGrantee(7n)) })).toBe(7n);
  expect(
    payerOf(network, { to: registry, data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "revoke", args: [recordId, projectGrantee(9n)] }) }),
  ).toBe(9n);
  expect(payerOf(network, { to: registry, data: grant(accountGrantee("0x000000000000000000000000000000000000dEaD")) })).toBe(1n);
  expect(payerOf(network, { to: registry, data: encodeFunctionData({ abi: recordRegistryAbi, functionName: "eraseRecord", args: [recordId] }) })).toBe(1n);
  // A call elsewhere, or calldata that is not a RecordRegistry call: the default payer.
  expect(payerOf(network, { to: network.addresses.projectRegistry, data: grant(projectGrantee(7n)) })).toBe(1n);
  expect(payerOf(network, { to: registry, data: "0xdeadbeef" })).toBe(1n);
});
