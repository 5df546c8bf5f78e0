#!/usr/bin/env bash
# Installs a tool the suites run, pinned, from npm into its own prefix under .cache/ (not a dependency of the
# plugin): `scripts/cache-install.sh NAME VERSION PREFIX [BIN]`. A cached install of another version is replaced.
# With BIN, the install also counts as missing when node_modules/.bin/BIN is not there.
set -euo pipefail
name=$1 version=$2 prefix=$3 bin=${4:-}
installed="$prefix/node_modules/$name/package.json"

have="$(node -p "require(process.argv[1]).version" "$installed" 2>/dev/null || true)"
if [ "$have" = "$version" ] && { [ -z "$bin" ] || [ -x "$prefix/node_modules/.bin/$bin" ]; }; then
  echo "$name $version already installed in $prefix"
  exit 0
fi
echo "installing $name $version into $prefix${have:+, replacing $have}..."
start=$(date +%s)
rm -rf "$prefix"
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$name@$version"
echo "installed in $(($(date +%s) - start)) s"
