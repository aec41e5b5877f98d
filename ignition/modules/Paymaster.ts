import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import OneKey from "./OneKey.ts";

/**
 * The verifying paymaster, wired to the OneKey registries and an EntryPoint v0.8 (the canonical
 * 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108 on Base and Base Sepolia; parameters per network).
 */
export default buildModule("OneKeyPaymaster", (m) => {
  const { projectRegistry, recordRegistry, attestationRegistry } = m.useModule(OneKey);
  const entryPoint = m.getParameter("entryPoint", "0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108");
  const stakeManager = m.getParameter("stakeManager", m.getAccount(0));
  const paymaster = m.contract("OneKeyPaymaster", [entryPoint, projectRegistry, recordRegistry, attestationRegistry, stakeManager]);
  return { paymaster, projectRegistry, recordRegistry, attestationRegistry };
});
