// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IProjectRegistry} from "./interfaces/IProjectRegistry.sol";
import {Roles, MAX_MEMBERSHIPS, ZeroAddress, ExpiryNotInFuture} from "./libraries/Common.sol";

/// @title ProjectRegistry
/// @notice Projects, member roles, API-key hashes and the project's X25519 public keys.
contract ProjectRegistry is IProjectRegistry {
    using EnumerableSet for EnumerableSet.UintSet;

    uint256 private _projectCount;

    // Slot layout of Project: [admin, createdAt, suspended] [pendingAdmin, reviewKeyVersion,
    // escrowKeyVersion] [reviewKey] [escrowKey] [metadataURI]. The first slot is all that
    // `hasActiveRole` reads besides the role mask.
    mapping(uint256 projectId => Project project) private _projects;
    mapping(uint256 projectId => mapping(address account => uint8 roles)) private _roles;
    mapping(address account => EnumerableSet.UintSet projectIds) private _memberships;
    mapping(uint256 projectId => mapping(bytes32 keyHash => ApiKey apiKey)) private _apiKeys;

    modifier onlyAdmin(uint256 projectId) {
        _requireRole(projectId, msg.sender, Roles.ADMIN);
        _;
    }

    /// @inheritdoc IProjectRegistry
    function createProject(string calldata metadataURI) external returns (uint256 projectId) {
        // Cannot overflow: one project per transaction.
        unchecked {
            projectId = ++_projectCount;
        }
        Project storage project = _projects[projectId];
        project.admin = msg.sender;
        project.createdAt = uint64(block.timestamp);
        project.metadataURI = metadataURI;
        emit ProjectCreated(projectId, msg.sender, metadataURI);
    }

    /// @inheritdoc IProjectRegistry
    function setMetadataURI(uint256 projectId, string calldata metadataURI) external onlyAdmin(projectId) {
        _projects[projectId].metadataURI = metadataURI;
        emit ProjectMetadataUpdated(projectId, metadataURI);
    }

    /// @inheritdoc IProjectRegistry
    function suspend(uint256 projectId) external onlyAdmin(projectId) {
        Project storage project = _projects[projectId];
        if (project.suspended) revert ProjectIsSuspended(projectId);
        project.suspended = true;
        emit ProjectSuspended(projectId, msg.sender);
    }

    /// @inheritdoc IProjectRegistry
    function resume(uint256 projectId) external onlyAdmin(projectId) {
        Project storage project = _projects[projectId];
        if (!project.suspended) revert ProjectNotSuspended(projectId);
        project.suspended = false;
        emit ProjectResumed(projectId, msg.sender);
    }

    /// @inheritdoc IProjectRegistry
    function transferAdmin(uint256 projectId, address newAdmin) external {
        Project storage project = _existing(projectId);
        if (msg.sender != project.admin) revert MissingRole(projectId, msg.sender, Roles.ADMIN);
        project.pendingAdmin = newAdmin;
        emit AdminTransferStarted(projectId, msg.sender, newAdmin);
    }

    /// @inheritdoc IProjectRegistry
    function acceptAdmin(uint256 projectId) external {
        Project storage project = _existing(projectId);
        if (msg.sender != project.pendingAdmin || msg.sender == address(0)) {
            revert NotPendingAdmin(projectId, msg.sender);
        }
        address previous = project.admin;
        project.admin = msg.sender;
        project.pendingAdmin = address(0);
        emit AdminTransferred(projectId, previous, msg.sender);
    }

    /// @inheritdoc IProjectRegistry
    function grantRoles(uint256 projectId, address account, uint8 roles) external onlyAdmin(projectId) {
        if (account == address(0)) revert ZeroAddress();
        if (roles == 0 || roles & ~Roles.ALL != 0) revert InvalidRoles(roles);
        uint8 before = _roles[projectId][account];
        uint8 next = before | roles;
        if (before == 0) {
            EnumerableSet.UintSet storage memberships = _memberships[account];
            if (memberships.length() >= MAX_MEMBERSHIPS) revert TooManyMemberships(account);
            memberships.add(projectId);
        }
        _roles[projectId][account] = next;
        emit RolesGranted(projectId, account, roles, next, msg.sender);
    }

    /// @inheritdoc IProjectRegistry
    function revokeRoles(uint256 projectId, address account, uint8 roles) external {
        Project storage project = _existing(projectId);
        if (account != msg.sender) _requireRole(projectId, msg.sender, Roles.ADMIN);
        if (roles == 0 || roles & ~Roles.ALL != 0) revert InvalidRoles(roles);
        if (account == project.admin && roles & Roles.ADMIN != 0) revert CannotRevokePrimaryAdmin(projectId);
        uint8 before = _roles[projectId][account];
        uint8 next = before & ~roles;
        _roles[projectId][account] = next;
        if (before != 0 && next == 0) _memberships[account].remove(projectId);
        emit RolesRevoked(projectId, account, roles, next, msg.sender);
    }

    /// @inheritdoc IProjectRegistry
    function setReviewKey(uint256 projectId, bytes32 publicKey) external onlyAdmin(projectId) {
        if (publicKey == bytes32(0)) revert ZeroKey();
        Project storage project = _projects[projectId];
        uint32 keyVersion = project.reviewKeyVersion + 1;
        project.reviewKey = publicKey;
        project.reviewKeyVersion = keyVersion;
        emit ReviewKeySet(projectId, publicKey, keyVersion);
    }

    /// @inheritdoc IProjectRegistry
    function setEscrowKey(uint256 projectId, bytes32 publicKey) external onlyAdmin(projectId) {
        if (publicKey == bytes32(0)) revert ZeroKey();
        Project storage project = _projects[projectId];
        uint32 keyVersion = project.escrowKeyVersion + 1;
        project.escrowKey = publicKey;
        project.escrowKeyVersion = keyVersion;
        emit EscrowKeySet(projectId, publicKey, keyVersion);
    }

    /// @inheritdoc IProjectRegistry
    function shareReviewKey(uint256 projectId, address reviewer, bytes calldata wrappedKey)
        external
        onlyAdmin(projectId)
    {
        if (wrappedKey.length == 0) revert EmptyWrappedKey();
        if (_roles[projectId][reviewer] & Roles.REVIEWER == 0) revert NotReviewer(projectId, reviewer);
        uint32 keyVersion = _projects[projectId].reviewKeyVersion;
        if (keyVersion == 0) revert ReviewKeyNotSet(projectId);
        emit ReviewKeyShared(projectId, reviewer, keyVersion, wrappedKey);
    }

    /// @inheritdoc IProjectRegistry
    function addApiKey(uint256 projectId, bytes32 keyHash, uint32 scopes, uint64 expiry)
        external
        onlyAdmin(projectId)
    {
        if (keyHash == bytes32(0)) revert ZeroKey();
        ApiKey storage apiKey = _apiKeys[projectId][keyHash];
        if (apiKey.expiry != 0) revert ApiKeyExists(projectId, keyHash);
        if (expiry <= block.timestamp) revert ExpiryNotInFuture(expiry, uint64(block.timestamp));
        apiKey.scopes = scopes;
        apiKey.expiry = expiry;
        emit ApiKeyAdded(projectId, keyHash, scopes, expiry);
    }

    /// @inheritdoc IProjectRegistry
    function revokeApiKey(uint256 projectId, bytes32 keyHash) external onlyAdmin(projectId) {
        ApiKey storage apiKey = _apiKeys[projectId][keyHash];
        if (apiKey.expiry == 0 || apiKey.revoked) revert ApiKeyNotFound(projectId, keyHash);
        apiKey.revoked = true;
        emit ApiKeyRevoked(projectId, keyHash);
    }

    /// @inheritdoc IProjectRegistry
    function getProject(uint256 projectId) external view returns (Project memory) {
        return _existing(projectId);
    }

    /// @inheritdoc IProjectRegistry
    function reviewKeyOf(uint256 projectId) external view returns (bytes32, uint32) {
        Project storage project = _projects[projectId];
        return (project.reviewKey, project.reviewKeyVersion);
    }

    /// @inheritdoc IProjectRegistry
    function projectCount() external view returns (uint256) {
        return _projectCount;
    }

    /// @inheritdoc IProjectRegistry
    function isActive(uint256 projectId) external view returns (bool) {
        Project storage project = _projects[projectId];
        return project.admin != address(0) && !project.suspended;
    }

    /// @inheritdoc IProjectRegistry
    function rolesOf(uint256 projectId, address account) public view returns (uint8) {
        return _rolesOf(_projects[projectId], projectId, account);
    }

    /// @inheritdoc IProjectRegistry
    function hasRole(uint256 projectId, address account, uint8 role) external view returns (bool) {
        return role != 0 && rolesOf(projectId, account) & role == role;
    }

    /// @inheritdoc IProjectRegistry
    function hasActiveRole(uint256 projectId, address account, uint8 role) public view returns (bool) {
        if (role == 0) return false;
        // Every attestation and project-grant access check runs this. Both fields come from the
        // project's first slot, read here in one place so the compiler loads that slot once.
        Project storage project = _projects[projectId];
        address admin = project.admin;
        if (project.suspended) return false;
        uint8 roles = _roles[projectId][account];
        if (account == admin && account != address(0)) roles |= Roles.ADMIN;
        return roles & role == role;
    }

    /// @inheritdoc IProjectRegistry
    function activeProjectsWithRole(address account, uint8 role) external view returns (uint256[] memory ids) {
        EnumerableSet.UintSet storage memberships = _memberships[account];
        uint256 n = memberships.length();
        ids = new uint256[](n);
        uint256 found;
        for (uint256 i; i < n; ++i) {
            uint256 projectId = memberships.at(i);
            if (hasActiveRole(projectId, account, role)) ids[found++] = projectId;
        }
        // Shrink the array to what was found; `found <= n` so this only shortens it.
        assembly ("memory-safe") {
            mstore(ids, found)
        }
    }

    /// @inheritdoc IProjectRegistry
    function projectsOf(address account) external view returns (uint256[] memory) {
        return _memberships[account].values();
    }

    /// @inheritdoc IProjectRegistry
    function getApiKey(uint256 projectId, bytes32 keyHash) external view returns (ApiKey memory) {
        return _apiKeys[projectId][keyHash];
    }

    /// @inheritdoc IProjectRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    function _rolesOf(Project storage project, uint256 projectId, address account) private view returns (uint8) {
        uint8 roles = _roles[projectId][account];
        if (account == project.admin && account != address(0)) roles |= Roles.ADMIN;
        return roles;
    }

    function _requireRole(uint256 projectId, address account, uint8 role) private view {
        Project storage project = _existing(projectId);
        if (_rolesOf(project, projectId, account) & role != role) revert MissingRole(projectId, account, role);
    }

    function _existing(uint256 projectId) private view returns (Project storage project) {
        project = _projects[projectId];
        if (project.admin == address(0)) revert ProjectNotFound(projectId);
    }
}
