// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TestBase} from "../solidity/Vm.sol";
import {OneKeyPaymaster} from "../../contracts/OneKeyPaymaster.sol";
import {ProjectRegistry} from "../../contracts/ProjectRegistry.sol";
import {RecordRegistry} from "../../contracts/RecordRegistry.sol";
import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {IRecordRegistry} from "../../contracts/interfaces/IRecordRegistry.sol";
import {EntryPoint} from "@account-abstraction/contracts/core/EntryPoint.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";

contract OneKeyPaymasterFuzzTest is TestBase {
    OneKeyPaymaster internal paymaster;
    address internal records;
    address internal attestations;

    function setUp() public {
        ProjectRegistry projects = new ProjectRegistry();
        records = address(new RecordRegistry(projects));
        attestations = address(new AttestationRegistry(projects));
        paymaster = new OneKeyPaymaster(new EntryPoint(), projects, records, attestations, address(this));
    }

    function _allowed(address target, bytes4 selector) internal view returns (bool) {
        if (target == records) {
            return selector == IRecordRegistry.setEncryptionKey.selector || selector == IRecordRegistry.registerRecord.selector
                || selector == IRecordRegistry.rotateRecord.selector || selector == IRecordRegistry.eraseRecord.selector
                || selector == IRecordRegistry.grant.selector || selector == IRecordRegistry.revoke.selector
                || selector == IRecordRegistry.recordAuditAccess.selector;
        }
        if (target == attestations) {
            return selector == bytes4(keccak256("attest(uint256,address,uint8,uint64,bytes32)"))
                || selector == bytes4(keccak256("attestBatch(uint256,(address,uint8,uint64,bytes32)[])"))
                || selector == bytes4(keccak256("revoke(uint256,address)"));
        }
        return false;
    }

    /// Random call data is never sponsored unless it is empty or an allowed execute/executeBatch.
    function test_fuzz_randomCallDataNotSponsored(bytes calldata data) public view {
        if (data.length == 0) return;
        bool sponsored = paymaster.isSponsorable(data);
        if (!sponsored) return;
        bytes4 sel = bytes4(data[0:4]);
        assertTrue(sel == BaseAccount.execute.selector || sel == BaseAccount.executeBatch.selector, "foreign selector sponsored");
        if (sel == BaseAccount.execute.selector) {
            (address target, uint256 value, bytes memory inner) = abi.decode(data[4:], (address, uint256, bytes));
            assertTrue(value == 0 && inner.length >= 4 && _allowed(target, bytes4(inner)), "disallowed execute sponsored");
        }
    }

    /// Structured: execute(target, value, selector ‖ args) is sponsored iff the call is allowed.
    function test_fuzz_executeSponsoredIffAllowed(uint8 which, address randomTarget, uint96 value, bytes4 selector, bytes calldata args)
        public
        view
    {
        address target = which % 3 == 0 ? records : which % 3 == 1 ? attestations : randomTarget;
        bytes memory call = abi.encodeCall(BaseAccount.execute, (target, value, abi.encodePacked(selector, args)));
        assertTrue(paymaster.isSponsorable(call) == (value == 0 && _allowed(target, selector)), "execute policy");
    }

    /// Batches: one disallowed call anywhere refuses the whole batch.
    function test_fuzz_batchAllOrNothing(uint8 n, uint8 badIndex, bytes4 badSelector) public view {
        n = uint8(bound(n, 1, 8));
        badIndex = uint8(bound(badIndex, 0, n - 1));
        BaseAccount.Call[] memory calls = new BaseAccount.Call[](n);
        for (uint256 i; i < n; ++i) {
            calls[i] = BaseAccount.Call({target: records, value: 0, data: abi.encodePacked(IRecordRegistry.revoke.selector, bytes32(0), bytes32(0))});
        }
        assertTrue(paymaster.isSponsorable(abi.encodeCall(BaseAccount.executeBatch, (calls))), "allowed batch refused");
        calls[badIndex].data = abi.encodePacked(badSelector);
        assertTrue(paymaster.isSponsorable(abi.encodeCall(BaseAccount.executeBatch, (calls))) == _allowed(records, badSelector), "bad call in batch");
    }
}
