// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Shared OneKey types, role bits, errors and constants.
/// @dev One small file, like EAS `Common.sol`: every registry imports it so a name
///      means one thing across contracts, SDK, indexer and docs.

/// @notice Project roles, as bits of a member's role mask.
library Roles {
    uint8 internal constant ADMIN = 1 << 0;
    uint8 internal constant REVIEWER = 1 << 1;
    uint8 internal constant AUDITOR = 1 << 2;
    uint8 internal constant SPONSOR = 1 << 3;
    uint8 internal constant ALL = ADMIN | REVIEWER | AUDITOR | SPONSOR;
}

/// @notice API-key scopes, as bits of the `scopes` mask `ProjectRegistry.addApiKey` stores. The
///         registry stores the mask as given; the indexer API honours these bits (docs/indexer.md).
library ApiKeyScopes {
    /// GraphQL and REST reads (grants with state).
    uint32 internal constant READ = 1 << 0;
    /// Per-project analytics.
    uint32 internal constant ANALYTICS = 1 << 1;
    /// Audit-log export and verification.
    uint32 internal constant AUDIT = 1 << 2;
    /// Webhook endpoints: register, list, delete, delivery log, redelivery.
    uint32 internal constant WEBHOOKS = 1 << 3;
    uint32 internal constant ALL = READ | ANALYTICS | AUDIT | WEBHOOKS;
}

/// @notice Why a grant exists. New purposes are appended, never reordered, so stored
///         values keep their meaning.
enum Purpose {
    KYC_REVIEW,
    COMPLIANCE,
    AUDIT,
    DISPUTE,
    SUPPORT
}

/// @notice How a record's data-encryption key reaches a grantee.
enum KeyRelease {
    /// The DEK (or field keys) wrapped to the grantee's X25519 key, carried in the grant event.
    ENVELOPE,
    /// The DEK encrypted by Lit Protocol under a `hasAccess(recordId, :userAddress)` condition.
    LIT
}

// Number of purposes defined; a purpose value must be below this.
uint8 constant PURPOSE_COUNT = uint8(type(Purpose).max) + 1;

// Number of key-release modes defined.
uint8 constant KEY_RELEASE_COUNT = uint8(type(KeyRelease).max) + 1;

// Largest number of projects one account may be a member of. It bounds the loop in
//         `RecordRegistry.hasAccess`, which Lit nodes and the SDK call.
uint256 constant MAX_MEMBERSHIPS = 16;

// How long one audit-access entry lets its auditor use the escrow key.
uint64 constant AUDIT_ACCESS_WINDOW = 1 days;

/// @notice An account that must not be zero was zero.
error ZeroAddress();
/// @notice A timestamp that must lie in the future does not.
error ExpiryNotInFuture(uint64 expiry, uint64 nowTimestamp);
/// @notice Two arrays that must be the same length are not.
error LengthMismatch(uint256 a, uint256 b);
