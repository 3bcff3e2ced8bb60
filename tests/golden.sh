#!/usr/bin/env bash
# golden.sh EXPECTED -- COMMAND [ARGS...]
# Runs COMMAND from the repository root (so paths in messages are relative and the same
# on every machine), captures stdout and stderr together plus a final "exit: N" line, and
# compares with EXPECTED. With WRIT_UPDATE_GOLDEN=1 it rewrites EXPECTED instead.
set -u
expected=$1; shift
[ "$1" = "--" ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
actual=$("$@" 2>&1; echo "exit: $?")
if [ "${WRIT_UPDATE_GOLDEN:-0}" = "1" ]; then
  printf '%s\n' "$actual" > "$expected"
  exit 0
fi
if [ ! -f "$expected" ]; then
  echo "golden.sh: missing expected file $expected (run make update-golden)"; exit 1
fi
if ! diff -u "$expected" <(printf '%s\n' "$actual"); then
  echo "golden.sh: output differs from $expected"; exit 1
fi
