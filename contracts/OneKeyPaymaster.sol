// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BasePaymaster} from "@account-abstraction/contracts/core/BasePaymaster.sol";
import {IEntryPoint} from "@account-abstraction/contracts/interfaces/IEntryPoint.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {_packValidationData} from "@account-abstraction/contracts/core/Helpers.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IOneKeyPaymaster} from "./interfaces/IOneKeyPaymaster.sol";
import {IProjectRegistry} from "./interfaces/IProjectRegistry.sol";
import {IRecordRegistry} from "./interfaces/IRecordRegistry.sol";
import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {Roles, ZeroAddress} from "./libraries/Common.sol";

/// @title OneKeyPaymaster
/// @notice ERC-4337 (EntryPoint v0.8) verifying paymaster with per-project budgets.
/// @dev Reads ProjectRegistry during validation: allowed for a staked paymaster (ERC-7562 STO-033).
///      Ownership is held by the contract itself, so BasePaymaster's owner-only `withdrawTo` can
///      only move money through `withdrawFromProject`'s accounting; staking goes through
///      `addProtocolStake` and the stake manager.
contract OneKeyPaymaster is BasePaymaster, EIP712, IOneKeyPaymaster {
    bytes32 private constant SPONSORSHIP_TYPEHASH = keccak256(
        "Sponsorship(uint256 projectId,address sender,uint256 nonce,bytes32 initCodeHash,bytes32 callDataHash,bytes32 accountGasLimits,uint256 preVerificationGas,bytes32 gasFees,uint256 paymasterGasLimits,uint48 validUntil,uint48 validAfter)"
    );
    /// @inheritdoc IOneKeyPaymaster
    uint256 public constant POSTOP_OVERHEAD_GAS = 30_000;
    uint256 private constant SPONSOR_DATA_LENGTH = 32 + 6 + 6 + 65;

    IProjectRegistry public immutable projects;
    address public immutable recordRegistry;
    address public immutable attestationRegistry;
    address public immutable stakeManager;

    mapping(uint256 projectId => uint256 balance) private _balances;
    mapping(address target => mapping(bytes4 selector => bool allowed)) private _allowed;

    constructor(IEntryPoint entryPoint_, IProjectRegistry projects_, address recordRegistry_, address attestationRegistry_, address stakeManager_)
        BasePaymaster(entryPoint_)
        EIP712("OneKeyPaymaster", "1")
    {
        if (address(projects_) == address(0) || recordRegistry_ == address(0) || attestationRegistry_ == address(0)) {
            revert ZeroAddress();
        }
        projects = projects_;
        recordRegistry = recordRegistry_;
        attestationRegistry = attestationRegistry_;
        stakeManager = stakeManager_;
        _transferOwnership(address(this));
        // What a subject or reviewer does; project administration is not sponsored.
        _allow(recordRegistry_, IRecordRegistry.setEncryptionKey.selector);
        _allow(recordRegistry_, IRecordRegistry.registerRecord.selector);
        _allow(recordRegistry_, IRecordRegistry.rotateRecord.selector);
        _allow(recordRegistry_, IRecordRegistry.eraseRecord.selector);
        _allow(recordRegistry_, IRecordRegistry.grant.selector);
        _allow(recordRegistry_, IRecordRegistry.revoke.selector);
        _allow(recordRegistry_, IRecordRegistry.recordAuditAccess.selector);
        _allow(attestationRegistry_, IAttestationRegistry.attest.selector);
        _allow(attestationRegistry_, IAttestationRegistry.attestBatch.selector);
        _allow(attestationRegistry_, IAttestationRegistry.revoke.selector);
    }

    function _allow(address target, bytes4 selector) private {
        _allowed[target][selector] = true;
    }

    // --- budgets ----------------------------------------------------------------------------

    /// @inheritdoc IOneKeyPaymaster
    function fundProject(uint256 projectId) external payable {
        if (msg.value == 0) revert InvalidAmount(0);
        if (projectId == 0 || projectId > projects.projectCount()) revert UnknownProject(projectId);
        _balances[projectId] += msg.value;
        entryPoint.depositTo{value: msg.value}(address(this));
        emit ProjectFunded(projectId, msg.sender, msg.value);
    }

    /// @inheritdoc IOneKeyPaymaster
    function withdrawFromProject(uint256 projectId, address payable to, uint256 amount) external {
        if (!projects.hasRole(projectId, msg.sender, Roles.ADMIN)) revert NotProjectAdmin(projectId, msg.sender);
        if (to == address(0)) revert ZeroAddress();
        uint256 balance = _balances[projectId];
        if (amount == 0 || amount > balance) revert InvalidAmount(amount);
        _balances[projectId] = balance - amount;
        entryPoint.withdrawTo(to, amount);
        emit ProjectWithdrawn(projectId, to, amount);
    }

    /// @inheritdoc IOneKeyPaymaster
    function projectBalance(uint256 projectId) external view returns (uint256) {
        return _balances[projectId];
    }

    /// @notice Stakes the paymaster in EntryPoint (bundlers require it). Anyone may add stake.
    function addProtocolStake(uint32 unstakeDelaySec) external payable {
        this.addStake{value: msg.value}(unstakeDelaySec);
    }

    /// @notice Starts the stake's unlock. Stake manager only.
    function unlockProtocolStake() external {
        if (msg.sender != stakeManager) revert NotStakeManager(msg.sender);
        this.unlockStake();
    }

    /// @notice Withdraws the unlocked stake to the stake manager.
    function withdrawProtocolStake() external {
        if (msg.sender != stakeManager) revert NotStakeManager(msg.sender);
        this.withdrawStake(payable(stakeManager));
    }

    // --- ERC-4337 -----------------------------------------------------------------------------

    function _validatePaymasterUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash, uint256 maxCost)
        internal
        override
        returns (bytes memory context, uint256 validationData)
    {
        bytes calldata data = userOp.paymasterAndData[PAYMASTER_DATA_OFFSET:];
        if (data.length != SPONSOR_DATA_LENGTH) revert MalformedPaymasterData(userOp.paymasterAndData.length);
        uint256 projectId = uint256(bytes32(data[0:32]));
        uint48 validUntil = uint48(bytes6(data[32:38]));
        uint48 validAfter = uint48(bytes6(data[38:44]));

        if (!isSponsorable(userOp.callData)) revert CallNotSponsored(userOp.sender);

        bytes32 digest = _hashTypedDataV4(_structHash(userOp, projectId, validUntil, validAfter));
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, data[44:]);
        // A bad, foreign or non-SPONSOR signature (incl. a suspended project) fails validation
        // through the validation data; it never reverts.
        if (err != ECDSA.RecoverError.NoError || !projects.hasActiveRole(projectId, signer, Roles.SPONSOR)) {
            return ("", _packValidationData(true, validUntil, validAfter));
        }

        uint256 balance = _balances[projectId];
        if (balance < maxCost) revert ProjectBalanceTooLow(projectId, balance, maxCost);
        // Reserve the maximum now so operations in one bundle cannot overdraw; settle in postOp.
        _balances[projectId] = balance - maxCost;
        context = abi.encode(projectId, userOp.sender, userOpHash, maxCost);
        validationData = _packValidationData(false, validUntil, validAfter);
    }

    function _postOp(PostOpMode, bytes calldata context, uint256 actualGasCost, uint256 actualUserOpFeePerGas)
        internal
        override
    {
        (uint256 projectId, address sender, bytes32 userOpHash, uint256 reserved) =
            abi.decode(context, (uint256, address, bytes32, uint256));
        uint256 charged = actualGasCost + POSTOP_OVERHEAD_GAS * actualUserOpFeePerGas;
        // The reservation was maxCost, which bounds actualGasCost plus postOp's own gas limit;
        // never refund more than was reserved.
        if (charged > reserved) charged = reserved;
        _balances[projectId] += reserved - charged;
        emit UserOperationSponsored(userOpHash, projectId, sender, actualGasCost, charged);
    }

    /// @inheritdoc IOneKeyPaymaster
    function isSponsorable(bytes calldata callData) public view returns (bool) {
        if (callData.length == 0) return true; // deployment through initCode only
        if (callData.length < 4) return false;
        bytes4 selector = bytes4(callData[0:4]);
        if (selector == BaseAccount.execute.selector) {
            try this.decodeExecute(callData[4:]) returns (address target, uint256 value, bytes memory inner) {
                return value == 0 && _isAllowedCall(target, inner);
            } catch {
                return false;
            }
        }
        if (selector == BaseAccount.executeBatch.selector) {
            try this.decodeExecuteBatch(callData[4:]) returns (BaseAccount.Call[] memory calls) {
                if (calls.length == 0) return false;
                for (uint256 i; i < calls.length; ++i) {
                    if (calls[i].value != 0 || !_isAllowedCall(calls[i].target, calls[i].data)) return false;
                }
                return true;
            } catch {
                return false;
            }
        }
        return false;
    }

    /// @dev External so `isSponsorable` can catch a malformed encoding instead of reverting.
    function decodeExecute(bytes calldata args) external pure returns (address, uint256, bytes memory) {
        return abi.decode(args, (address, uint256, bytes));
    }

    /// @dev External so `isSponsorable` can catch a malformed encoding instead of reverting.
    function decodeExecuteBatch(bytes calldata args) external pure returns (BaseAccount.Call[] memory) {
        return abi.decode(args, (BaseAccount.Call[]));
    }

    function _isAllowedCall(address target, bytes memory inner) private view returns (bool) {
        if (inner.length < 4) return false;
        bytes4 selector;
        assembly ("memory-safe") {
            selector := mload(add(inner, 0x20))
        }
        return _allowed[target][selector];
    }

    /// @inheritdoc IOneKeyPaymaster
    function sponsorshipDigest(Sponsorship calldata s) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SPONSORSHIP_TYPEHASH, s)));
    }

    function _structHash(PackedUserOperation calldata op, uint256 projectId, uint48 validUntil, uint48 validAfter)
        private
        pure
        returns (bytes32)
    {
        uint256 paymasterGasLimits = uint256(bytes32(op.paymasterAndData[PAYMASTER_VALIDATION_GAS_OFFSET:PAYMASTER_DATA_OFFSET]));
        return keccak256(
            abi.encode(
                SPONSORSHIP_TYPEHASH,
                projectId,
                op.sender,
                op.nonce,
                keccak256(op.initCode),
                keccak256(op.callData),
                op.accountGasLimits,
                op.preVerificationGas,
                op.gasFees,
                paymasterGasLimits,
                validUntil,
                validAfter
            )
        );
    }

    /// @inheritdoc IOneKeyPaymaster
    function version() external pure returns (string memory) {
        return "1.0.0";
    }
}
