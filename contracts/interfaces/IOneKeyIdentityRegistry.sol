// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OneKey as an ERC-3643 identity registry
/// @notice The identity-registry view a T-REX (ERC-3643) token calls on every mint and transfer,
///         `isVerified(address)`, answered from OneKey: one adapter per (project, minimum level,
///         required claims), each answer one `AttestationRegistry.hasClaims` read.
/// @dev Only the verification view is implemented. T-REX's registry-management functions
///      (registerIdentity, updateCountry, ...) and its ONCHAINID lookups (`identity`,
///      `investorCountry`) have no OneKey meaning: identities are attested in the
///      AttestationRegistry, and a country requirement is the COUNTRY_ALLOWED claim.
interface IOneKeyIdentityRegistry {
    /// @notice The required claims include a reserved bit that no attestation can carry.
    error UnsatisfiableClaims(uint32 requiredClaims);

    /// @notice Whether `userAddress` holds an unexpired attestation from `projectId()` of at least
    ///         `minLevel()` carrying every bit of `requiredClaims()`.
    function isVerified(address userAddress) external view returns (bool);

    /// @notice The AttestationRegistry asked.
    function attestationRegistry() external view returns (address);

    /// @notice The project whose attestations count.
    function projectId() external view returns (uint256);

    /// @notice The lowest level that counts (an attestation is always at least level 1).
    function minLevel() external view returns (uint8);

    /// @notice The claim bits an attestation must carry (`Claims`), 0 for none.
    function requiredClaims() external view returns (uint32);

    /// @notice Contract version.
    function version() external pure returns (string memory);
}
