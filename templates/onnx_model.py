"""Runs an ONNX model like a Keras model: written into the app by `heroku slug:convert-models` (heroku-slug-diet).

    import onnx_model
    model = onnx_model.load_model("models/classifier.onnx")
    probabilities = model.predict(x)  # or model(x)

Needs only onnxruntime and numpy. `predict` batches like Keras (32 rows at a time by default), casts the input to
the model's dtype, and returns one array for a model with one output, a list of arrays for several.
"""
import os

import numpy as np
import onnxruntime

__all__ = ["OnnxModel", "load_model"]

_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}


def _threads():
    """Threads per session: the CPUs this process may use, shared among the web workers.

    ONNX Runtime starts one thread per core in every process. A web dyno runs WEB_CONCURRENCY processes (gunicorn
    reads it; Heroku's Python buildpack sets it from the dyno's size), so each taking every core would make them
    fight for the same CPUs. ONNX_MODEL_THREADS overrides the choice.
    """
    chosen = os.environ.get("ONNX_MODEL_THREADS", "")
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = os.environ.get("WEB_CONCURRENCY", "")
    workers = int(workers) if workers.isdigit() and int(workers) > 0 else 1
    return max(1, cpus // workers)


class OnnxModel:
    """An ONNX Runtime session answering `predict(x)` and `model(x)` as a Keras model does."""

    def __init__(self, path):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = self.session.get_inputs()
        self.output_names = [o.name for o in self.session.get_outputs()]

    def __call__(self, x):
        return self._run(self._feeds(x))

    def predict(self, x, batch_size=None, **_keras_options):
        """Keras' predict: rows in batches of batch_size (32 by default), outputs joined along the first axis."""
        feeds = self._feeds(x)
        rows = len(next(iter(feeds.values())))
        size = batch_size or 32
        parts = [self._run({k: v[start:start + size] for k, v in feeds.items()}, listed=True)
                 for start in range(0, rows, size)] or [self._run(feeds, listed=True)]
        joined = [np.concatenate([p[i] for p in parts]) for i in range(len(self.output_names))]
        return joined[0] if len(joined) == 1 else joined

    def eval(self):
        """torch's habit after loading (`model.eval()`): an ONNX model is always in inference mode."""
        return self

    def _feeds(self, x):
        if isinstance(x, dict):
            arrays = [x[i.name] for i in self.inputs]
        elif isinstance(x, (list, tuple)) and len(self.inputs) > 1:
            arrays = list(x)
        else:
            arrays = [x]
        if len(arrays) != len(self.inputs):
            raise ValueError(f"the model takes {len(self.inputs)} inputs, got {len(arrays)}")
        return {i.name: self._cast(i, a) for i, a in zip(self.inputs, arrays)}

    @staticmethod
    def _cast(spec, value):
        if hasattr(value, "detach"):  # a torch tensor handed over from old code
            value = value.detach().cpu().numpy()
        return np.ascontiguousarray(np.asarray(value, dtype=_DTYPES.get(spec.type, np.float32)))

    def _run(self, feeds, listed=False):
        outputs = self.session.run(self.output_names, feeds)
        return outputs if listed or len(outputs) > 1 else outputs[0]


def load_model(path, **_framework_options):
    """The model at `path` (an .onnx file); keyword options of the framework's loader are accepted and ignored."""
    return OnnxModel(path)
