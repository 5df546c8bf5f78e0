import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {PYTHON} from '../helpers/python.js'

// The converter's Python: CONVERT_TEST_PYTHON, else the venv scripts/convert-venv.sh builds (and caches) in
// .cache/convert-venv with keras, a CPU torch, onnx, onnxscript, onnxruntime and h5py from pip's indexes.
const CONVERTER = resolve('python/convert_models.py')
const APP_USES = resolve('python/app_uses.py')
const TEMPLATES = resolve('templates')
const BUILD_MODELS = resolve('test/fixtures/convert/build_models.py')

interface Figures {
  maxAbsDiff: number
  maxRelDiff: number
  top1Agreement: number
}

interface ModelResult {
  error: null | string
  format: string
  fp32: Figures & {ok: boolean}
  inputs: {dtype: string; name: string; shape: (null | number)[]}[]
  int8: (Figures & {bytes: number; kept: boolean; path: null | string; reason: null | string}) | null
  ok: boolean
  onnx: {bytes: number; path: string}
  outputs: {dtype: string; name: string; shape: (null | number)[]}[]
  path: string
}

interface Report {
  error?: string
  missing: string[]
  models: ModelResult[]
  python: string
  versions: Record<string, string>
}

function venvPython(which: 'converter' | 'runtime'): string {
  const given = which === 'converter' ? process.env.CONVERT_TEST_PYTHON : process.env.RUNTIME_TEST_PYTHON
  if (given) return given
  const run = spawnSync('scripts/convert-venv.sh', which === 'runtime' ? ['runtime'] : [], {encoding: 'utf8', timeout: 1_800_000})
  if (run.status !== 0) throw new Error(`scripts/convert-venv.sh failed: ${run.stderr.trim().split('\n').at(-1)}`)
  return run.stdout.trim().split('\n').at(-1)!
}

interface Change {
  file: string
  line: number
  new?: string
  old?: string
  text?: string
}

/** Applies app_uses.py's proposals the simple way (the command's own apply step is the TypeScript side's). */
function applyProposals(root: string, uses: {addImport: Change[]; edits: Change[]; removeImports: Change[]}): void {
  const changes = [...uses.edits.map(c => ({...c, kind: 2})), ...uses.removeImports.map(c => ({...c, kind: 1})), ...uses.addImport.map(c => ({...c, kind: 0}))]
  changes.sort((a, b) => b.line - a.line || b.kind - a.kind) // bottom up; at one line: replace, then insert before it
  for (const change of changes) {
    const path = join(root, change.file)
    const lines = readFileSync(path, 'utf8').split('\n')
    if (change.kind === 0) lines.splice(change.line - 1, 0, change.text!)
    else {
      const count = change.old!.split('\n').length
      expect(lines.slice(change.line - 1, change.line - 1 + count).join('\n')).to.equal(change.old)
      lines.splice(change.line - 1, count, ...(change.kind === 2 ? [change.new!] : []))
    }

    writeFileSync(path, lines.join('\n'))
  }
}

function convert(python: string, request: object, env: NodeJS.ProcessEnv = process.env): {report: Report; status: null | number; stderr: string} {
  const run = spawnSync(python, [CONVERTER], {encoding: 'utf8', env, input: JSON.stringify(request), maxBuffer: 64 * 1024 * 1024, timeout: 600_000})
  return {report: JSON.parse(run.stdout) as Report, status: run.status, stderr: run.stderr}
}

function python(python: string, code: string, env: NodeJS.ProcessEnv = process.env): string {
  const run = spawnSync(python, ['-c', code], {encoding: 'utf8', env, timeout: 300_000})
  if (run.status !== 0) throw new Error(run.stderr)
  return run.stdout
}

describe('convert-models: python/convert_models.py on real Keras and PyTorch models', function () {
  this.timeout(1_800_000)
  let py: string
  let dir: string
  let report: Report
  const result = (name: string) => report.models.find(m => m.path === join(dir, name))!
  const model = (name: string, inputs?: object) => ({inputs, out: join(dir, 'out', `${name.replace('.', '-')}.onnx`), path: join(dir, name)})

  before(() => {
    py = venvPython('converter')
    dir = mkdtempSync(join(tmpdir(), 'diet-convert-'))
    mkdirSync(join(dir, 'out'))
    const built = spawnSync(py, [BUILD_MODELS, dir], {encoding: 'utf8', timeout: 300_000})
    expect(built.status, built.stderr).to.equal(0)
    const models = ['mlp.keras', 'mlp.h5', 'cnn.keras', 'cnn.h5', 'net.pt'].map(m => model(m))
    models.push(model('scripted.pt', [{dtype: 'float32', shape: [null, 3, 8, 8]}]))
    const run = convert(py, {models, quantize: null, samples: 16, seed: 0})
    expect(run.status, run.stderr).to.equal(0)
    report = run.report
  })

  after(() => dir && rmSync(dir, {force: true, recursive: true}))

  it('converts Keras (.keras and .h5, an MLP and a CNN), a pickled torch module and TorchScript, matching the originals', () => {
    expect(report.missing).to.deep.equal([])
    expect(report.versions).to.include.keys('keras', 'torch', 'onnx', 'onnxruntime')
    const formats = Object.fromEntries(report.models.map(m => [m.path.slice(dir.length + 1), m.format]))
    expect(formats).to.deep.equal({'cnn.h5': 'h5', 'cnn.keras': 'keras', 'mlp.h5': 'h5', 'mlp.keras': 'keras', 'net.pt': 'torch-module', 'scripted.pt': 'torchscript'})
    for (const m of report.models) {
      expect(m.error, m.path).to.equal(null)
      expect(m.ok, m.path).to.equal(true)
      expect(m.fp32.ok).to.equal(true)
      expect(m.fp32.maxRelDiff, m.path).to.be.at.most(1e-4)
      expect(m.fp32.top1Agreement, m.path).to.equal(1)
      expect(m.int8).to.equal(null)
      expect(existsSync(m.onnx.path)).to.equal(true)
      expect(existsSync(`${m.onnx.path}.data`), 'weights inside the file').to.equal(false)
    }

    expect(result('mlp.keras').inputs).to.deep.equal([{dtype: 'float32', name: 'features', shape: [null, 32]}])
    expect(result('cnn.h5').inputs[0].shape).to.deep.equal([null, 16, 16, 3])
    expect(result('net.pt').inputs[0].shape).to.deep.equal([null, 20])
    expect(result('scripted.pt').inputs[0].shape).to.deep.equal([null, 3, 8, 8])
  })

  it('refuses outputs that are NaN or infinite rather than counting them equal (max() skips a NaN)', () => {
    const code = [
      'import importlib.util, numpy as np',
      `spec = importlib.util.spec_from_file_location("cm", ${JSON.stringify(CONVERTER)})`,
      'cm = importlib.util.module_from_spec(spec); spec.loader.exec_module(cm)',
      'for want, got in (([1.0, 2.0], [np.nan, 2.0]), ([np.inf, 2.0], [1.0, 2.0])):',
      '    try:',
      '        cm.compare([np.array([want])], [np.array([got])]); print("passed")',
      '    except cm.ConversionError as error:',
      '        print(error)',
    ].join('\n')
    expect(python(py, code).trim().split('\n')).to.deep.equal([
      'the ONNX model answers NaN or infinity on the seeded inputs: the outputs cannot be compared',
      'the original answers NaN or infinity on the seeded inputs: the outputs cannot be compared',
    ])
  })

  it('templates/onnx_model.py answers what the original framework predicted, in batches and in one call', () => {
    for (const [file, name] of [['mlp.keras', 'mlp'], ['mlp.h5', 'mlp'], ['cnn.keras', 'cnn'], ['cnn.h5', 'cnn'], ['net.pt', 'net'], ['scripted.pt', 'scripted']]) {
      const out = python(py, `
import numpy as np, onnx_model
m = onnx_model.load_model(${JSON.stringify(result(file).onnx.path)})
x = np.load(${JSON.stringify(join(dir, `${name}.x.npy`))}).astype("float64")
want = np.load(${JSON.stringify(join(dir, `${name}.y.npy`))})
got, called, small = m.predict(x), m(x), m.predict(x, batch_size=5)
assert got.dtype == np.float32 and got.shape == want.shape, (got.dtype, got.shape, want.shape)
print(float(np.max(np.abs(got - want))), float(np.max(np.abs(called - got))), float(np.max(np.abs(small - got))))
`, {...process.env, PYTHONPATH: TEMPLATES})
      const [diff, call, batched] = out.trim().split(' ').map(Number)
      expect(diff, file).to.be.below(1e-5)
      expect(call, file).to.be.below(1e-6)
      expect(batched, file).to.be.below(1e-6)
    }
  })

  it('rebuild: the app, rewritten by app_uses.py\'s edits, answers under onnxruntime and numpy alone what it answered with Keras', () => {
    const runtime = venvPython('runtime')
    for (const framework of ['keras', 'torch', 'tensorflow']) expect(spawnSync(runtime, ['-c', `import ${framework}`]).status, framework).not.to.equal(0)
    const app = join(dir, 'app')
    mkdirSync(join(app, 'models'), {recursive: true})
    copyFileSync(join(dir, 'mlp.keras'), join(app, 'models', 'mlp.keras'))
    writeFileSync(join(app, 'app.py'), [
      'import json',
      'import sys',
      '',
      'import numpy as np',
      'from keras.models import load_model',
      '',
      'model = load_model("models/mlp.keras", compile=False)',
      '',
      '',
      'def predict(rows):',
      '    return model.predict(np.asarray(rows))',
      '',
      '',
      'if __name__ == "__main__":',
      '    print(json.dumps(predict(np.load(sys.argv[1])).tolist()))',
      '',
    ].join('\n'))
    const x = join(dir, 'mlp.x.npy')
    const answer = (python: string, env: NodeJS.ProcessEnv) => {
      const run = spawnSync(python, ['app.py', x], {cwd: app, encoding: 'utf8', env, timeout: 300_000})
      expect(run.status, run.stderr).to.equal(0)
      return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as number[][]
    }

    const before = answer(py, {...process.env, KERAS_BACKEND: 'torch'})
    const uses = spawnSync(PYTHON, [APP_USES, app, '--map', 'models/mlp.keras=models/mlp.onnx'], {encoding: 'utf8'})
    const proposals = JSON.parse(uses.stdout)
    expect(proposals.frameworks.keras.inferenceOnly).to.equal(true)
    expect(proposals.edits.map((e: {certain: boolean}) => e.certain)).to.deep.equal([true])
    applyProposals(app, proposals)
    expect(readFileSync(join(app, 'app.py'), 'utf8')).to.include('import onnx_model\nimport json').and.not.include('keras')
    copyFileSync(result('mlp.keras').onnx.path, join(app, 'models', 'mlp.onnx'))
    copyFileSync(join(TEMPLATES, 'onnx_model.py'), join(app, 'onnx_model.py'))
    rmSync(join(app, 'models', 'mlp.keras'))
    const after = answer(runtime, process.env)
    expect(after.length).to.equal(before.length)
    const diff = Math.max(...after.flatMap((row, i) => row.map((v, j) => Math.abs(v - before[i][j]))))
    expect(diff).to.be.below(1e-5)
  })

  it('converts a Keras model with two inputs and two outputs, named after its layers, answered as a list', () => {
    const two = convert(py, {models: [model('two.keras')]}).report.models[0]
    expect(two.ok, two.error ?? '').to.equal(true)
    expect(two.inputs.map(i => [i.name, i.shape])).to.deep.equal([['a', [null, 4]], ['b', [null, 3]]])
    expect(two.outputs.map(o => [o.name, o.shape])).to.deep.equal([['scores', [null, 2]], ['value', [null, 1]]])
    const out = python(py, `
import numpy as np, onnx_model
m = onnx_model.load_model(${JSON.stringify(two.onnx.path)})
x = [np.load(${JSON.stringify(join(dir, 'two.x0.npy'))}), np.load(${JSON.stringify(join(dir, 'two.x1.npy'))})]
got = m.predict(x, batch_size=4)
want = [np.load(${JSON.stringify(join(dir, 'two.y0.npy'))}), np.load(${JSON.stringify(join(dir, 'two.y1.npy'))})]
assert isinstance(got, list) and len(got) == 2
print(max(float(np.max(np.abs(g - w))) for g, w in zip(got, want)))
`, {...process.env, PYTHONPATH: TEMPLATES})
    expect(Number(out)).to.be.below(1e-5)
  })

  it('folds an exporter\'s external data into the one .onnx file', () => {
    const out = python(py, `
import os, sys, tempfile, torch, onnxruntime, numpy as np
sys.path.insert(0, ${JSON.stringify(resolve('python'))})
import convert_models
work = tempfile.mkdtemp(dir=${JSON.stringify(dir)})
net = torch.nn.Sequential(torch.nn.Linear(5, 3))
torch.onnx.export(net, (torch.zeros(2, 5),), os.path.join(work, "m.onnx"), dynamo=True, external_data=True,
                  dynamic_shapes=({0: torch.export.Dim("batch")},))
assert os.path.exists(os.path.join(work, "m.onnx.data"))
convert_models.write_single_file(os.path.join(work, "m.onnx"), ${JSON.stringify(join(dir, 'out', 'folded.onnx'))})
import shutil; shutil.rmtree(work)
s = onnxruntime.InferenceSession(${JSON.stringify(join(dir, 'out', 'folded.onnx'))})
x = np.ones((4, 5), dtype=np.float32)
print(float(np.max(np.abs(s.run(None, {s.get_inputs()[0].name: x})[0] - net(torch.from_numpy(x)).detach().numpy()))))
`)
    expect(Number(out.trim().split('\n').at(-1))).to.be.below(1e-6)
  })

  it('keeps an int8 model only when its top-1 agreement meets minAgreement, and removes a refused one', () => {
    const kept = convert(py, {minAgreement: 0.9, models: [model('mlp.keras')], quantize: 'int8'}).report.models[0]
    expect(kept.ok).to.equal(true)
    expect(kept.int8!.kept).to.equal(true)
    expect(kept.int8!.reason).to.equal(null)
    expect(kept.int8!.path).to.equal(join(dir, 'out', 'mlp-keras.int8.onnx'))
    expect(existsSync(kept.int8!.path!)).to.equal(true)
    expect(kept.int8!.top1Agreement).to.be.at.least(0.9)
    const refused = convert(py, {minAgreement: 1.01, models: [model('cnn.h5')], quantize: 'int8'}).report.models[0]
    expect(refused.ok).to.equal(true)
    expect(refused.int8!.kept).to.equal(false)
    expect(refused.int8!.reason).to.match(/^top-1 agreement \d+\.\d% under 101%$/)
    expect(refused.int8!.path, 'where it would have been').to.equal(join(dir, 'out', 'cnn-h5.int8.onnx'))
    expect(existsSync(join(dir, 'out', 'cnn-h5.int8.onnx'))).to.equal(false)
    expect(existsSync(join(dir, 'out', 'cnn-h5.onnx'))).to.equal(true)
  })

  it('names a missing module (exit 3) and converts nothing: onnx hidden from the venv', () => {
    const hidden = join(dir, 'no-onnx')
    mkdirSync(join(hidden, 'onnx'), {recursive: true})
    writeFileSync(join(hidden, 'onnx', '__init__.py'), 'raise ImportError("No module named onnx")\n')
    const run = convert(py, {models: [model('mlp.keras')]}, {...process.env, PYTHONPATH: hidden})
    expect(run.status).to.equal(3)
    expect(run.report.missing).to.deep.equal(['onnx'])
    expect(run.report.models).to.deep.equal([])
  })

  it('names the missing modules under a Python without the converter toolchain', function () {
    const bare = spawnSync(PYTHON, ['-c', 'import onnx'], {encoding: 'utf8'})
    if (bare.status === 0) this.skip()
    const run = convert(PYTHON, {models: [model('mlp.h5'), model('net.pt')]})
    expect(run.status).to.equal(3)
    expect(run.report.missing).to.include.members(['onnx', 'onnxruntime', 'keras', 'torch'])
  })

  it('refuses a custom layer with one line naming its class, and a torch module without an input shape', () => {
    const custom = convert(py, {models: [model('custom.keras')]}).report.models[0]
    expect(custom.ok).to.equal(false)
    expect(custom.error).to.match(/^custom layer MyScale: /)
    expect(custom.error).not.to.include('\n')
    expect(existsSync(join(dir, 'out', 'custom-keras.onnx'))).to.equal(false)
    const scripted = convert(py, {models: [model('scripted.pt')]}).report.models[0]
    expect(scripted.ok).to.equal(false)
    expect(scripted.error).to.match(/does not say its input shape: pass it/)
  })

  it('refuses a pickled module whose class is not importable, a state_dict, a SavedModel without TensorFlow, and a model over 2 GB', () => {
    const main = convert(py, {models: [model('main.pt', [{shape: [null, 3, 8, 8]}])]}).report.models[0]
    expect(main.error).to.match(/^the module's class SmallCnn is not importable here/)
    const weights = convert(py, {models: [model('weights.pt')]}).report.models[0]
    expect(weights.error).to.match(/^holds a OrderedDict \(weights only\?\), not a torch.nn.Module: /)
    mkdirSync(join(dir, 'saved', 'variables'), {recursive: true})
    writeFileSync(join(dir, 'saved', 'saved_model.pb'), Buffer.alloc(64))
    const saved = convert(py, {models: [model('saved')]}).report.models[0]
    expect(saved.format).to.equal('savedmodel')
    expect(saved.error).to.match(/^SavedModel needs tensorflow and tf2onnx: /)
    // The limit lowered to 1 KB stands for 2 GB: the MLP's 2.7k float32 weights are over it.
    const request = JSON.stringify({models: [model('mlp.h5')]})
    const big = python(py, `import sys; sys.path.insert(0, ${JSON.stringify(resolve('python'))}); import io, convert_models as c
c.PROTOBUF_LIMIT = 1024; sys.stdin = io.StringIO(${JSON.stringify(request)}); c.main()`)
    expect(JSON.parse(big).models[0].error).to.match(/^over ONNX's 2 GB protobuf limit \(0\.0 GB of weights\)/)
  })

  it('loads a pickled module whose class is in the app\'s own code when the request names the app\'s folder (root)', () => {
    const app = join(dir, 'torch-app')
    mkdirSync(join(app, 'nets'), {recursive: true})
    writeFileSync(join(app, 'nets', '__init__.py'), '')
    const net = ['import torch', '', 'class Net(torch.nn.Module):', '    def __init__(self):', '        super().__init__()', '        self.fc = torch.nn.Linear(6, 2)', '']
    writeFileSync(join(app, 'nets', 'small.py'), [...net, '    def forward(self, x):', '        return self.fc(x)', ''].join('\n'))
    python(py, `import sys, torch; sys.path.insert(0, ${JSON.stringify(app)}); from nets.small import Net; torch.save(Net(), ${JSON.stringify(join(app, 'net.pt'))})`)
    const entry = {inputs: [{shape: [null, 6]}], out: join(dir, 'out', 'app-net.onnx'), path: join(app, 'net.pt')}
    const without = convert(py, {models: [entry]}).report.models[0]
    expect(without.error).to.match(/^the module's class is in nets, not importable here .*: pass the app's folder as root/)
    const withRoot = convert(py, {models: [entry], root: app}).report.models[0]
    expect(withRoot.ok, withRoot.error ?? '').to.equal(true)
    expect(withRoot.inputs).to.deep.equal([{dtype: 'float32', name: 'input', shape: [null, 6]}])
  })

  it('falls back to torch.export\'s exporter when the TorchScript-based one fails (a torch without it)', () => {
    const request = JSON.stringify({models: [{out: join(dir, 'out', 'dynamo.onnx'), path: join(dir, 'net.pt')}]})
    const out = python(py, `import io, sys, torch
sys.path.insert(0, ${JSON.stringify(resolve('python'))})
import convert_models
real = torch.onnx.export
def export(*args, **kwargs):
    if kwargs.get("dynamo") is False:
        raise RuntimeError("the TorchScript-based exporter is gone")
    return real(*args, **kwargs)
torch.onnx.export = export
sys.stdin = io.StringIO(${JSON.stringify(request)})
convert_models.main()`)
    const dynamo = (JSON.parse(out) as Report).models[0]
    expect(dynamo.ok, dynamo.error ?? '').to.equal(true)
    expect(dynamo.inputs[0].shape).to.deep.equal([null, 20])
    expect(dynamo.fp32.maxRelDiff).to.be.at.most(1e-4)
    expect(existsSync(join(dir, 'out', 'dynamo.onnx.data'))).to.equal(false)
  })

  it('refuses a conversion whose outputs differ over the tolerance, leaving no file', () => {
    const strict = convert(py, {models: [{out: join(dir, 'out', 'strict.onnx'), path: join(dir, 'mlp.keras')}], tolerance: 1e-12}).report.models[0]
    expect(strict.ok).to.equal(false)
    expect(strict.fp32.ok).to.equal(false)
    expect(strict.error).to.match(/^ONNX outputs differ from the original's: max relative difference \d\.\d\de-\d\d over the tolerance 1e-12$/)
    expect(existsSync(join(dir, 'out', 'strict.onnx'))).to.equal(false)
  })

  it('answers a bad request with exit 2 and one JSON object', () => {
    const run = convert(py, {models: [{out: 'relative.onnx', path: 'x.h5'}]})
    expect(run.status).to.equal(2)
    expect(run.report.error).to.equal('each model needs "path": an absolute path')
  })
})

describe('convert-models: python/app_uses.py reads an app with ast', () => {
  let root: string

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'diet-app-uses-'))
  })

  afterEach(() => rmSync(root, {force: true, recursive: true}))

  function appUses(files: Record<string, string>, ...maps: string[]) {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(root, file, '..'), {recursive: true})
      writeFileSync(join(root, file), text)
    }

    const run = spawnSync(PYTHON, [APP_USES, root, ...maps.flatMap(m => ['--map', m])], {encoding: 'utf8'})
    expect(run.status, run.stderr).to.equal(0)
    return JSON.parse(run.stdout)
  }

  it('an inference-only Flask app: TensorFlow can leave, the load line points at the .onnx', () => {
    const app = [
      '"""The app."""',
      'import numpy as np',
      'import tensorflow as tf',
      'from flask import Flask, jsonify, request',
      '',
      'app = Flask(__name__)',
      'model = tf.keras.models.load_model("models/classifier.h5")',
      '',
      '@app.post("/predict")',
      'def predict():',
      '    return jsonify(model.predict(np.array(request.json["x"])).tolist())',
      '',
    ].join('\n')
    const uses = appUses({'app.py': app}, 'models/classifier.h5=models/classifier.onnx')
    expect(uses.frameworks.tensorflow).to.deep.equal({
      imported: true, inferenceOnly: true, loads: [{file: 'app.py', line: 7, model: 'models/classifier.h5'}], otherUses: [],
    })
    expect(uses.frameworks.torch.imported).to.equal(false)
    expect(uses.edits).to.deep.equal([{
      certain: true, file: 'app.py', line: 7,
      new: 'model = onnx_model.load_model("models/classifier.onnx")', old: 'model = tf.keras.models.load_model("models/classifier.h5")',
    }])
    expect(uses.addImport).to.deep.equal([{file: 'app.py', line: 2, text: 'import onnx_model'}])
    expect(uses.removeImports).to.deep.equal([{file: 'app.py', line: 3, old: 'import tensorflow as tf'}])
    expect(uses.imports, 'the modules that stay imported, the standard library left out').to.deep.equal(['flask', 'numpy'])
  })

  it('a path in a module constant: the load and the constant are edits to check by hand', () => {
    const app = "from keras.models import load_model\nMODEL_PATH = './saved_models/encoder.h5'\n\ndef run():\n    global model\n    model = load_model(MODEL_PATH)\n"
    const uses = appUses({'app.py': app}, 'saved_models/encoder.h5=saved_models/encoder.onnx')
    expect(uses.frameworks.keras.loads).to.deep.equal([{file: 'app.py', line: 6, model: './saved_models/encoder.h5'}])
    expect(uses.edits).to.deep.equal([
      {certain: false, file: 'app.py', line: 6, new: '    model = onnx_model.load_model(MODEL_PATH)', old: '    model = load_model(MODEL_PATH)'},
      {certain: false, file: 'app.py', line: 2, new: "MODEL_PATH = './saved_models/encoder.onnx'", old: "MODEL_PATH = './saved_models/encoder.h5'"},
    ])
  })

  it('a tensor method on a model\'s answer is a use (the ONNX model answers numpy arrays); eval() and passing it on are not', () => {
    const app = 'import torch\nnet = torch.jit.load("net.pt")\nnet.eval()\nrun(net)\nout = net(x).detach().numpy()\nok = net(x).tolist()\n'
    const uses = appUses({'app.py': app})
    expect(uses.frameworks.torch.otherUses).to.deep.equal([{code: 'net(x).detach()', file: 'app.py', line: 5}])
  })

  it('an app using tf.image.resize at app.py:12 keeps TensorFlow, with the use listed', () => {
    const app = [
      'import numpy as np',
      'import tensorflow as tf',
      'from keras.models import load_model',
      '',
      "MODEL = load_model('models/classifier.keras', compile=False)",
      '',
      '',
      'def predict(x):',
      '    return MODEL(x)',
      '',
      'def prepare(img):',
      '    return tf.image.resize(img, (224, 224))',
      '',
    ].join('\n')
    const loader = 'import os\nimport torch\nnet = torch.load(\n    os.path.join("models", "net.pt"), weights_only=False)\nnet.eval()\nprint(net.state_dict())\n'
    const uses = appUses({'app.py': app, 'lib/loader.py': loader}, 'models/classifier.keras=models/classifier.onnx')
    expect(uses.frameworks.tensorflow).to.deep.equal({
      imported: true, inferenceOnly: false, loads: [], otherUses: [{code: 'tf.image.resize(img, (224, 224))', file: 'app.py', line: 12}],
    })
    expect(uses.frameworks.keras).to.deep.include({imported: true, inferenceOnly: true})
    expect(uses.frameworks.torch).to.deep.equal({
      imported: true, inferenceOnly: false, loads: [{file: 'lib/loader.py', line: 3, model: null}],
      otherUses: [{code: 'net.state_dict()', file: 'lib/loader.py', line: 6}],
    })
    expect(uses.edits).to.deep.equal([
      {
        certain: true, file: 'app.py', line: 5,
        new: "MODEL = onnx_model.load_model('models/classifier.onnx')", old: "MODEL = load_model('models/classifier.keras', compile=False)",
      },
      {
        certain: false, file: 'lib/loader.py', line: 3,
        new: 'net = onnx_model.load_model(os.path.join("models", "net.pt"))', old: 'net = torch.load(\n    os.path.join("models", "net.pt"), weights_only=False)',
      },
    ])
    expect(uses.removeImports, 'tensorflow stays for tf.image, torch for state_dict; keras leaves').to.deep.equal([
      {file: 'app.py', line: 3, old: 'from keras.models import load_model'},
    ])
  })
})
