// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IEAS, AttestationRequest, AttestationRequestData, RevocationRequest, RevocationRequestData} from
    "@ethereum-attestation-service/eas-contracts/contracts/IEAS.sol";
import {ISchemaRegistry} from "@ethereum-attestation-service/eas-contracts/contracts/ISchemaRegistry.sol";
import {ISchemaResolver} from "@ethereum-attestation-service/eas-contracts/contracts/resolver/ISchemaResolver.sol";
import {IEASMirror} from "../interfaces/IEASMirror.sol";
import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IProjectRegistry} from "../interfaces/IProjectRegistry.sol";
import {Roles, ZeroAddress} from "../libraries/Common.sol";

/// @title EASMirror
/// @notice OneKey attestations of opted-in projects, copied into EAS by `sync`.
contract EASMirror is IEASMirror {
    // The subject and the expiry are EAS's own `recipient` and `expirationTime`; the data holds
    // only the rest, as every data word costs a storage write (~22k gas) in EAS.
    string private constant SCHEMA = "uint256 projectId,uint8 level,uint32 claims";

    IEAS private immutable _eas;
    IAttestationRegistry private immutable _attestations;
    IProjectRegistry private immutable _projects;
    bytes32 private immutable _schema;

    mapping(uint256 projectId => bool enabled) private _mirrored;

    /// @dev What EAS holds for one (project, subject). Slot 0: the live EAS uid. Slot 1: the
    ///      registry attestation it copies, packed like the registry's slot (level | expiry << 8 |
    ///      claims << 56 | attester << 88), or 0 for "nothing mirrored". A sync compares that word
    ///      with the registry's current attestation instead of reading the EAS record back.
    struct Mirror {
        bytes32 uid;
        uint256 state;
    }

    mapping(uint256 projectId => mapping(address subject => Mirror mirror)) private _mirrors;

    constructor(IEAS eas_, IAttestationRegistry attestations_) {
        if (address(eas_) == address(0) || address(attestations_) == address(0)) revert ZeroAddress();
        _eas = eas_;
        _attestations = attestations_;
        _projects = IProjectRegistry(attestations_.projectRegistry());
        ISchemaRegistry registry = eas_.getSchemaRegistry();
        // A schema uid is the hash of (definition, resolver, revocable): the same on every chain and
        // for every deployment of this contract, so a second mirror reuses the registered schema.
        bytes32 uid = keccak256(abi.encodePacked(SCHEMA, address(0), true));
        if (registry.getSchema(uid).uid == bytes32(0)) registry.register(SCHEMA, ISchemaResolver(address(0)), true);
        _schema = uid;
    }

    /// @inheritdoc IEASMirror
    function setMirrored(uint256 projectId, bool enabled) external {
        if (!_projects.hasRole(projectId, msg.sender, Roles.ADMIN)) revert NotProjectAdmin(projectId, msg.sender);
        _mirrored[projectId] = enabled;
        emit MirroringSet(projectId, enabled, msg.sender);
    }

    /// @inheritdoc IEASMirror
    function sync(uint256 projectId, address subject) external returns (bytes32 uid) {
        return _sync(projectId, subject);
    }

    /// @inheritdoc IEASMirror
    function syncBatch(uint256 projectId, address[] calldata subjects) external {
        if (subjects.length == 0) revert EmptyBatch();
        for (uint256 i; i < subjects.length; ++i) {
            _sync(projectId, subjects[i]);
        }
    }

    /// @inheritdoc IEASMirror
    function isMirrored(uint256 projectId) external view returns (bool) {
        return _mirrored[projectId];
    }

    /// @inheritdoc IEASMirror
    function mirrorOf(uint256 projectId, address subject) external view returns (bytes32) {
        return _mirrors[projectId][subject].uid;
    }

    /// @inheritdoc IEASMirror
    function inSync(uint256 projectId, address subject) external view returns (bool) {
        (uint256 target,) = _target(projectId, subject);
        return _mirrors[projectId][subject].state == target;
    }

    /// @inheritdoc IEASMirror
    function schema() external view returns (bytes32) {
        return _schema;
    }

    /// @inheritdoc IEASMirror
    function schemaDefinition() external pure returns (string memory) {
        return SCHEMA;
    }

    /// @inheritdoc IEASMirror
    function eas() external view returns (address) {
        return address(_eas);
    }

    /// @inheritdoc IEASMirror
    function attestationRegistry() external view returns (address) {
        return address(_attestations);
    }

    /// @inheritdoc IEASMirror
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /// @dev The state EAS should copy: the registry's attestation packed, or 0 when the project
    ///      does not mirror or there is no attestation. An expired one is still a target (its EAS
    ///      copy expires on its own), so expiry alone never costs a sync.
    function _target(uint256 projectId, address subject)
        private
        view
        returns (uint256 target, IAttestationRegistry.Attestation memory a)
    {
        a = _attestations.getAttestation(subject, projectId);
        if (!_mirrored[projectId] || a.level == 0) return (0, a);
        target = uint256(a.level) | (uint256(a.expiry) << 8) | (uint256(a.claims) << 56)
            | (uint256(uint160(a.attester)) << 88);
    }

    function _sync(uint256 projectId, address subject) private returns (bytes32 uid) {
        (uint256 target, IAttestationRegistry.Attestation memory a) = _target(projectId, subject);
        Mirror storage m = _mirrors[projectId][subject];
        bytes32 previous = m.uid;
        if (m.state == target) return previous;
        if (previous != bytes32(0)) {
            _eas.revoke(RevocationRequest({schema: _schema, data: RevocationRequestData({uid: previous, value: 0})}));
        }
        // EAS refuses an expiration time in the past: an attestation that expired before anyone
        // synced it is recorded as copied, with no live EAS record.
        if (target != 0 && a.expiry > block.timestamp) {
            uid = _eas.attest(
                AttestationRequest({
                    schema: _schema,
                    data: AttestationRequestData({
                        recipient: subject,
                        expirationTime: a.expiry,
                        revocable: true,
                        refUID: previous,
                        data: abi.encode(projectId, a.level, a.claims),
                        value: 0
                    })
                })
            );
        }
        m.uid = uid;
        m.state = target;
        emit Synced(projectId, subject, uid, previous);
    }
}
