#!/usr/bin/env bash
# Installs the real `heroku` CLI from npm into .cache/heroku-cli (not a dependency of the plugin) and builds
# the plugin, so test/e2e can run `heroku plugins:link` against dist/. The CLI's version is pinned, so the e2e
# suite tests the same CLI every day; a cached install of another version is replaced.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.cache/heroku-cli"
# The CLI release the e2e suite and the README's figures were checked with (a new one is tried by changing this).
version="${HEROKU_CLI_VERSION:-11.10.0}"
installed="$prefix/node_modules/heroku/package.json"

have="$(node -p "require(process.argv[1]).version" "$installed" 2>/dev/null || true)"
if [ "$have" = "$version" ] && [ -x "$prefix/node_modules/.bin/heroku" ]; then
  echo "heroku CLI $version already installed in $prefix"
else
  echo "installing the heroku CLI $version into $prefix (~390 MB, ~1.5 min)${have:+, replacing $have}..."
  start=$(date +%s)
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "heroku@$version"
  echo "installed in $(( $(date +%s) - start )) s"
fi

if [ "${E2E_SKIP_BUILD:-}" != "1" ]; then
  (cd "$root" && npm run build --silent)
fi
