#!/usr/bin/env bash
# check_clean.sh WRIT FILE [COMMAND] — `writ COMMAND FILE` (default: check) must exit 0
# and print no warning: an example or stdlib module that only warns is still a bad
# example to copy. With `ir`, the printed IR itself is discarded; only diagnostics count.
set -u
writ=$1
file=$2
cmd=${3:-check}
out=$("$writ" "$cmd" "$file" 2>&1 >/dev/null)
status=$?
[ -n "$out" ] && printf '%s\n' "$out"
if [ "$status" -ne 0 ]; then
  echo "check_clean.sh: 'writ $cmd $file' exited with $status"
  exit 1
fi
if printf '%s\n' "$out" | grep -q 'warning:'; then
  echo "check_clean.sh: 'writ $cmd $file' printed warnings"
  exit 1
fi
exit 0
