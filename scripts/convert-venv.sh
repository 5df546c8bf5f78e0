#!/usr/bin/env bash
# Virtualenvs for the convert-models integration tests (issue 18), from pip's configured indexes (the local
# mirror here), each skipped when already complete (its marker file names what it installed):
#   scripts/convert-venv.sh            the converter toolchain in .cache/convert-venv: keras, a CPU torch, onnx,
#                                      onnxscript, onnxruntime, h5py, numpy. Never a CUDA torch: the CPU wheel is
#                                      asked for by its local version label (`+cpu`).
#   scripts/convert-venv.sh runtime    what a converted app needs in .cache/runtime-venv: onnxruntime and numpy only
#                                      (the rebuild test checks that the app answers without any framework).
# Prints the venv's python path on stdout; progress on stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base_python="${CONVERT_VENV_BASE_PYTHON:-${SLUG_DIET_TEST_PYTHON:-python3}}"
if [ "${1:-}" = "runtime" ]; then
  venv="${RUNTIME_VENV:-$root/.cache/runtime-venv}"
  packages=(onnxruntime numpy)
  modules="onnxruntime, numpy"
else
  venv="${CONVERT_VENV:-$root/.cache/convert-venv}"
  packages=(keras "${CONVERT_VENV_TORCH:-torch==2.13.0+cpu}" onnx onnxscript onnxruntime h5py numpy)
  modules="keras, torch, onnx, onnxscript, onnxruntime, h5py, numpy"
fi
marker="$venv/.complete"
wanted="${packages[*]}"
# Keras would import TensorFlow (its default backend); the converter runs it on torch.
export KERAS_BACKEND=torch
# A pip that cannot reach an index it is configured with waits ~7 s per package in retries (here: pypi.org,
# unreachable, beside the local mirror); one retry is enough for a real index.
export PIP_RETRIES="${PIP_RETRIES:-1}"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$wanted" ] && "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi

started=$(date +%s)
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$base_python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --no-input "${packages[@]}" >&2
"$venv/bin/python" -c "import $modules" >&2
echo "$wanted" >"$marker"
echo "convert-venv: installed ${wanted} in $(($(date +%s) - started)) s" >&2
echo "$venv/bin/python"
