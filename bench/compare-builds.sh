#!/usr/bin/env bash
# Two built copies of the plugin, one slug: `slug:inspect --file --json` of each, interleaved, with GNU time's wall
# and peak RSS, then the medians. For "unchanged or better" against an earlier session's build, measured in the same
# minutes on the same machine (a bench run's medians move by a few MB from one run to the next).
# Usage: bench/compare-builds.sh ROOT_A ROOT_B SLUG.tgz [RUNS=5]
#   ROOT: a checkout with dist/ built (git worktree add DIR COMMIT; npm run build there, node_modules linked).
# A build that knows --no-cache gets it (earlier ones had no scan cache).
set -euo pipefail
a=$1 b=$2 slug=$3 runs=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((i = 1; i <= runs; i++)); do
  for root in "$a" "$b"; do
    flags=(--json)
    grep -q '"no-cache"\|"cache"' "$root/oclif.manifest.json" && flags+=(--no-cache)
    home=$(mktemp -d -p "$work")
    /usr/bin/time -f "%e %M" -o "$work/t" env HOME="$home" HEROKU_CACHE_DIR="$home/cache" \
      node "$root/bin/run.js" slug:inspect --file "$slug" "${flags[@]}" > /dev/null
    echo "$root $(cat "$work/t")" >> "$work/samples"
  done
done
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
for root in "$a" "$b"; do
  wall=$(grep "^$root " "$work/samples" | cut -d' ' -f2 | median)
  rss=$(grep "^$root " "$work/samples" | cut -d' ' -f3 | median)
  echo "$root: wall median $wall s, peak RSS median $((rss / 1024)) MB ($runs runs)"
done
