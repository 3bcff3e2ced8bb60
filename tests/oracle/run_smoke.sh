#!/bin/sh
# run_smoke.sh WRIT ORACLE_DIR INPUT WORKDIR — builds every contract of INPUT and runs
# smoke.mjs on each artifact (no exceptional halts on any call). Skips without the oracle.
writ=$1 dir=$2 input=$3 work=$4
here=$(dirname "$0")
if [ ! -f "$dir/.installed" ]; then
  echo "SKIP: the EVM oracle is not installed in $dir (no shared folder, or node/npm missing)"; exit 0
fi
rm -rf "$work" && mkdir -p "$work" || exit 1
"$writ" build "$input" --target evm -o "$work" || { echo "writ build failed"; exit 1; }
status=0
for art in "$work"/*.json; do
  echo "== $(basename "$art")"
  node "$here/smoke.mjs" "$dir" "$art" || status=1
done
exit $status
