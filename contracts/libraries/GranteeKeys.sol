// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Grantee keys
/// @notice A grantee is an account or a project, as one bytes32. An account key is the address
///         left-padded, the same bytes as an indexed-address log topic. A project key has the top
///         bit set, which no address can have.
library GranteeKeys {
    bytes32 internal constant PROJECT_FLAG = bytes32(uint256(1) << 255);
    uint256 private constant ADDRESS_MASK = type(uint160).max;

    function account(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    function project(uint256 id) internal pure returns (bytes32) {
        return PROJECT_FLAG | bytes32(id);
    }

    function isProject(bytes32 key) internal pure returns (bool) {
        return key & PROJECT_FLAG != 0;
    }

    function isAccount(bytes32 key) internal pure returns (bool) {
        uint256 v = uint256(key);
        return v != 0 && v & ~ADDRESS_MASK == 0;
    }

    function projectId(bytes32 key) internal pure returns (uint256) {
        return uint256(key & ~PROJECT_FLAG);
    }
}
