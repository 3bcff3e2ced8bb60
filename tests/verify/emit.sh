#!/usr/bin/env bash
# emit.sh WRIT ORACLE_DIR OUT_DIR — `writ verify --emit-tests` turns confirmed
# counterexamples into scenario files, and `writ test` runs them on the VM and on the EVM
# oracle: each must pass (its last step reproduces the failure). The buggy files: an
# underflow from a fresh deployment, a division by zero, an unexpected revert, an assert.
# Skips loudly (and passes) without node or the oracle, as the scenario tests do.
set -u
writ=$1 oracle=$2 out=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
rm -rf "$out"
"$writ" verify --no-cache --emit-tests "$out" tests/verify/bugs/counter_dec.writ \
    tests/verify/bugs/divzero.writ tests/verify/bugs/reverts_if_wrong.writ \
    tests/verify/bugs/assert.writ tests/verify/bugs/overflow.writ
status=$?
[ $status -eq 1 ] || { echo "emit.sh: writ verify exited $status, expected 1"; exit 1; }
for f in Countdown.tick.underflow.6 Split.share.division_by_zero.6 Purse.withdraw.unexpected_revert.5 \
         Scale.scale.assertion.5; do
  [ -f "$out/$f.yaml" ] || { echo "emit.sh: $f.yaml was not written"; ls "$out"; exit 1; }
done
grep -q "reverts: Panic(0x11)" "$out"/Countdown.tick.underflow.*.yaml || { echo "emit.sh: no Panic(0x11) step"; exit 1; }
grep -q "reverts: true" "$out"/Purse.withdraw.*.yaml || { echo "emit.sh: no revert step"; exit 1; }
if ! command -v node >/dev/null 2>&1; then echo "SKIP: node not found: the emitted scenarios cannot run"; exit 0; fi
if [ ! -f "$oracle/.installed" ]; then echo "SKIP: the EVM oracle is not installed in $oracle"; exit 0; fi
WRIT_EVM_ORACLE=$oracle "$writ" test --target all "$out"/*.yaml
