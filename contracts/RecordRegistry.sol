// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IProjectRegistry} from "./interfaces/IProjectRegistry.sol";
import {IRecordRegistry} from "./interfaces/IRecordRegistry.sol";
import {
    Roles,
    KeyRelease,
    PURPOSE_COUNT,
    KEY_RELEASE_COUNT,
    AUDIT_ACCESS_WINDOW,
    MAX_REWRAP_BATCH,
    ExpiryNotInFuture,
    ZeroAddress
} from "./libraries/Common.sol";
import {GranteeKeys} from "./libraries/GranteeKeys.sol";

/// @title RecordRegistry
/// @notice Encrypted-record pointers, grants, the audit-access log and encryption keys.
contract RecordRegistry is IRecordRegistry {
    struct EncryptionKey {
        bytes32 publicKey;
        uint32 version;
    }

    // The `revoked` flag's bit in a packed grant.
    uint256 private constant _REVOKED = 1 << 168;

    IProjectRegistry private immutable _projects;

    // Record: slot 0 = [owner, version, scheme, keyRelease, erased, updatedBlock], slot 1 = contentHash.
    // The storage id and manifest hash live in the event only: the content hash is what binds
    // the ciphertext, and each stored slot more would cost 22k gas per registration
    // (docs/decisions.md).
    mapping(bytes32 recordId => Record record) private _records;
    // Grant, one word with the layout Solidity would give the `Grant` struct: bits 0-63 expiry,
    // 64-127 fieldMask, 128-159 recordVersion, 160-167 purpose, 168 revoked, 176-215 grantedAt.
    // Kept as a uint256 so `grant` is one SSTORE and a liveness check one SLOAD; written as a
    // struct, the compiler read-modify-writes the slot once per field (~2k gas more per grant).
    mapping(bytes32 recordId => mapping(bytes32 grantee => uint256 packed)) private _grants;
    mapping(bytes32 recordId => mapping(uint256 projectId => mapping(address auditor => uint64 validUntil))) private
        _auditAccess;
    mapping(address account => EncryptionKey key) private _encryptionKeys;

    constructor(IProjectRegistry projects) {
        if (address(projects) == address(0)) revert ZeroAddress();
        _projects = projects;
    }

    /// @inheritdoc IRecordRegistry
    function setEncryptionKey(bytes32 publicKey) external {
        if (publicKey == bytes32(0)) revert ZeroValue();
        EncryptionKey storage key = _encryptionKeys[msg.sender];
        uint32 keyVersion = key.version + 1;
        key.publicKey = publicKey;
        key.version = keyVersion;
        emit EncryptionKeySet(msg.sender, publicKey, keyVersion);
    }

    /// @inheritdoc IRecordRegistry
    function registerRecord(
        bytes32 salt,
        bytes32 storageId,
        bytes32 contentHash,
        bytes32 manifestHash,
        uint8 scheme,
        uint8 keyRelease
    ) external returns (bytes32 recordId) {
        _checkPointer(storageId, contentHash, keyRelease);
        recordId = computeRecordId(msg.sender, salt);
        Record storage record = _records[recordId];
        if (record.owner != address(0)) revert RecordExists(recordId);
        record.owner = msg.sender;
        record.version = 1;
        record.scheme = scheme;
        record.keyRelease = keyRelease;
        record.updatedBlock = uint40(block.number);
        record.contentHash = contentHash;
        emit RecordRegistered(recordId, msg.sender, storageId, contentHash, manifestHash, scheme, keyRelease);
    }

    /// @inheritdoc IRecordRegistry
    function rotateRecord(
        bytes32 recordId,
        bytes32 storageId,
        bytes32 contentHash,
        bytes32 manifestHash,
        uint8 scheme,
        uint8 keyRelease
    ) external returns (uint32 newVersion) {
        _checkPointer(storageId, contentHash, keyRelease);
        Record storage record = _ownedLive(recordId);
        newVersion = record.version + 1;
        record.version = newVersion;
        record.scheme = scheme;
        record.keyRelease = keyRelease;
        record.updatedBlock = uint40(block.number);
        record.contentHash = contentHash;
        emit RecordRotated(recordId, msg.sender, newVersion, storageId, contentHash, manifestHash, scheme, keyRelease);
    }

    /// @inheritdoc IRecordRegistry
    function eraseRecord(bytes32 recordId) external {
        Record storage record = _ownedLive(recordId);
        record.erased = true;
        record.updatedBlock = uint40(block.number);
        emit RecordErased(recordId, msg.sender);
    }

    /// @inheritdoc IRecordRegistry
    function grant(
        bytes32 recordId,
        bytes32 grantee,
        uint8 purpose,
        uint64 expiry,
        uint64 fieldMask,
        bytes calldata wrappedKey
    ) external {
        Record storage record = _ownedLive(recordId);
        if (GranteeKeys.isProject(grantee)) {
            uint256 projectId = GranteeKeys.projectId(grantee);
            if (!_projects.isActive(projectId)) revert GranteeProjectInactive(projectId);
        } else if (!GranteeKeys.isAccount(grantee)) {
            revert InvalidGrantee(grantee);
        }
        if (purpose >= PURPOSE_COUNT) revert InvalidPurpose(purpose);
        if (expiry <= block.timestamp) revert ExpiryNotInFuture(expiry, uint64(block.timestamp));
        if (fieldMask == 0) revert EmptyFieldMask();
        if (wrappedKey.length == 0) revert EmptyWrappedKey();
        uint32 recordVersion = record.version;
        _grants[recordId][grantee] = uint256(expiry) | (uint256(fieldMask) << 64) | (uint256(recordVersion) << 128)
            | (uint256(purpose) << 160) | (uint256(uint40(block.timestamp)) << 176);
        emit AccessGranted(recordId, grantee, msg.sender, recordVersion, purpose, expiry, fieldMask, wrappedKey);
    }

    /// @inheritdoc IRecordRegistry
    function revoke(bytes32 recordId, bytes32 grantee) external {
        address owner = _records[recordId].owner;
        if (owner == address(0)) revert RecordNotFound(recordId);
        if (owner != msg.sender) revert NotRecordOwner(recordId, msg.sender);
        mapping(bytes32 => uint256) storage grants = _grants[recordId];
        uint256 packed = grants[grantee];
        if (uint64(packed) == 0 || packed & _REVOKED != 0) revert GrantNotFound(recordId, grantee);
        grants[grantee] = packed | _REVOKED;
        emit AccessRevoked(recordId, grantee, msg.sender);
    }

    /// @inheritdoc IRecordRegistry
    function rewrapGrants(uint256 projectId, uint32 reviewKeyVersion, Rewrap[] calldata rewraps) external {
        uint256 n = rewraps.length;
        if (n == 0) revert EmptyRewrapBatch();
        if (n > MAX_REWRAP_BATCH) revert RewrapBatchTooLarge(n, MAX_REWRAP_BATCH);
        if (!_projects.hasRole(projectId, msg.sender, Roles.ADMIN)) revert NotProjectAdmin(projectId, msg.sender);
        (, uint32 currentKeyVersion) = _projects.reviewKeyOf(projectId);
        if (reviewKeyVersion == 0 || reviewKeyVersion != currentKeyVersion) {
            revert ReviewKeyVersionMismatch(projectId, reviewKeyVersion, currentKeyVersion);
        }
        bytes32 grantee = GranteeKeys.project(projectId);
        bytes32 previous;
        for (uint256 i; i < n; ++i) {
            Rewrap calldata item = rewraps[i];
            bytes32 recordId = item.recordId;
            // Ascending order finds a duplicate with one comparison per item, no memory or
            // transient set (the SDK sorts).
            if (i != 0 && recordId <= previous) {
                if (recordId == previous) revert DuplicateRewrap(recordId);
                revert RewrapsNotSorted(i);
            }
            previous = recordId;
            uint32 recordVersion = _rewrappable(recordId, grantee, item);
            _emitGrantRewrapped(recordId, grantee, recordVersion, reviewKeyVersion, item.wrappedKey);
        }
    }

    /// @inheritdoc IRecordRegistry
    function recordAuditAccess(bytes32 recordId, uint256 projectId, bytes32 authorisationHash) external {
        if (authorisationHash == bytes32(0)) revert ZeroValue();
        if (!_projects.hasActiveRole(projectId, msg.sender, Roles.AUDITOR)) revert NotAuditor(projectId, msg.sender);
        Record storage record = _records[recordId];
        if (record.owner == address(0)) revert RecordNotFound(recordId);
        if (record.erased) revert RecordIsErased(recordId);
        // A project keeps its audit path after its grant expires or is revoked: retention duties
        // outlive the review. Erasure is the only thing that ends it.
        if (uint64(_grants[recordId][GranteeKeys.project(projectId)]) == 0) {
            revert ProjectHoldsNoGrant(recordId, projectId);
        }
        uint64 validUntil = uint64(block.timestamp) + AUDIT_ACCESS_WINDOW;
        _auditAccess[recordId][projectId][msg.sender] = validUntil;
        emit AuditAccessRecorded(recordId, projectId, msg.sender, authorisationHash, validUntil);
    }

    /// @inheritdoc IRecordRegistry
    function hasAccess(bytes32 recordId, address user) external view returns (bool) {
        Record storage record = _records[recordId];
        address owner = record.owner;
        if (owner == address(0) || record.erased) return false;
        if (user == owner) return true;
        uint32 current = record.version;
        if (_live(_grants[recordId][GranteeKeys.account(user)], current)) return true;
        uint256[] memory projectIds = _projects.activeProjectsWithRole(user, Roles.REVIEWER);
        for (uint256 i; i < projectIds.length; ++i) {
            if (_live(_grants[recordId][GranteeKeys.project(projectIds[i])], current)) return true;
        }
        return false;
    }

    /// @inheritdoc IRecordRegistry
    function hasAuditAccess(bytes32 recordId, uint256 projectId, address auditor) external view returns (bool) {
        Record storage record = _records[recordId];
        if (record.owner == address(0) || record.erased) return false;
        if (_auditAccess[recordId][projectId][auditor] <= block.timestamp) return false;
        return _projects.hasActiveRole(projectId, auditor, Roles.AUDITOR);
    }

    /// @inheritdoc IRecordRegistry
    function getRecord(bytes32 recordId) external view returns (Record memory record) {
        record = _records[recordId];
        if (record.owner == address(0)) revert RecordNotFound(recordId);
    }

    /// @inheritdoc IRecordRegistry
    function getGrant(bytes32 recordId, bytes32 grantee) external view returns (Grant memory) {
        uint256 packed = _grants[recordId][grantee];
        return Grant({
            expiry: uint64(packed),
            fieldMask: uint64(packed >> 64),
            recordVersion: uint32(packed >> 128),
            purpose: uint8(packed >> 160),
            revoked: packed & _REVOKED != 0,
            grantedAt: uint40(packed >> 176)
        });
    }

    /// @inheritdoc IRecordRegistry
    function isGrantLive(bytes32 recordId, bytes32 grantee) external view returns (bool) {
        Record storage record = _records[recordId];
        if (record.owner == address(0) || record.erased) return false;
        return _live(_grants[recordId][grantee], record.version);
    }

    /// @inheritdoc IRecordRegistry
    function encryptionKeyOf(address account) external view returns (bytes32, uint32) {
        EncryptionKey storage key = _encryptionKeys[account];
        return (key.publicKey, key.version);
    }

    /// @inheritdoc IRecordRegistry
    function computeRecordId(address owner, bytes32 salt) public pure returns (bytes32) {
        return keccak256(abi.encode(owner, salt));
    }

    /// @inheritdoc IRecordRegistry
    function projectRegistry() external view returns (address) {
        return address(_projects);
    }

    /// @inheritdoc IRecordRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    function _live(uint256 packed, uint32 currentVersion) private view returns (bool) {
        return packed & _REVOKED == 0 && uint64(packed) > block.timestamp && uint32(packed >> 128) == currentVersion;
    }

    /// Checks one re-wrap item against the record and the project's grant; returns the version.
    function _rewrappable(bytes32 recordId, bytes32 grantee, Rewrap calldata item) private view returns (uint32) {
        Record storage record = _records[recordId];
        if (record.owner == address(0)) revert RecordNotFound(recordId);
        if (record.erased) revert RecordIsErased(recordId);
        if (record.keyRelease != uint8(KeyRelease.ENVELOPE)) revert KeyReleaseNotEnvelope(recordId, record.keyRelease);
        uint32 current = record.version;
        if (item.recordVersion != current) revert StaleRecordVersion(recordId, item.recordVersion, current);
        uint256 packed = _grants[recordId][grantee];
        uint64 expiry = uint64(packed);
        if (expiry == 0) revert GrantNotFound(recordId, grantee);
        if (packed & _REVOKED != 0) revert GrantRevoked(recordId, grantee);
        if (expiry <= block.timestamp) revert GrantExpired(recordId, grantee, expiry);
        uint32 grantVersion = uint32(packed >> 128);
        if (grantVersion != current) revert StaleRecordVersion(recordId, grantVersion, current);
        uint40 grantedAt = uint40(packed >> 176);
        if (item.grantedAt != grantedAt) revert GrantChanged(recordId, item.grantedAt, grantedAt);
        if (item.wrappedKey.length == 0) revert EmptyWrappedKey();
        return current;
    }

    /// `emit GrantRewrapped(...)` written out. With a plain `emit`, the compiler shares its ABI
    /// encoders with `AccessGranted`'s and `grant` pays ~48 gas more per call for the extra jumps;
    /// this keeps `grant` byte-for-byte as cheap as before (test/gas-snapshot.json).
    function _emitGrantRewrapped(
        bytes32 recordId,
        bytes32 grantee,
        uint32 recordVersion,
        uint32 reviewKeyVersion,
        bytes calldata wrappedKey
    ) private {
        bytes32 topic0 = GrantRewrapped.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, recordVersion)
            mstore(add(ptr, 0x20), reviewKeyVersion)
            mstore(add(ptr, 0x40), 0x60)
            mstore(add(ptr, 0x60), wrappedKey.length)
            let data := add(ptr, 0x80)
            // Zero the word the key's tail pads into, then copy the key over its start.
            mstore(add(data, and(wrappedKey.length, not(31))), 0)
            calldatacopy(data, wrappedKey.offset, wrappedKey.length)
            log4(ptr, add(0x80, and(add(wrappedKey.length, 31), not(31))), topic0, recordId, grantee, caller())
        }
    }

    function _ownedLive(bytes32 recordId) private view returns (Record storage record) {
        record = _records[recordId];
        address owner = record.owner;
        if (owner == address(0)) revert RecordNotFound(recordId);
        if (owner != msg.sender) revert NotRecordOwner(recordId, msg.sender);
        if (record.erased) revert RecordIsErased(recordId);
    }

    function _checkPointer(bytes32 storageId, bytes32 contentHash, uint8 keyRelease) private pure {
        if (storageId == bytes32(0) || contentHash == bytes32(0)) revert ZeroValue();
        if (keyRelease >= KEY_RELEASE_COUNT) revert InvalidKeyRelease(keyRelease);
    }
}
