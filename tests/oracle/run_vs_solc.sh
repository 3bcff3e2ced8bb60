#!/bin/sh
# run_vs_solc.sh WRIT ORACLE_DIR INPUT CONTRACT SOLC_BUILD SPEC WORKDIR — builds INPUT with
# `writ build --target evm` and runs writ_vs_solc.mjs: the same calls on solc's build and on
# Writ's must give the same results, logs and storage. Skips loudly without the oracle.
writ=$1 dir=$2 input=$3 name=$4 solc=$5 spec=$6 work=$7
here=$(dirname "$0")
if [ ! -f "$dir/.installed" ]; then
  echo "SKIP: the EVM oracle is not installed in $dir (no shared folder, or node/npm missing)"; exit 0
fi
if [ ! -f "$spec" ] || [ ! -f "$solc" ]; then echo "SKIP: no reference at $solc / $spec"; exit 0; fi
rm -rf "$work" && mkdir -p "$work" || exit 1
"$writ" build "$input" --target evm -o "$work" || { echo "writ build failed"; exit 1; }
node "$here/writ_vs_solc.mjs" "$dir" "$work/$name.json" "$solc" "$spec"
