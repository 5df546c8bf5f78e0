#!/usr/bin/env bash
# The converter toolchain the convert-models integration tests run (issue 18): a virtualenv in
# .cache/convert-venv with keras, a CPU torch, onnx, onnxscript, onnxruntime, h5py and numpy from pip's
# configured indexes (the local mirror here). Never a CUDA torch: the CPU wheel is asked for by its local
# version label (`+cpu`). Skipped when the venv is already complete (its marker file names what it installed).
# Prints the venv's python path on stdout; progress on stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${CONVERT_VENV:-$root/.cache/convert-venv}"
base_python="${CONVERT_VENV_BASE_PYTHON:-${SLUG_DIET_TEST_PYTHON:-python3}}"
torch_req="${CONVERT_VENV_TORCH:-torch==2.13.0+cpu}"
packages=(keras "$torch_req" onnx onnxscript onnxruntime h5py numpy)
marker="$venv/.complete"
wanted="${packages[*]}"
# Keras would import TensorFlow (its default backend); the converter runs it on torch.
export KERAS_BACKEND=torch
# A pip that cannot reach an index it is configured with waits ~7 s per package in retries (here: pypi.org,
# unreachable, beside the local mirror); one retry is enough for a real index.
export PIP_RETRIES="${PIP_RETRIES:-1}"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$wanted" ] && "$venv/bin/python" -c 'import keras, torch, onnx, onnxscript, onnxruntime, h5py, numpy' 2>/dev/null; then
  echo "$venv/bin/python"
  exit 0
fi

started=$(date +%s)
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
"$base_python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --no-input "${packages[@]}" >&2
"$venv/bin/python" -c 'import keras, torch, onnx, onnxscript, onnxruntime, h5py, numpy' >&2
echo "$wanted" >"$marker"
echo "convert-venv: installed ${wanted} in $(($(date +%s) - started)) s" >&2
echo "$venv/bin/python"
