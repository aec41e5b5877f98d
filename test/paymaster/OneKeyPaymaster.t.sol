// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {OneKeyPaymaster} from "../../contracts/OneKeyPaymaster.sol";
import {ProjectRegistry} from "../../contracts/ProjectRegistry.sol";
import {RecordRegistry} from "../../contracts/RecordRegistry.sol";
import {AttestationRegistry} from "../../contracts/AttestationRegistry.sol";
import {EntryPoint} from "@account-abstraction/contracts/core/EntryPoint.sol";
import {BaseAccount} from "@account-abstraction/contracts/core/BaseAccount.sol";

/// Fuzz: call data is sponsored only when the SimpleAccount would decode it into allowed calls.
/// Self-contained (no forge-std, no cheatcodes): the oracle decodes with Solidity's own ABI decoder,
/// as SimpleAccount does, and checks an allow-list written out here from the function signatures.
contract OneKeyPaymasterFuzzTest {
    error AssertionFailed(string what);

    OneKeyPaymaster internal paymaster;
    address internal projects;
    address internal records;
    address internal attestations;

    function setUp() public {
        ProjectRegistry registry = new ProjectRegistry();
        projects = address(registry);
        records = address(new RecordRegistry(registry));
        attestations = address(new AttestationRegistry(registry));
        paymaster = new OneKeyPaymaster(new EntryPoint(), registry, records, attestations, address(this));
    }

    // --- oracle ---------------------------------------------------------------------------------

    function _sel(string memory signature) private pure returns (bytes4) {
        return bytes4(keccak256(bytes(signature)));
    }

    function _signatures(address target) internal view returns (string[] memory list) {
        if (target == records) {
            list = new string[](7);
            list[0] = "setEncryptionKey(bytes32)";
            list[1] = "registerRecord(bytes32,bytes32,bytes32,bytes32,uint8,uint8)";
            list[2] = "rotateRecord(bytes32,bytes32,bytes32,bytes32,uint8,uint8)";
            list[3] = "eraseRecord(bytes32)";
            list[4] = "grant(bytes32,bytes32,uint8,uint64,uint64,bytes)";
            list[5] = "revoke(bytes32,bytes32)";
            list[6] = "recordAuditAccess(bytes32,uint256,bytes32)";
        } else if (target == attestations) {
            list = new string[](4);
            list[0] = "attest(uint256,address,uint8,uint64,uint32,bytes32)";
            list[1] = "attestBatch(uint256,(address,uint8,uint64,uint32,bytes32)[])";
            list[2] = "attestBySig(uint256,(address,uint8,uint64,uint32,bytes32),address,uint256,bytes)";
            list[3] = "revoke(uint256,address)";
        } else if (target == projects) {
            list = new string[](8);
            list[0] = "grantRoles(uint256,address,uint8)";
            list[1] = "revokeRoles(uint256,address,uint8)";
            list[2] = "shareReviewKey(uint256,address,bytes)";
            list[3] = "setReviewKey(uint256,bytes32)";
            list[4] = "setEscrowKey(uint256,bytes32)";
            list[5] = "addApiKey(uint256,bytes32,uint32,uint64)";
            list[6] = "revokeApiKey(uint256,bytes32)";
            list[7] = "setMetadataURI(uint256,string)";
        }
    }

    function _allowed(address target, bytes4 s) internal view returns (bool) {
        string[] memory list = _signatures(target);
        for (uint256 i; i < list.length; ++i) {
            if (s == _sel(list[i])) return true;
        }
        return false;
    }

    function decodeExecute(bytes calldata args) external pure returns (address, uint256, bytes memory) {
        return abi.decode(args, (address, uint256, bytes));
    }

    function decodeBatch(bytes calldata args) external pure returns (BaseAccount.Call[] memory) {
        return abi.decode(args, (BaseAccount.Call[]));
    }

    function _callAllowed(address target, uint256 value, bytes memory data) private view returns (bool) {
        return value == 0 && data.length >= 4 && _allowed(target, bytes4(data));
    }

    /// What the account would execute is allowed (or there is nothing to execute).
    function _decodesToAllowed(bytes memory callData) internal view returns (bool) {
        if (callData.length == 0) return true;
        if (callData.length < 4) return false;
        bytes4 sel = bytes4(callData);
        bytes memory args = new bytes(callData.length - 4);
        for (uint256 i; i < args.length; ++i) {
            args[i] = callData[i + 4];
        }
        if (sel == BaseAccount.execute.selector) {
            try this.decodeExecute(args) returns (address target, uint256 value, bytes memory data) {
                return _callAllowed(target, value, data);
            } catch {
                return false;
            }
        }
        if (sel == BaseAccount.executeBatch.selector) {
            try this.decodeBatch(args) returns (BaseAccount.Call[] memory calls) {
                if (calls.length == 0) return false;
                for (uint256 i; i < calls.length; ++i) {
                    if (!_callAllowed(calls[i].target, calls[i].value, calls[i].data)) return false;
                }
                return true;
            } catch {
                return false;
            }
        }
        return false;
    }

    function _check(bytes memory callData, string memory what) internal view {
        // isSponsorable never reverts; when it says yes, the account's decoder agrees.
        if (paymaster.isSponsorable(callData) && !_decodesToAllowed(callData)) revert AssertionFailed(what);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what);
    }

    /// Maps x into [min, max] without discarding runs.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) revert AssertionFailed("bound: min > max");
        uint256 size = max - min + 1;
        if (size == 0) return x;
        return min + (x % size);
    }

    function _target(uint8 which, address random) internal view returns (address) {
        uint8 k = which % 4;
        return k == 0 ? records : k == 1 ? attestations : k == 2 ? projects : random;
    }

    // --- properties -----------------------------------------------------------------------------

    /// The oracle's list is the contract's list (the fuzz tests below show nothing else is allowed).
    function test_allowListMatchesOracle() public view {
        address[3] memory targets = [records, attestations, projects];
        for (uint256 t; t < 3; ++t) {
            string[] memory list = _signatures(targets[t]);
            for (uint256 i; i < list.length; ++i) {
                assertTrue(paymaster.isAllowedCall(targets[t], _sel(list[i])), list[i]);
            }
        }
        assertTrue(!paymaster.isAllowedCall(projects, _sel("createProject(string)")), "createProject");
        assertTrue(!paymaster.isAllowedCall(address(paymaster), _sel("withdrawFromProject(uint256,address,uint256)")), "paymaster");
    }

    /// Arbitrary bytes.
    function test_fuzz_randomCallDataNotSponsored(bytes calldata data) public view {
        _check(data, "random call data sponsored");
    }

    /// Arbitrary arguments behind the execute / executeBatch selectors, so the decoder is reached.
    function test_fuzz_randomArgumentsNotSponsored(bool batch, bytes calldata args) public view {
        bytes4 sel = batch ? BaseAccount.executeBatch.selector : BaseAccount.execute.selector;
        _check(abi.encodePacked(sel, args), "random arguments sponsored");
    }

    /// A canonical call with one byte changed anywhere: sponsored only if it still decodes to an
    /// allowed call (e.g. a changed argument byte), never to another target, value or selector.
    function test_fuzz_mutatedCallNotSponsored(uint8 which, address random, bytes4 selector, bytes calldata tail, uint256 at, uint8 flip)
        public
        view
    {
        bytes memory call = abi.encodeCall(BaseAccount.execute, (_target(which, random), 0, abi.encodePacked(selector, tail)));
        at = bound(at, 0, call.length - 1);
        call[at] = bytes1(uint8(call[at]) ^ uint8(bound(flip, 1, 255)));
        _check(call, "mutated execute sponsored");
    }

    /// Structured: execute(target, value, selector ‖ args) is sponsored iff the call is allowed.
    function test_fuzz_executeSponsoredIffAllowed(uint8 which, address random, uint96 value, bytes4 selector, bytes calldata args)
        public
        view
    {
        address target = _target(which, random);
        bytes memory call = abi.encodeCall(BaseAccount.execute, (target, value, abi.encodePacked(selector, args)));
        assertTrue(paymaster.isSponsorable(call) == (value == 0 && _allowed(target, selector)), "execute policy");
    }

    /// Batches: every call must be allowed; one disallowed call anywhere refuses the whole batch.
    function test_fuzz_batchAllOrNothing(uint8 n, uint8 badIndex, uint8 which, address random, bytes4 badSelector, uint8 tailLength)
        public
        view
    {
        n = uint8(bound(n, 1, paymaster.MAX_BATCH_CALLS()));
        badIndex = uint8(bound(badIndex, 0, n - 1));
        BaseAccount.Call[] memory calls = new BaseAccount.Call[](n);
        for (uint256 i; i < n; ++i) {
            // varying data lengths exercise the offsets between tuples
            bytes memory tail = new bytes(bound(uint256(tailLength) + i * 7, 0, 200));
            calls[i] = BaseAccount.Call({target: records, value: 0, data: abi.encodePacked(_sel("revoke(bytes32,bytes32)"), tail)});
        }
        assertTrue(paymaster.isSponsorable(abi.encodeCall(BaseAccount.executeBatch, (calls))), "allowed batch refused");
        address target = _target(which, random);
        calls[badIndex] = BaseAccount.Call({target: target, value: 0, data: abi.encodePacked(badSelector, uint256(1))});
        assertTrue(
            paymaster.isSponsorable(abi.encodeCall(BaseAccount.executeBatch, (calls))) == _allowed(target, badSelector),
            "one call decides the batch"
        );
    }
}
