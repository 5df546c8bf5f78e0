#!/usr/bin/env bash
# Runs a command as on a fresh machine that has run only `npm ci`: the tools that only the other suites need
# (Python and its modules, bsdtar, Chromium, moto_server, the heroku CLI) are hidden from PATH. CI runs the
# README's test command through this, so a unit test that quietly needs one of them fails there, not on a
# newcomer's machine. Usage: scripts/without-suite-tools.sh COMMAND [ARG...]
set -euo pipefail
(($#)) || {
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
}

bin="$(mktemp -d)"
# Tests that drop to another user (a real read-only repo) run git from here too.
chmod 755 "$bin"
trap 'rm -rf "$bin"' EXIT
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || continue
  for tool in "$dir"/*; do
    name="${tool##*/}"
    case "$name" in
      python* | pip* | pydoc* | bsdtar | bsdcpio | chromium* | chrome | moto_server | heroku) continue ;;
    esac
    # The first directory on PATH that holds a name wins, as for the shell.
    [ -x "$tool" ] && [ ! -e "$bin/$name" ] && ln -s "$tool" "$bin/$name"
  done
done

PATH="$bin" "$@"
