// EAS (SchemaRegistry + EAS) deployed on the test network from the npm package's shipped
// artifacts: the same contracts as the Base predeploys (0x4200…0020 / 0x4200…0021). They are not
// compiled here (their pragma is 0.8.29; we compile with 0.8.28).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { getAddress, type Abi, type Address, type Hex } from "viem";
import type { Fixture } from "./fixture.ts";

const require = createRequire(import.meta.url);
export const easArtifact = (name: "EAS" | "SchemaRegistry"): { abi: Abi; bytecode: Hex } =>
  JSON.parse(readFileSync(require.resolve(`@ethereum-attestation-service/eas-contracts/artifacts/contracts/${name}.sol/${name}.json`), "utf8"));

export async function deployEAS(f: Fixture): Promise<{ eas: Address; schemaRegistry: Address; easAbi: Abi; schemaRegistryAbi: Abi }> {
  const deploy = async (art: { abi: Abi; bytecode: Hex }, args: unknown[] = []) => {
    const hash = await f.deployer.deployContract({ abi: art.abi, bytecode: art.bytecode, args, account: f.deployer.account });
    return getAddress((await f.publicClient.waitForTransactionReceipt({ hash })).contractAddress!);
  };
  const registry = easArtifact("SchemaRegistry");
  const easArt = easArtifact("EAS");
  const schemaRegistry = await deploy(registry);
  const eas = await deploy(easArt, [schemaRegistry]);
  return { eas, schemaRegistry, easAbi: easArt.abi, schemaRegistryAbi: registry.abi };
}
