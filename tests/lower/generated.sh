#!/usr/bin/env bash
# generated.sh WRIT GEN SEED — a stress test of the lowering on generated programs: GEN
# (writ-bench-frontend --gen-only) writes a varied program set; each file must lower to
# IR the validator accepts after lowering and after every optimisation pass, and must
# round-trip through `writ ir --parse` (roundtrip.sh).
set -u
writ=$1 gen=$2 seed=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
"$gen" --gen-only --lines 4000 --seed "$seed" --dir "$tmp/src" > /dev/null || { echo "generated.sh: generator failed"; exit 1; }
status=0 n=0
for f in "$tmp"/src/*.writ; do
  n=$((n + 1))
  if ! "$writ" ir "$f" --after all > /dev/null 2> "$tmp/err"; then
    echo "generated.sh: $f (seed $seed) fails after the passes:"; head -20 "$tmp/err"; status=1
    cp "$f" "$tmp/keep.writ"
  fi
  bash "$here/roundtrip.sh" "$writ" "$f" > "$tmp/rt" 2>&1 || { head -20 "$tmp/rt"; status=1; }
done
echo "generated.sh: $n programs (seed $seed)"
exit $status
