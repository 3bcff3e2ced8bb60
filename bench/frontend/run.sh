#!/usr/bin/env bash
# run.sh BUILD_DIR [OPTIONS...] — builds the frontend benchmark in BUILD_DIR (a configured
# CMake build folder; use a Release one for meaningful figures) and runs it. Options go
# to the driver: --lines N, --seed S, --repeat R, --single, --keep, --dir DIR, --enforce.
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [OPTIONS...]" >&2
  exit 2
fi
build=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang-14 >/dev/null
fi
log=$(mktemp)
if ! cmake --build "$build" -j2 --target writ-bench-frontend >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 2
fi
rm -f "$log"
if grep -q 'WRIT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "note: $build is a sanitizer build; its figures are several times slower" >&2
fi
exec "$build/bench/frontend/writ-bench-frontend" "$@"
