#!/bin/sh
# setup.sh SHARED ORACLE_DIR — installs the shared EVM oracle (@ethereumjs/evm) into a copy
# inside the build tree (never into SHARED, never into the repository). Skips loudly, and
# passes, when the shared folder, node or npm is missing; later runs reuse the install.
shared=$1 dir=$2
src=$shared/oracles/evm
if [ ! -f "$src/evmrun.mjs" ]; then echo "SKIP: no EVM oracle at $src (set WRIT_SHARED)"; exit 0; fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node/npm not found: the EVM oracle tests cannot run"; exit 0
fi
mkdir -p "$dir"
if [ -f "$dir/.installed" ] && cmp -s "$src/package-lock.json" "$dir/package-lock.json" &&
   cmp -s "$src/evmrun.mjs" "$dir/evmrun.mjs"; then
  echo "oracle already installed in $dir"; exit 0
fi
rm -f "$dir/.installed"
cp "$src/package.json" "$src/package-lock.json" "$src/evmrun.mjs" "$dir/" && chmod u+w "$dir"/* || exit 1
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $dir"; exit 1; }
touch "$dir/.installed"
echo "oracle installed in $dir"
