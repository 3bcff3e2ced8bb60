#!/usr/bin/env bash
# lia_check.sh WRIT — every obligation verify/lia.c's integer view proves, on the corpus and
# the examples that prove, is decided again on bit-vectors (WRIT_VERIFY_LIA_CHECK: writ
# aborts when the bit-vectors find a model). Prints the counts; exit 1 on any disagreement.
set -u
writ=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
fail=0 n=0 agree=0 open=0
for f in tests/verify/bugs/*.writ tests/verify/correct/*.writ examples/token.writ \
         examples/erc20.writ examples/escrow.writ; do
  out=$(WRIT_VERIFY_LIA_CHECK=1 "$writ" verify --no-cache --depth 0 "$f" 2>&1 >/dev/null)
  st=$?
  if [ $st -gt 2 ] || printf '%s\n' "$out" | grep -q 'bit-vectors say 1$'; then
    echo "$f: the integer view proved what the bit-vectors refute (exit $st)"
    fail=1
  fi
  n=$((n + $(printf '%s\n' "$out" | grep -c '^lia-check')))
  agree=$((agree + $(printf '%s\n' "$out" | grep -c 'bit-vectors say -1$')))
  open=$((open + $(printf '%s\n' "$out" | grep -c 'bit-vectors say 0$')))
done
echo "lia_check: $n obligations proved by the integer view; bit-vectors: $agree unsat," \
     "$open unknown, $((n - agree - open)) sat"
exit $fail
