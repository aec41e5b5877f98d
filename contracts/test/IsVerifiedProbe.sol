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

/// @notice Same measurement with a hand-built staticcall, to split caller from callee overhead.
contract IsVerifiedRawProbe {
    function measure(address registry, address subject, uint256 projectId, uint8 minLevel)
        external
        view
        returns (uint256 gasUsed, bool verified)
    {
        bytes memory data = abi.encodeWithSignature("isVerified(address,uint256,uint8)", subject, projectId, minLevel);
        assembly {
            let before := gas()
            let ok := staticcall(gas(), registry, add(data, 0x20), mload(data), 0x00, 0x20)
            gasUsed := sub(before, gas())
            verified := and(ok, mload(0x00))
        }
    }
}

/// @notice Measures any call's gas as a calling contract sees it (target and slots cold when the
///         measurement runs in its own transaction or eth_call).
contract GasProbe {
    function measure(address target, bytes calldata data) external returns (uint256 gasUsed, bool ok, bytes memory ret) {
        uint256 before = gasleft();
        // A raw call on purpose: the probe measures whatever calldata it is given.
        // solhint-disable-next-line avoid-low-level-calls
        (ok, ret) = target.call(data);
        gasUsed = before - gasleft();
    }
}
