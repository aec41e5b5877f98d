// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title OneKey -> EAS mirror
/// @notice Copies OneKey attestations of projects that opted in into EAS (the predeploy on Base),
///         under one OneKey schema, so tools that read EAS (easscan, the EAS SDK, readers of
///         Coinbase Verifications) see them. The AttestationRegistry stays the source of truth and
///         `isVerified` / `hasClaims` stay the cheap path; the mirror is a copy that `sync` brings
///         up to date.
/// @dev Pull, not push: `sync(projectId, subject)` reads the registry and makes EAS agree with it
///      (attest a new EAS attestation, revoke the one it replaces), so the registry's attest path
///      pays nothing for projects that do not mirror. Anyone may call it: it can only copy what the
///      registry says. The EAS attester of every mirrored attestation is this contract (the
///      reviewer who attested stays readable in the registry). Schema (no personal data):
///      `uint256 projectId,uint8 level,uint32 claims`, with recipient = subject, expirationTime =
///      expiry, revocable, refUID = the mirror it replaced, no resolver.
interface IEASMirror {
    /// @notice A project turned mirroring on or off.
    event MirroringSet(uint256 indexed projectId, bool enabled, address indexed by);
    /// @notice EAS now agrees with the registry for (project, subject): `uid` is the live mirror
    ///         (zero when there is none any more), `replaced` the one revoked by this sync (or zero).
    event Synced(uint256 indexed projectId, address indexed subject, bytes32 uid, bytes32 replaced);

    /// @notice Only the project's ADMIN may turn its mirroring on or off.
    error NotProjectAdmin(uint256 projectId, address account);
    /// @notice A sync batch was empty.
    error EmptyBatch();

    /// @notice Turns mirroring on or off for a project (ADMIN only, also while suspended). Turning
    ///         it off does not touch EAS by itself: each `sync` afterwards revokes that subject's mirror.
    function setMirrored(uint256 projectId, bool enabled) external;

    /// @notice Makes EAS agree with the registry for one subject: nothing when it already does; else
    ///         revokes the previous mirror and, when the project mirrors and the attestation exists
    ///         and is unexpired, attests the current one. Permissionless.
    /// @return uid The live mirror after the call (zero when none).
    function sync(uint256 projectId, address subject) external returns (bytes32 uid);

    /// @notice `sync` for many subjects of one project.
    function syncBatch(uint256 projectId, address[] calldata subjects) external;

    /// @notice Whether the project mirrors into EAS.
    function isMirrored(uint256 projectId) external view returns (bool);

    /// @notice The live EAS uid mirroring (project, subject), zero when none.
    function mirrorOf(uint256 projectId, address subject) external view returns (bytes32);

    /// @notice Whether EAS already agrees with the registry for (project, subject), i.e. `sync`
    ///         would change nothing (keepers call it to find what needs a sync).
    function inSync(uint256 projectId, address subject) external view returns (bool);

    /// @notice The EAS schema uid every mirror is made under.
    function schema() external view returns (bytes32);

    /// @notice The schema string registered in the EAS SchemaRegistry.
    function schemaDefinition() external pure returns (string memory);

    /// @notice The EAS contract and the AttestationRegistry this mirror connects.
    function eas() external view returns (address);
    function attestationRegistry() external view returns (address);

    /// @notice Contract version.
    function version() external pure returns (string memory);
}
