import { createRequire } from "node:module";
import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

// solc comes from the `solc` npm package so builds never download a compiler.
// The compiler version is the package's version (see docs/decisions.md).
const require = createRequire(import.meta.url);
const SOLC_PATH = require.resolve("solc/soljson.js");
const SOLC_VERSION: string = require("solc/package.json").version;

const compiler = {
  version: SOLC_VERSION,
  path: SOLC_PATH,
  settings: {
    // @account-abstraction/contracts 0.8 uses transient storage.
    evmVersion: "cancun",
    optimizer: { enabled: true, runs: 10_000 },
  },
};

const LOCAL_RPC_URL = process.env.ONEKEY_RPC_URL ?? "http://127.0.0.1:8545";

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: { ...compiler },
      // `ignition deploy` builds with this profile; isolated builds are 3x slower here.
      production: { ...compiler, isolated: false },
    },
    npmFilesToBuild: [
      "@account-abstraction/contracts/core/EntryPoint.sol",
      "@account-abstraction/contracts/accounts/SimpleAccountFactory.sol",
      "@account-abstraction/contracts/accounts/SimpleAccount.sol",
    ],
  },
  test: {
    solidity: {
      fuzz: { runs: process.env.CI ? 5_000 : 256 },
      invariant: { runs: process.env.CI ? 256 : 32, depth: 32, failOnRevert: false },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: LOCAL_RPC_URL,
    },
    baseSepolia: {
      type: "http",
      chainType: "op",
      chainId: 84532,
      url: configVariable("BASE_SEPOLIA_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
    base: {
      type: "http",
      chainType: "op",
      chainId: 8453,
      url: configVariable("BASE_RPC_URL"),
      accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
    },
  },
});
