#!/usr/bin/env bash
# check_clean.sh WRIT FILE — `writ check FILE` must exit 0 and print no diagnostic at all:
# an example or stdlib module that only warns is still a bad example to copy.
set -u
writ=$1
file=$2
out=$("$writ" check "$file" 2>&1)
status=$?
[ -n "$out" ] && printf '%s\n' "$out"
if [ "$status" -ne 0 ]; then
  echo "check_clean.sh: 'writ check $file' exited with $status"
  exit 1
fi
if printf '%s\n' "$out" | grep -q 'warning:'; then
  echo "check_clean.sh: 'writ check $file' printed warnings"
  exit 1
fi
exit 0
