// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IAttestationRegistry} from "./interfaces/IAttestationRegistry.sol";
import {IProjectRegistry} from "./interfaces/IProjectRegistry.sol";
import {Claims, Roles, ExpiryNotInFuture, ZeroAddress} from "./libraries/Common.sol";

/// @title AttestationRegistry
/// @notice KYC outcomes per (project, subject), readable in one SLOAD.
contract AttestationRegistry is IAttestationRegistry, EIP712, Nonces {
    bytes32 private constant ATTEST_TYPEHASH = keccak256(
        "Attest(uint256 projectId,address subject,uint8 level,uint64 expiry,uint32 claims,bytes32 recordId,address attester,uint256 nonce,uint256 deadline)"
    );

    IProjectRegistry private immutable _projects;

    // One slot per attestation: bits 0-7 level, 8-55 expiry, 56-87 claims, 88-247 attester,
    // 248-255 zero. 48 bits of expiry reach past year 8,900,000, which buys the 32 claim bits.
    uint256 private constant EXPIRY_MASK = 0xffffffffffff;
    uint256 private constant CLAIMS_SHIFT = 56;
    uint256 private constant ATTESTER_SHIFT = 88;
    mapping(uint256 projectId => mapping(address subject => uint256 packed)) private _attestations;

    constructor(IProjectRegistry projects) EIP712("OneKey AttestationRegistry", "1") {
        if (address(projects) == address(0)) revert ZeroAddress();
        _projects = projects;
    }

    /// @inheritdoc IAttestationRegistry
    function attest(uint256 projectId, address subject, uint8 level, uint64 expiry, uint32 claims, bytes32 recordId)
        external
    {
        _requireReviewer(projectId, msg.sender);
        _attest(projectId, msg.sender, subject, level, expiry, claims, recordId);
    }

    /// @inheritdoc IAttestationRegistry
    function attestBatch(uint256 projectId, AttestationRequest[] calldata requests) external {
        if (requests.length == 0) revert EmptyBatch();
        _requireReviewer(projectId, msg.sender);
        for (uint256 i; i < requests.length; ++i) {
            AttestationRequest calldata r = requests[i];
            _attest(projectId, msg.sender, r.subject, r.level, r.expiry, r.claims, r.recordId);
        }
    }

    /// @inheritdoc IAttestationRegistry
    function attestBySig(
        uint256 projectId,
        AttestationRequest calldata request,
        address attester,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    ATTEST_TYPEHASH,
                    projectId,
                    request.subject,
                    request.level,
                    request.expiry,
                    request.claims,
                    request.recordId,
                    attester,
                    _useNonce(attester),
                    deadline
                )
            )
        );
        if (!_signedBy(attester, digest, signature)) revert InvalidSignature(attester);
        _requireReviewer(projectId, attester);
        _attest(projectId, attester, request.subject, request.level, request.expiry, request.claims, request.recordId);
    }

    /// @inheritdoc IAttestationRegistry
    function revoke(uint256 projectId, address subject) external {
        // Revocation stays possible while a project is suspended: cleaning up is what suspension is for.
        if (_projects.rolesOf(projectId, msg.sender) & (Roles.REVIEWER | Roles.ADMIN) == 0) {
            revert NotAllowedToRevoke(projectId, msg.sender);
        }
        mapping(address => uint256) storage byProject = _attestations[projectId];
        if (byProject[subject] == 0) revert AttestationNotFound(projectId, subject);
        delete byProject[subject];
        emit AttestationRevoked(projectId, subject, msg.sender);
    }

    /// @inheritdoc IAttestationRegistry
    function isVerified(address subject, uint256 projectId, uint8 minLevel) external view returns (bool verified) {
        // The dApp hot path, so the nested-mapping slot is computed by hand:
        // keccak256(subject . keccak256(projectId . _attestations.slot)). Same layout Solidity uses.
        assembly ("memory-safe") {
            mstore(0x00, projectId)
            mstore(0x20, _attestations.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, subject)
            let packed := sload(keccak256(0x00, 0x40))
            let level := and(packed, 0xff)
            verified := and(
                and(gt(level, 0), iszero(lt(level, minLevel))),
                gt(and(shr(8, packed), EXPIRY_MASK), timestamp())
            )
        }
    }

    /// @inheritdoc IAttestationRegistry
    function hasClaims(address subject, uint256 projectId, uint8 minLevel, uint32 claimMask)
        external
        view
        returns (bool verified)
    {
        // isVerified's read plus one mask test on the same word.
        assembly ("memory-safe") {
            mstore(0x00, projectId)
            mstore(0x20, _attestations.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, subject)
            let packed := sload(keccak256(0x00, 0x40))
            let level := and(packed, 0xff)
            let mask := and(claimMask, 0xffffffff)
            verified := and(
                and(and(gt(level, 0), iszero(lt(level, minLevel))), gt(and(shr(8, packed), EXPIRY_MASK), timestamp())),
                eq(and(shr(CLAIMS_SHIFT, packed), mask), mask)
            )
        }
    }

    /// @inheritdoc IAttestationRegistry
    function getAttestation(address subject, uint256 projectId) external view returns (Attestation memory) {
        uint256 packed = _attestations[projectId][subject];
        return Attestation({
            level: uint8(packed),
            expiry: uint64(packed >> 8) & uint64(EXPIRY_MASK),
            attester: address(uint160(packed >> ATTESTER_SHIFT)),
            claims: uint32(packed >> CLAIMS_SHIFT)
        });
    }

    /// @inheritdoc IAttestationRegistry
    function nonces(address attester) public view override(IAttestationRegistry, Nonces) returns (uint256) {
        return super.nonces(attester);
    }

    /// @inheritdoc IAttestationRegistry
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IAttestationRegistry
    function projectRegistry() external view returns (address) {
        return address(_projects);
    }

    /// @inheritdoc IAttestationRegistry
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    function _attest(
        uint256 projectId,
        address attester,
        address subject,
        uint8 level,
        uint64 expiry,
        uint32 claims,
        bytes32 recordId
    ) private {
        if (subject == address(0)) revert InvalidSubject();
        if (level == 0) revert InvalidLevel();
        if (expiry <= block.timestamp) revert ExpiryNotInFuture(expiry, uint64(block.timestamp));
        // Both width checks in one branch: the accepted path is what every attestation pays for.
        if ((expiry >> 48) | (claims & Claims.RESERVED) != 0) _revertOutOfRange(expiry, claims);
        _attestations[projectId][subject] = uint256(level) | (uint256(expiry) << 8) | (uint256(claims) << CLAIMS_SHIFT)
            | (uint256(uint160(attester)) << ATTESTER_SHIFT);
        // `emit Attested(projectId, subject, attester, level, expiry, claims, recordId)`, encoded by
        // hand: the arguments are already clean (typed parameters), so the compiler's re-masking
        // and memory bookkeeping are skipped. Keeps attest within 1% of its cost before claims.
        bytes32 topic0 = Attested.selector;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, level)
            mstore(add(p, 0x20), expiry)
            mstore(add(p, 0x40), claims)
            mstore(add(p, 0x60), recordId)
            log4(p, 0x80, topic0, projectId, subject, attester)
        }
    }

    function _revertOutOfRange(uint64 expiry, uint32 claims) private pure {
        if (expiry > EXPIRY_MASK) revert ExpiryTooFar(expiry);
        revert ReservedClaims(claims);
    }

    /// @dev ECDSA first, ERC-1271 only when ECDSA does not name the attester. OZ's
    ///      `SignatureChecker.isValidSignatureNow` probes the attester's code size first, a cold
    ///      account access (2,600 gas) that an EOA reviewer would pay on every relayed attestation.
    ///      Accepting ECDSA for an address with code is safe: contract addresses have no private
    ///      key, and an EIP-7702 account's key is its owner (OZ 4.x checked in this order too).
    function _signedBy(address attester, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == attester) return true;
        return SignatureChecker.isValidERC1271SignatureNow(attester, digest, signature);
    }

    function _requireReviewer(uint256 projectId, address account) private view {
        if (!_projects.hasActiveRole(projectId, account, Roles.REVIEWER)) revert NotReviewer(projectId, account);
    }
}
