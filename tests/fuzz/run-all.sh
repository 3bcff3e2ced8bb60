#!/usr/bin/env bash
# run-all.sh BUILD_DIR — runs every fuzzer of BUILD_DIR for $FUZZ_SECONDS (default 60)
# each, from its seed corpus in tests/fuzz/corpus/NAME. New interesting inputs collect in
# BUILD_DIR/tests/fuzz/work/NAME; crashes are written to BUILD_DIR/tests/fuzz/crashes/.
# Turn a crash into a regression file (tests/frontend/parse/) once it is fixed.
set -u
build=${1:?usage: run-all.sh BUILD_DIR}
seconds=${FUZZ_SECONDS:-60}
here=$(cd "$(dirname "$0")" && pwd)
out=$build/tests/fuzz
status=0
found=0
for fuzzer in "$out"/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  found=1
  name=$(basename "$fuzzer"); name=${name#fuzz_}
  mkdir -p "$out/work/$name" "$out/crashes"
  echo "== $name for ${seconds}s"
  if ! "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$out/crashes/$name-" -print_final_stats=1 \
       "$out/work/$name" "$here/corpus/$name"; then
    echo "!! $name found a problem: see $out/crashes/"
    status=1
  fi
done
if [ $found = 0 ]; then
  echo "run-all.sh: no fuzzers in $out (configure with -DWRIT_FUZZ=ON and clang)"
  exit 1
fi
exit $status
