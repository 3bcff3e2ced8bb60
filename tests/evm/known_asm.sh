#!/bin/sh
# known_asm.sh WRIT [WORKDIR] — the backend drops a check only when the IR marks it proven:
# `require a >= b` then `a - b` keeps its overflow check (Panic 0x11 in debit's code) in a
# build that keeps checks, and loses it when the same IR has the check.sub marked `proven`
# (what the verifier does). Uses `--keep-checks` where `writ build` has it (where it does
# not, no build drops checks by itself).
writ=$1 work=${2:-/tmp/writ-evm-known.$$}
cd "$(dirname "$0")/../.." || exit 1
rm -rf "$work" && mkdir -p "$work" || exit 1
src=tests/evm/cases/known.writ
keep=--keep-checks
"$writ" build "$src" --target evm -o "$work" $keep >/dev/null 2>&1
[ $? = 2 ] && keep=
# debit's code: from its label to the next function's
debit() { awk '/^debit\(uint256,uint256\):/{p=1; next} p && /^[a-z_]+\(.*\):$/{exit} p' "$1"; }
"$writ" build "$src" --target evm -o "$work" --asm $keep >"$work/kept.txt" || { echo "FAIL: build"; exit 1; }
debit "$work/kept.txt" | grep -q 'panic_0x11' ||
  { echo "FAIL: debit's check.sub was dropped by the backend (only IR_F_PROVEN may drop it)"; exit 1; }
# the same IR with that one check marked proven
"$writ" ir "$src" >"$work/known.wir" || { echo "FAIL: writ ir"; exit 1; }
awk '/^fn pub debit\(/{f=1} f && /check\.sub/ && !done {sub(/check\.sub %0, %1/, "check.sub %0, %1 proven"); done=1}
     /^}/{f=0} {print}' "$work/known.wir" >"$work/proven.wir"
grep -q 'check.sub %0, %1 proven' "$work/proven.wir" || { echo "FAIL: could not mark the check"; exit 1; }
"$writ" build "$work/proven.wir" --target evm -o "$work" --asm >"$work/proven.txt" ||
  { echo "FAIL: build of the marked IR"; exit 1; }
debit "$work/proven.txt" | grep -q 'panic_0x11' &&
  { echo "FAIL: debit's check.sub is marked proven but still emitted"; exit 1; }
rm -rf "$work"
echo "pass: the check is kept unless the IR marks it proven"
