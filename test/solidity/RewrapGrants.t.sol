// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./Vm.sol";
import {ProjectRegistry} from "../../contracts/ProjectRegistry.sol";
import {RecordRegistry} from "../../contracts/RecordRegistry.sol";
import {IRecordRegistry} from "../../contracts/interfaces/IRecordRegistry.sol";
import {Roles, MAX_REWRAP_BATCH} from "../../contracts/libraries/Common.sol";
import {GranteeKeys} from "../../contracts/libraries/GranteeKeys.sol";

/// The two cheatcodes these tests add to ./Vm.sol's set (same cheatcode address).
interface VmLogs {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory);
}

abstract contract RewrapBase is TestBase {
    VmLogs internal constant vmLogs = VmLogs(address(uint160(uint256(keccak256("hevm cheat code")))));
    address internal constant ADMIN = address(0xA11CE);
    address internal constant REVIEWER = address(0xBEEF);
    address internal constant SUBJECT = address(0x5B);
    ProjectRegistry internal projects;
    RecordRegistry internal records;
    uint256 internal projectA;
    uint256 internal projectB;

    function _deploy() internal {
        projects = new ProjectRegistry();
        records = new RecordRegistry(projects);
        vm.startPrank(ADMIN);
        projectA = projects.createProject("a");
        projectB = projects.createProject("b");
        projects.grantRoles(projectA, REVIEWER, Roles.REVIEWER);
        projects.setReviewKey(projectA, bytes32(uint256(0xbe01)));
        projects.setReviewKey(projectB, bytes32(uint256(0xbe02)));
        vm.stopPrank();
        vm.warp(1_000_000);
    }

    function _registerGranted(bytes32 salt, uint64 expiry) internal returns (bytes32 recordId) {
        vm.startPrank(SUBJECT);
        recordId = records.registerRecord(salt, bytes32(uint256(1)), bytes32(uint256(2)), bytes32(uint256(3)), 1, 0);
        records.grant(recordId, GranteeKeys.project(projectA), 0, expiry, 3, hex"0102");
        vm.stopPrank();
    }

    function _item(bytes32 recordId, uint256 projectId) internal view returns (IRecordRegistry.Rewrap memory) {
        IRecordRegistry.Grant memory g = records.getGrant(recordId, GranteeKeys.project(projectId));
        return IRecordRegistry.Rewrap({
            recordId: recordId, recordVersion: g.recordVersion, grantedAt: g.grantedAt, wrappedKey: hex"0badc0de"
        });
    }

    function _one(IRecordRegistry.Rewrap memory item) internal pure returns (IRecordRegistry.Rewrap[] memory batch) {
        batch = new IRecordRegistry.Rewrap[](1);
        batch[0] = item;
    }

    function _reviewKeyVersion(uint256 projectId) internal view returns (uint32 v) {
        (, v) = projects.reviewKeyOf(projectId);
    }
}

contract RewrapGrantsFuzzTest is RewrapBase {
    function setUp() public {
        _deploy();
    }

    /// Nobody but an ADMIN of the grantee project re-wraps, whoever they are and whatever roles
    /// they hold elsewhere or in the project short of ADMIN.
    function test_fuzz_onlyAdminRewraps(address caller, uint8 roles) public {
        vm.assume(caller != ADMIN && caller != address(0));
        bytes32 recordId = _registerGranted(bytes32(uint256(1)), uint64(block.timestamp + 1 days));
        roles = uint8(bound(roles, 0, Roles.ALL)) & ~Roles.ADMIN;
        vm.startPrank(ADMIN);
        if (roles != 0) projects.grantRoles(projectA, caller, roles);
        projects.grantRoles(projectB, caller, Roles.ADMIN);
        vm.stopPrank();
        IRecordRegistry.Rewrap[] memory batch = _one(_item(recordId, projectA));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.NotProjectAdmin.selector, projectA, caller));
        records.rewrapGrants(projectA, 1, batch);
        // As ADMIN of project B the same item is not a grant to B.
        vm.prank(caller);
        vm.expectRevert(
            abi.encodeWithSelector(IRecordRegistry.GrantNotFound.selector, recordId, GranteeKeys.project(projectB))
        );
        records.rewrapGrants(projectB, 1, batch);
    }

    /// Only the current review-key version is taken, after any number of rotations.
    function test_fuzz_onlyCurrentKeyVersion(uint8 rotations, uint32 given) public {
        rotations = uint8(bound(rotations, 0, 10));
        bytes32 recordId = _registerGranted(bytes32(uint256(2)), uint64(block.timestamp + 1 days));
        for (uint256 i; i < rotations; ++i) {
            vm.prank(ADMIN);
            projects.setReviewKey(projectA, bytes32(uint256(0xbe10 + i)));
        }
        uint32 current = _reviewKeyVersion(projectA);
        assertEq(current, 1 + rotations, "version counts rotations");
        IRecordRegistry.Rewrap[] memory batch = _one(_item(recordId, projectA));
        vm.prank(ADMIN);
        if (given != current) {
            vm.expectRevert(
                abi.encodeWithSelector(IRecordRegistry.ReviewKeyVersionMismatch.selector, projectA, given, current)
            );
        }
        records.rewrapGrants(projectA, given, batch);
    }

    /// A re-wrap never changes the grant, the record or who has access; it emits exactly the
    /// item's key tagged with the record and review-key versions.
    function test_fuzz_rewrapChangesNothingStored(uint64 ttl, bytes calldata key, address user) public {
        vm.assume(key.length > 0 && key.length <= 2048);
        ttl = uint64(bound(ttl, 1, 3650 days));
        bytes32 recordId = _registerGranted(bytes32(uint256(3)), uint64(block.timestamp) + ttl);
        IRecordRegistry.Grant memory before = records.getGrant(recordId, GranteeKeys.project(projectA));
        bool accessBefore = records.hasAccess(recordId, user);
        IRecordRegistry.Rewrap memory item = _item(recordId, projectA);
        item.wrappedKey = key;
        vmLogs.recordLogs();
        vm.prank(ADMIN);
        records.rewrapGrants(projectA, 1, _one(item));
        VmLogs.Log[] memory logs = vmLogs.getRecordedLogs();
        assertEq(logs.length, 1, "one event");
        assertTrue(logs[0].topics[0] == IRecordRegistry.GrantRewrapped.selector, "event");
        assertTrue(logs[0].topics[1] == recordId, "recordId topic");
        assertTrue(logs[0].topics[2] == GranteeKeys.project(projectA), "grantee topic");
        assertTrue(logs[0].topics[3] == bytes32(uint256(uint160(ADMIN))), "admin topic");
        (uint32 recordVersion, uint32 keyVersion, bytes memory wrappedKey) = abi.decode(logs[0].data, (uint32, uint32, bytes));
        assertEq(recordVersion, 1, "record version");
        assertEq(keyVersion, 1, "review-key version");
        assertTrue(keccak256(wrappedKey) == keccak256(key), "wrapped key bytes");
        // The event data is canonical ABI: exactly the padded length.
        assertEq(logs[0].data.length, 0x80 + ((key.length + 31) / 32) * 32, "padded data length");
        IRecordRegistry.Grant memory after_ = records.getGrant(recordId, GranteeKeys.project(projectA));
        assertTrue(keccak256(abi.encode(before)) == keccak256(abi.encode(after_)), "grant changed");
        assertTrue(records.hasAccess(recordId, user) == accessBefore, "access changed");
    }

    /// Dead grants are refused by name: revoked, expired (at any time from expiry on), stale version.
    function test_fuzz_deadGrantsRefused(uint8 kind, uint64 ttl, uint64 later) public {
        ttl = uint64(bound(ttl, 1, 365 days));
        uint64 expiry = uint64(block.timestamp) + ttl;
        bytes32 recordId = _registerGranted(bytes32(uint256(4)), expiry);
        IRecordRegistry.Rewrap memory item = _item(recordId, projectA);
        bytes32 grantee = GranteeKeys.project(projectA);
        kind = uint8(bound(kind, 0, 2));
        if (kind == 0) {
            vm.prank(SUBJECT);
            records.revoke(recordId, grantee);
            vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.GrantRevoked.selector, recordId, grantee));
        } else if (kind == 1) {
            vm.warp(bound(later, expiry, uint256(expiry) + 3650 days));
            vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.GrantExpired.selector, recordId, grantee, expiry));
        } else {
            vm.prank(SUBJECT);
            records.rotateRecord(recordId, bytes32(uint256(5)), bytes32(uint256(6)), bytes32(0), 1, 0);
            vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.StaleRecordVersion.selector, recordId, 1, 2));
        }
        vm.prank(ADMIN);
        records.rewrapGrants(projectA, 1, _one(item));
    }

    /// Any batch of distinct live grants in ascending order passes; swapping two items or repeating
    /// one is refused at the first offending index.
    function test_fuzz_batchOrder(uint8 n, uint256 swapAt, bool duplicate) public {
        n = uint8(bound(n, 2, 24));
        bytes32[] memory ids = new bytes32[](n);
        for (uint256 i; i < n; ++i) ids[i] = _registerGranted(keccak256(abi.encode("batch", i)), uint64(block.timestamp + 1 days));
        // Insertion sort: n is small.
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && ids[j - 1] > ids[j]; --j) (ids[j - 1], ids[j]) = (ids[j], ids[j - 1]);
        }
        IRecordRegistry.Rewrap[] memory batch = new IRecordRegistry.Rewrap[](n);
        for (uint256 i; i < n; ++i) batch[i] = _item(ids[i], projectA);
        vm.prank(ADMIN);
        records.rewrapGrants(projectA, 1, batch);

        uint256 k = bound(swapAt, 1, n - 1);
        if (duplicate) {
            batch[k] = batch[k - 1];
            vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.DuplicateRewrap.selector, ids[k - 1]));
        } else {
            (batch[k - 1], batch[k]) = (batch[k], batch[k - 1]);
            vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.RewrapsNotSorted.selector, k));
        }
        vm.prank(ADMIN);
        records.rewrapGrants(projectA, 1, batch);
    }

    /// Batch size bounds.
    function test_fuzz_batchSize(uint16 n) public {
        n = uint16(bound(n, MAX_REWRAP_BATCH + 1, MAX_REWRAP_BATCH + 50));
        IRecordRegistry.Rewrap[] memory batch = new IRecordRegistry.Rewrap[](n);
        vm.prank(ADMIN);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.RewrapBatchTooLarge.selector, n, MAX_REWRAP_BATCH));
        records.rewrapGrants(projectA, 1, batch);
        vm.prank(ADMIN);
        vm.expectRevert(IRecordRegistry.EmptyRewrapBatch.selector);
        records.rewrapGrants(projectA, 1, new IRecordRegistry.Rewrap[](0));
    }
}

/// Random sequences of owner, admin, reviewer and stranger actions around re-wraps.
contract RewrapHandler is RewrapBase {
    address internal constant STRANGER = address(0xBAD);
    bytes32[3] public recordIds;
    // Set when something that must fail succeeded, or a re-wrap changed what it must not.
    bool public nonAdminRewrapped;
    bool public deadGrantRewrapped;
    bool public rewrapChangedState;
    uint256 public rewraps;

    constructor(ProjectRegistry p, RecordRegistry r, uint256 a, uint256 b) {
        projects = p;
        records = r;
        projectA = a;
        projectB = b;
        for (uint256 i; i < 3; ++i) recordIds[i] = _registerGranted(bytes32(i + 1), uint64(block.timestamp + 5 days));
    }

    function _id(uint256 i) internal view returns (bytes32) {
        return recordIds[i % 3];
    }

    function regrant(uint256 i, uint64 ttl) external {
        ttl = uint64(bound(ttl, 1, 10 days));
        vm.prank(SUBJECT);
        try records.grant(_id(i), GranteeKeys.project(projectA), 0, uint64(block.timestamp) + ttl, 1, hex"aa") {} catch {}
    }

    function revoke(uint256 i) external {
        vm.prank(SUBJECT);
        try records.revoke(_id(i), GranteeKeys.project(projectA)) {} catch {}
    }

    function rotateRecord(uint256 i) external {
        vm.prank(SUBJECT);
        try records.rotateRecord(_id(i), bytes32(uint256(5)), bytes32(uint256(6)), bytes32(0), 1, 0) {} catch {}
    }

    function erase(uint256 i) external {
        vm.prank(SUBJECT);
        try records.eraseRecord(_id(i)) {} catch {}
    }

    function rotateReviewKey(bytes32 key) external {
        if (key == bytes32(0)) key = bytes32(uint256(1));
        vm.prank(ADMIN);
        projects.setReviewKey(projectA, key);
    }

    function setReviewer(bool on) external {
        vm.prank(ADMIN);
        if (on) projects.grantRoles(projectA, REVIEWER, Roles.REVIEWER);
        else projects.revokeRoles(projectA, REVIEWER, Roles.REVIEWER);
    }

    /// The admin (or, with `asWho` != 0, a reviewer, a stranger or the other project's admin)
    /// re-wraps one grant as last read, with a possibly wrong review-key version.
    function rewrap(uint256 i, uint8 asWho, bool wrongVersion) external {
        bytes32 recordId = _id(i);
        bytes32 grantee = GranteeKeys.project(projectA);
        IRecordRegistry.Rewrap memory item = _item(recordId, projectA);
        bool live = records.isGrantLive(recordId, grantee);
        IRecordRegistry.Grant memory before = records.getGrant(recordId, grantee);
        bool reviewerAccess = records.hasAccess(recordId, REVIEWER);
        uint32 version = _reviewKeyVersion(projectA) + (wrongVersion ? 1 : 0);
        address caller = [ADMIN, REVIEWER, STRANGER, address(0xB0B)][asWho % 4];
        vm.prank(caller);
        try records.rewrapGrants(projectA, version, _one(item)) {
            ++rewraps;
            if (caller != ADMIN) nonAdminRewrapped = true;
            if (!live || wrongVersion) deadGrantRewrapped = true;
            if (
                keccak256(abi.encode(before)) != keccak256(abi.encode(records.getGrant(recordId, grantee)))
                    || records.hasAccess(recordId, REVIEWER) != reviewerAccess
            ) rewrapChangedState = true;
        } catch {}
    }

    function wait(uint32 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 3 days));
    }
}

contract RewrapGrantsInvariantTest is RewrapBase {
    RewrapHandler internal handler;

    function setUp() public {
        _deploy();
        handler = new RewrapHandler(projects, records, projectA, projectB);
        vm.startPrank(ADMIN);
        projects.grantRoles(projectB, address(0xB0B), Roles.ADMIN);
        vm.stopPrank();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The handler's admin path does re-wrap (so the invariants below are not vacuous), and its
    /// stranger path does not.
    function test_handlerRewraps() public {
        handler.rewrap(0, 0, false);
        assertEq(handler.rewraps(), 1, "admin re-wrap accepted");
        handler.rewrap(0, 2, false);
        handler.rewrap(0, 0, true);
        assertEq(handler.rewraps(), 1, "stranger or wrong version accepted");
    }

    /// Only the project's ADMIN ever re-wrapped.
    function invariant_onlyAdminRewraps() public view {
        assertTrue(!handler.nonAdminRewrapped(), "a non-admin re-wrapped");
    }

    /// Every accepted re-wrap was of a live grant, to the current review-key version.
    function invariant_onlyLiveGrantsAtCurrentVersion() public view {
        assertTrue(!handler.deadGrantRewrapped(), "a dead grant or stale key version was re-wrapped");
    }

    /// A re-wrap changed no grant and nobody's access.
    function invariant_rewrapIsStorageNeutral() public view {
        assertTrue(!handler.rewrapChangedState(), "a re-wrap changed stored state or access");
    }
}
