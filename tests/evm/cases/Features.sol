// SPDX-License-Identifier: MIT
// Features.sol — the storage declarations of features.writ in Solidity, for comparing
// Writ's storage layout with solc's (tests/oracle/layout_vs_solc.mjs).
pragma solidity ^0.8.20;

contract Features {
    struct Point { uint64 x; int64 y; bytes4 tag; }

    string name;
    uint8 small;
    bool flag;
    address who;
    uint256 big;
    uint16[20] packed;
    Point pt;
    mapping(uint256 => mapping(address => uint64)) grid;
    uint256[] items;
}
