// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OneKey project registry
/// @notice Projects are the unit an organisation works in: members with roles, a status,
///         API-key hashes for the indexer API, and two X25519 public keys — the review key
///         (grants to the project are wrapped to it) and the audit-escrow key.
/// @dev Nothing personal is stored or emitted: roles are addresses, keys are public keys,
///      API keys are hashes, metadata is a URI the organisation publishes about itself.
interface IProjectRegistry {
    /// @notice A project as stored.
    /// @param admin The primary admin; always holds ADMIN and cannot lose it except by transfer.
    /// @param createdAt When the project was created.
    /// @param suspended Whether the project is suspended (no role counts as active).
    /// @param pendingAdmin The account that may accept the admin transfer, or zero.
    /// @param reviewKeyVersion Incremented on every review-key change; 0 = never set.
    /// @param escrowKeyVersion Incremented on every escrow-key change; 0 = never set.
    /// @param reviewKey The project's X25519 review public key.
    /// @param escrowKey The project's X25519 audit-escrow public key.
    /// @param metadataURI Where the organisation describes the project (no personal data).
    struct Project {
        address admin;
        uint64 createdAt;
        bool suspended;
        address pendingAdmin;
        uint32 reviewKeyVersion;
        uint32 escrowKeyVersion;
        bytes32 reviewKey;
        bytes32 escrowKey;
        string metadataURI;
    }

    /// @notice An API key's on-chain record; the key itself never leaves the integrator.
    /// @param scopes Bit mask of scopes the indexer API honours (see docs/indexer.md).
    /// @param expiry When the key stops working.
    /// @param revoked Whether an ADMIN revoked it.
    struct ApiKey {
        uint32 scopes;
        uint64 expiry;
        bool revoked;
    }

    /// @notice Emitted when a project is created.
    event ProjectCreated(uint256 indexed projectId, address indexed admin, string metadataURI);
    /// @notice Emitted when a project's metadata URI changes.
    event ProjectMetadataUpdated(uint256 indexed projectId, string metadataURI);
    /// @notice Emitted when a project is suspended.
    event ProjectSuspended(uint256 indexed projectId, address indexed by);
    /// @notice Emitted when a suspended project is resumed.
    event ProjectResumed(uint256 indexed projectId, address indexed by);
    /// @notice Emitted when the admin starts a two-step transfer.
    event AdminTransferStarted(uint256 indexed projectId, address indexed from, address indexed to);
    /// @notice Emitted when the pending admin accepts.
    event AdminTransferred(uint256 indexed projectId, address indexed from, address indexed to);
    /// @notice Emitted when an account's role mask in a project changes.
    /// @param roles The account's full role mask after the change.
    event RolesGranted(uint256 indexed projectId, address indexed account, uint8 granted, uint8 roles, address by);
    /// @notice Emitted when roles are taken from an account.
    event RolesRevoked(uint256 indexed projectId, address indexed account, uint8 revoked, uint8 roles, address by);
    /// @notice Emitted when the review public key is set or rotated.
    event ReviewKeySet(uint256 indexed projectId, bytes32 publicKey, uint32 version);
    /// @notice Emitted when the audit-escrow public key is set or rotated.
    event EscrowKeySet(uint256 indexed projectId, bytes32 publicKey, uint32 version);
    /// @notice Emitted when an ADMIN hands the review private key to a reviewer, wrapped to the
    ///         reviewer's registered X25519 key.
    event ReviewKeyShared(uint256 indexed projectId, address indexed reviewer, uint32 keyVersion, bytes wrappedKey);
    /// @notice Emitted when an API-key hash is registered.
    event ApiKeyAdded(uint256 indexed projectId, bytes32 indexed keyHash, uint32 scopes, uint64 expiry);
    /// @notice Emitted when an API-key hash is revoked.
    event ApiKeyRevoked(uint256 indexed projectId, bytes32 indexed keyHash);

    /// @notice The project does not exist.
    error ProjectNotFound(uint256 projectId);
    /// @notice The caller lacks a role the call needs.
    error MissingRole(uint256 projectId, address account, uint8 role);
    /// @notice The project is suspended.
    error ProjectIsSuspended(uint256 projectId);
    /// @notice The project is not suspended.
    error ProjectNotSuspended(uint256 projectId);
    /// @notice The caller is not the pending admin.
    error NotPendingAdmin(uint256 projectId, address caller);
    /// @notice A role mask is zero or has bits outside the defined roles.
    error InvalidRoles(uint8 roles);
    /// @notice The primary admin's ADMIN role cannot be revoked; transfer the project instead.
    error CannotRevokePrimaryAdmin(uint256 projectId);
    /// @notice The account is already a member of MAX_MEMBERSHIPS projects.
    error TooManyMemberships(address account);
    /// @notice A public key or key hash was zero.
    error ZeroKey();
    /// @notice The API-key hash is already registered for the project.
    error ApiKeyExists(uint256 projectId, bytes32 keyHash);
    /// @notice The API-key hash is not registered (or already revoked) for the project.
    error ApiKeyNotFound(uint256 projectId, bytes32 keyHash);
    /// @notice The account is not a REVIEWER of the project.
    error NotReviewer(uint256 projectId, address account);
    /// @notice A wrapped key was empty.
    error EmptyWrappedKey();
    /// @notice No review key has been set for the project.
    error ReviewKeyNotSet(uint256 projectId);

    /// @notice Creates a project administered by the caller.
    /// @param metadataURI Where the organisation describes the project.
    /// @return projectId The new project's id (sequential, starting at 1).
    function createProject(string calldata metadataURI) external returns (uint256 projectId);

    /// @notice Replaces the metadata URI. ADMIN only.
    function setMetadataURI(uint256 projectId, string calldata metadataURI) external;

    /// @notice Suspends the project: its roles stop counting as active, grants to it stop
    ///         opening records, it cannot attest and is not sponsored. ADMIN only.
    function suspend(uint256 projectId) external;

    /// @notice Resumes a suspended project. ADMIN only.
    function resume(uint256 projectId) external;

    /// @notice Starts a two-step transfer of the primary admin. Primary admin only.
    ///         Passing zero cancels a pending transfer.
    function transferAdmin(uint256 projectId, address newAdmin) external;

    /// @notice Completes the transfer. Pending admin only.
    function acceptAdmin(uint256 projectId) external;

    /// @notice Adds roles to an account. ADMIN only.
    /// @param roles Bit mask of `Roles` to add.
    function grantRoles(uint256 projectId, address account, uint8 roles) external;

    /// @notice Removes roles from an account. ADMIN only; an account may also renounce its own.
    function revokeRoles(uint256 projectId, address account, uint8 roles) external;

    /// @notice Sets or rotates the project's X25519 review public key. ADMIN only.
    function setReviewKey(uint256 projectId, bytes32 publicKey) external;

    /// @notice Sets or rotates the project's X25519 audit-escrow public key. ADMIN only.
    function setEscrowKey(uint256 projectId, bytes32 publicKey) external;

    /// @notice Publishes the review private key wrapped to a REVIEWER's own X25519 key. ADMIN only.
    /// @dev The wrapped bytes are emitted, not stored.
    function shareReviewKey(uint256 projectId, address reviewer, bytes calldata wrappedKey) external;

    /// @notice Registers the hash of an API key. ADMIN only.
    /// @param keyHash keccak256 of the raw key; the key itself stays with the integrator.
    function addApiKey(uint256 projectId, bytes32 keyHash, uint32 scopes, uint64 expiry) external;

    /// @notice Revokes an API key. ADMIN only.
    function revokeApiKey(uint256 projectId, bytes32 keyHash) external;

    /// @notice The project as stored. Reverts with ProjectNotFound for an unknown id.
    function getProject(uint256 projectId) external view returns (Project memory);

    /// @notice The project's review public key and its version (zeroes when unset or unknown).
    /// @dev Two slots instead of `getProject`'s five and a string: RecordRegistry.rewrapGrants
    ///      and the SDK read only this.
    function reviewKeyOf(uint256 projectId) external view returns (bytes32 publicKey, uint32 keyVersion);

    /// @notice Number of projects created so far (the newest id).
    function projectCount() external view returns (uint256);

    /// @notice Whether the project exists and is not suspended.
    function isActive(uint256 projectId) external view returns (bool);

    /// @notice The account's role mask in the project (the primary admin includes ADMIN).
    function rolesOf(uint256 projectId, address account) external view returns (uint8);

    /// @notice Whether the account holds every bit of `role` in the project.
    function hasRole(uint256 projectId, address account, uint8 role) external view returns (bool);

    /// @notice `hasRole` and the project is active. This is the check every registry and the
    ///         paymaster use before acting for a project.
    function hasActiveRole(uint256 projectId, address account, uint8 role) external view returns (bool);

    /// @notice Projects where the account holds `role` and which are active.
    /// @dev Bounded by MAX_MEMBERSHIPS.
    function activeProjectsWithRole(address account, uint8 role) external view returns (uint256[] memory);

    /// @notice Projects where the account holds any explicit role (active or not).
    function projectsOf(address account) external view returns (uint256[] memory);

    /// @notice The API key stored under `keyHash` for the project (zeroes when unknown).
    function getApiKey(uint256 projectId, bytes32 keyHash) external view returns (ApiKey memory);

    /// @notice Contract version.
    function version() external pure returns (string memory);
}
