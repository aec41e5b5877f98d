// Deploys with Ignition to a real anvil on a free port, as the local stack and live networks do,
// and checks the result against the addresses the SDK exports for chain 31337.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, http } from "viem";
import { startAnvil, type Anvil } from "../scripts/lib/anvil.ts";
import { deployWithIgnition, writeSdkDeployment, type DeployedAddresses } from "../scripts/deploy.ts";
import { getAddresses, UnknownChainError } from "@onekey/sdk/addresses";
import { projectRegistryAbi, recordRegistryAbi, attestationRegistryAbi } from "@onekey/sdk/abis";

describe("Ignition deploy to a local node", () => {
  let anvil: Anvil;
  let deployed: DeployedAddresses;
  const deploymentId = `test-${process.pid}`;
  before(async () => {
    anvil = await startAnvil();
  });
  after(async () => {
    await anvil?.stop();
    rmSync(new URL(`../ignition/deployments/${deploymentId}`, import.meta.url), { recursive: true, force: true });
  });

  it("deploys the three registries, wired together, at the SDK's 31337 addresses", async () => {
    deployed = await deployWithIgnition({ network: "localhost", rpcUrl: anvil.rpcUrl, deploymentId, onOutput: () => {} });
    assert.equal(deployed.chainId, 31337, "chain id as the node reported it");
    const sdk = getAddresses(31337);
    assert.equal(deployed.projectRegistry, sdk.projectRegistry);
    assert.equal(deployed.recordRegistry, sdk.recordRegistry);
    assert.equal(deployed.attestationRegistry, sdk.attestationRegistry);
    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    assert.equal(await client.readContract({ address: sdk.projectRegistry, abi: projectRegistryAbi, functionName: "version" }), "1.0.0");
    const wiredR = await client.readContract({ address: sdk.recordRegistry, abi: recordRegistryAbi, functionName: "projectRegistry" });
    const wiredA = await client.readContract({ address: sdk.attestationRegistry, abi: attestationRegistryAbi, functionName: "projectRegistry" });
    assert.equal(wiredR, sdk.projectRegistry);
    assert.equal(wiredA, sdk.projectRegistry);
  });

  it("records the deployment for the SDK, keeping other chains and other keys of the chain", () => {
    const dir = mkdtempSync(join(tmpdir(), "onekey-deploy-"));
    try {
      const file = join(dir, "deployments.json");
      const paymaster = "0x00000000000000000000000000000000000000aa";
      writeFileSync(file, JSON.stringify({ "8453": { projectRegistry: paymaster }, "31337": { paymaster } }));
      writeSdkDeployment(deployed, file);
      const { chainId, ...addresses } = deployed;
      assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), {
        "8453": { projectRegistry: paymaster },
        [String(chainId)]: { paymaster, ...addresses },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the SDK refuses unknown chains unless every address is given", () => {
    assert.throws(() => getAddresses(999), UnknownChainError);
    const a = getAddresses(999, {
      projectRegistry: "0x0000000000000000000000000000000000000001",
      recordRegistry: "0x0000000000000000000000000000000000000002",
      attestationRegistry: "0x0000000000000000000000000000000000000003",
    });
    assert.equal(a.recordRegistry, "0x0000000000000000000000000000000000000002");
  });
});
