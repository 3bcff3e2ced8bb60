#!/bin/sh
# hard.sh WRIT FILE... — inputs whose proofs are out of the verifier's reach (512-bit
# products, a 256-round loop of 256-bit multiplications) must end, deterministically, with
# every verdict it can reach and "unknown" (exit 2) for the rest, or proved (exit 0): never
# a crash, a violation invented by giving up, or a hang (ctest's TIMEOUT catches that).
# Each unknown must say why.
set -u
writ=$1; shift
status=0
for f in "$@"; do
    out=$("$writ" verify --no-cache --jobs 1 "$f" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
        echo "FAIL $f: exit $rc (want 0 or 2)"; echo "$out" | tail -20; status=1; continue
    fi
    # every "not proved" line carries a reason after the colon
    if echo "$out" | grep "not proved" | grep -qv "not proved: ."; then
        echo "FAIL $f: an unknown verdict without its reason"; status=1
    fi
    echo "$out" | tail -1 | grep -q "proved, 0 violated" || {
        echo "FAIL $f: summary line missing or a violation reported"; echo "$out" | tail -5; status=1; }
    echo "ok $f (exit $rc): $(echo "$out" | tail -1)"
done
exit $status
