import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ENTRY_POINT_V08 } from "@onekey/sdk/constants";
import OneKey from "./OneKey.ts";

/**
 * The verifying paymaster, wired to the OneKey registries and an EntryPoint v0.8 (by default the
 * canonical one, the same address on Base, Base Sepolia and local chains; parameters per network).
 */
export default buildModule("OneKeyPaymaster", (m) => {
  const { projectRegistry, recordRegistry, attestationRegistry } = m.useModule(OneKey);
  const entryPoint = m.getParameter<string>("entryPoint", ENTRY_POINT_V08);
  const stakeManager = m.getParameter("stakeManager", m.getAccount(0));
  const paymaster = m.contract("OneKeyPaymaster", [entryPoint, projectRegistry, recordRegistry, attestationRegistry, stakeManager]);
  return { paymaster, projectRegistry, recordRegistry, attestationRegistry };
});
