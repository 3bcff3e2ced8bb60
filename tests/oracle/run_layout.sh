#!/bin/sh
# run_layout.sh WRIT ORACLE_DIR INPUT CONTRACT FILE.sol SOL_CONTRACT WORKDIR — builds INPUT and
# compares its storageLayout with solc's for FILE.sol. Skips loudly without the oracle.
writ=$1 dir=$2 input=$3 name=$4 sol=$5 solname=$6 work=$7
here=$(dirname "$0")
if [ ! -f "$dir/.installed" ]; then
  echo "SKIP: the EVM oracle (and solc-js) is not installed in $dir"; exit 0
fi
if [ ! -f "$sol" ]; then echo "SKIP: no $sol"; exit 0; fi
rm -rf "$work" && mkdir -p "$work" || exit 1
"$writ" build "$input" --target evm -o "$work" || { echo "writ build failed"; exit 1; }
node "$here/layout_vs_solc.mjs" "$dir" "$work/$name.json" "$sol" "$solname"
