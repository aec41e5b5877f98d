// The paymaster's ABI from the SDK once scripts/gen-abis.ts emits it; until then the three event
// fragments the paymaster's interface (contracts/interfaces/IOneKeyPaymaster.sol) declares, so the
// sponsorship tables and handlers are wired and typed today. Drop the fallback when the SDK has it.
import * as abis from "@onekey/sdk/abis";
import { parseAbi } from "viem";

const paymasterEvents = parseAbi([
  "event ProjectFunded(uint256 indexed projectId, address indexed from, uint256 amount)",
  "event ProjectWithdrawn(uint256 indexed projectId, address indexed to, uint256 amount)",
  "event UserOperationSponsored(bytes32 indexed userOpHash, uint256 indexed projectId, address indexed sender, uint256 actualGasCost, uint256 charged)",
]);

const generated = abis as Record<string, unknown>;

export const paymasterAbi = (generated.oneKeyPaymasterAbi ?? generated.onekeyPaymasterAbi ?? paymasterEvents) as typeof paymasterEvents;

/** Whether the ABI came from the SDK (true) or from the fallback fragments (false). */
export const paymasterAbiFromSdk = paymasterAbi !== paymasterEvents;
