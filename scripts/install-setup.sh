#!/usr/bin/env bash
# Installs what the install suite (test/install) and `npm run bench:install` run, none of it a dependency of the
# plugin: the real heroku CLI (scripts/e2e-setup.sh, into .cache/heroku-cli) and verdaccio, the npm registry
# server the plugin is published to, into .cache/verdaccio. Verdaccio is a server started as its own process, so
# it stays out of devDependencies: every `npm ci` (npm test, the Node matrix) would otherwise install its 327
# packages (58 MB) for one suite. Its version is pinned like the CLI's: 6.8.0 is the last release that runs on
# Node 20 (6.9 and later need Node 22), the oldest Node the plugin supports.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/cache-install.sh" verdaccio "${VERDACCIO_VERSION:-6.8.0}" "$root/.cache/verdaccio"

# The suite packs a clean copy of the tree itself: the checkout needs no build.
E2E_SKIP_BUILD=1 "$root/scripts/e2e-setup.sh"
