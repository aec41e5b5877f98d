// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";

/// @title KycGatedVault
/// @notice A sample dApp: only subjects a project verified at `minLevel` may enter.
contract KycGatedVault {
    IAttestationRegistry public immutable attestations;
    uint256 public immutable projectId;
    uint8 public immutable minLevel;

    mapping(address account => bool entered) public members;

    event Entered(address indexed account);

    error NotVerified(address account, uint256 projectId, uint8 minLevel);

    constructor(IAttestationRegistry attestations_, uint256 projectId_, uint8 minLevel_) {
        attestations = attestations_;
        projectId = projectId_;
        minLevel = minLevel_;
    }

    /// @notice Lets the caller in when the project verified it.
    function enter() external {
        if (!attestations.isVerified(msg.sender, projectId, minLevel)) {
            revert NotVerified(msg.sender, projectId, minLevel);
        }
        members[msg.sender] = true;
        emit Entered(msg.sender);
    }
}
