// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OneKey verifying paymaster
/// @notice Sponsors gas for OneKey registry calls, per project: a project's SPONSOR signs an
///         EIP-712 sponsorship for one user operation, and the gas is charged to that project's
///         deposit inside the paymaster.
/// @dev paymasterAndData = paymaster (20) | validation gas (16) | postOp gas (16) |
///      projectId (32) | validUntil (6) | validAfter (6) | signature (65).
///      The signed `Sponsorship` binds the chain and paymaster (EIP-712 domain), the project, and
///      every user-operation field except the signatures, so it cannot be replayed or re-priced.
interface IOneKeyPaymaster {
    /// @notice The EIP-712 struct a SPONSOR signs.
    struct Sponsorship {
        uint256 projectId;
        address sender;
        uint256 nonce;
        bytes32 initCodeHash;
        bytes32 callDataHash;
        bytes32 accountGasLimits;
        uint256 preVerificationGas;
        bytes32 gasFees;
        uint256 paymasterGasLimits;
        uint48 validUntil;
        uint48 validAfter;
    }

    /// @notice Emitted when someone adds to a project's gas budget.
    event ProjectFunded(uint256 indexed projectId, address indexed from, uint256 amount);
    /// @notice Emitted when a project's ADMIN withdraws from its budget.
    event ProjectWithdrawn(uint256 indexed projectId, address indexed to, uint256 amount);
    /// @notice Emitted in postOp for every sponsored user operation.
    /// @param actualGasCost What EntryPoint reported to postOp (wei).
    /// @param charged What the project paid: actualGasCost + POSTOP_OVERHEAD_GAS × fee per gas.
    event UserOperationSponsored(
        bytes32 indexed userOpHash, uint256 indexed projectId, address indexed sender, uint256 actualGasCost, uint256 charged
    );

    /// @notice paymasterAndData is too short to hold a sponsorship.
    error MalformedPaymasterData(uint256 length);
    /// @notice The user operation calls something other than the allowed OneKey functions.
    error CallNotSponsored(address sender);
    /// @notice The project's budget cannot cover the operation's maximum cost.
    error ProjectBalanceTooLow(uint256 projectId, uint256 balance, uint256 maxCost);
    /// @notice The caller is not an ADMIN of the project.
    error NotProjectAdmin(uint256 projectId, address caller);
    /// @notice Funding needs a non-zero amount; withdrawal cannot exceed the balance.
    error InvalidAmount(uint256 amount);
    /// @notice The project does not exist.
    error UnknownProject(uint256 projectId);
    /// @notice Only the stake manager may do this.
    error NotStakeManager(address caller);

    /// @notice Adds msg.value to the project's gas budget (deposited in EntryPoint). Anyone may fund.
    function fundProject(uint256 projectId) external payable;

    /// @notice Withdraws from the project's budget. ADMIN of the project only.
    function withdrawFromProject(uint256 projectId, address payable to, uint256 amount) external;

    /// @notice The project's remaining budget (wei).
    function projectBalance(uint256 projectId) external view returns (uint256);

    /// @notice Whether a SimpleAccount call would be sponsored: `execute`/`executeBatch` with zero
    ///         value into an allowed (target, selector), or empty call data (deployment only).
    function isSponsorable(bytes calldata callData) external view returns (bool);

    /// @notice The EIP-712 digest a SPONSOR signs.
    function sponsorshipDigest(Sponsorship calldata s) external view returns (bytes32);

    /// @notice Gas added to every charge to cover postOp itself (not included in actualGasCost).
    function POSTOP_OVERHEAD_GAS() external view returns (uint256);

    /// @notice Contract version.
    function version() external pure returns (string memory);
}
