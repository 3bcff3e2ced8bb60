#!/usr/bin/env bash
# jobs.sh WRIT FILE... — the same output for any number of worker processes, and from the
# cache: `writ verify --jobs 1` (no cache), `--jobs 3` (no cache), then twice with a fresh
# cache (the second run reads every result back from it), and once more with one cache
# entry damaged, must print the same text and exit with the same status.
set -u
writ=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
a=$("$writ" verify --no-cache --jobs 1 "$@" 2>&1; echo "exit $?")
b=$("$writ" verify --no-cache --jobs 3 "$@" 2>&1; echo "exit $?")
c=$(WRIT_CACHE_DIR=$cache "$writ" verify --jobs 2 "$@" 2>&1; echo "exit $?")
d=$(WRIT_CACHE_DIR=$cache "$writ" verify --jobs 2 "$@" 2>&1; echo "exit $?")
fail=0
[ "$a" = "$b" ] || { echo "jobs.sh: --jobs 3 differs from --jobs 1"; diff <(echo "$a") <(echo "$b"); fail=1; }
[ "$a" = "$c" ] || { echo "jobs.sh: the run filling the cache differs"; diff <(echo "$a") <(echo "$c"); fail=1; }
[ "$a" = "$d" ] || { echo "jobs.sh: the run from the cache differs"; diff <(echo "$a") <(echo "$d"); fail=1; }
# a damaged cache entry is a miss, never a crash or a wrong verdict
for f in "$cache"/*; do printf 'result 9 garbage\n' > "$f"; break; done
e=$(WRIT_CACHE_DIR=$cache "$writ" verify --jobs 2 "$@" 2>&1; echo "exit $?")
[ "$a" = "$e" ] || { echo "jobs.sh: the run over a damaged cache entry differs"; diff <(echo "$a") <(echo "$e"); fail=1; }
n=$(ls "$cache" | wc -l)
[ "$n" -gt 0 ] || { echo "jobs.sh: nothing was cached"; fail=1; }
echo "jobs.sh: $(echo "$a" | tail -2 | head -1); $n cache entries; fail=$fail"
exit $fail
