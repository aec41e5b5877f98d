import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import OneKey from "./OneKey.ts";

/**
 * The opt-in EAS mirror (docs/decisions.md), wired to the OneKey AttestationRegistry and EAS: the
 * OP-stack predeploy 0x4200000000000000000000000000000000000021 on Base and Base Sepolia (its
 * SchemaRegistry, 0x…0020, is read from EAS). Elsewhere pass `eas` as a parameter. Deploying it
 * registers the OneKey schema once per chain.
 */
export default buildModule("OneKeyEASMirror", (m) => {
  const { attestationRegistry } = m.useModule(OneKey);
  const eas = m.getParameter("eas", "0x4200000000000000000000000000000000000021");
  const easMirror = m.contract("EASMirror", [eas, attestationRegistry]);
  return { easMirror, attestationRegistry };
});
