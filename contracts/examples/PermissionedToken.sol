// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice The one call an ERC-3643 (T-REX) token makes to its identity registry on a transfer.
interface IIdentityRegistryView {
    function isVerified(address userAddress) external view returns (bool);
}

/// @title PermissionedToken
/// @notice A minimal permissioned token in the ERC-3643 manner: every mint and transfer asks the
///         identity registry whether the receiver is verified (T-REX checks the receiver only), so
///         pointing it at a OneKeyIdentityRegistry makes OneKey its identity source.
contract PermissionedToken is ERC20 {
    IIdentityRegistryView public immutable identityRegistry;
    address public immutable issuer;

    error RecipientNotVerified(address to);
    error NotIssuer(address account);

    constructor(IIdentityRegistryView identityRegistry_, address issuer_) ERC20("Permissioned", "PRM") {
        identityRegistry = identityRegistry_;
        issuer = issuer_;
    }

    /// @notice The issuer mints to a verified receiver.
    function mint(address to, uint256 amount) external {
        if (msg.sender != issuer) revert NotIssuer(msg.sender);
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (to != address(0) && !identityRegistry.isVerified(to)) revert RecipientNotVerified(to);
        super._update(from, to, value);
    }
}
