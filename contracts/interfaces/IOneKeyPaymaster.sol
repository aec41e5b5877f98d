// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OneKey verifying paymaster
/// @notice Sponsors gas for OneKey registry calls, per project: a project's SPONSOR signs an
///         EIP-712 sponsorship for one user operation, and the gas is charged to that project's
///         budget inside the paymaster.
/// @dev paymasterAndData = paymaster (20) | validation gas (16) | postOp gas (16) |
///      projectId (32) | validUntil (6) | validAfter (6) | signature (65).
///      The signed `Sponsorship` binds the chain and paymaster (EIP-712 domain), the project, and
///      every user-operation field except the signatures, so it cannot be replayed or re-priced.
///
///      Validation outcomes: a bad, foreign or non-SPONSOR signature (a suspended project has no
///      active SPONSOR) returns SIG_VALIDATION_FAILED and the window is packed into the
///      validation data, so those never revert. What validation data cannot express - malformed
///      paymaster data, a call outside the allow-list, a postOp gas limit too low to settle, a
///      budget that cannot cover maxCost - reverts with the named error below (EntryPoint
///      reports it as AA33).
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
    /// @param actualGasCost What EntryPoint passed to postOp (wei; excludes postOp itself).
    /// @param charged What the project paid: `chargeOf(actualGasCost, fee per gas, postOp gas limit)`.
    event UserOperationSponsored(
        bytes32 indexed userOpHash, uint256 indexed projectId, address indexed sender, uint256 actualGasCost, uint256 charged
    );

    /// @notice paymasterAndData does not have the sponsorship layout.
    error MalformedPaymasterData(uint256 length);
    /// @notice The user operation calls something other than the allowed OneKey functions.
    error CallNotSponsored(address sender);
    /// @notice The postOp gas limit cannot cover settlement (postOp would run out of gas).
    error PostOpGasLimitTooLow(uint256 limit, uint256 minimum);
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

    /// @notice Withdraws from the project's budget to `to`. ADMIN of the project only (also while
    ///         the project is suspended, so a suspended project can recover its money).
    function withdrawFromProject(uint256 projectId, address payable to, uint256 amount) external;

    /// @notice The project's remaining budget (wei). During a bundle it excludes the maximum cost
    ///         reserved for the project's operations still in flight.
    function projectBalance(uint256 projectId) external view returns (uint256);

    /// @notice Whether SimpleAccount call data would be sponsored: the canonical ABI encoding of
    ///         `execute` or `executeBatch` (1 to MAX_BATCH_CALLS calls) with zero value into an
    ///         allowed (registry, function) pair, or empty call data (account deployment only).
    ///         Never reverts.
    function isSponsorable(bytes calldata callData) external view returns (bool);

    /// @notice Whether `selector` on `target` is on the allow-list.
    function isAllowedCall(address target, bytes4 selector) external view returns (bool);

    /// @notice What a project is charged for an operation, given what EntryPoint passes to postOp.
    /// @dev `actualGasCost + (POSTOP_OVERHEAD_GAS + penalty) × feePerGas`, where penalty is
    ///      EntryPoint's 10% charge on unused postOp gas, counted as if postOp used exactly
    ///      POSTOP_OVERHEAD_GAS: `(postOpGasLimit - POSTOP_OVERHEAD_GAS) / 10` when that unused part
    ///      exceeds 40,000, else 0. Since postOp uses less than POSTOP_OVERHEAD_GAS, the charge is
    ///      never below what EntryPoint takes from the paymaster's deposit.
    function chargeOf(uint256 actualGasCost, uint256 feePerGas, uint256 postOpGasLimit) external pure returns (uint256);

    /// @notice The EIP-712 digest a SPONSOR signs.
    function sponsorshipDigest(Sponsorship calldata s) external view returns (bytes32);

    /// @notice Gas charged for postOp itself (EntryPoint's actualGasCost excludes it); also the
    ///         minimum postOp gas limit a sponsored operation must carry.
    function POSTOP_OVERHEAD_GAS() external view returns (uint256);

    /// @notice Most calls one sponsored `executeBatch` may carry.
    function MAX_BATCH_CALLS() external view returns (uint256);

    /// @notice Contract version.
    function version() external pure returns (string memory);
}
