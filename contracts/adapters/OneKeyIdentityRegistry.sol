// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOneKeyIdentityRegistry} from "../interfaces/IOneKeyIdentityRegistry.sol";
import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {Claims, ZeroAddress} from "../libraries/Common.sol";

/// @title OneKeyIdentityRegistry
/// @notice ERC-3643 `isVerified(address)` for one (project, minimum level, required claims).
contract OneKeyIdentityRegistry is IOneKeyIdentityRegistry {
    IAttestationRegistry private immutable _attestations;
    uint256 private immutable _projectId;
    uint8 private immutable _minLevel;
    uint32 private immutable _requiredClaims;

    constructor(IAttestationRegistry attestations_, uint256 projectId_, uint8 minLevel_, uint32 requiredClaims_) {
        if (address(attestations_) == address(0)) revert ZeroAddress();
        if (requiredClaims_ & Claims.RESERVED != 0) revert UnsatisfiableClaims(requiredClaims_);
        _attestations = attestations_;
        _projectId = projectId_;
        _minLevel = minLevel_;
        _requiredClaims = requiredClaims_;
    }

    /// @inheritdoc IOneKeyIdentityRegistry
    function isVerified(address userAddress) external view returns (bool) {
        return _attestations.hasClaims(userAddress, _projectId, _minLevel, _requiredClaims);
    }

    /// @inheritdoc IOneKeyIdentityRegistry
    function attestationRegistry() external view returns (address) {
        return address(_attestations);
    }

    /// @inheritdoc IOneKeyIdentityRegistry
    function projectId() external view returns (uint256) {
        return _projectId;
    }

    /// @inheritdoc IOneKeyIdentityRegistry
    function minLevel() external view returns (uint8) {
        return _minLevel;
    }

    /// @inheritdoc IOneKeyIdentityRegistry
    function requiredClaims() external view returns (uint32) {
        return _requiredClaims;
    }

    /// @inheritdoc IOneKeyIdentityRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }
}
