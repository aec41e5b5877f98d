import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** The three OneKey registries. Immutable contracts: a new version is a new deployment. */
export default buildModule("OneKey", (m) => {
  const projectRegistry = m.contract("ProjectRegistry");
  const recordRegistry = m.contract("RecordRegistry", [projectRegistry]);
  const attestationRegistry = m.contract("AttestationRegistry", [projectRegistry]);
  return { projectRegistry, recordRegistry, attestationRegistry };
});
