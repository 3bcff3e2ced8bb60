#!/bin/sh
# run.sh — times the benchmark programs' run() in the Writ VM against the same C built natively
# with gcc -O2 in this run, and prints each ratio (VM / native, median of RUNS whole-process
# runs) and their geometric mean, for wall time and for CPU time (user+sys: steadier when
# the machine is shared). Not a test: timing depends on the machine.
#   usage: bench/vm/run.sh VMTOOL [SHARED_DIR] [RUNS]
set -eu
TOOL=${1:?usage: run.sh VMTOOL [SHARED_DIR] [RUNS]}
SHARED=${2:-$(dirname "$0")/../../../shared}
RUNS=${3:-3}
SRC=$SHARED/bench/wasm
if [ ! -f "$SRC/fib.wasm" ]; then echo "SKIP: $SRC not found"; exit 0; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# "WALL CPU": medians in seconds of RUNS runs of "$@", checking the output against $WANT
median() {
    i=0
    : > "$TMP/wall"
    : > "$TMP/cpu"
    while [ $i -lt "$RUNS" ]; do
        t0=$(date +%s%N)
        if [ -x /usr/bin/time ]; then
            out=$(/usr/bin/time -f '%U %S' -o "$TMP/t" "$@")
            awk '{printf "%.4f\n", $1 + $2}' "$TMP/t" >> "$TMP/cpu"
        else
            out=$("$@")
        fi
        t1=$(date +%s%N)
        if [ "$out" != "$WANT" ]; then echo "wrong checksum from $*: $out (want $WANT)" >&2; exit 1; fi
        echo $(( (t1 - t0) / 1000 )) >> "$TMP/wall"
        i=$((i + 1))
    done
    w=$(sort -n "$TMP/wall" | awk '{a[NR]=$1} END {printf "%.4f", a[int((NR+1)/2)]/1e6}')
    c=$(sort -n "$TMP/cpu" | awk '{a[NR]=$1} END {if (NR) printf "%.4f", a[int((NR+1)/2)]; else printf "nan"}')
    echo "$w $c"
}

printf '%-8s %9s %9s %7s   %9s %9s %7s\n' program native_s vm_s ratio native_cpu vm_cpu ratio
: > "$TMP/ratios"
for pair in fib:16567011844987191648 sieve:3425565819163467324 keccak:14989321503099411279; do
    name=${pair%%:*}
    WANT=${pair#*:}
    gcc -O2 -o "$TMP/$name" "$SRC/$name.c" "$SRC/native_main.c"
    set -- $(median "$TMP/$name")
    nw=$1 nc=$2
    # TOOL may be several words ("writ vm"): left unquoted on purpose
    set -- $(median $TOOL run "$SRC/$name.wasm" --invoke run)
    vw=$1 vc=$2
    rw=$(awk -v a="$vw" -v b="$nw" 'BEGIN {printf "%.2f", a / b}')
    rc=$(awk -v a="$vc" -v b="$nc" 'BEGIN {if (b > 0) printf "%.2f", a / b; else printf "nan"}')
    echo "$rw $rc" >> "$TMP/ratios"
    printf '%-8s %9s %9s %7s   %9s %9s %7s\n' "$name" "$nw" "$vw" "$rw" "$nc" "$vc" "$rc"
done
awk '{w += log($1); if ($2 > 0) c += log($2)} END {printf "geometric mean: %.2fx native (wall), %.2fx (cpu)\n", exp(w / NR), exp(c / NR)}' "$TMP/ratios"
