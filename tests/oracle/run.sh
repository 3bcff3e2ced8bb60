#!/bin/sh
# run.sh WRIT ORACLE_DIR INPUT CONTRACT SPEC WORKDIR — builds INPUT (.writ or .wir) with
# `writ build --target evm`, then runs SPEC against the artifact on the oracle EVM.
# Skips loudly (and passes) when setup.sh could not install the oracle.
writ=$1 dir=$2 input=$3 name=$4 spec=$5 work=$6
here=$(dirname "$0")
if [ ! -f "$dir/.installed" ]; then
  if ! command -v node >/dev/null 2>&1; then echo "SKIP: node not found"; exit 0; fi
  echo "SKIP: the EVM oracle is not installed in $dir (no shared folder, or npm missing)"; exit 0
fi
if [ ! -f "$spec" ]; then echo "SKIP: no spec at $spec"; exit 0; fi
rm -rf "$work" && mkdir -p "$work" || exit 1
"$writ" build "$input" --target evm -o "$work" || { echo "writ build failed"; exit 1; }
# other inputs the spec deploys first ("alsoBuild": paths relative to the source tree)
root=$(cd "$here/../.." && pwd)
for other in $(node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log((s.alsoBuild || []).join(" "))' "$spec"); do
  "$writ" build "$root/$other" --target evm -o "$work" || { echo "writ build $other failed"; exit 1; }
done
node "$here/writ_oracle.mjs" "$dir" "$work/$name.json" "$spec"
