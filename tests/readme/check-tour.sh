#!/usr/bin/env bash
# check-tour.sh WRIT — extracts each indented code block of README.md that holds a
# `contract` (with the lines before it that belong to the same block) and runs
# `writ check` on it. Fails if there is no such block, or if any block has diagnostics.
set -u
writ=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
  /^    / { block = block substr($0, 5) "\n"; next }
  /^$/    { if (block != "") block = block "\n"; next }
  { if (block ~ /contract [A-Z]/) { n++; f = dir "/tour" n ".writ"; printf "%s", block > f; close(f) }
    block = "" }
  END { if (block ~ /contract [A-Z]/) { n++; f = dir "/tour" n ".writ"; printf "%s", block > f } }
' README.md
count=$(ls "$tmp"/*.writ 2>/dev/null | wc -l)
if [ "$count" -eq 0 ]; then echo "check-tour: no contract found in README.md"; exit 1; fi
fail=0
for f in "$tmp"/*.writ; do
  out=$("$writ" check "$f" 2>&1); rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "check-tour: README block $(basename "$f") does not check cleanly:"; echo "$out"
    sed 's/^/    | /' "$f"; fail=1
  fi
done
echo "check-tour: $count README contracts checked"
exit $fail
