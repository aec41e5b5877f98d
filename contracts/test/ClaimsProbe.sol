// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Claims} from "../libraries/Common.sol";

/// @notice Exposes the `Claims` library constants (internal, so absent from any ABI) for the test
///         that holds the SDK's claim map equal to them.
// The outputs carry the library constants' own names, so test/Claims.ts compares them by name.
// solhint-disable var-name-mixedcase
contract ClaimsProbe {
    function standard()
        external
        pure
        returns (
            uint32 AGE_OVER_18,
            uint32 AGE_OVER_21,
            uint32 SANCTIONS_SCREENED,
            uint32 PEP_SCREENED,
            uint32 PROOF_OF_ADDRESS,
            uint32 LIVENESS_CHECKED,
            uint32 ACCREDITED_INVESTOR,
            uint32 COUNTRY_ALLOWED,
            uint32 DOCUMENT_VERIFIED
        )
    {
        return (
            Claims.AGE_OVER_18,
            Claims.AGE_OVER_21,
            Claims.SANCTIONS_SCREENED,
            Claims.PEP_SCREENED,
            Claims.PROOF_OF_ADDRESS,
            Claims.LIVENESS_CHECKED,
            Claims.ACCREDITED_INVESTOR,
            Claims.COUNTRY_ALLOWED,
            Claims.DOCUMENT_VERIFIED
        );
    }

    function masks() external pure returns (uint32 STANDARD, uint32 RESERVED, uint32 PROJECT) {
        return (Claims.STANDARD, Claims.RESERVED, Claims.PROJECT);
    }
}
