#!/usr/bin/env bash
# run-all.sh BUILD_DIR — runs every fuzzer of BUILD_DIR (an executable fuzz_NAME anywhere
# in it) for $FUZZ_SECONDS (default 60) each, from its seed corpus tests/fuzz/corpus/NAME
# and with the dictionary tests/fuzz/NAME.dict when they exist. New interesting inputs collect in
# BUILD_DIR/tests/fuzz/work/NAME; crashes are written to BUILD_DIR/tests/fuzz/crashes/.
# Turn a crash into a regression file (tests/frontend/parse/) once it is fixed.
set -u
build=${1:?usage: run-all.sh BUILD_DIR}
seconds=${FUZZ_SECONDS:-60}
here=$(cd "$(dirname "$0")" && pwd)
out=$build/tests/fuzz
status=0
found=0
for fuzzer in $(find "$build" -type f -name 'fuzz_*' -perm -u+x | sort); do
  found=1
  name=$(basename "$fuzzer"); name=${name#fuzz_}
  mkdir -p "$out/work/$name" "$out/crashes"
  echo "== $name for ${seconds}s"
  dict=()
  [ -f "$here/$name.dict" ] && dict=(-dict="$here/$name.dict")
  if ! "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
       "${dict[@]}" \
       -artifact_prefix="$out/crashes/$name-" -print_final_stats=1 \
       "$out/work/$name" $([ -d "$here/corpus/$name" ] && echo "$here/corpus/$name"); then
    echo "!! $name found a problem: see $out/crashes/"
    status=1
  fi
done
if [ $found = 0 ]; then
  echo "run-all.sh: no fuzzers in $build (configure with -DWRIT_FUZZ=ON and clang)"
  exit 1
fi
exit $status
