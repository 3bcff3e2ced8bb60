#!/bin/sh
# run.sh — times the benchmark programs' run() in the Writ VM against the same C built natively
# with gcc -O2 in this run, and prints each ratio (VM / native, median of RUNS whole-process
# runs) and their geometric mean. Not a test: timing depends on the machine.
#   usage: bench/vm/run.sh VMTOOL [SHARED_DIR] [RUNS]
set -eu
TOOL=${1:?usage: run.sh VMTOOL [SHARED_DIR] [RUNS]}
SHARED=${2:-$(dirname "$0")/../../../shared}
RUNS=${3:-3}
SRC=$SHARED/bench/wasm
if [ ! -f "$SRC/fib.wasm" ]; then echo "SKIP: $SRC not found"; exit 0; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# median wall time in seconds of RUNS runs of "$@", checking the output against $WANT
median() {
    i=0
    : > "$TMP/times"
    while [ $i -lt "$RUNS" ]; do
        t0=$(date +%s%N)
        out=$("$@")
        t1=$(date +%s%N)
        if [ "$out" != "$WANT" ]; then echo "wrong checksum from $*: $out (want $WANT)" >&2; exit 1; fi
        echo $(( (t1 - t0) / 1000 )) >> "$TMP/times"
        i=$((i + 1))
    done
    sort -n "$TMP/times" | awk '{a[NR]=$1} END {printf "%.4f\n", a[int((NR+1)/2)]/1e6}'
}

printf '%-8s %10s %10s %8s\n' program native_s vm_s ratio
: > "$TMP/ratios"
for pair in fib:16567011844987191648 sieve:3425565819163467324 keccak:14989321503099411279; do
    name=${pair%%:*}
    WANT=${pair#*:}
    gcc -O2 -o "$TMP/$name" "$SRC/$name.c" "$SRC/native_main.c"
    tn=$(median "$TMP/$name")
    tv=$(median "$TOOL" run "$SRC/$name.wasm" --invoke run)
    ratio=$(awk -v a="$tv" -v b="$tn" 'BEGIN {printf "%.2f", a / b}')
    echo "$ratio" >> "$TMP/ratios"
    printf '%-8s %10s %10s %8s\n' "$name" "$tn" "$tv" "$ratio"
done
awk '{s += log($1)} END {printf "geometric mean: %.2fx native\n", exp(s / NR)}' "$TMP/ratios"
