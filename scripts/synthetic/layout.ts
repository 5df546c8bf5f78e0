import {
  csvText, ELF_HEAD, HDF5_SIGNATURE, noisePieces, notebookJson, PDF_HEAD, PDF_TAIL, savedModelPb, TextPools, type TextFlavor,
  wordName, zipArchive, zipNoise, zipText,
} from './content.js'
import {type BigFile, type FileGroup, type GroupKind, PACKAGES, PYTHON_RUNTIME, type PythonPackage, REQUIREMENTS} from './catalog.js'
import {Random} from './random.js'
import type {TarFile, TarItem} from './tar.js'

const MIB = 1024 * 1024
export const PYTHON_HOME = '.heroku/python'
export const SITE_PACKAGES = `${PYTHON_HOME}/lib/python3.12/site-packages`
/** Text files are made whole in memory; none is larger than this. */
const MAX_TEXT_BYTES = 3 * MIB

const FLAVOR: Record<Exclude<GroupKind, 'so'>, TextFlavor> = {header: 'header', js: 'js', prose: 'prose', pyi: 'python', python: 'python'}
const SUFFIX: Record<GroupKind, string> = {header: '.h', js: '.js', prose: '.txt', pyi: '.pyi', python: '.py', so: '.so'}

function licenseHeader(kind: GroupKind, owner: string): string {
  const lines = [
    `Copyright 2024 The ${owner} Authors. All Rights Reserved.`,
    '',
    'Licensed under the Apache License, Version 2.0 (the "License");',
    'you may not use this file except in compliance with the License.',
    'You may obtain a copy of the License at',
    '',
    '    http://www.apache.org/licenses/LICENSE-2.0',
    '',
    'Unless required by applicable law or agreed to in writing, software',
    'distributed under the License is distributed on an "AS IS" BASIS,',
    'WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.',
  ]
  if (kind === 'header' || kind === 'js') return `/* ${lines.join('\n')}\n*/\n`
  return `${lines.map(l => `# ${l}`.trimEnd()).join('\n')}\n# ${'='.repeat(76)}\n`
}

/** Expands the catalog into tar items, lazily: a file's bytes are made only when the writer asks for them. */
export class SlugLayout {
  private readonly pools: TextPools
  /** namespace `__init__.py` files already written, by path */
  private readonly namespaceInits = new Map<string, TarFile>()

  /** `bytesScale` scales the big files' sizes apart from the counts (default: `scale`) */
  constructor(private readonly scale: number, private readonly seed: string, private readonly bytesScale = scale) {
    this.pools = new TextPools(seed)
  }

  /** a count at this scale; at least one, so every kind of file exists even in a tiny slug */
  count(n: number): number {
    return Math.max(1, Math.round(n * this.scale))
  }

  /** a big file's size at this scale */
  bytes(mib: number): number {
    return Math.max(4096, Math.round(mib * MIB * this.bytesScale))
  }

  * items(): Generator<TarItem> {
    yield this.fixed('.profile.d/python.sh', PROFILE_D)
    yield * this.runtime()
    for (const pkg of PACKAGES) yield * this.pythonPackage(pkg)
    yield * this.app()
  }

  private * runtime(): Generator<TarItem> {
    const rng = new Random(`${this.seed}:runtime`)
    const files: TarFile[] = []
    for (const group of PYTHON_RUNTIME.groups) files.push(...this.groupFiles(PYTHON_HOME, group, rng, 'Python Software Foundation'))
    for (const big of PYTHON_RUNTIME.big) files.push(this.bigFile(`${PYTHON_HOME}/${big.path}`, big))
    for (const tool of ['pydoc3.12', 'idle3.12', 'python3.12-config']) {
      const module = tool.startsWith('pydoc') ? 'pydoc' : 'idlelib.pyshell'
      files.push(this.fixed(`${PYTHON_HOME}/bin/${tool}`, `#!/app/.heroku/python/bin/python3.12\nimport sys\nfrom ${module} import main\nsys.exit(main())\n`, 0o755))
    }

    yield * files.sort((a, b) => (a.path < b.path ? -1 : 1))
    yield {path: `${PYTHON_HOME}/bin/python3`, target: 'python3.12', type: 'symlink'}
    yield {path: `${PYTHON_HOME}/bin/python`, target: 'python3.12', type: 'symlink'}
    yield {path: `${PYTHON_HOME}/bin/pydoc3`, target: 'pydoc3.12', type: 'symlink'}
    yield {path: `${PYTHON_HOME}/bin/idle3`, target: 'idle3.12', type: 'symlink'}
    yield {path: `${PYTHON_HOME}/lib/libpython3.12.so`, target: 'libpython3.12.so.1.0', type: 'symlink'}
    yield {path: SITE_PACKAGES, type: 'directory'}
  }

  /** A distribution as pip installs it: its files, its console scripts, then its .dist-info with a true RECORD. */
  private * pythonPackage(pkg: PythonPackage): Generator<TarItem> {
    const rng = new Random(`${this.seed}:package:${pkg.name}`)
    const owner = pkg.topLevel[0] ?? pkg.name
    const files: TarFile[] = []
    for (const group of pkg.groups) files.push(...this.groupFiles(SITE_PACKAGES, group, rng, owner))
    for (const big of pkg.big ?? []) files.push(this.bigFile(`${SITE_PACKAGES}/${big.path}`, big))
    for (const s of pkg.scripts ?? []) {
      files.push(this.fixed(
        `${PYTHON_HOME}/bin/${s.name}`,
        consoleScript(s.module, s.func),
        0o755,
      ))
    }

    const distInfo = `${SITE_PACKAGES}/${pkg.name.replaceAll('-', '_')}-${pkg.version}.dist-info`
    const metadata = [
      'Metadata-Version: 2.1',
      `Name: ${pkg.name}`,
      `Version: ${pkg.version}`,
      `Summary: ${pkg.summary}`,
      `Home-page: ${pkg.source}`,
      'License: Apache 2.0',
      'Requires-Python: >=3.9',
      ...(pkg.requires ?? []).map(r => `Requires-Dist: ${r}`),
      '',
      this.pools.text('prose', 1500 + rng.int(3000), rng).toString('utf8'),
    ].join('\n')
    const meta = [
      this.fixed(`${distInfo}/INSTALLER`, 'pip\n'),
      this.fixed(`${distInfo}/METADATA`, metadata),
      this.fixed(`${distInfo}/WHEEL`, 'Wheel-Version: 1.0\nGenerator: bdist_wheel (0.43.0)\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\n'),
      this.textFile(`${distInfo}/LICENSE`, 'prose', 2000 + rng.int(9000)),
    ]
    if (pkg.topLevel.length > 0) meta.push(this.fixed(`${distInfo}/top_level.txt`, `${pkg.topLevel.join('\n')}\n`))
    if (pkg.scripts) meta.push(this.fixed(`${distInfo}/entry_points.txt`, `[console_scripts]\n${pkg.scripts.map(s => `${s.name} = ${s.module}:${s.func}`).join('\n')}\n`))

    const recorded = [...files.sort((a, b) => (a.path < b.path ? -1 : 1)), ...meta]
    for (const file of recorded) {
      file.wantDigest = true
      yield file
    }

    if (pkg.namespace) {
      const path = `${SITE_PACKAGES}/${pkg.namespace}/__init__.py`
      let init = this.namespaceInits.get(path)
      if (!init) {
        init = {...this.fixed(path, ''), wantDigest: true}
        this.namespaceInits.set(path, init)
        yield init
      }

      recorded.push(init)
    }

    const record = recorded.map(f => `${recordPath(f.path)},sha256=${f.sha256!.toString('base64url')},${f.size}`)
    record.push(`${recordPath(`${distInfo}/RECORD`)},,`)
    yield this.fixed(`${distInfo}/RECORD`, `${record.join('\n')}\n`)
  }

  private * app(): Generator<TarItem> {
    const rng = new Random(`${this.seed}:app`)
    yield this.fixed('Procfile', 'web: gunicorn app:app --timeout 120\n')
    yield this.fixed('requirements.txt', REQUIREMENTS)
    yield this.fixed('.python-version', '3.12\n')
    yield this.fixed('README.md', '# defect-detector\n\nA Flask app that classifies photos of parts with a Keras model.\n\n    pip install -r requirements.txt\n    flask run\n')
    yield this.fixed('app.py', APP_PY)
    for (const name of ['__init__', 'model', 'preprocess', 'serve', 'config']) yield this.textFile(`ml_app/${name}.py`, 'python', 1500 + rng.int(8000))
    yield this.fixed('templates/index.html', INDEX_HTML)
    yield this.fixed('templates/result.html', '<!doctype html>\n<html><body><h1>{{ label }}</h1><p>confidence {{ "%.1f"|format(confidence * 100) }}%</p><a href="/">again</a></body></html>\n')
    yield this.fixed('static/style.css', 'body { font-family: system-ui, sans-serif; margin: 3rem auto; max-width: 40rem; }\nbutton { padding: .5rem 1rem; }\n')
    yield this.textFile('static/app.js', 'js', 4000)

    yield {path: 'models/saved_model/assets', type: 'directory'}
    yield this.binary('models/model.h5', this.bytes(16), HDF5_SIGNATURE)
    yield this.keras('models/classifier.keras', this.bytes(6))
    yield {path: 'models/latest.h5', target: 'model.h5', type: 'symlink'}
    const pbSize = this.bytes(0.6)
    yield this.file('models/saved_model/saved_model.pb', pbSize, () => [savedModelPb(pbSize, new Random(`${this.seed}:saved_model.pb`), this.pools)])
    yield this.binary('models/saved_model/fingerprint.pb', 56, Buffer.from([0x08]))
    yield this.binary('models/saved_model/variables/variables.data-00000-of-00001', this.bytes(8))
    yield this.binary('models/saved_model/variables/variables.index', 24_000, Buffer.from([0x00, 0x00]))

    const notebooks = ['exploration', 'training', 'evaluation', 'error_analysis']
    for (let i = 0; i < this.count(notebooks.length); i++) {
      const nbRng = new Random(`${this.seed}:notebook:${i}`)
      const content = notebookJson(400_000 + nbRng.int(1_200_000), nbRng, this.pools)
      yield this.file(`notebooks/${notebooks[i] ?? `experiment_${i}`}.ipynb`, content.length, () => [content])
    }

    const tables = ['train', 'test', 'labels']
    for (let i = 0; i < this.count(tables.length); i++) {
      const size = Math.round((2 + (rng.next() * 3)) * MIB)
      yield this.file(`data/${tables[i] ?? `batch_${i}`}.csv`, size, () => [csvText(size, new Random(`${this.seed}:csv:${i}`))])
    }

    yield this.binary('docs/model_card.pdf', this.bytes(2), PDF_HEAD, PDF_TAIL)
    yield this.binary('docs/architecture.pdf', this.bytes(1.5), PDF_HEAD, PDF_TAIL)
    yield this.fixed('tests/conftest.py', 'import pytest\n\nfrom app import app as flask_app\n\n\n@pytest.fixture\ndef client():\n    return flask_app.test_client()\n')
    yield this.textFile('tests/test_app.py', 'python', 3000)
    yield this.textFile('tests/test_model.py', 'python', 5000)
  }

  /** The files of a group: sizes log-normal around the mean, names from the vocabulary, unique per folder. */
  private groupFiles(base: string, group: FileGroup, rng: Random, owner: string): TarFile[] {
    const files: TarFile[] = []
    const taken = new Set<string>()
    const n = this.count(group.count)
    const suffix = group.suffix ?? SUFFIX[group.kind]
    const preamble = licenseHeader(group.kind, owner)
    if (group.kind === 'python' || group.kind === 'pyi') {
      for (const dir of group.dirs) {
        if (dir.endsWith('lib/python3.12')) continue
        const path = `${base}/${dir}/__init__${suffix === '.pyi' ? '.pyi' : '.py'}`
        if (taken.has(path)) continue
        taken.add(path)
        files.push(rng.next() < 0.3 ? this.fixed(path, '') : this.textFile(path, FLAVOR[group.kind], 200 + rng.int(4000), preamble))
      }
    }

    for (let i = 0; i < n; i++) {
      const dir = i < group.dirs.length ? group.dirs[i] : rng.pick(group.dirs)
      const stem = `${group.prefix ?? ''}${wordName(rng, 1 + rng.int(2))}`
      let path = `${base}/${dir}/${stem}${suffix}`
      for (let k = 2; taken.has(path); k++) path = `${base}/${dir}/${stem}_${k}${suffix}`
      taken.add(path)
      if (group.kind === 'so') {
        files.push(this.binary(path, Math.max(1024, rng.size(group.meanKiB * 1024, 1)), ELF_HEAD, undefined, 0o755))
      } else {
        const size = Math.min(MAX_TEXT_BYTES, Math.max(64, rng.size(group.meanKiB * 1024, 1.4)))
        files.push(this.textFile(path, FLAVOR[group.kind], size, preamble))
      }
    }

    return files
  }

  private bigFile(path: string, big: BigFile): TarFile {
    const size = this.bytes(big.mib)
    if (big.kind === 'zip') {
      const archive = zipArchive([zipNoise('payload.bin', `${this.seed}:${path}`, size)])
      return this.file(path, archive.size, () => archive.pieces())
    }

    return this.binary(path, size, ELF_HEAD, undefined, 0o755)
  }

  /** A Keras v3 `.keras` file: a zip whose first member is metadata.json, then config.json and the weights. */
  private keras(path: string, weightsBytes: number): TarFile {
    const archive = zipArchive([
      zipText('metadata.json', JSON.stringify({date_saved: '2024-05-01@12:00:00', keras_version: '3.3.3'})),
      zipText('config.json', JSON.stringify(KERAS_CONFIG)),
      zipNoise('model.weights.h5', `${this.seed}:${path}:weights`, weightsBytes, HDF5_SIGNATURE),
    ])
    return this.file(path, archive.size, () => archive.pieces())
  }

  private file(path: string, size: number, pieces: () => Iterable<Buffer>, mode?: number): TarFile {
    return {mode, path, pieces, size, type: 'file'}
  }

  private fixed(path: string, content: string, mode?: number): TarFile {
    const data = Buffer.from(content)
    return this.file(path, data.length, () => [data], mode)
  }

  /** Text made when it is written, from a generator seeded by the path: the same path gives the same bytes. */
  private textFile(path: string, flavor: TextFlavor, size: number, preamble?: string): TarFile {
    return this.file(path, size, () => [this.pools.text(flavor, size, new Random(`${this.seed}:${path}`), preamble)])
  }

  private binary(path: string, size: number, head?: Buffer, tail?: Buffer, mode?: number): TarFile {
    return this.file(path, size, () => noisePieces(`${this.seed}:${path}`, size, head, tail), mode)
  }
}

/** A path as RECORD lists it: relative to site-packages, console scripts through ../../../bin. */
function recordPath(path: string): string {
  if (path.startsWith(`${SITE_PACKAGES}/`)) return path.slice(SITE_PACKAGES.length + 1)
  return `../../../${path.slice(PYTHON_HOME.length + 1)}`
}

const APP_PY = `import os

import numpy as np
import tensorflow as tf
from flask import Flask, render_template, request
from PIL import Image

app = Flask(__name__)
MODEL_PATH = os.environ.get("MODEL_PATH", "models/model.h5")
model = tf.keras.models.load_model(MODEL_PATH)
LABELS = ["ok", "scratch", "dent", "crack"]


@app.get("/")
def index():
    return render_template("index.html")


@app.post("/predict")
def predict():
    image = Image.open(request.files["image"]).convert("RGB").resize((224, 224))
    batch = np.expand_dims(np.asarray(image, dtype=np.float32) / 255.0, 0)
    scores = model.predict(batch)[0]
    best = int(np.argmax(scores))
    return render_template("result.html", label=LABELS[best], confidence=float(scores[best]))
`

/** What pip writes for a console script. */
const consoleScript = (module: string, func: string): string => `#!/app/.heroku/python/bin/python
# -*- coding: utf-8 -*-
import re
import sys
from ${module} import ${func}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(${func}())
`

/** What the Python buildpack writes to .profile.d. */
const PROFILE_D = `export PATH="$HOME/.heroku/python/bin:$PATH"
export PYTHONUNBUFFERED="true"
export PYTHONHOME="$HOME/.heroku/python"
export LIBRARY_PATH="$HOME/.heroku/vendor/lib:$HOME/.heroku/python/lib:$LIBRARY_PATH"
export LD_LIBRARY_PATH="$HOME/.heroku/vendor/lib:$HOME/.heroku/python/lib:$LD_LIBRARY_PATH"
`

const INDEX_HTML = `<!doctype html>
<html><head><title>Defect detector</title><link rel="stylesheet" href="/static/style.css"></head>
<body><form method="post" enctype="multipart/form-data" action="/predict"><input type="file" name="image"><button>Check</button></form></body></html>
`

const KERAS_CONFIG = {
  class_name: 'Sequential',
  config: {
    layers: [
      {class_name: 'InputLayer', config: {batch_shape: [null, 224, 224, 3]}},
      {class_name: 'Conv2D', config: {filters: 32, kernel_size: [3, 3]}},
      {class_name: 'Dense', config: {units: 4}},
    ],
    name: 'defect_classifier',
  },
  module: 'keras',
}
