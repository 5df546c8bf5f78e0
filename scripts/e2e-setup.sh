#!/usr/bin/env bash
# Installs the real `heroku` CLI from npm into .cache/heroku-cli (not a dependency of the plugin; ~390 MB,
# ~1.5 min) and builds the plugin, so test/e2e can run `heroku plugins:link` against dist/. The CLI's version is
# pinned, so the e2e suite tests the same CLI every day.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# The CLI release the e2e suite and the README's figures were checked with (a new one is tried by changing this).
"$root/scripts/cache-install.sh" heroku "${HEROKU_CLI_VERSION:-11.10.0}" "$root/.cache/heroku-cli" heroku

if [ "${E2E_SKIP_BUILD:-}" != "1" ]; then
  (cd "$root" && npm run build --silent)
fi
