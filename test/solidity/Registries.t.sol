// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "./Vm.sol";
import {ProjectRegistry} from "../../contracts/ProjectRegistry.sol";
import {RecordRegistry} from "../../contracts/RecordRegistry.sol";
import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {IRecordRegistry} from "../../contracts/interfaces/IRecordRegistry.sol";
import {IAttestationRegistry} from "../../contracts/interfaces/IAttestationRegistry.sol";
import {Claims, Roles, PURPOSE_COUNT} from "../../contracts/libraries/Common.sol";
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

    bytes32 internal constant ATTEST_TYPEHASH = keccak256(
        "Attest(uint256 projectId,address subject,uint8 level,uint64 expiry,uint32 claims,bytes32 recordId,address attester,uint256 nonce,uint256 deadline)"
    );

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

    function _grant(bytes32 recordId, bytes32 grantee, uint64 expiry) internal {
        vm.prank(SUBJECT);
        records.grant(recordId, grantee, 0, expiry, 1, hex"01");
    }

    // --- records -------------------------------------------------------------------------------

    /// hasAccess is false for any account that holds no live grant, even when others hold one.
    function test_fuzz_noGrantNoAccess(address user, address granted, bytes32 salt, uint64 ttl) public {
        vm.assume(user != SUBJECT && user != granted && granted != address(0) && user != REVIEWER);
        ttl = uint64(bound(ttl, 1, 365 days));
        bytes32 recordId = _register(salt);
        assertTrue(!records.hasAccess(recordId, user), "stranger has access");
        _grant(recordId, GranteeKeys.account(granted), uint64(block.timestamp) + ttl);
        _grant(recordId, GranteeKeys.project(projectA), uint64(block.timestamp) + ttl);
        assertTrue(!records.hasAccess(recordId, user), "access through someone else's grant");
        assertTrue(records.hasAccess(recordId, granted), "grantee lacks access");
        assertTrue(records.hasAccess(recordId, REVIEWER), "project reviewer lacks access");
    }

    /// An account grant opens the record exactly while now < expiry, for that account only.
    function test_fuzz_grantWindow(address grantee, address other, uint64 ttl, uint64 later) public {
        vm.assume(grantee != address(0) && grantee != SUBJECT && other != grantee && other != SUBJECT);
        ttl = uint64(bound(ttl, 1, 365 days));
        bytes32 recordId = _register(bytes32(uint256(7)));
        uint64 expiry = uint64(block.timestamp) + ttl;
        _grant(recordId, GranteeKeys.account(grantee), expiry);
        assertTrue(records.hasAccess(recordId, grantee), "grantee lacks access");
        assertTrue(!records.hasAccess(recordId, other), "other has access");
        vm.warp(expiry - 1);
        assertTrue(records.hasAccess(recordId, grantee), "access ended early");
        vm.warp(bound(later, expiry, expiry + 10 * 365 days));
        assertTrue(!records.hasAccess(recordId, grantee), "access at or after expiry");
    }

    /// A grant's expiry must lie strictly in the future.
    function test_fuzz_grantExpiryNotInFuture(uint64 expiry) public {
        expiry = uint64(bound(expiry, 0, block.timestamp));
        bytes32 recordId = _register(bytes32(uint256(8)));
        vm.prank(SUBJECT);
        vm.expectRevert(
            abi.encodeWithSignature("ExpiryNotInFuture(uint64,uint64)", expiry, uint64(block.timestamp))
        );
        records.grant(recordId, GranteeKeys.account(address(0xCAFE)), 0, expiry, 1, hex"01");
    }

    /// Every grant field survives the one-word packing unchanged.
    function test_fuzz_grantPacking(bytes32 grantee, uint8 purpose, uint64 expiry, uint64 fieldMask, uint40 at) public {
        vm.assume(GranteeKeys.isAccount(grantee));
        vm.warp(bound(at, 1, type(uint40).max - 1));
        expiry = uint64(bound(expiry, block.timestamp + 1, type(uint64).max));
        fieldMask = uint64(bound(fieldMask, 1, type(uint64).max));
        purpose = uint8(bound(purpose, 0, PURPOSE_COUNT - 1));
        bytes32 recordId = _register(grantee);
        vm.prank(SUBJECT);
        records.grant(recordId, grantee, purpose, expiry, fieldMask, hex"01");
        IRecordRegistry.Grant memory g = records.getGrant(recordId, grantee);
        assertEq(g.expiry, expiry, "expiry");
        assertEq(g.fieldMask, fieldMask, "fieldMask");
        assertEq(g.recordVersion, 1, "recordVersion");
        assertEq(g.purpose, purpose, "purpose");
        assertTrue(!g.revoked, "revoked");
        assertEq(g.grantedAt, uint40(block.timestamp), "grantedAt");
        vm.prank(SUBJECT);
        records.revoke(recordId, grantee);
        IRecordRegistry.Grant memory r = records.getGrant(recordId, grantee);
        assertTrue(r.revoked && r.expiry == expiry && r.fieldMask == fieldMask && r.purpose == purpose, "revoke touched more than its bit");
    }

    /// After any number of rotations only grants made for the current version open the record.
    function test_fuzz_rotationClosesOldGrants(uint8 rotations, address grantee) public {
        vm.assume(grantee != address(0) && grantee != SUBJECT);
        rotations = uint8(bound(rotations, 1, 8));
        bytes32 recordId = _register(bytes32(uint256(9)));
        bytes32 key = GranteeKeys.account(grantee);
        _grant(recordId, key, uint64(block.timestamp + 1 days));
        for (uint256 i; i < rotations; ++i) {
            vm.prank(SUBJECT);
            records.rotateRecord(recordId, bytes32(i + 10), bytes32(i + 20), bytes32(0), 1, 0);
            assertTrue(!records.hasAccess(recordId, grantee), "old-version grant still opens");
            _grant(recordId, key, uint64(block.timestamp + 1 days));
            assertTrue(records.hasAccess(recordId, grantee), "re-grant does not open");
        }
        assertEq(records.getRecord(recordId).version, uint256(rotations) + 1, "version");
    }

    /// An erased record never regains access, whatever is tried afterwards.
    function test_fuzz_erasedNeverRegains(address grantee, uint8 purpose, uint64 ttl, bytes32 salt) public {
        vm.assume(grantee != address(0) && grantee != SUBJECT);
        ttl = uint64(bound(ttl, 1, 365 days));
        bytes32 recordId = _register(salt);
        vm.prank(SUBJECT);
        records.grant(recordId, GranteeKeys.account(grantee), purpose % 5, uint64(block.timestamp) + ttl, 3, hex"02");
        _grant(recordId, GranteeKeys.project(projectA), uint64(block.timestamp) + ttl);
        vm.prank(SUBJECT);
        records.eraseRecord(recordId);
        assertTrue(
            !records.hasAccess(recordId, grantee) && !records.hasAccess(recordId, SUBJECT)
                && !records.hasAccess(recordId, REVIEWER),
            "access after erase"
        );
        vm.prank(SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordIsErased.selector, recordId));
        records.grant(recordId, GranteeKeys.account(grantee), 0, uint64(block.timestamp) + ttl, 1, hex"03");
        vm.prank(SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordIsErased.selector, recordId));
        records.rotateRecord(recordId, bytes32(uint256(9)), bytes32(uint256(9)), bytes32(0), 1, 0);
        // The id stays taken: an erased record cannot be registered afresh under the same salt.
        vm.prank(SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.RecordExists.selector, recordId));
        records.registerRecord(salt, bytes32(uint256(1)), bytes32(uint256(2)), bytes32(0), 1, 0);
        assertTrue(!records.hasAccess(recordId, grantee), "access regained");
    }

    // --- attestations --------------------------------------------------------------------------

    /// Attestation levels never leak across projects.
    function test_fuzz_levelsStayInProject(address subject, uint8 level, uint256 otherProject, uint8 minLevel) public {
        vm.assume(subject != address(0));
        level = uint8(bound(level, 1, 255));
        vm.assume(otherProject != projectA);
        vm.prank(REVIEWER);
        attestations.attest(projectA, subject, level, uint64(block.timestamp + 1 days), 0, bytes32(0));
        assertTrue(!attestations.isVerified(subject, otherProject, minLevel), "leaked across projects");
        assertTrue(attestations.isVerified(subject, projectA, minLevel) == (minLevel <= level), "level compare");
    }

    /// isVerified holds exactly while now < expiry.
    function test_fuzz_attestationExpiry(uint64 ttl, uint256 later) public {
        ttl = uint64(bound(ttl, 1, 10 * 365 days));
        uint64 expiry = uint64(block.timestamp) + ttl;
        vm.prank(REVIEWER);
        attestations.attest(projectA, SUBJECT, 3, expiry, 0, bytes32(0));
        uint256 at = bound(later, block.timestamp, uint256(expiry) + 365 days);
        vm.warp(at);
        assertTrue(attestations.isVerified(SUBJECT, projectA, 1) == (at < expiry), "expiry edge");
        IAttestationRegistry.Attestation memory a = attestations.getAttestation(SUBJECT, projectA);
        assertTrue(a.level == 3 && a.expiry == expiry && a.attester == REVIEWER, "stored attestation");
    }

    /// Level, expiry, claims and attester share one slot and read back unchanged; hasClaims is
    /// exactly "verified at minLevel and every bit of the mask set".
    function test_fuzz_claimsPacking(address subject, uint8 level, uint64 ttl, uint32 claims, uint32 mask, uint8 minLevel)
        public
    {
        vm.assume(subject != address(0));
        level = uint8(bound(level, 1, 255));
        claims &= ~Claims.RESERVED;
        uint64 expiry = uint64(bound(ttl, block.timestamp + 1, (1 << 48) - 1));
        vm.prank(REVIEWER);
        attestations.attest(projectA, subject, level, expiry, claims, bytes32(0));
        IAttestationRegistry.Attestation memory a = attestations.getAttestation(subject, projectA);
        assertTrue(a.level == level && a.expiry == expiry && a.attester == REVIEWER, "level, expiry, attester");
        assertEq(a.claims, claims, "claims");
        bool verified = minLevel <= level;
        assertTrue(attestations.isVerified(subject, projectA, minLevel) == verified, "isVerified");
        assertTrue(
            attestations.hasClaims(subject, projectA, minLevel, mask) == (verified && claims & mask == mask), "hasClaims"
        );
        assertTrue(attestations.hasClaims(subject, projectA, minLevel, 0) == verified, "empty mask is isVerified");
        assertTrue(attestations.hasClaims(subject, projectA, minLevel, claims) == verified, "own claims");
        assertTrue(!attestations.hasClaims(subject, projectB, 0, 0), "leaked across projects");
        vm.warp(expiry);
        assertTrue(!attestations.hasClaims(subject, projectA, 0, 0), "after expiry");
    }

    /// A reserved standard bit or an expiry past 48 bits is refused with its named error.
    function test_fuzz_reservedClaimsAndFarExpiryRefused(uint32 claims, uint64 expiry) public {
        uint32 reserved = claims | uint32(1 << bound(claims, 9, 15));
        vm.startPrank(REVIEWER);
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.ReservedClaims.selector, reserved));
        attestations.attest(projectA, SUBJECT, 1, uint64(block.timestamp + 1 days), reserved, bytes32(0));
        expiry = uint64(bound(expiry, 1 << 48, type(uint64).max));
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.ExpiryTooFar.selector, expiry));
        attestations.attest(projectA, SUBJECT, 1, expiry, 0, bytes32(0));
        vm.stopPrank();
        assertTrue(!attestations.isVerified(SUBJECT, projectA, 0), "refused attestation stored");
    }

    /// A REVIEWER of A can attest in A and is nobody in any other project.
    function test_fuzz_reviewerOfAIsNobodyElsewhere(uint256 otherProject, address subject) public {
        vm.assume(otherProject != projectA && subject != address(0));
        vm.prank(REVIEWER);
        vm.expectRevert(abi.encodeWithSignature("NotReviewer(uint256,address)", otherProject, REVIEWER));
        attestations.attest(otherProject, subject, 1, uint64(block.timestamp + 1), 0, bytes32(0));
    }

    function _digest(uint256 projectId, IAttestationRegistry.AttestationRequest memory r, address attester, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(ATTEST_TYPEHASH, projectId, r.subject, r.level, r.expiry, r.claims, r.recordId, attester, nonce, deadline)
        );
        return keccak256(abi.encodePacked("\x19\x01", attestations.domainSeparator(), structHash));
    }

    function _sig(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// attestBySig: only the named attester's own signature counts, only once, and only for an
    /// active REVIEWER.
    function test_fuzz_attestBySig(uint256 reviewerKey, uint256 otherKey, address subject, uint8 level, uint32 claims)
        public
    {
        reviewerKey = bound(reviewerKey, 1, SECP256K1_N - 1);
        otherKey = bound(otherKey, 1, SECP256K1_N - 1);
        vm.assume(reviewerKey != otherKey && subject != address(0));
        level = uint8(bound(level, 1, 255));
        address reviewer = vm.addr(reviewerKey);
        IAttestationRegistry.AttestationRequest memory r =
            IAttestationRegistry.AttestationRequest(subject, level, uint64(block.timestamp + 1 days), claims & ~Claims.RESERVED, bytes32(0));
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 digest = _digest(projectA, r, reviewer, 0, deadline);

        // Before the role: a valid signature by a non-reviewer is refused by role, not signature.
        vm.expectRevert(abi.encodeWithSignature("NotReviewer(uint256,address)", projectA, reviewer));
        attestations.attestBySig(projectA, r, reviewer, deadline, _sig(reviewerKey, digest));
        vm.prank(ADMIN);
        projects.grantRoles(projectA, reviewer, Roles.REVIEWER);

        // Someone else's key, claiming to be the reviewer.
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.InvalidSignature.selector, reviewer));
        attestations.attestBySig(projectA, r, reviewer, deadline, _sig(otherKey, digest));

        bytes memory good = _sig(reviewerKey, digest);
        // The claims are signed: the same signature over other claims names someone else.
        IAttestationRegistry.AttestationRequest memory tampered =
            IAttestationRegistry.AttestationRequest(r.subject, r.level, r.expiry, r.claims ^ Claims.AGE_OVER_18, r.recordId);
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.InvalidSignature.selector, reviewer));
        attestations.attestBySig(projectA, tampered, reviewer, deadline, good);
        attestations.attestBySig(projectA, r, reviewer, deadline, good);
        assertTrue(attestations.isVerified(subject, projectA, level), "not attested");
        assertTrue(attestations.hasClaims(subject, projectA, level, r.claims), "signed claims not stored");
        assertEq(attestations.getAttestation(subject, projectA).claims, r.claims, "stored claims");
        assertTrue(!attestations.isVerified(subject, projectB, 1), "leaked to project B");
        // Replay: the nonce moved on.
        vm.expectRevert(abi.encodeWithSelector(IAttestationRegistry.InvalidSignature.selector, reviewer));
        attestations.attestBySig(projectA, r, reviewer, deadline, good);
    }

    // --- grantee keys --------------------------------------------------------------------------

    /// Accounts and projects never collide, and decode back.
    function test_fuzz_granteeKeys(address account, uint128 projectId) public pure {
        bytes32 a = GranteeKeys.account(account);
        bytes32 p = GranteeKeys.project(projectId);
        assertTrue(a != p, "collision");
        assertTrue(!GranteeKeys.isProject(a) && GranteeKeys.isProject(p), "flag");
        assertTrue(GranteeKeys.isAccount(a) == (account != address(0)), "account form");
        assertTrue(!GranteeKeys.isAccount(p), "project looks like an account");
        assertEq(GranteeKeys.projectId(p), projectId, "project id round trip");
        assertEq(uint256(a), uint256(uint160(account)), "account key is the left-padded address");
    }

    /// Any bytes32 that is neither form is refused by `grant`.
    function test_fuzz_invalidGranteeRefused(bytes32 key) public {
        vm.assume(!GranteeKeys.isAccount(key) && !GranteeKeys.isProject(key));
        bytes32 recordId = _register(bytes32(uint256(11)));
        vm.prank(SUBJECT);
        vm.expectRevert(abi.encodeWithSelector(IRecordRegistry.InvalidGrantee.selector, key));
        records.grant(recordId, key, 0, uint64(block.timestamp + 1), 1, hex"01");
    }
}

/// Random sequences of owner, admin, reviewer and stranger actions over two projects, one record
/// and a handful of accounts. Ghost variables hold what the registries should say.
contract RegistriesHandler is TestBase {
    ProjectRegistry public projects;
    RecordRegistry public records;
    AttestationRegistry public attestations;
    address internal constant SUBJECT = address(0x5B);
    address internal constant ADMIN = address(0xA11CE);
    address internal constant STRANGER = address(0xBAD);
    address[4] internal actors = [address(0x101), address(0x102), address(0x103), address(0x104)];
    bytes32 public recordId;
    uint256[2] public projectIds;
    bool public erased;
    // Set when something that must fail succeeded.
    bool public grantedAfterErase;
    bool public strangerActed;

    // Ghost attestations: project index => actor index => (level, expiry).
    mapping(uint256 => mapping(uint256 => uint8)) public ghostLevel;
    mapping(uint256 => mapping(uint256 => uint64)) public ghostExpiry;
    mapping(uint256 => mapping(uint256 => uint32)) public ghostClaims;

    constructor(ProjectRegistry p, RecordRegistry r, AttestationRegistry a) {
        projects = p;
        records = r;
        attestations = a;
        vm.startPrank(ADMIN);
        projectIds[0] = projects.createProject("p0");
        projectIds[1] = projects.createProject("p1");
        vm.stopPrank();
        vm.prank(SUBJECT);
        recordId = records.registerRecord(bytes32(uint256(1)), bytes32(uint256(1)), bytes32(uint256(2)), bytes32(0), 1, 0);
    }

    function actor(uint256 i) public view returns (address) {
        return actors[i % actors.length];
    }

    function projectId(uint256 i) public view returns (uint256) {
        return projectIds[i % 2];
    }

    // --- records ---

    function grant(uint256 who, uint64 ttl, bool toProject, uint256 which) external {
        if (erased) return;
        ttl = uint64(bound(ttl, 1, 30 days));
        bytes32 key = toProject ? GranteeKeys.project(projectId(which)) : GranteeKeys.account(actor(who));
        vm.prank(SUBJECT);
        try records.grant(recordId, key, 0, uint64(block.timestamp) + ttl, 1, hex"aa") {} catch {} // suspended project
    }

    function revoke(uint256 who, bool project, uint256 which) external {
        bytes32 key = project ? GranteeKeys.project(projectId(which)) : GranteeKeys.account(actor(who));
        vm.prank(SUBJECT);
        try records.revoke(recordId, key) {} catch {}
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

    // --- projects ---

    function setReviewer(uint256 who, uint256 which, bool on) external {
        vm.prank(ADMIN);
        if (on) projects.grantRoles(projectId(which), actor(who), Roles.REVIEWER);
        else projects.revokeRoles(projectId(which), actor(who), Roles.REVIEWER);
    }

    function setSuspended(uint256 which, bool on) external {
        vm.prank(ADMIN);
        if (on) try projects.suspend(projectId(which)) {} catch {}
        else try projects.resume(projectId(which)) {} catch {}
    }

    // --- attestations ---

    function attest(uint256 reviewer, uint256 which, uint256 subject, uint8 level, uint64 ttl, uint32 claims) external {
        level = uint8(bound(level, 1, 255));
        ttl = uint64(bound(ttl, 1, 30 days));
        uint64 expiry = uint64(block.timestamp) + ttl;
        vm.prank(actor(reviewer));
        // Half the calls keep reserved bits: those must fail and leave the ghost as it was.
        if (claims & 1 == 0) claims &= ~Claims.RESERVED;
        try attestations.attest(projectId(which), actor(subject), level, expiry, claims, bytes32(0)) {
            ghostLevel[which % 2][subject % 4] = level;
            ghostExpiry[which % 2][subject % 4] = expiry;
            ghostClaims[which % 2][subject % 4] = claims;
        } catch {}
    }

    function revokeAttestation(uint256 reviewer, uint256 which, uint256 subject) external {
        vm.prank(actor(reviewer));
        try attestations.revoke(projectId(which), actor(subject)) {
            ghostLevel[which % 2][subject % 4] = 0;
            ghostExpiry[which % 2][subject % 4] = 0;
            ghostClaims[which % 2][subject % 4] = 0;
        } catch {}
    }

    /// Someone with no role and no ownership tries everything; nothing may succeed.
    function stranger(uint256 which, uint256 subject) external {
        vm.startPrank(STRANGER);
        try attestations.attest(projectId(which), actor(subject), 1, uint64(block.timestamp) + 1 days, 0, bytes32(0)) {
            strangerActed = true;
        } catch {}
        try attestations.revoke(projectId(which), actor(subject)) {
            strangerActed = true;
        } catch {}
        try records.grant(recordId, GranteeKeys.account(STRANGER), 0, uint64(block.timestamp) + 1 days, 1, hex"01") {
            strangerActed = true;
        } catch {}
        try records.revoke(recordId, GranteeKeys.project(projectId(which))) {
            strangerActed = true;
        } catch {}
        try records.eraseRecord(recordId) {
            strangerActed = true;
        } catch {}
        try projects.grantRoles(projectId(which), STRANGER, Roles.REVIEWER) {
            strangerActed = true;
        } catch {}
        vm.stopPrank();
    }

    function wait(uint32 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 10 days));
    }
}

contract RegistriesInvariantTest is TestBase {
    RegistriesHandler internal handler;
    ProjectRegistry internal projects;
    RecordRegistry internal records;
    AttestationRegistry internal attestations;

    function setUp() public {
        projects = new ProjectRegistry();
        records = new RecordRegistry(projects);
        attestations = new AttestationRegistry(projects);
        handler = new RegistriesHandler(projects, records, attestations);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hasAccess is exactly: owner of a live record, a live own grant, or an active REVIEWER of an
    /// active project holding a live grant.
    function invariant_accessIsExactlyLiveGrants() public view {
        bytes32 id = handler.recordId();
        for (uint256 i; i < 4; ++i) {
            address a = handler.actor(i);
            bool expected = records.isGrantLive(id, GranteeKeys.account(a));
            for (uint256 p; p < 2; ++p) {
                uint256 pid = handler.projectId(p);
                expected = expected
                    || (records.isGrantLive(id, GranteeKeys.project(pid)) && projects.hasActiveRole(pid, a, Roles.REVIEWER));
            }
            assertTrue(records.hasAccess(id, a) == expected, "hasAccess differs from live grants");
        }
        assertTrue(records.hasAccess(id, address(0x5B)) == !handler.erased(), "owner access");
    }

    /// Once erased, nobody has access and no grant ever succeeds.
    function invariant_erasedIsFinal() public view {
        if (!handler.erased()) return;
        assertTrue(!handler.grantedAfterErase(), "grant after erase");
        for (uint256 i; i < 4; ++i) {
            assertTrue(!records.hasAccess(handler.recordId(), handler.actor(i)), "access after erase");
        }
        assertTrue(records.getRecord(handler.recordId()).erased, "erased flag");
    }

    /// isVerified and hasClaims in each project say exactly what that project's reviewers attested there:
    /// nothing leaks between projects, suspension does not rewrite history, expiry is exact.
    function invariant_attestationsMatchGhost() public view {
        for (uint256 p; p < 2; ++p) {
            for (uint256 s; s < 4; ++s) {
                uint8 level = handler.ghostLevel(p, s);
                bool live = level > 0 && handler.ghostExpiry(p, s) > block.timestamp;
                address subject = handler.actor(s);
                uint256 pid = handler.projectId(p);
                assertTrue(attestations.isVerified(subject, pid, 1) == live, "isVerified(1)");
                assertTrue(attestations.isVerified(subject, pid, level) == live, "isVerified(level)");
                if (level < 255) assertTrue(!attestations.isVerified(subject, pid, level + 1), "above level");
                assertEq(attestations.getAttestation(subject, pid).level, level, "stored level");
                uint32 claims = handler.ghostClaims(p, s);
                assertTrue(claims & Claims.RESERVED == 0, "a reserved claim was stored");
                assertEq(attestations.getAttestation(subject, pid).claims, claims, "stored claims");
                assertTrue(attestations.hasClaims(subject, pid, level, claims) == live, "hasClaims(own claims)");
                if (claims != type(uint32).max) {
                    // A bit the attestation lacks is never granted.
                    uint32 missing = uint32(1) << _lowestZero(claims);
                    assertTrue(!attestations.hasClaims(subject, pid, 1, claims | missing), "hasClaims(missing bit)");
                }
            }
        }
    }

    function _lowestZero(uint32 x) internal pure returns (uint8 i) {
        while (x & (uint32(1) << i) != 0) ++i;
    }

    /// Nobody without a role or ownership changed anything.
    function invariant_strangerNeverActs() public view {
        assertTrue(!handler.strangerActed(), "a stranger changed state");
    }
}
