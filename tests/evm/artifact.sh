#!/bin/sh
# artifact.sh WRIT — `writ build` output is deterministic (two builds, same bytes), has the
# Foundry/Hardhat keys, and --asm annotates the listing with source lines.
writ=$1 work=${2:-/tmp/writ-evm-artifact.$$}
cd "$(dirname "$0")/../.." || exit 1
rm -rf "$work" && mkdir -p "$work/a" "$work/b" || exit 1
"$writ" build examples/token.writ --target evm -o "$work/a" >/dev/null || exit 1
"$writ" build examples/token.writ --target evm -o "$work/b" --asm >"$work/listing.txt" || exit 1
cmp "$work/a/Token.json" "$work/b/Token.json" || { echo "FAIL: two builds differ"; exit 1; }
for key in '"abi"' '"bytecode"' '"deployedBytecode"' '"object": "0x' '"sourceMap"' \
           '"methodIdentifiers"' '"storageLayout"' '"transfer(address,uint256)":"a9059cbb"' \
           '{"label":"balances","offset":0,"slot":"3","type":"t_mapping(t_address,t_uint256)"}'; do
  grep -qF "$key" "$work/a/Token.json" || { echo "FAIL: artifact lacks $key"; exit 1; }
done
grep -q '; examples/token.writ:[0-9]*: let have = balances\[from\];' "$work/listing.txt" ||
  { echo "FAIL: listing lacks source lines"; exit 1; }
grep -q '^  [0-9a-f]\{4\}  JUMPDEST' "$work/listing.txt" || { echo "FAIL: listing lacks offsets"; exit 1; }
"$writ" build examples/token.writ --target nosuch >/dev/null 2>&1 && { echo "FAIL: unknown target accepted"; exit 1; }
# exit statuses: usage errors 2, input errors 1
"$writ" build >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: no input file should exit 2"; exit 1; }
"$writ" build examples/token.writ >/dev/null 2>&1; [ $? = 2 ] || { echo "FAIL: no --target should exit 2"; exit 1; }
"$writ" build "$work/missing.writ" --target evm >/dev/null 2>&1; [ $? = 1 ] || { echo "FAIL: a missing file should exit 1"; exit 1; }
printf 'contract Bad { pub fn f() -> u8 { return 300; } }\n' > "$work/bad.writ"
"$writ" build "$work/bad.writ" --target evm -o "$work/c" >/dev/null 2>&1; [ $? = 1 ] || { echo "FAIL: a wrong contract should exit 1"; exit 1; }
rm -rf "$work"
echo "pass: deterministic artifact with the Foundry keys; listing with source lines"
