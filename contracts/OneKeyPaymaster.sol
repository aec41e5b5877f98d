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
    /// @dev EntryPoint measures ~5.6k gas around this postOp; the charge formula needs 4,445 more
    ///      (test/paymaster asserts both). The margin keeps the charge above the deposit EntryPoint
    ///      takes, penalty included.
    uint256 public constant POSTOP_OVERHEAD_GAS = 12_000;
    /// @inheritdoc IOneKeyPaymaster
    uint256 public constant MAX_BATCH_CALLS = 16;
    // EntryPoint v0.8 charges 10% of ALL unused postOp gas once more than this is unused (the same rule
    // on unused call gas is already inside the actualGasCost postOp receives).
    uint256 private constant PENALTY_THRESHOLD = 40_000;
    // Where paymasterAndData's fields start: projectId (32) | validUntil (6) | validAfter (6) | signature (65).
    uint256 private constant VALID_UNTIL_OFFSET = PAYMASTER_DATA_OFFSET + 32;
    uint256 private constant VALID_AFTER_OFFSET = VALID_UNTIL_OFFSET + 6;
    uint256 private constant SIGNATURE_OFFSET = VALID_AFTER_OFFSET + 6;

    IProjectRegistry public immutable projects;
    address public immutable recordRegistry;
    address public immutable attestationRegistry;
    address public immutable stakeManager;

    mapping(uint256 projectId => uint256 balance) private _balances;

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
        bytes calldata pmd = userOp.paymasterAndData;
        if (pmd.length != SIGNATURE_OFFSET + 65) revert MalformedPaymasterData(pmd.length);
        // Fixed offsets below are read in place: the length was just checked.
        uint256 postOpGasLimit = _word(pmd, PAYMASTER_POSTOP_GAS_OFFSET) >> 128;
        // A postOp that runs out of gas would leave the whole reservation charged; refuse instead.
        if (postOpGasLimit < POSTOP_OVERHEAD_GAS) revert PostOpGasLimitTooLow(postOpGasLimit, POSTOP_OVERHEAD_GAS);
        if (!isSponsorable(userOp.callData)) revert CallNotSponsored(userOp.sender);

        uint256 projectId = _word(pmd, PAYMASTER_DATA_OFFSET);
        uint48 validUntil = uint48(_word(pmd, VALID_UNTIL_OFFSET) >> 208);
        uint48 validAfter = uint48(_word(pmd, VALID_AFTER_OFFSET) >> 208);
        // A bad, foreign or non-SPONSOR signature (incl. a suspended project) fails validation
        // through the validation data; it never reverts.
        if (!_signedBySponsor(userOp, pmd, projectId)) {
            return ("", _packValidationData(true, validUntil, validAfter));
        }

        uint256 balance = _balances[projectId];
        if (balance < maxCost) revert ProjectBalanceTooLow(projectId, balance, maxCost);
        // Reserve the maximum now so operations in one bundle cannot overdraw; settle in postOp.
        // unchecked: balance >= maxCost was just checked.
        unchecked {
            _balances[projectId] = balance - maxCost;
        }
        context = abi.encode(projectId, userOp.sender, userOpHash, maxCost, postOpGasLimit);
        validationData = _packValidationData(false, validUntil, validAfter);
    }

    function _postOp(PostOpMode, bytes calldata context, uint256 actualGasCost, uint256 actualUserOpFeePerGas)
        internal
        override
    {
        // context is what validation encoded: five words, read in place.
        uint256 projectId = _word(context, 0);
        uint256 reserved = _word(context, 0x60);
        uint256 charged = chargeOf(actualGasCost, actualUserOpFeePerGas, _word(context, 0x80));
        // maxCost counts every gas limit at maxFeePerGas, which bounds the charge; the cap only
        // guards the refund below against underflow.
        if (charged > reserved) charged = reserved;
        _balances[projectId] += reserved - charged;
        emit UserOperationSponsored(bytes32(_word(context, 0x40)), projectId, address(uint160(_word(context, 0x20))), actualGasCost, charged);
    }

    /// @inheritdoc IOneKeyPaymaster
    function chargeOf(uint256 actualGasCost, uint256 feePerGas, uint256 postOpGasLimit) public pure returns (uint256) {
        uint256 gas = POSTOP_OVERHEAD_GAS;
        if (postOpGasLimit > POSTOP_OVERHEAD_GAS + PENALTY_THRESHOLD) gas += (postOpGasLimit - POSTOP_OVERHEAD_GAS) / 10;
        return actualGasCost + gas * feePerGas;
    }

    // The signature (r | s | v, read in place) recovers to an active SPONSOR of the project.
    function _signedBySponsor(PackedUserOperation calldata op, bytes calldata pmd, uint256 projectId) private view returns (bool) {
        bytes32 digest = _hashTypedDataV4(_structHash(op, pmd));
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(
            digest,
            uint8(_word(pmd, SIGNATURE_OFFSET + 64) >> 248),
            bytes32(_word(pmd, SIGNATURE_OFFSET)),
            bytes32(_word(pmd, SIGNATURE_OFFSET + 32))
        );
        return err == ECDSA.RecoverError.NoError && projects.hasActiveRole(projectId, signer, Roles.SPONSOR);
    }

    // Every field of the operation but its signature, plus projectId and the window as carried in
    // paymasterAndData.
    function _structHash(PackedUserOperation calldata op, bytes calldata pmd) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                SPONSORSHIP_TYPEHASH,
                _word(pmd, PAYMASTER_DATA_OFFSET),
                op.sender,
                op.nonce,
                keccak256(op.initCode),
                keccak256(op.callData),
                op.accountGasLimits,
                op.preVerificationGas,
                op.gasFees,
                _word(pmd, PAYMASTER_VALIDATION_GAS_OFFSET),
                _word(pmd, VALID_UNTIL_OFFSET) >> 208,
                _word(pmd, VALID_AFTER_OFFSET) >> 208
            )
        );
    }

    /// @inheritdoc IOneKeyPaymaster
    function sponsorshipDigest(Sponsorship calldata s) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SPONSORSHIP_TYPEHASH, s)));
    }

    // --- call allow-list ------------------------------------------------------------------------
    //
    // Call data is accepted only in its canonical ABI encoding (every offset where the encoder puts
    // it, no trailing bytes), so the account's decoder cannot read a different call than the one
    // checked here.

    /// @inheritdoc IOneKeyPaymaster
    function isSponsorable(bytes calldata callData) public view returns (bool) {
        if (callData.length == 0) return true; // deployment through initCode only
        if (callData.length < 4) return false;
        bytes4 selector = bytes4(callData[0:4]);
        if (selector == BaseAccount.execute.selector) return _isSponsorableExecute(callData[4:]);
        if (selector == BaseAccount.executeBatch.selector) return _isSponsorableBatch(callData[4:]);
        return false;
    }

    // execute(address target, uint256 value, bytes data): one call tuple filling the arguments.
    function _isSponsorableExecute(bytes calldata args) private view returns (bool) {
        (bool allowed, uint256 end) = _allowedCallAt(args, 0);
        return allowed && end == args.length;
    }

    // executeBatch(Call[] calls): offset 0x20, length n, n offsets (relative to the word after the
    // length), then the n call tuples back to back.
    function _isSponsorableBatch(bytes calldata args) private view returns (bool) {
        if (args.length < 0x40 || _word(args, 0) != 0x20) return false;
        uint256 n = _word(args, 0x20);
        if (n == 0 || n > MAX_BATCH_CALLS) return false;
        // unchecked: n <= MAX_BATCH_CALLS, and every position is below args.length (calldata, far
        // below 2^64) plus a few words, so nothing here can overflow.
        unchecked {
            uint256 base = 0x40;
            uint256 next = n * 0x20;
            if (args.length < base + next) return false;
            for (uint256 i; i < n; ++i) {
                if (_word(args, base + i * 0x20) != next) return false;
                (bool allowed, uint256 end) = _allowedCallAt(args, base + next);
                if (!allowed) return false;
                next = end - base;
            }
            return base + next == args.length;
        }
    }

    // A (target, value, bytes data) tuple at `at`: zero value, data at offset 0x60 holding at
    // least a selector, and an allowed (target, selector). Returns where the tuple ends.
    function _allowedCallAt(bytes calldata args, uint256 at) private view returns (bool allowed, uint256 end) {
        // unchecked: `at` is a position inside args (calldata, far below 2^64) and `length` is
        // checked against args.length before it is rounded, so no sum below can overflow.
        unchecked {
            if (args.length < at + 0x80) return (false, 0);
            uint256 target = _word(args, at);
            if (target >> 160 != 0 || _word(args, at + 0x20) != 0 || _word(args, at + 0x40) != 0x60) return (false, 0);
            uint256 length = _word(args, at + 0x60);
            if (length < 4 || length > args.length) return (false, 0);
            end = at + 0x80 + ((length + 31) & ~uint256(31));
            if (end > args.length) return (false, 0);
            allowed = isAllowedCall(address(uint160(target)), bytes4(bytes32(_word(args, at + 0x80))));
        }
    }

    function _word(bytes calldata data, uint256 at) private pure returns (uint256 word) {
        assembly ("memory-safe") {
            word := calldataload(add(data.offset, at))
        }
    }

    /// @inheritdoc IOneKeyPaymaster
    /// @dev What subjects, reviewers, auditors and project admins do day to day. Not sponsored:
    ///      createProject (no project to charge yet), admin transfer, suspend/resume.
    function isAllowedCall(address target, bytes4 s) public view returns (bool) {
        if (target == recordRegistry) {
            return s == IRecordRegistry.registerRecord.selector || s == IRecordRegistry.grant.selector
                || s == IRecordRegistry.revoke.selector || s == IRecordRegistry.setEncryptionKey.selector
                || s == IRecordRegistry.rotateRecord.selector || s == IRecordRegistry.eraseRecord.selector
                || s == IRecordRegistry.recordAuditAccess.selector;
        }
        if (target == attestationRegistry) {
            return s == IAttestationRegistry.attest.selector || s == IAttestationRegistry.attestBatch.selector
                || s == IAttestationRegistry.revoke.selector || s == IAttestationRegistry.attestBySig.selector;
        }
        if (target == address(projects)) {
            return s == IProjectRegistry.grantRoles.selector || s == IProjectRegistry.revokeRoles.selector
                || s == IProjectRegistry.shareReviewKey.selector || s == IProjectRegistry.setReviewKey.selector
                || s == IProjectRegistry.setEscrowKey.selector || s == IProjectRegistry.addApiKey.selector
                || s == IProjectRegistry.revokeApiKey.selector || s == IProjectRegistry.setMetadataURI.selector;
        }
        return false;
    }

    /// @inheritdoc IOneKeyPaymaster
    function version() external pure returns (string memory) {
        return "1.1.0";
    }
}
