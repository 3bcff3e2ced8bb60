#!/bin/sh
# spec_from_text.sh PYTHON TEXT_SUITE_PY WASM_SPEC OUT TOOL: rebuilds OUT (the spec suite with
# every module read from its .wast text) and requires every command to pass.
set -e
rm -rf "$4"
"$1" "$2" "$3" "$4"
out=$("$5" spec "$4")
echo "$out" | tail -3
total=$(echo "$out" | sed -n 's/^passed \([0-9]*\) of \([0-9]*\) commands.*/\1 \2/p')
set -- $total
[ -n "$1" ] && [ "$1" = "$2" ] || { echo "spec from text: $1 of $2 passed"; exit 1; }
