#!/usr/bin/env python3
"""How an app's own code uses TensorFlow, Keras and PyTorch, read with `ast` (issue 18).

Run by `heroku slug:convert-models`: `PY python/app_uses.py ROOT [--map OLD=NEW ...]`, OLD and NEW paths relative
to ROOT. Prints one JSON object (see notes/convert-contract.md): per framework whether it is imported, where models
are loaded and every other use; the edits that point the loading lines at the ONNX runtime module; the import to
add and the framework imports that are no longer needed. A framework is "inferenceOnly" when every use of its
names is a load call, and every use of a loaded model is calling it, its `predict` or `eval`.
Standard library only; Python 3.11 and 3.12; never imports the app.
"""
import argparse
import ast
import json
import os
import sys

FRAMEWORK_OF = {"tensorflow": "tensorflow", "tf_keras": "tensorflow", "keras": "keras", "torch": "torch"}
LOAD_CALLS = {
    "tensorflow.keras.models.load_model": "tensorflow",
    "tensorflow.keras.saving.load_model": "tensorflow",
    "tf_keras.models.load_model": "tensorflow",
    "keras.models.load_model": "keras",
    "keras.saving.load_model": "keras",
    "torch.load": "torch",
    "torch.jit.load": "torch",
}
# What the runtime module's model answers: calling it, predict (Keras), eval() (torch's habit after loading).
MODEL_METHODS = {"predict", "__call__", "eval"}
# Methods of a framework's tensor that a numpy array lacks: on a model's answer, they fail after the change.
TENSOR_METHODS = {"numpy", "detach", "cpu", "cuda", "to"}
SAFE_KEYWORDS = {"compile", "map_location", "weights_only", "safe_mode"}
SKIPPED_DIRS = {".git", ".heroku", ".venv", "venv", "env", "node_modules", "__pycache__", "site-packages", ".tox"}
RUNTIME_IMPORT = "import onnx_model"


def python_files(root):
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS
                         and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg")))
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def framework_of(qualified):
    return FRAMEWORK_OF.get(qualified.split(".", 1)[0])


def dotted(node):
    """`a.b.c` for a Name or a chain of Attributes on a Name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


class FileUses:
    """One file's imports, framework uses, loads and loaded-model uses."""

    def __init__(self, root, path):
        self.file = os.path.relpath(path, root).replace(os.sep, "/")
        with open(path, encoding="utf-8") as handle:
            self.source = handle.read()
        self.lines = self.source.splitlines()
        self.tree = ast.parse(self.source, filename=self.file)
        self.parent = {c: n for n in ast.walk(self.tree) for c in ast.iter_child_nodes(n)}
        self.bindings = {}  # local name -> qualified framework name
        self.imports = []  # (statement, framework or None per alias)
        self.loads = []  # (framework, call node)
        self.other = []  # (framework, node)
        self.models = {}  # dotted target of a load -> framework

    def read(self):
        self.read_imports()
        self.read_framework_uses()
        self.read_model_uses()
        return self

    def read_imports(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                names = [(a.asname or a.name.split(".", 1)[0], a.name if a.asname else a.name.split(".", 1)[0]) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [(a.asname or a.name, f"{node.module}.{a.name}") for a in node.names]
            else:
                continue
            frameworks = [framework_of(q) for _, q in names]
            if any(frameworks):
                self.imports.append((node, frameworks))
            for (local, qualified), framework in zip(names, frameworks):
                if framework and local != "*":
                    self.bindings[local] = qualified

    def read_framework_uses(self):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in self.bindings:
                self.read_framework_use(node)

    def read_framework_use(self, name):
        top, qualified = name, self.bindings[name.id]
        while isinstance(self.parent.get(top), ast.Attribute) and self.parent[top].value is top:
            top = self.parent[top]
            qualified = f"{qualified}.{top.attr}"
        call = self.parent.get(top)
        if isinstance(call, ast.Call) and call.func is top and qualified in LOAD_CALLS:
            self.loads.append((LOAD_CALLS[qualified], call))
            self.note_model_target(call, LOAD_CALLS[qualified])
        else:
            self.other.append((framework_of(qualified), self.called(top)))

    def note_model_target(self, call, framework):
        statement = self.parent.get(call)
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is call:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if dotted(target):
                    self.models[dotted(target)] = framework

    def read_model_uses(self):
        if not self.models:
            return
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(getattr(node, "ctx", None), ast.Load):
                framework = self.models.get(dotted(node))
                other = framework and self.non_inference_use(node)
                if other is not None:
                    self.other.append((framework, other))

    def non_inference_use(self, node):
        """None when the model is called (or its predict/eval) and the answer used as an array, or passed on; else
        the expression to show: another attribute (`m.summary()`), or a tensor method on the answer (`m(x).numpy()`:
        the ONNX model answers numpy arrays)."""
        parent = self.parent.get(node)
        if isinstance(parent, ast.Call) and parent.func is node:
            return self.tensor_method_on(parent)
        if not isinstance(parent, ast.Attribute) or dotted(parent) in self.models:
            return None
        call = self.parent.get(parent)
        if parent.attr in MODEL_METHODS and isinstance(call, ast.Call) and call.func is parent:
            return self.tensor_method_on(call)
        return self.called(parent)

    def tensor_method_on(self, call):
        attribute = self.parent.get(call)
        if isinstance(attribute, ast.Attribute) and attribute.attr in TENSOR_METHODS:
            return self.called(attribute)
        return None

    def called(self, node):
        """The call of `node` when it is called (`m.summary()`), else the node."""
        call = self.parent.get(node)
        return call if isinstance(call, ast.Call) and call.func is node else node

    def model_path(self, call):
        """The path a load reads: a string literal, or a module-level constant assigned once (`MODEL_PATH = "..."`)."""
        argument = model_argument(call)
        constant = self.constant_of(argument)
        return literal(constant.value if constant else argument)

    def constant_of(self, node):
        """The one module-level `NAME = "literal"` statement a Name refers to, else None."""
        if not isinstance(node, ast.Name):
            return None
        found = [n for n in self.tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
                 and isinstance(n.targets[0], ast.Name) and n.targets[0].id == node.id]
        return found[0] if len(found) == 1 and literal(found[0].value) is not None else None

    def segment(self, node):
        return ast.get_source_segment(self.source, node) or ast.unparse(node)


# ---- what a load reads and how to point it at the ONNX model ----------------------------------------------


def model_argument(call):
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg in ("filepath", "f", "path")), None)


def literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def mapped(uses, text, mapping):
    """The NEW path for a literal naming a mapped model (as written, relative to ROOT or to the file's folder)."""
    if text is None or os.path.isabs(text):
        return None
    folder = os.path.dirname(uses.file)
    prefix = "./" if text.startswith("./") else ""  # written as the user wrote it
    for old, new in mapping.items():
        if os.path.normpath(text) == os.path.normpath(old):
            return prefix + new
        if folder and os.path.normpath(os.path.join(folder, text)) == os.path.normpath(old):
            return prefix + os.path.relpath(new, folder).replace(os.sep, "/")
    return None


def quoted(uses, node, text):
    quote = uses.segment(node)[-1]
    if quote in "'\"" and quote not in text and "\\" not in text:
        return f"{quote}{text}{quote}"
    return json.dumps(text)


def replace_spans(uses, first, last, spans):
    """The source lines first..last with each (node, text) span replaced (ast columns are UTF-8 byte offsets)."""
    lines = [line.encode("utf-8") for line in uses.lines[first - 1:last]]
    starts = [sum(len(line) + 1 for line in lines[:i]) for i in range(len(lines))]
    block = b"\n".join(lines)
    for node, text in sorted(spans, key=lambda s: (s[0].lineno, s[0].col_offset), reverse=True):
        start = starts[node.lineno - first] + node.col_offset
        end = starts[node.end_lineno - first] + node.end_col_offset
        block = block[:start] + text.encode("utf-8") + block[end:]
    return block.decode("utf-8")


def load_edit(uses, call, mapping):
    statement = statement_of(uses, call)
    argument = model_argument(call)
    new_path = mapped(uses, literal(argument), mapping) if argument is not None else None
    if new_path is not None:
        text = quoted(uses, argument, new_path)
    else:
        text = "" if argument is None else uses.segment(argument)
    # The whole call is replaced: the framework's keywords (compile=, map_location=...) mean nothing to ONNX Runtime.
    first, last = statement.lineno, statement.end_lineno
    return {"file": uses.file, "line": first, "old": "\n".join(uses.lines[first - 1:last]),
            "new": replace_spans(uses, first, last, [(call, f"onnx_model.load_model({text})")]),
            "certain": is_certain(statement, call, new_path)}


def statement_of(uses, node):
    while not isinstance(node, ast.stmt):
        node = uses.parent[node]
    return node


def is_certain(statement, call, new_path):
    """`x = load(\"mapped path\")` (or `self.x = ...`) on one line, with only keywords the ONNX model does not need."""
    return (new_path is not None and statement.lineno == statement.end_lineno
            and isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is call
            and len(call.args) <= 1 and all(k.arg in SAFE_KEYWORDS | {"filepath", "f", "path"} for k in call.keywords))


def import_line(uses):
    """The line `import onnx_model` goes before: the first top-level import after the docstring and __future__."""
    body = uses.tree.body
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            return node.lineno
    after = [n for n in body if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
    if body and isinstance(body[0], ast.Expr) and literal(body[0].value) is not None:
        after.append(body[0])
    return max((n.end_lineno for n in after), default=0) + 1


# ---- the report ------------------------------------------------------------------------------------------------


def framework_report(files, framework):
    imported = any(framework in fws for u in files for _, fws in u.imports)
    loads = [{"file": u.file, "line": c.lineno, "model": u.model_path(c)} for u in files for fw, c in u.loads if fw == framework]
    other = [{"file": u.file, "line": n.lineno, "code": u.segment(n)} for u in files for fw, n in u.other if fw == framework]
    other.sort(key=lambda o: (o["file"], o["line"]))
    return {"imported": imported, "inferenceOnly": imported and not other, "loads": loads, "otherUses": other}


def constant_edits(uses, mapping):
    """`MODEL_PATH = "models/x.h5"` read by a load: its literal pointed at the .onnx too (to check by hand: the
    constant may have other readers)."""
    edits = {}
    for _, call in uses.loads:
        constant = uses.constant_of(model_argument(call))
        new_path = mapped(uses, literal(constant.value), mapping) if constant else None
        if new_path is not None:
            line = uses.lines[constant.lineno - 1]
            new = replace_spans(uses, constant.lineno, constant.lineno, [(constant.value, quoted(uses, constant.value, new_path))])
            edits[constant.lineno] = {"file": uses.file, "line": constant.lineno, "old": line, "new": new, "certain": False}
    return list(edits.values())


def file_changes(uses, mapping):
    edits = [load_edit(uses, call, mapping) for _, call in uses.loads] + constant_edits(uses, mapping)
    if not edits:
        return [], [], []
    add = [{"file": uses.file, "line": import_line(uses), "text": RUNTIME_IMPORT}]
    if any(isinstance(n, ast.Import) and any(a.name == "onnx_model" for a in n.names) for n in ast.walk(uses.tree)):
        add = []
    still_used = {fw for fw, _ in uses.other}
    remove = [{"file": uses.file, "line": node.lineno, "old": "\n".join(uses.lines[node.lineno - 1:node.end_lineno])}
              for node, frameworks in uses.imports
              if all(frameworks) and not still_used.intersection(frameworks)]
    return edits, add, remove


def imported_modules(root, files, removed):
    """Top-level modules the app's code imports (not its own, not the standard library's), leaving out the import
    lines the edits remove: what must stay installed whatever the framework's requirement lines pulled in."""
    names = set()
    for uses in files:
        for node in ast.walk(uses.tree):
            if (uses.file, getattr(node, "lineno", 0)) in removed:
                continue
            if isinstance(node, ast.Import):
                names.update(a.name.split(".", 1)[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".", 1)[0])
    own = {n for n in names if os.path.exists(os.path.join(root, f"{n}.py")) or os.path.isdir(os.path.join(root, n))}
    return sorted(names - own - set(sys.stdlib_module_names) - {"onnx_model"})


def report(root, mapping):
    files = []
    for path in python_files(root):
        try:
            files.append(FileUses(root, path).read())
        except (SyntaxError, UnicodeDecodeError, ValueError) as error:
            print(f"app_uses: skipped {os.path.relpath(path, root)}: {error}", file=sys.stderr)
    result = {"frameworks": {fw: framework_report(files, fw) for fw in ("tensorflow", "keras", "torch")},
              "edits": [], "addImport": [], "removeImports": []}
    for uses in files:
        edits, add, remove = file_changes(uses, mapping)
        result["edits"] += edits
        result["addImport"] += add
        result["removeImports"] += remove
    result["imports"] = imported_modules(root, files, {(r["file"], r["line"]) for r in result["removeImports"]})
    return result


def parse_args(argv):
    parser = argparse.ArgumentParser(description="How the app's code uses TensorFlow, Keras and PyTorch")
    parser.add_argument("root")
    parser.add_argument("--map", action="append", default=[], metavar="OLD=NEW",
                        help="a model path and its .onnx replacement, relative to ROOT (repeatable)")
    args = parser.parse_args(argv)
    mapping = {}
    for item in args.map:
        old, sep, new = item.partition("=")
        if not sep or not old or not new:
            parser.error(f"--map takes OLD=NEW, not {item!r}")
        mapping[old] = new
    return args.root, mapping


def main(argv):
    root, mapping = parse_args(argv)
    if not os.path.isdir(root):
        print(f"app_uses: {root} is not a folder", file=sys.stderr)
        return 2
    print(json.dumps(report(root, mapping)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
