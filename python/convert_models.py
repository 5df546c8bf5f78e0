#!/usr/bin/env python3
"""Converts Keras and PyTorch models to ONNX and verifies each against its original (issue 18).

Run by `heroku slug:convert-models` with ONE JSON request on stdin (see notes/convert-contract.md):
  {"models": [{"path": ..., "out": ..., "inputs": [{"shape": [null, 512], "dtype": "float32"}]?}],
   "quantize": null | "int8", "minAgreement": 0.99, "tolerance": 1e-4, "seed": 0, "samples": 16, "root": ...?}
Stdout is exactly one JSON object; everything else (framework logs, progress bars) goes to stderr.
Exit codes: 0 done (a model may have ok=false with its error), 2 bad request, 3 missing modules.
Only the standard library and the frameworks; Python 3.11 and 3.12.
"""
import contextlib
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

# Keras files load under the torch backend: no TensorFlow needed. Set before keras is imported.
os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

PROTOBUF_LIMIT = 2**31  # a protobuf message (an ONNX file without external data) cannot reach 2 GiB
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
FORMAT_MODULES = {
    "keras": ["keras", "torch", "h5py"],
    "h5": ["keras", "torch", "h5py"],
    "torch-module": ["torch"],
    "torchscript": ["torch"],
    "savedmodel": [],
}
ALWAYS_MODULES = ["numpy", "onnx", "onnxruntime"]
VERSION_OF = ["onnxruntime", "onnx", "onnxscript", "keras", "torch", "numpy", "h5py", "tensorflow", "tf2onnx"]
DEFAULTS = {"quantize": None, "minAgreement": 0.99, "tolerance": 1e-4, "seed": 0, "samples": 16, "root": None}


class ConversionError(Exception):
    """A model that cannot be converted: its message is the one line the user sees."""


class BadRequest(Exception):
    """The request on stdin is not what the contract says."""


def log(message):
    print(message, file=sys.stderr, flush=True)


def one_line(text, limit=400):
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


# ---- the request ---------------------------------------------------------------------------------------------


def read_request(text):
    try:
        request = json.loads(text)
    except ValueError as error:
        raise BadRequest(f"the request on stdin is not JSON: {error}") from None
    if not isinstance(request, dict) or not isinstance(request.get("models"), list):
        raise BadRequest('the request needs "models": a list of {"path", "out"}')
    for model in request["models"]:
        check_model_entry(model)
    merged = {**DEFAULTS, **request}
    if merged["quantize"] not in (None, "int8"):
        raise BadRequest(f'"quantize" is null or "int8", not {merged["quantize"]!r}')
    for key in ("minAgreement", "tolerance"):
        if not isinstance(merged[key], (int, float)) or merged[key] < 0:
            raise BadRequest(f'"{key}" must be a number >= 0')
    for key in ("seed", "samples"):
        if not isinstance(merged[key], int) or merged[key] < (1 if key == "samples" else 0):
            raise BadRequest(f'"{key}" must be a whole number')
    return merged


def check_model_entry(model):
    if not isinstance(model, dict):
        raise BadRequest("each model is an object with path and out")
    for key in ("path", "out"):
        if not isinstance(model.get(key), str) or not os.path.isabs(model[key]):
            raise BadRequest(f'each model needs "{key}": an absolute path')
    if not model["out"].endswith(".onnx"):
        raise BadRequest(f'"out" must end with .onnx: {model["out"]}')
    if not os.path.isdir(os.path.dirname(model["out"])):
        raise BadRequest(f'the folder of "out" does not exist: {model["out"]}')
    inputs = model.get("inputs")
    if inputs is not None and not (isinstance(inputs, list) and all(isinstance(i, dict) and isinstance(i.get("shape"), list) for i in inputs)):
        raise BadRequest('"inputs" is a list of {"shape": [null, ...], "dtype": "float32"}')


# ---- formats and modules -------------------------------------------------------------------------------------


def detect_format(path):
    """The model's format from its content (not its name)."""
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "saved_model.pb")):
            return "savedmodel"
        raise ConversionError("a folder without saved_model.pb is not a model this converts")
    with open(path, "rb") as file:
        head = file.read(8)
    if head == HDF5_SIGNATURE:
        return "h5"
    if zipfile.is_zipfile(path):
        return zip_format(path)
    if head[:1] == b"\x80":
        return "torch-module"  # torch.save's legacy (non-zip) pickle
    raise ConversionError("not a Keras (.keras, .h5), PyTorch or TorchScript file")


def zip_format(path):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    if "config.json" in names and any(n.endswith(".weights.h5") or n.endswith(".npz") for n in names):
        return "keras"
    parts = [n.split("/", 1)[1] for n in names if "/" in n]
    if any(p.startswith("code/") for p in parts) and "constants.pkl" in parts:
        return "torchscript"
    if "data.pkl" in parts:
        return "torch-module"
    raise ConversionError("a zip file that is neither a Keras .keras nor a torch.save / TorchScript file")


def needed_modules(formats, quantize):
    needed = list(ALWAYS_MODULES)
    for fmt in formats:
        needed += FORMAT_MODULES.get(fmt, [])
    if quantize:
        needed.append("onnxruntime.quantization")
    return sorted(set(needed), key=needed.index)


def missing_modules(names):
    missing = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # a broken install is as missing as an absent one
            log(f"cannot import {name}: {one_line(error)}")
            missing.append(name)
    return missing


def versions():
    found = {}
    for name in VERSION_OF:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[name] = importlib.metadata.version(name)
    return found


# ---- loading and exporting -----------------------------------------------------------------------------------


def load_keras(path):
    import keras

    try:
        return keras.saving.load_model(path, compile=False)
    except Exception as error:
        raise ConversionError(keras_load_error(error)) from None


def keras_load_error(error):
    text = str(error)
    marker = "Could not locate class '"
    if marker in text:
        name = text.split(marker, 1)[1].split("'", 1)[0]
        return (f"custom layer {name}: its code is not in the model file; Keras needs the class (custom_objects), "
                "which convert-models does not load: export this model to ONNX in your own code")
    if "Unknown layer" in text or "Unknown " in text and "custom_objects" in text:
        return f"custom layer: {one_line(text, 200)} (convert-models does not load custom objects)"
    return f"Keras could not load it: {one_line(error)}"


def keras_input_specs(model):
    specs = []
    for tensor in model.inputs:
        shape = [None] + [None if d is None else int(d) for d in tuple(tensor.shape)[1:]]
        name = getattr(tensor, "name", None) or f"input_{len(specs)}"
        specs.append({"name": name, "shape": shape, "dtype": str(tensor.dtype)})
    return specs


def export_keras(model, specs, onnx_path):
    import keras

    signature = [keras.InputSpec(shape=tuple(s["shape"]), dtype=s["dtype"], name=s["name"]) for s in specs]
    if len(signature) > 1:
        signature = [signature]  # a functional model with several inputs takes them as one list
    model.export(onnx_path, format="onnx", input_signature=signature, verbose=False)


def keras_output_names(model):
    """The layers' names (`dense_1`) of the outputs: a Sequential has no output_names."""
    try:
        return list(getattr(model, "output_names", None) or [t._keras_history.operation.name for t in model.outputs])
    except AttributeError:
        return None


def keras_predict(model, arrays):
    outputs = model.predict(arrays[0] if len(arrays) == 1 else arrays, verbose=0, batch_size=len(arrays[0]))
    return [outputs] if not isinstance(outputs, (list, tuple)) else list(outputs)


def load_torch(path, fmt, root):
    import torch

    if fmt == "torchscript":
        try:
            return torch.jit.load(path, map_location="cpu").eval()
        except RuntimeError as error:
            raise ConversionError(f"TorchScript could not load it: {one_line(error)}") from None
    if root and root not in sys.path:
        sys.path.insert(0, root)  # a pickled module names its class by module path: the app's own code
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=False)
    except (AttributeError, ModuleNotFoundError) as error:
        raise ConversionError(torch_class_error(error)) from None
    if not isinstance(loaded, torch.nn.Module):
        raise ConversionError(f"holds a {type(loaded).__name__} (weights only?), not a torch.nn.Module: "
                              "converting needs the module; export it with torch.onnx.export in your code")
    return loaded.eval()


def torch_class_error(error):
    text = str(error)
    if isinstance(error, ModuleNotFoundError) and error.name:
        return (f"the module's class is in {error.name}, not importable here (the pickle holds only its name): "
                "pass the app's folder as root, or save the model with torch.jit.script / torch.jit.save")
    if "Can't get attribute" in text:
        name = text.split("Can't get attribute '", 1)[-1].split("'", 1)[0]
        return (f"the module's class {name} is not importable here (the pickle holds only its name): "
                "pass the app's folder as root, or save the model with torch.jit.script / torch.jit.save")
    return f"torch could not load it: {one_line(text)}"


def torch_input_specs(module, given):
    """A torch module has no input shape: the request's `inputs`, else the first Linear's in_features."""
    if given:
        return [{"name": g.get("name") or ("input" if len(given) == 1 else f"input_{i}"), "shape": [None] + list(g["shape"][1:]),
                 "dtype": g.get("dtype") or "float32"} for i, g in enumerate(given)]
    import torch

    first = next((m for m in module.modules() if not list(m.children())), None)
    if isinstance(module, torch.nn.Sequential) and isinstance(first, torch.nn.Linear):
        return [{"name": "input", "shape": [None, first.in_features], "dtype": "float32"}]
    raise ConversionError("a torch module does not say its input shape: pass it with --input-shape, batch first (e.g. 1,3,224,224)")


def export_torch(module, specs, onnx_path):
    import torch

    examples = tuple(torch.from_numpy(a) for a in sample_inputs(specs, 2, 0))
    names = [s["name"] for s in specs]
    dynamic = {name: {0: "batch"} for name in names}
    dynamic["output"] = {0: "batch"}
    try:  # the TorchScript-based exporter: TorchScript modules too, one file, a dynamic batch axis (opset 17)
        torch.onnx.export(module, examples, onnx_path, input_names=names, output_names=["output"],
                          dynamic_axes=dynamic, dynamo=False, external_data=False)
    except Exception as error:
        if isinstance(module, torch.jit.ScriptModule):
            raise
        log(f"the TorchScript-based exporter failed ({one_line(error, 200)}): trying torch.export")
        export_torch_dynamo(module, examples, names, onnx_path)


def export_torch_dynamo(module, examples, names, onnx_path):
    """torch.export's exporter (the default since torch 2.9; the other may leave): its external data is folded in
    by write_single_file."""
    import torch

    batch = torch.export.Dim("batch")
    torch.onnx.export(module, examples, onnx_path, input_names=names, output_names=["output"], dynamo=True,
                      dynamic_shapes=tuple({0: batch} for _ in names), external_data=False)


def torch_predict(module, arrays):
    import torch

    with torch.no_grad():
        outputs = module(*[torch.from_numpy(a) for a in arrays])
    if isinstance(outputs, (list, tuple)):
        return [o.detach().numpy() for o in outputs]
    return [outputs.detach().numpy()]


def parameter_bytes(model, fmt):
    if fmt in ("keras", "h5"):
        return sum(int(w.numpy().nbytes) if hasattr(w, "numpy") else 0 for w in model.weights)
    tensors = list(model.parameters()) + list(model.buffers())
    return sum(t.numel() * t.element_size() for t in tensors)


# ---- one file, weights inside --------------------------------------------------------------------------------


def write_single_file(exported, out, output_names=None):
    """Writes the exported model to `out` with every weight inside (an exporter may write external data beside it)
    and the model's own output names (Keras' exporter numbers them)."""
    import onnx

    model = onnx.load(exported)  # with the external data beside it, if any
    rename_outputs(model.graph, output_names)
    if model.ByteSize() >= PROTOBUF_LIMIT:
        raise ConversionError(over_limit(model.ByteSize()))
    onnx.save_model(model, out, save_as_external_data=False)


def rename_outputs(graph, names):
    names = list(names or [])
    taken = {v for node in graph.node for v in list(node.input) + list(node.output)} | {i.name for i in graph.input}
    current = [o.name for o in graph.output]
    if len(names) != len(current) or len(set(names)) != len(names) or taken.intersection(set(names) - set(current)):
        return
    mapping = dict(zip(current, names))
    for node in graph.node:
        node.input[:] = [mapping.get(n, n) for n in node.input]
        node.output[:] = [mapping.get(n, n) for n in node.output]
    for value in list(graph.output) + list(graph.value_info):
        value.name = mapping.get(value.name, value.name)


def over_limit(size):
    return (f"over ONNX's 2 GB protobuf limit ({size / 1e9:.1f} GB of weights): a single .onnx file cannot hold it "
            "(the model would need external data files, which this does not ship)")


# ---- verification --------------------------------------------------------------------------------------------


def sample_inputs(specs, samples, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    arrays = []
    for spec in specs:
        shape = [samples] + [8 if d is None else int(d) for d in spec["shape"][1:]]
        dtype = np.dtype(spec["dtype"])
        if np.issubdtype(dtype, np.integer):
            arrays.append(rng.integers(0, 2, size=shape).astype(dtype))  # ids: 0 and 1 exist in any vocabulary
        elif dtype == np.bool_:
            arrays.append(rng.integers(0, 2, size=shape).astype(bool))
        else:
            arrays.append(rng.standard_normal(shape).astype(dtype))
    return arrays


def onnx_session(path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def onnx_predict(session, arrays):
    feeds = {i.name: a for i, a in zip(session.get_inputs(), arrays)}
    return session.run(None, feeds)


def compare(expected, actual):
    """maxAbsDiff, maxRelDiff (to each output's scale) and top-1 agreement over the samples."""
    import numpy as np

    if len(expected) != len(actual):
        raise ConversionError(f"the ONNX model has {len(actual)} outputs, the original {len(expected)}")
    max_abs, max_rel = 0.0, 0.0
    agree = None
    for want, got in zip(expected, actual):
        want, got = np.asarray(want, dtype=np.float64), np.asarray(got, dtype=np.float64)
        if want.shape != got.shape:
            raise ConversionError(f"the ONNX output has shape {list(got.shape)}, the original {list(want.shape)}")
        # max() skips a NaN (max(0.0, nan) is 0.0): outputs that are not finite would pass as equal
        if not (np.all(np.isfinite(want)) and np.all(np.isfinite(got))):
            side = "the original" if not np.all(np.isfinite(want)) else "the ONNX model"
            raise ConversionError(f"{side} answers NaN or infinity on the seeded inputs: the outputs cannot be compared")
        diff = float(np.max(np.abs(want - got))) if want.size else 0.0
        scale = max(float(np.max(np.abs(want))) if want.size else 0.0, 1e-6)
        max_abs, max_rel = max(max_abs, diff), max(max_rel, diff / scale)
        same = top1_same(want, got)
        agree = same if agree is None else agree & same
    top1 = float(np.mean(agree)) if agree is not None and agree.size else 1.0
    return {"maxAbsDiff": max_abs, "maxRelDiff": max_rel, "top1Agreement": top1}


def top1_same(want, got):
    """Per sample: does the argmax over the last axis agree (everywhere in the sample)?"""
    import numpy as np

    samples = want.shape[0] if want.ndim else 1
    if want.ndim < 2 or want.shape[-1] == 1:
        return np.ones(samples, dtype=bool)
    same = np.argmax(want, axis=-1) == np.argmax(got, axis=-1)
    return same.reshape(samples, -1).all(axis=1)


def io_specs(items):
    return [{"name": i.name, "shape": [d if isinstance(d, int) else None for d in i.shape],
             "dtype": onnx_dtype(i.type)} for i in items]


def onnx_dtype(type_name):
    inner = type_name.removeprefix("tensor(").removesuffix(")")
    return {"float": "float32", "double": "float64", "float16": "float16"}.get(inner, inner)


# ---- int8 ----------------------------------------------------------------------------------------------------


def int8_path(out):
    return out[: -len(".onnx")] + ".int8.onnx"


def quantize_int8(fp32_path, target, workdir):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = os.path.join(workdir, "prepared.onnx")
    quant_pre_process(fp32_path, prepared, skip_symbolic_shape=True)
    quantize_dynamic(prepared, target, weight_type=QuantType.QInt8)


def int8_result(fp32_path, out, request, arrays, expected, workdir):
    target = int8_path(out)
    try:
        quantize_int8(fp32_path, target, workdir)
        figures = compare(expected, onnx_predict(onnx_session(target), arrays))
    except Exception as error:
        with contextlib.suppress(FileNotFoundError):
            os.remove(target)
        return {"path": target, "bytes": None, "maxAbsDiff": None, "maxRelDiff": None, "top1Agreement": None,
                "kept": False, "reason": f"quantization failed: {one_line(error, 200)}"}
    kept = figures["top1Agreement"] >= request["minAgreement"]
    result = {"path": target, "bytes": os.path.getsize(target), **figures, "kept": kept, "reason": None}
    if not kept:
        os.remove(target)  # refused: nothing left for the TS side to move (path says where it would have been)
        result["reason"] = (f"top-1 agreement {figures['top1Agreement'] * 100:.1f}% under "
                            f"{request['minAgreement'] * 100:g}%")
    return result


# ---- one model -----------------------------------------------------------------------------------------------


def load_and_export(entry, fmt, request, workdir):
    """Loads the original and exports it to ONNX in workdir: (predict function, input specs, exported path, output names)."""
    exported = os.path.join(workdir, "model.onnx")
    if fmt in ("keras", "h5"):
        model = load_keras(entry["path"])
        specs = keras_input_specs(model)
        check_size(parameter_bytes(model, fmt))
        export_keras(model, specs, exported)
        return (lambda arrays: keras_predict(model, arrays)), specs, exported, keras_output_names(model)
    if fmt in ("torch-module", "torchscript"):
        module = load_torch(entry["path"], fmt, request["root"])
        specs = torch_input_specs(module, entry.get("inputs"))
        check_size(parameter_bytes(module, fmt))
        export_torch(module, specs, exported)
        return (lambda arrays: torch_predict(module, arrays)), specs, exported, None
    return *export_savedmodel(entry["path"], exported), None


def check_size(size):
    if size >= PROTOBUF_LIMIT:
        raise ConversionError(over_limit(size))


def export_savedmodel(path, exported):
    try:
        import tensorflow as tf
        import tf2onnx
    except ImportError as error:
        raise ConversionError(f"SavedModel needs tensorflow and tf2onnx: {one_line(error, 120)} "
                              "(pip install tensorflow-cpu tf2onnx, or save the model as .keras)") from None
    del tf2onnx  # run through its documented command line, in this Python
    function = tf.saved_model.load(path).signatures["serving_default"]
    specs = [{"name": n, "shape": [None] + [None if d is None else int(d) for d in s.shape[1:]], "dtype": s.dtype.name}
             for n, s in function.structured_input_signature[1].items()]
    command = [sys.executable, "-m", "tf2onnx.convert", "--saved-model", path, "--signature_def", "serving_default",
               "--output", exported]
    done = subprocess.run(command, stdout=sys.stderr, stderr=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise ConversionError(f"tf2onnx could not convert it: {one_line((done.stderr.strip().splitlines() or ['?'])[-1])}")

    def predict(arrays):
        outputs = function(**{s["name"]: tf.constant(a) for s, a in zip(specs, arrays)})
        return [v.numpy() for _, v in sorted(outputs.items())]

    return predict, specs, exported


def convert_one(entry, request):
    started = time.monotonic()
    result = {"path": entry["path"], "ok": False, "format": None, "error": None, "onnx": None,
              "inputs": None, "outputs": None, "fp32": None, "int8": None, "seconds": None}
    # Scratch space beside `out` (the caller's temp folder), removed below: nothing is written elsewhere.
    workdir = tempfile.mkdtemp(prefix=".convert-", dir=os.path.dirname(entry["out"]))
    try:
        result["format"] = detect_format(entry["path"])
        log(f"{entry['path']}: converting ({result['format']})")
        fill_result(result, entry, request, workdir)
    except ConversionError as error:
        result["error"] = str(error)
    except Exception as error:
        log(f"{entry['path']}: {type(error).__name__}: {error}")
        result["error"] = large_or_other(error)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if result["error"]:
        remove_outputs(entry["out"])
    result["seconds"] = round(time.monotonic() - started, 2)
    return result


def large_or_other(error):
    text = one_line(error)
    if "2GB" in text or "2 GB" in text or "protobuf" in text.lower() and "size" in text.lower():
        return over_limit(PROTOBUF_LIMIT)
    return f"conversion failed: {type(error).__name__}: {text}"


def remove_outputs(out):
    for path in (out, int8_path(out)):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def fill_result(result, entry, request, workdir):
    predict, specs, exported, output_names = load_and_export(entry, result["format"], request, workdir)
    write_single_file(exported, entry["out"], output_names)
    session = onnx_session(entry["out"])
    arrays = sample_inputs(specs, request["samples"], request["seed"])
    expected = predict(arrays)
    fp32 = compare(expected, onnx_predict(session, arrays))
    fp32["ok"] = fp32["maxRelDiff"] <= request["tolerance"]
    result.update(onnx={"path": entry["out"], "bytes": os.path.getsize(entry["out"])},
                  inputs=io_specs(session.get_inputs()), outputs=io_specs(session.get_outputs()), fp32=fp32)
    if not fp32["ok"]:
        result["error"] = (f"ONNX outputs differ from the original's: max relative difference "
                           f"{fp32['maxRelDiff']:.2e} over the tolerance {request['tolerance']:g}")
        return
    if request["quantize"] == "int8":
        result["int8"] = int8_result(entry["out"], entry["out"], request, arrays, expected, workdir)
    result["ok"] = True


# ---- main ----------------------------------------------------------------------------------------------------


def run(request):
    formats = []
    for entry in request["models"]:
        with contextlib.suppress(ConversionError, OSError):
            formats.append(detect_format(entry["path"]))
    missing = missing_modules(needed_modules(formats, request["quantize"]))
    report = {"python": platform.python_version(), "versions": versions(), "missing": missing, "models": []}
    if missing:
        return report, 3
    report["models"] = [convert_one(entry, request) for entry in request["models"]]
    return report, 0


@contextlib.contextmanager
def stdout_to_stderr():
    """Frameworks print to stdout (progress bars, exporter logs): while they run, fd 1 is stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield os.fdopen(saved, "w")
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)


def main():
    with stdout_to_stderr() as real_stdout:
        try:
            report, code = run(read_request(sys.stdin.read()))
        except BadRequest as error:
            report = {"python": platform.python_version(), "versions": {}, "missing": [], "models": [],
                      "error": str(error)}
            code = 2
        real_stdout.write(json.dumps(report) + "\n")
        real_stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
