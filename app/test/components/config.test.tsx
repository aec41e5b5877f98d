import { render, screen, fireEvent } from "@testing-library/react";
import { expect, test } from "vitest";
import { ConfigError, InvalidChainIdError, NetworkAddressesMissingError, parseConfig } from "../../src/shell/config.ts";
import { ErrorView } from "../../src/shell/Layout.tsx";
import { AppError, toPlainError } from "../../src/shell/errors.ts";

const network = {
  chainId: 31337,
  rpcUrl: "http://127.0.0.1:1",
  bundlerUrl: "http://127.0.0.1:2",
  sponsorUrl: "http://127.0.0.1:3",
  indexerUrl: "http://127.0.0.1:4/",
  storageUrls: ["http://127.0.0.1:5"],
  sponsor: { projectId: "7", ticketUrl: "http://127.0.0.1:6/ticket" },
  addresses: {
    projectRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    recordRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    attestationRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    paymaster: "0x0000000000000000000000000000000000000a11",
    factory: "0x0000000000000000000000000000000000000fac",
  },
};

test("parseConfig reads one network, trims URLs and keeps the sponsor project as a bigint", () => {
  const c = parseConfig(network);
  expect(c.defaultChainId).toBe(31337);
  expect(c.networks[0].indexerUrl).toBe("http://127.0.0.1:4");
  expect(c.networks[0].sponsor.projectId).toBe(7n);
});

test("parseConfig takes registry addresses from @onekey/sdk for a chain it records", () => {
  const { projectRegistry: _p, recordRegistry: _r, attestationRegistry: _a, ...onlyAa } = network.addresses;
  expect(parseConfig({ ...network, addresses: onlyAa }).networks[0].addresses.recordRegistry).toBe(network.addresses.recordRegistry);
});

test("parseConfig: log scans start at block 0 on the local chain only, elsewhere where config.json says", () => {
  expect(parseConfig(network).networks[0].fromBlock).toBe(0n);
  expect(parseConfig({ ...network, fromBlock: "123456" }).networks[0].fromBlock).toBe(123456n);
  // A public RPC refuses a scan from block 0: no default there, so a rotation says FromBlockRequiredError.
  expect(parseConfig({ ...network, chainId: 8453 }).networks[0].fromBlock).toBeUndefined();
  expect(parseConfig({ ...network, chainId: 8453, fromBlock: 40_000_000 }).networks[0].fromBlock).toBe(40_000_000n);
  expect(() => parseConfig({ ...network, fromBlock: "-1" })).toThrow(/fromBlock is not a block number/);
  expect(() => parseConfig({ ...network, fromBlock: 1.5 })).toThrow(/fromBlock/);
});

test("parseConfig refuses bad files in plain words", () => {
  expect(() => parseConfig(null)).toThrow(ConfigError);
  expect(() => parseConfig({ ...network, rpcUrl: "ftp://x" })).toThrow(/rpcUrl is not an http\(s\) URL/);
  expect(() => parseConfig({ ...network, chainId: 999, addresses: undefined })).toThrow(/projectRegistry/);
  expect(() => parseConfig({ ...network, sponsor: { projectId: "x", ticketUrl: "http://a" } })).toThrow(/sponsor.projectId/);
  expect(() => parseConfig({ networks: [network], defaultChainId: 1 })).toThrow(/defaultChainId/);
  // Dev keys are offered on the local chain only.
  expect(parseConfig({ ...network, chainId: 8453, devAccounts: [`0x${"1".repeat(64)}`] }).networks[0].devAccounts).toBeUndefined();
});

test("parseConfig: storage is arweave unless config.json says irys, and an irys entry is checked", () => {
  expect(parseConfig(network).networks[0].storage).toEqual({ kind: "arweave" });
  const sponsor = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  const irys = parseConfig({
    ...network,
    storage: { kind: "irys", bundlerUrl: "https://uploader.irys.xyz/", paidBy: sponsor.toLowerCase(), approvalUrl: "https://org.example/irys-approval" },
  }).networks[0].storage;
  expect(irys).toEqual({
    kind: "irys",
    bundlerUrl: "https://uploader.irys.xyz",
    token: "base-eth",
    paidBy: sponsor,
    approvalUrl: "https://org.example/irys-approval",
  });
  expect(() => parseConfig({ ...network, storage: { kind: "ipfs" } })).toThrow(/storage.kind is not "irys" or "arweave"/);
  expect(() => parseConfig({ ...network, storage: { kind: "irys" } })).toThrow(/storage.bundlerUrl is missing/);
  expect(() => parseConfig({ ...network, storage: { kind: "irys", bundlerUrl: "javascript:alert(1)" } })).toThrow(/storage.bundlerUrl is not an http\(s\) URL/);
  expect(() => parseConfig({ ...network, storage: { kind: "irys", bundlerUrl: "https://b", paidBy: "0x123" } })).toThrow(/storage.paidBy is not an address/);
  expect(() => parseConfig({ ...network, storage: { kind: "irys", bundlerUrl: "https://b", token: "../eth" } })).toThrow(/storage.token/);
  expect(() => parseConfig({ ...network, storage: "irys" })).toThrow(/storage is not an object/);
});

test("storageFor uploads through Irys when the network says so, through an Arweave gateway otherwise", async () => {
  const { storageFor } = await import("../../src/shell/storage.ts");
  const irys = parseConfig({ ...network, chainId: 84532, fromBlock: 1, storage: { kind: "irys", bundlerUrl: "http://127.0.0.1:7" } }).networks[0];
  expect((await storageFor(irys)).name).toBe("irys(http://127.0.0.1:7)");
  expect((await storageFor(parseConfig(network).networks[0])).name).toBe("arweave(http://127.0.0.1:5)");
}, 30_000);

test("errors read as plain words with the detail folded away", () => {
  const rejected = Object.assign(new Error("User rejected the request."), { name: "UserRejectedRequestError" });
  expect(toPlainError(rejected).title).toBe("Your wallet declined the request.");
  expect(toPlainError(Object.assign(new Error("x"), { name: "StorageUploadError" })).title).toMatch(/storage service/);
  // The app's own message survives being wrapped by an SDK error.
  const wrapped = new Error("RecordRegistry.grant failed", { cause: new AppError("The project refused.", "Later.") });
  expect(toPlainError(wrapped)).toMatchObject({ title: "The project refused.", hint: "Later." });
  render(<ErrorView error={rejected} onRetry={() => {}} />);
  expect(screen.getByRole("alert").textContent).toContain("Your wallet declined");
  expect(screen.queryByText(/UserRejectedRequestError/)).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Details" }));
  expect(screen.getByText(/UserRejectedRequestError/)).toBeTruthy();
});

// What an operator writes for Base Sepolia and Base (docs/deploy.md): @onekey/sdk records no
// deployment there yet, so the file names every address; the URLs are the operator's own.
const baseSepolia = {
  ...network,
  chainId: 84532,
  name: undefined,
  fromBlock: "18000000",
  addresses: {
    projectRegistry: "0x1000000000000000000000000000000000000001",
    recordRegistry: "0x1000000000000000000000000000000000000002",
    attestationRegistry: "0x1000000000000000000000000000000000000003",
    paymaster: "0x1000000000000000000000000000000000000004",
    factory: "0x1000000000000000000000000000000000000005",
  },
};
const base = { ...baseSepolia, chainId: 8453, fromBlock: "30000000" };

test("Base Sepolia and Base entries from an operator's file: good, named, chosen by defaultChainId", () => {
  const c = parseConfig({ networks: [network, baseSepolia, base], defaultChainId: 84532 });
  expect(c.networks.map((n) => [n.chainId, n.name])).toEqual([
    [31337, "Local chain"],
    [84532, "Base Sepolia"],
    [8453, "Base"],
  ]);
  expect(c.defaultChainId).toBe(84532);
  expect(c.networks[1].addresses.factory).toBe(baseSepolia.addresses.factory);
  expect(c.networks[2].fromBlock).toBe(30_000_000n);
  // An entry's own name wins.
  expect(parseConfig({ ...base, name: "Base (ours)" }).networks[0].name).toBe("Base (ours)");
});

test("a Base Sepolia or Base entry whose addresses are missing is refused by name, listing them all", () => {
  for (const entry of [baseSepolia, base]) {
    const { factory: _f, paymaster: _p, ...partial } = entry.addresses;
    const error = (() => {
      try {
        parseConfig({ ...entry, addresses: partial });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NetworkAddressesMissingError);
    expect((error as NetworkAddressesMissingError).missing).toEqual(["paymaster", "factory"]);
    expect((error as Error).message).toMatch(new RegExp(`network ${entry.chainId} \\(Base( Sepolia)?\\) lacks addresses.paymaster, addresses.factory`));
    expect(() => parseConfig({ ...entry, addresses: undefined })).toThrow(NetworkAddressesMissingError);
    expect(() => parseConfig({ ...entry, addresses: "0x1" })).toThrow(/projectRegistry, addresses.recordRegistry/);
    // Present but not an address is a different mistake, said differently.
    expect(() => parseConfig({ ...entry, addresses: { ...entry.addresses, factory: "0x123" } })).toThrow(/addresses.factory is not an address/);
  }
});

test("a Base entry missing a URL the SDK cannot know is refused in plain words", () => {
  for (const key of ["bundlerUrl", "sponsorUrl", "indexerUrl", "rpcUrl"] as const) {
    const { [key]: _, ...rest } = base;
    expect(() => parseConfig(rest), key).toThrow(new RegExp(`network 8453: ${key} is missing`));
  }
  expect(() => parseConfig({ ...base, sponsor: { projectId: "1" } })).toThrow(/sponsor.ticketUrl is missing/);
  expect(() => parseConfig({ ...base, storageUrls: [] })).toThrow(/storageUrls is empty/);
});

test("a wrong chain id: not a number, negative, fractional, listed twice, or a default that is not listed", () => {
  for (const chainId of ["84532x", "0x14a34", -8453, 0, 84532.5, "", null, 2 ** 60])
    expect(() => parseConfig({ ...baseSepolia, chainId }), String(chainId)).toThrow(InvalidChainIdError);
  expect(() => parseConfig({ networks: [baseSepolia, { ...baseSepolia }] })).toThrow(/chain 84532 is listed twice/);
  expect(() => parseConfig({ networks: [baseSepolia, base], defaultChainId: 1 })).toThrow(/defaultChainId 1 is not one of its networks/);
  // A chain the SDK does not know, without addresses: the same named refusal as a Base entry.
  expect(() => parseConfig({ ...baseSepolia, chainId: 84531, addresses: {} })).toThrow(NetworkAddressesMissingError);
  expect(() => parseConfig({ networks: [] })).toThrow(/networks is empty/);
});
