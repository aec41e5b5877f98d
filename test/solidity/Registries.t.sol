// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./Vm.sol";
import {ProjectRegistry} from "../../contracts/ProjectRegistry.sol";
import {RecordRegistry} from "../../contracts/RecordRegistry.sol";
import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {IRecordRegistry} from "../../contracts/interfaces/IRecordRegistry.sol";
import {Roles} from "../../contracts/libraries/Common.sol";
import {GranteeKeys} from "../../contracts/libraries/GranteeKeys.sol";

contract RegistriesFuzzTest is TestBase {
    ProjectRegistry internal projects;
    RecordRegistry internal records;
    AttestationRegistry internal attestations;

    address internal constant ADMIN = address(0xA11CE);
    address internal constant REVIEWER = address(0xBEEF);
    address internal constant SUBJECT = address(0x5B);
    uint256 internal projectA;
    uint256 internal projectB;

    function setUp() public {
        projects = new ProjectRegistry();
        records = new RecordRegistry(projects);
        attestations = new AttestationRegistry(projects);
        vm.startPrank(ADMIN);
        projectA = projects.createProject("a");
        projectB = projects.createProject("b");
        projects.grantRoles(projectA, REVIEWER, Roles.REVIEWER);
        vm.stopPrank();
        vm.warp(1_000_000);
    }

    function _register(bytes32 salt) internal returns (bytes32 recordId) {
        vm.prank(SUBJECT);
        recordId = records.registerRecord(salt, bytes32(uint256(1)), bytes32(uint256(2)), bytes32(uint256(3)), 1, 0);
    }

    /// hasAccess is false for any account that holds no live grant.
    function test_fuzz_noGrantNoAccess(address user, bytes32 salt) public {
        vm.assume(user != SUBJECT);
        bytes32 recordId = _register(salt);
        assertTrue(!records.hasAccess(recordId, user), "stranger has access");
    }

    /// An account grant opens the record exactly until expiry, for that account only.
    function test_fuzz_grantWindow(address grantee, address other, uint64 ttl, uint64 later) public {
        vm.assume(grantee != address(0) && grantee != SUBJECT && other != grantee && other != SUBJECT);
        ttl = uint64(bound(ttl, 1, 365 days));
        bytes32 recordId = _register(bytes32(uint256(7)));
        uint64 expiry = uint64(block.timestamp) + ttl;
        vm.prank(SUBJECT);
        records.grant(recordId, GranteeKeys.account(grantee), 0, expiry, 1, hex"01");
        assertTrue(records.hasAccess(recordId, grantee), "grantee lacks access");
        assertTrue(!records.hasAccess(recordId, other), "other has access");
        vm.warp(bound(later, expiry, expiry + 10 * 365 days));
        assertTrue(!records.hasAccess(recordId, grantee), "access after expiry");
    }

    /// An erased record never regains access, whatever is tried afterwards.
    function test_fuzz_erasedNeverRegains(address grantee, uint8 purpose, uint64 ttl, bytes32 salt) public {
        vm.assume(grantee != address(0) && grantee != SUBJECT);
        ttl = uint64(bound(ttl, 1, 365 days));
        bytes32 recordId = _register(salt);
        vm.prank(SUBJECT);
        records.grant(recordId, GranteeKeys.account(grantee), purpose % 5, uint64(block.timestamp) + ttl, 3, hex"02");
        vm.prank(SUBJECT);
        records.eraseRecord(recordId);
        assertTrue(!records.hasAccess(recordId, grantee) && !records.hasAccess(recordId, SUBJECT), "access after erase");
        vm.prank(SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordIsErased.selector, recordId));
        records.grant(recordId, GranteeKeys.account(grantee), 0, uint64(block.timestamp) + ttl, 1, hex"03");
        vm.prank(SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordIsErased.selector, recordId));
        records.rotateRecord(recordId, bytes32(uint256(9)), bytes32(uint256(9)), bytes32(0), 1, 0);
        assertTrue(!records.hasAccess(recordId, grantee), "access regained");
    }

    /// Attestation levels never leak across projects.
    function test_fuzz_levelsStayInProject(address subject, uint8 level, uint256 otherProject, uint8 minLevel) public {
        vm.assume(subject != address(0));
        level = uint8(bound(level, 1, 255));
        vm.assume(otherProject != projectA);
        vm.prank(REVIEWER);
        attestations.attest(projectA, subject, level, uint64(block.timestamp + 1 days), bytes32(0));
        assertTrue(!attestations.isVerified(subject, otherProject, minLevel), "leaked across projects");
        assertTrue(attestations.isVerified(subject, projectA, minLevel) == (minLevel <= level), "level compare");
    }

    /// A REVIEWER of project A can attest in A and is nobody in any other project.
    function test_fuzz_reviewerOfAIsNobodyElsewhere(uint256 otherProject, address subject) public {
        vm.assume(otherProject != projectA && subject != address(0));
        vm.prank(REVIEWER);
        vm.expectRevert(abi.encodeWithSignature("NotReviewer(uint256,address)", otherProject, REVIEWER));
        attestations.attest(otherProject, subject, 1, uint64(block.timestamp + 1), bytes32(0));
    }

    /// Grantee keys: accounts and projects never collide, and decode back.
    function test_fuzz_granteeKeys(address account, uint128 projectId) public pure {
        bytes32 a = GranteeKeys.account(account);
        bytes32 p = GranteeKeys.project(projectId);
        assertTrue(a != p, "collision");
        assertTrue(!GranteeKeys.isProject(a) && GranteeKeys.isProject(p), "flag");
        assertTrue(GranteeKeys.isAccount(a) == (account != address(0)), "account form");
        assertTrue(!GranteeKeys.isAccount(p), "project looks like an account");
        assertEq(GranteeKeys.projectId(p), projectId, "project id round trip");
    }
}

/// Random sequences of owner/admin actions; after each, the invariants below must hold.
contract RegistriesHandler is TestBase {
    ProjectRegistry public projects;
    RecordRegistry public records;
    AttestationRegistry public attestations;
    address internal constant SUBJECT = address(0x5B);
    address internal constant ADMIN = address(0xA11CE);
    address[4] internal actors = [address(0x101), address(0x102), address(0x103), address(0x104)];
    bytes32 public recordId;
    uint256 public projectId;
    bool public erased;
    bool public grantedAfterErase;

    constructor(ProjectRegistry p, RecordRegistry r, AttestationRegistry a) {
        projects = p;
        records = r;
        attestations = a;
        vm.prank(ADMIN);
        projectId = projects.createProject("p");
        vm.prank(SUBJECT);
        recordId = records.registerRecord(bytes32(uint256(1)), bytes32(uint256(1)), bytes32(uint256(2)), bytes32(0), 1, 0);
    }

    function actor(uint256 i) public view returns (address) {
        return actors[i % actors.length];
    }

    function grant(uint256 who, uint64 ttl, bool toProject) external {
        if (erased) return;
        ttl = uint64(bound(ttl, 1, 30 days));
        bytes32 key = toProject ? GranteeKeys.project(projectId) : GranteeKeys.account(actor(who));
        vm.prank(SUBJECT);
        records.grant(recordId, key, 0, uint64(block.timestamp) + ttl, 1, hex"aa");
    }

    function revoke(uint256 who) external {
        vm.prank(SUBJECT);
        try records.revoke(recordId, GranteeKeys.account(actor(who))) {} catch {}
    }

    function setReviewer(uint256 who, bool on) external {
        vm.prank(ADMIN);
        if (on) projects.grantRoles(projectId, actor(who), Roles.REVIEWER);
        else projects.revokeRoles(projectId, actor(who), Roles.REVIEWER);
    }

    function rotate() external {
        if (erased) return;
        vm.prank(SUBJECT);
        records.rotateRecord(recordId, bytes32(uint256(5)), bytes32(uint256(6)), bytes32(0), 1, 0);
    }

    function erase() external {
        if (erased) return;
        vm.prank(SUBJECT);
        records.eraseRecord(recordId);
        erased = true;
    }

    function tryGrantAfterErase(uint256 who) external {
        if (!erased) return;
        vm.prank(SUBJECT);
        try records.grant(recordId, GranteeKeys.account(actor(who)), 0, uint64(block.timestamp) + 1 days, 1, hex"bb") {
            grantedAfterErase = true;
        } catch {}
    }

    function wait(uint32 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 10 days));
    }
}

contract RegistriesInvariantTest is TestBase {
    RegistriesHandler internal handler;
    RecordRegistry internal records;

    function setUp() public {
        ProjectRegistry projects = new ProjectRegistry();
        records = new RecordRegistry(projects);
        handler = new RegistriesHandler(projects, records, new AttestationRegistry(projects));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// Access implies a live grant (own or through an active REVIEWER project) or ownership.
    function invariant_accessImpliesLiveGrant() public view {
        bytes32 id = handler.recordId();
        for (uint256 i; i < 4; ++i) {
            address a = handler.actor(i);
            if (!records.hasAccess(id, a)) continue;
            bool own = records.isGrantLive(id, GranteeKeys.account(a));
            bool viaProject = records.isGrantLive(id, GranteeKeys.project(handler.projectId()))
                && handler.projects().hasActiveRole(handler.projectId(), a, Roles.REVIEWER);
            assertTrue(own || viaProject, "access without a live grant");
        }
    }

    /// Once erased, nobody has access and no grant ever succeeds.
    function invariant_erasedIsFinal() public view {
        if (!handler.erased()) return;
        assertTrue(!handler.grantedAfterErase(), "grant after erase");
        for (uint256 i; i < 4; ++i) {
            assertTrue(!records.hasAccess(handler.recordId(), handler.actor(i)), "access after erase");
        }
        assertTrue(!records.hasAccess(handler.recordId(), address(0x5B)), "owner access after erase");
    }
}
