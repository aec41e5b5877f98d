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
    /// Gas sponsorship: the sponsor service signs for requests carrying a key with this scope.
    uint32 internal constant SPONSOR = 1 << 4;
    uint32 internal constant ALL = READ | ANALYTICS | AUDIT | WEBHOOKS | SPONSOR;
}

/// @notice The claim bits an attestation carries beside its level: predicates a reviewer derived
///         from the granted fields, in memory; only the bit goes on-chain, never the value behind it
///         (over 18, not the birth date). The registry is stable: a bit keeps its meaning forever,
///         new claims take the next free bit, and bits 9-15 are reserved for them, so attest refuses
///         them until a contract version defines them. Bits 16-31 are the project's own: their
///         meaning is whatever the project publishes (e.g. in its metadata), OneKey gives none.
library Claims {
    /// Age 18 or over on the day of review (UTC calendar date).
    uint32 internal constant AGE_OVER_18 = 1 << 0;
    /// Age 21 or over on the day of review (UTC calendar date).
    uint32 internal constant AGE_OVER_21 = 1 << 1;
    /// Screened against sanctions lists with no match.
    uint32 internal constant SANCTIONS_SCREENED = 1 << 2;
    /// Screened for politically exposed person status with no match.
    uint32 internal constant PEP_SCREENED = 1 << 3;
    /// A proof of address was checked.
    uint32 internal constant PROOF_OF_ADDRESS = 1 << 4;
    /// A liveness check (selfie against document) passed.
    uint32 internal constant LIVENESS_CHECKED = 1 << 5;
    /// An accredited investor (or the project's jurisdiction's equivalent).
    uint32 internal constant ACCREDITED_INVESTOR = 1 << 6;
    /// The country of residence is in the project's allow-list.
    uint32 internal constant COUNTRY_ALLOWED = 1 << 7;
    /// A government identity document was checked.
    uint32 internal constant DOCUMENT_VERIFIED = 1 << 8;

    /// Every standard bit defined so far.
    uint32 internal constant STANDARD = (1 << 9) - 1;
    /// Standard bits not yet defined; attest refuses them so a later meaning cannot be pre-claimed.
    uint32 internal constant RESERVED = 0xfe00;
    /// Bits whose meaning each project defines for itself.
    uint32 internal constant PROJECT = 0xffff0000;
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

// Most grants one `RecordRegistry.rewrapGrants` call re-wraps. Each costs ~10k gas, so a full
//         batch stays far below a block; a refused item wastes at most one batch of work.
uint256 constant MAX_REWRAP_BATCH = 100;

// How long one audit-access entry lets its auditor use the escrow key.
uint64 constant AUDIT_ACCESS_WINDOW = 1 days;

/// @notice An account that must not be zero was zero.
error ZeroAddress();
/// @notice A timestamp that must lie in the future does not.
error ExpiryNotInFuture(uint64 expiry, uint64 nowTimestamp);
/// @notice Two arrays that must be the same length are not.
error LengthMismatch(uint256 a, uint256 b);
