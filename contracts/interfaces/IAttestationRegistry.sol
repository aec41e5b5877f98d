// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OneKey attestation registry
/// @notice A REVIEWER of a project attests that a subject passed KYC at a level until a time,
///         with the claims (bits of `Claims` in libraries/Common.sol: over 18, sanctions screened,
///         country allowed, ...) the reviewer derived. dApps gate on
///         `isVerified(subject, projectId, minLevel)` or `hasClaims(subject, projectId, minLevel,
///         claimMask)`, each one cold storage read.
/// @dev The record a review relied on is referenced in the event, not stored, so an
///      attestation is exactly one slot: [level 8 | expiry 48 | claims 32 | attester 160].
interface IAttestationRegistry {
    /// @notice One attestation as stored.
    /// @param level 1..255; 0 means none.
    /// @param expiry Valid while block.timestamp < expiry.
    /// @param attester The reviewer who attested.
    /// @param claims Claim bits (`Claims`); 0 when the attestation states a level only.
    struct Attestation {
        uint8 level;
        uint64 expiry;
        address attester;
        uint32 claims;
    }

    /// @notice One entry of a batch or a signed attestation.
    struct AttestationRequest {
        address subject;
        uint8 level;
        uint64 expiry;
        uint32 claims;
        bytes32 recordId;
    }

    /// @notice Emitted for every new or replaced attestation.
    event Attested(
        uint256 indexed projectId,
        address indexed subject,
        address indexed attester,
        uint8 level,
        uint64 expiry,
        uint32 claims,
        bytes32 recordId
    );
    /// @notice Emitted when an attestation is revoked.
    event AttestationRevoked(uint256 indexed projectId, address indexed subject, address indexed by);

    /// @notice The account is not an active REVIEWER of the project.
    error NotReviewer(uint256 projectId, address account);
    /// @notice The account may not revoke in this project (needs REVIEWER or ADMIN).
    error NotAllowedToRevoke(uint256 projectId, address account);
    /// @notice Level 0 is reserved for "no attestation".
    error InvalidLevel();
    /// @notice The subject was the zero address.
    error InvalidSubject();
    /// @notice No attestation to revoke.
    error AttestationNotFound(uint256 projectId, address subject);
    /// @notice The signed request's deadline has passed.
    error SignatureExpired(uint256 deadline);
    /// @notice The signature is not the attester's.
    error InvalidSignature(address attester);
    /// @notice A batch was empty.
    error EmptyBatch();
    /// @notice The claims set a bit the standard registry reserves but does not define yet.
    error ReservedClaims(uint32 claims);
    /// @notice The expiry does not fit the 48 bits the slot keeps for it (past year 8,900,000).
    error ExpiryTooFar(uint64 expiry);

    /// @notice Attests one subject, replacing any earlier attestation (claims included) of it in
    ///         the project. Active REVIEWER of the project only.
    /// @param level 1..255.
    /// @param expiry Unix seconds, in the future and below 2^48.
    /// @param claims Claim bits the reviewer derived (`Claims`); the reserved bits 9-15 are refused,
    ///        the project bits 16-31 are taken as they are.
    /// @param recordId The record the review relied on (emitted, not stored); may be zero.
    function attest(uint256 projectId, address subject, uint8 level, uint64 expiry, uint32 claims, bytes32 recordId)
        external;

    /// @notice Attests many subjects in one call. Active REVIEWER of the project only.
    function attestBatch(uint256 projectId, AttestationRequest[] calldata requests) external;

    /// @notice Attests on behalf of `attester`, who signed the EIP-712 message
    ///         `Attest(uint256 projectId,address subject,uint8 level,uint64 expiry,uint32 claims,
    ///         bytes32 recordId,address attester,uint256 nonce,uint256 deadline)`; anyone
    ///         (a relayer) may submit it. The attester must be an active REVIEWER.
    /// @dev An ECDSA signature by the attester's key is accepted; otherwise the attester is asked
    ///      as a contract (ERC-1271), so smart-account reviewers work. The nonce is the
    ///      attester's next nonce; the deadline is inclusive (valid while now <= deadline).
    function attestBySig(
        uint256 projectId,
        AttestationRequest calldata request,
        address attester,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Revokes a subject's attestation. REVIEWER or ADMIN of the project.
    function revoke(uint256 projectId, address subject) external;

    /// @notice Whether the subject holds an unexpired attestation of at least `minLevel` (and at
    ///         least 1) from the project. One cold SLOAD.
    function isVerified(address subject, uint256 projectId, uint8 minLevel) external view returns (bool);

    /// @notice `isVerified(subject, projectId, minLevel)` and the attestation carries every bit of
    ///         `claimMask` (a mask of 0 asks for the level only). One cold SLOAD.
    function hasClaims(address subject, uint256 projectId, uint8 minLevel, uint32 claimMask)
        external
        view
        returns (bool);

    /// @notice The attestation as stored (zeroes when none; expired ones are returned as is).
    function getAttestation(address subject, uint256 projectId) external view returns (Attestation memory);

    /// @notice The next nonce `attestBySig` expects from the attester.
    function nonces(address attester) external view returns (uint256);

    /// @notice The EIP-712 domain separator for `attestBySig`.
    function domainSeparator() external view returns (bytes32);

    /// @notice The ProjectRegistry this registry reads roles from.
    function projectRegistry() external view returns (address);

    /// @notice Contract version.
    function version() external pure returns (string memory);
}
