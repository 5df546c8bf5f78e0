#!/usr/bin/env bash
# Installs the real `heroku` CLI from npm into .cache/heroku-cli (not a dependency of the plugin) and builds
# the plugin, so test/e2e can run `heroku plugins:link` against dist/. Skips the install when already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.cache/heroku-cli"
bin="$prefix/node_modules/.bin/heroku"

if [ -x "$bin" ]; then
  echo "heroku CLI already installed: $("$bin" --version 2>/dev/null | head -1)"
else
  echo "installing the heroku CLI into $prefix (~390 MB, ~1.5 min)..."
  start=$(date +%s)
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error heroku
  echo "installed in $(( $(date +%s) - start )) s"
fi

if [ "${E2E_SKIP_BUILD:-}" != "1" ]; then
  (cd "$root" && npm run build --silent)
fi
