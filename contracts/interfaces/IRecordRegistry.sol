// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OneKey record registry
/// @notice Pointers to encrypted records owned by their subject, grants of access to them,
///         the audit-access log, and the account → X25519 encryption-key registry.
/// @dev Only pointers, hashes, public keys and wrapped (encrypted) keys are stored or emitted.
///      A grantee is a bytes32 key: an account is its address left-padded (equal to an
///      indexed-address topic, so log filters work), a project is `GRANTEE_PROJECT_FLAG | projectId`.
interface IRecordRegistry {
    /// @notice A record as stored (two slots).
    /// @param owner The subject that registered the record.
    /// @param version 1 at registration, +1 per rotation; grants bind to one version.
    /// @param scheme Ciphertext bundle format (1 = OneKey envelope v1).
    /// @param keyRelease A `KeyRelease` value.
    /// @param erased Crypto-shredded: no grant, no rotation, no access afterwards.
    /// @param updatedBlock Block of the latest registration or rotation event, so a reader can
    ///        fetch the storage id and manifest hash from that one block's logs.
    /// @param contentHash sha256 of the current version's ciphertext bundle.
    struct Record {
        address owner;
        uint32 version;
        uint8 scheme;
        uint8 keyRelease;
        bool erased;
        uint40 updatedBlock;
        bytes32 contentHash;
    }

    /// @notice A grant as stored (one slot).
    /// @param expiry Access holds while block.timestamp < expiry.
    /// @param fieldMask Bit i set = field i of the manifest is disclosed.
    /// @param recordVersion The record version the wrapped key opens.
    /// @param purpose A `Purpose` value.
    /// @param revoked Whether the owner revoked it.
    /// @param grantedAt When it was (last) granted.
    struct Grant {
        uint64 expiry;
        uint64 fieldMask;
        uint32 recordVersion;
        uint8 purpose;
        bool revoked;
        uint40 grantedAt;
    }

    /// @notice Emitted when an account sets or rotates its X25519 encryption public key.
    event EncryptionKeySet(address indexed account, bytes32 publicKey, uint32 version);
    /// @notice Emitted when a record is registered.
    event RecordRegistered(
        bytes32 indexed recordId,
        address indexed owner,
        bytes32 storageId,
        bytes32 contentHash,
        bytes32 manifestHash,
        uint8 scheme,
        uint8 keyRelease
    );
    /// @notice Emitted when a record is rotated to a new version (new key, new ciphertext).
    event RecordRotated(
        bytes32 indexed recordId,
        address indexed owner,
        uint32 version,
        bytes32 storageId,
        bytes32 contentHash,
        bytes32 manifestHash,
        uint8 scheme,
        uint8 keyRelease
    );
    /// @notice Emitted when a record is erased.
    event RecordErased(bytes32 indexed recordId, address indexed owner);
    /// @notice One grant's new wrapped key in a `rewrapGrants` batch.
    /// @param recordId The record; a batch lists record ids in strictly ascending order.
    /// @param recordVersion The record version the caller read (must still be current).
    /// @param grantedAt The grant's `grantedAt` the caller read: a re-grant by the owner in
    ///        between (other fields, other keys) makes the item stale instead of overwritten.
    /// @param wrappedKey The grant's keys wrapped to the new review key, then the grant's
    ///        audit-escrow wrap unchanged (the same layout as a project grant's `wrappedKey`).
    struct Rewrap {
        bytes32 recordId;
        uint32 recordVersion;
        uint40 grantedAt;
        bytes wrappedKey;
    }

    /// @notice Emitted when access is granted (or re-granted, e.g. re-wrapped after rotation).
    /// @param wrappedKey The record key wrapped for the grantee (and, for a project, its escrow
    ///        key); emitted, never stored.
    event AccessGranted(
        bytes32 indexed recordId,
        bytes32 indexed grantee,
        address indexed owner,
        uint32 recordVersion,
        uint8 purpose,
        uint64 expiry,
        uint64 fieldMask,
        bytes wrappedKey
    );
    /// @notice Emitted when a project's ADMIN re-wraps a live grant to the project's current review
    ///         key. The grant itself (mask, expiry, purpose, version) is unchanged; readers take
    ///         this `wrappedKey` over the grant's earlier ones.
    /// @param reviewKeyVersion The project's review-key version the new wrap opens with.
    event GrantRewrapped(
        bytes32 indexed recordId,
        bytes32 indexed grantee,
        address indexed admin,
        uint32 recordVersion,
        uint32 reviewKeyVersion,
        bytes wrappedKey
    );
    /// @notice Emitted when a grant is revoked.
    event AccessRevoked(bytes32 indexed recordId, bytes32 indexed grantee, address indexed owner);
    /// @notice Emitted when an AUDITOR logs an access to a record through the escrow key.
    event AuditAccessRecorded(
        bytes32 indexed recordId,
        uint256 indexed projectId,
        address indexed auditor,
        bytes32 authorisationHash,
        uint64 validUntil
    );

    /// @notice A record with this id is already registered.
    error RecordExists(bytes32 recordId);
    /// @notice No record with this id.
    error RecordNotFound(bytes32 recordId);
    /// @notice The caller does not own the record.
    error NotRecordOwner(bytes32 recordId, address caller);
    /// @notice The record is erased.
    error RecordIsErased(bytes32 recordId);
    /// @notice A storage id, content hash, public key or authorisation hash was zero.
    error ZeroValue();
    /// @notice The grantee key is neither an account nor a project.
    error InvalidGrantee(bytes32 grantee);
    /// @notice The grantee project does not exist or is suspended.
    error GranteeProjectInactive(uint256 projectId);
    /// @notice The purpose is not a defined `Purpose`.
    error InvalidPurpose(uint8 purpose);
    /// @notice The key-release mode is not a defined `KeyRelease`.
    error InvalidKeyRelease(uint8 keyRelease);
    /// @notice A grant must disclose at least one field.
    error EmptyFieldMask();
    /// @notice The wrapped key was empty.
    error EmptyWrappedKey();
    /// @notice No live (unrevoked, unexpired, current-version) grant for this grantee.
    error GrantNotFound(bytes32 recordId, bytes32 grantee);
    /// @notice The caller is not an active AUDITOR of the project.
    error NotAuditor(uint256 projectId, address account);
    /// @notice The caller is not an ADMIN of the project.
    error NotProjectAdmin(uint256 projectId, address account);
    /// @notice A re-wrap batch was empty.
    error EmptyRewrapBatch();
    /// @notice A re-wrap batch held more than MAX_REWRAP_BATCH items.
    error RewrapBatchTooLarge(uint256 length, uint256 max);
    /// @notice The review-key version is not the project's current one (or no key is set).
    error ReviewKeyVersionMismatch(uint256 projectId, uint32 keyVersion, uint32 currentKeyVersion);
    /// @notice A record id appears twice in one re-wrap batch.
    error DuplicateRewrap(bytes32 recordId);
    /// @notice Re-wrap items must list record ids in strictly ascending order.
    error RewrapsNotSorted(uint256 index);
    /// @notice The grant was revoked by the record's owner.
    error GrantRevoked(bytes32 recordId, bytes32 grantee);
    /// @notice The grant's expiry has passed.
    error GrantExpired(bytes32 recordId, bytes32 grantee, uint64 expiry);
    /// @notice A version named (by the caller or by the grant) is not the record's current one.
    error StaleRecordVersion(bytes32 recordId, uint32 recordVersion, uint32 currentVersion);
    /// @notice The owner re-granted after the caller read the grant.
    error GrantChanged(bytes32 recordId, uint40 grantedAt, uint40 currentGrantedAt);
    /// @notice The record's keys are not released by envelope wraps (a Lit record has no review-key wrap).
    error KeyReleaseNotEnvelope(bytes32 recordId, uint8 keyRelease);
    /// @notice The project never received a grant for this record.
    error ProjectHoldsNoGrant(bytes32 recordId, uint256 projectId);

    /// @notice Sets or rotates the caller's X25519 encryption public key.
    function setEncryptionKey(bytes32 publicKey) external;

    /// @notice Registers a record owned by the caller.
    /// @param salt Chosen by the client; recordId = keccak256(abi.encode(owner, salt)) so the
    ///        client knows the id (bound into the ciphertext) before registering.
    /// @param storageId Arweave/Irys id as raw 32 bytes.
    /// @param contentHash sha256 of the ciphertext bundle.
    /// @param manifestHash sha256 of the bundle's field manifest.
    /// @return recordId The new record's id.
    function registerRecord(
        bytes32 salt,
        bytes32 storageId,
        bytes32 contentHash,
        bytes32 manifestHash,
        uint8 scheme,
        uint8 keyRelease
    ) external returns (bytes32 recordId);

    /// @notice Points the record at a new version (new DEK, new ciphertext). Every grant of the
    ///         old version stops opening the record until it is granted again (re-wrapped).
    /// @return version The new version.
    function rotateRecord(
        bytes32 recordId,
        bytes32 storageId,
        bytes32 contentHash,
        bytes32 manifestHash,
        uint8 scheme,
        uint8 keyRelease
    ) external returns (uint32 version);

    /// @notice Erases the record: no access, grant, rotation or key release afterwards.
    function eraseRecord(bytes32 recordId) external;

    /// @notice Grants (or re-grants) access to the record's current version. Owner only.
    /// @param grantee An account key or a project key (see contract doc).
    /// @param purpose A `Purpose` value.
    /// @param expiry Must lie in the future.
    /// @param fieldMask Which manifest fields are disclosed (non-zero).
    /// @param wrappedKey The key material for the grantee, emitted not stored.
    function grant(
        bytes32 recordId,
        bytes32 grantee,
        uint8 purpose,
        uint64 expiry,
        uint64 fieldMask,
        bytes calldata wrappedKey
    ) external;

    /// @notice Revokes a live grant. Owner only.
    function revoke(bytes32 recordId, bytes32 grantee) external;

    /// @notice Publishes new wrapped keys for live grants to a project, re-wrapped to the
    ///         project's current review key (after a rotation, e.g. when a reviewer leaves), so
    ///         no subject has to grant again. ADMIN of the project only (also while suspended:
    ///         key hygiene must not wait for a resume). Every item must name a live grant to
    ///         this project on the record's current version, as the caller read it; one bad item
    ///         reverts the batch.
    /// @param reviewKeyVersion Must equal the project's current review-key version.
    /// @param rewraps 1..MAX_REWRAP_BATCH items, record ids strictly ascending.
    function rewrapGrants(uint256 projectId, uint32 reviewKeyVersion, Rewrap[] calldata rewraps) external;

    /// @notice Logs an audit access through the project's escrow key. Active AUDITOR of a
    ///         project that received a grant for the record only.
    /// @param authorisationHash Hash of the legal authorisation (e.g. a court order).
    function recordAuditAccess(bytes32 recordId, uint256 projectId, bytes32 authorisationHash) external;

    /// @notice Whether `user` may open the record now: the record exists and is not erased,
    ///         and the user is its owner, or holds a live grant, or is an active REVIEWER of a
    ///         project that holds one. Lit conditions call exactly this; its ABI is stable.
    function hasAccess(bytes32 recordId, address user) external view returns (bool);

    /// @notice Whether `auditor` logged an audit access for the record within the last
    ///         AUDIT_ACCESS_WINDOW and is still an active AUDITOR of the project.
    function hasAuditAccess(bytes32 recordId, uint256 projectId, address auditor) external view returns (bool);

    /// @notice The record as stored. Reverts with RecordNotFound for an unknown id.
    function getRecord(bytes32 recordId) external view returns (Record memory);

    /// @notice The grant as stored (zeroes when none).
    function getGrant(bytes32 recordId, bytes32 grantee) external view returns (Grant memory);

    /// @notice Whether the grant is live for the record's current version.
    function isGrantLive(bytes32 recordId, bytes32 grantee) external view returns (bool);

    /// @notice The account's X25519 encryption public key and its version (zeroes when unset).
    function encryptionKeyOf(address account) external view returns (bytes32 publicKey, uint32 keyVersion);

    /// @notice recordId for an owner and salt.
    function computeRecordId(address owner, bytes32 salt) external pure returns (bytes32);

    /// @notice The ProjectRegistry this registry reads roles from.
    function projectRegistry() external view returns (address);

    /// @notice Contract version.
    function version() external pure returns (string memory);
}
