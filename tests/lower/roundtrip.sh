#!/usr/bin/env bash
# roundtrip.sh WRIT FILE.writ — lowers FILE (writ ir runs the validator), parses the printed
# IR back with `writ ir --parse` (validator again) and requires the same text, byte for
# byte (the parser rebuilds the `source` lines and line:col of spans from the text).
set -u
writ=$1 file=$2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
"$writ" ir "$file" > "$tmp/a.wir" || { echo "roundtrip.sh: writ ir $file failed"; exit 1; }
# One file may hold several contracts: each module is printed in turn and parsed alone.
awk -v dir="$tmp" '/^module /{n++} {print > (dir "/m" n ".wir")}' "$tmp/a.wir"
status=0
for m in "$tmp"/m*.wir; do
  "$writ" ir --parse "$m" > "$m.b" || { echo "roundtrip.sh: writ ir --parse failed"; exit 1; }
  sed -e '${/^$/d}' "$m" > "$m.a" # the blank line that separates modules
  diff -u "$m.a" "$m.b" || { echo "roundtrip.sh: $file does not round-trip"; status=1; }
done
exit $status
