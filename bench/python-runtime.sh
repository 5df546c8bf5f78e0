#!/usr/bin/env bash
# How src/lib/knowledge/python-stack.ts RUNTIME_SIZES were measured (an estimate of the runtime the Python
# buildpack installs in .heroku/python; this machine cannot download Heroku's own runtime archives).
# Usage: bench/python-runtime.sh 3.12.1   (a CPython installed by pyenv: $PYENV_ROOT/versions/VERSION)
# Copies the install, prunes it as heroku-buildpack-python builds/build_python_runtime.sh prunes its build
# (no test modules, no static library, stripped, standard .pyc only in unchecked-hash mode, no idle/pydoc/2to3),
# keeps pip (and setuptools up to 3.12, as lib/pip.sh installs them), then tars it and gzips at level 6.
set -euo pipefail
version=$1
minor=${version%.*}
src=${PYENV_ROOT:-$HOME/.pyenv}/versions/$version
dst=$(mktemp -d)
trap 'rm -rf "$dst"' EXIT
cp -a "$src/." "$dst/"
site="$dst/lib/python$minor/site-packages"
keep=$(mktemp -d)
for p in pip setuptools; do
  if [[ $p == setuptools && $minor != @(3.10|3.11|3.12) ]]; then continue; fi
  for d in "$site/$p" "$site/$p"-*.dist-info; do [[ -e $d ]] && mv "$d" "$keep/"; done
done
rm -rf "$site" && mv "$keep" "$site"
find "$dst" -name '*.a' -delete
find "$dst" -depth -type d \( -name test -o -name tests -o -name idle_test \) -exec rm -rf '{}' +
find "$dst" -type f -name '*.pyc' -delete
rm -f "$dst"/bin/idle* "$dst"/bin/pydoc* "$dst"/bin/2to3*
find "$dst/bin" -type f ! -name 'python*' -delete
strip --strip-all "$dst/bin/python$minor" "$dst"/lib/libpython*.so* "$dst/lib/python$minor"/lib-dynload/*.so 2>/dev/null || true
LD_LIBRARY_PATH="$dst/lib" "$dst/bin/python$minor" -m compileall -q -f --invalidation-mode unchecked-hash "$dst" >/dev/null 2>&1 || true
echo "$version unpacked=$(du -sb "$dst" | cut -f1) compressed=$(tar -C "$dst" -cf - . | gzip -6 | wc -c)"
