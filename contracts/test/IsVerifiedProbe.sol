// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";

/// @notice Measures `isVerified` as a calling contract sees it (gas between the two gasleft()).
contract IsVerifiedProbe {
    event Measured(uint256 gasUsed, bool verified);

    function measure(IAttestationRegistry registry, address subject, uint256 projectId, uint8 minLevel)
        external
        returns (uint256 gasUsed, bool verified)
    {
        uint256 before = gasleft();
        verified = registry.isVerified(subject, projectId, minLevel);
        gasUsed = before - gasleft();
        emit Measured(gasUsed, verified);
    }
}
