#!/bin/sh
# run.sh WRIT ORACLE_DIR TARGET pass|fail SCENARIO [EXPECTED] — runs `writ test --target
# TARGET` on SCENARIO with the oracle installed in ORACLE_DIR (every target needs it: node
# encodes and checks the values). pass: exit 0 is required. fail: exit 1 is
# required, and every line of EXPECTED must appear in the output (lines, not whole output:
# the gas figures change as the EVM backend improves). Skips loudly, and passes, when node
# or the oracle is missing (tests/oracle/setup.sh installs it from WRIT_SHARED).
writ=$1 dir=$2 target=$3 mode=$4 scen=$5 expected=${6:-}
if ! command -v node >/dev/null 2>&1; then echo "SKIP: node not found: writ test cannot run"; exit 0; fi
if [ ! -f "$dir/.installed" ]; then
  echo "SKIP: the EVM oracle is not installed in $dir (no shared folder, or npm missing)"; exit 0
fi
out=$(WRIT_EVM_ORACLE=$dir "$writ" test --target "$target" "$scen" 2>&1)
status=$?
printf '%s\n' "$out"
case $mode in
  pass) [ $status -eq 0 ] || { echo "run.sh: expected exit 0, got $status"; exit 1; } ;;
  fail)
    [ $status -eq 1 ] || { echo "run.sh: expected exit 1 (a failing scenario), got $status"; exit 1; }
    missing=0
    # The same messages on every target: verdicts are tagged "function [wasm]:" off evm.
    plain=$(printf '%s\n' "$out" | sed 's/ \[[a-z]*\]:/:/')
    while IFS= read -r line; do
      [ -z "$line" ] && continue
      case $plain in *"$line"*) ;; *) echo "run.sh: missing from the output: $line"; missing=1 ;; esac
    done < "$expected"
    exit $missing ;;
  *) echo "run.sh: mode is pass or fail"; exit 2 ;;
esac
