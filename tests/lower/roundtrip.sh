#!/usr/bin/env bash
# roundtrip.sh WRIT FILE.writ — lowers FILE (writ ir runs the validator), parses the printed
# IR back with `writ ir --parse` (validator again) and requires the same module. Parsed IR
# has no source files attached, so spans print as !FILE@START-END without line:col and
# without the `source` lines: those are normalised away before comparing. Parsing the
# result once more must reproduce it byte for byte.
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
  sed -E '/^source [0-9]+ /d; s/ !([0-9]+):[0-9]+:[0-9]+@/ !\1@/g; ${/^$/d}' "$m" > "$m.norm"
  diff -u "$m.norm" "$m.b" || { echo "roundtrip.sh: $file does not round-trip"; status=1; }
  "$writ" ir --parse "$m.b" > "$m.c" || { echo "roundtrip.sh: second parse failed"; exit 1; }
  diff -u "$m.b" "$m.c" || { echo "roundtrip.sh: printing is not a fixed point"; status=1; }
done
exit $status
