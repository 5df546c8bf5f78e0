import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, realpathSync, writeFileSync} from 'node:fs'
import {chmod, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import ConvertModels, {type ConvertResult} from '../../../../src/commands/slug/convert-models.js'
import {committedRepo} from '../../../helpers/git-repo.js'
import {runCommand} from '../../../helpers/run-command.js'

const TEMPLATE = fileURLToPath(new URL('../../../../templates/onnx_model.py', import.meta.url))
const HDF5 = Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]), Buffer.alloc(4096, 7)])
const APP = 'import flask\nimport tensorflow as tf\n\nmodel = tf.keras.models.load_model("models/classifier.h5")\n'

/**
 * A fake interpreter in place of the user's Python: node, answering as python/convert_models.py and
 * python/app_uses.py would (the contract's JSON), writing the "converted" model where it is told.
 * FAKE_MODE: inference (default), training (another use of tensorflow), missing (exit 3). FAKE_REQUEST: a file to
 * keep the request in.
 */
const FAKE = String.raw`#!/usr/bin/env node
const fs = require('fs')
const path = require('path')
const script = path.basename(process.argv[2])
const mode = process.env.FAKE_MODE || 'inference'
if (script === 'convert_models.py') {
  const request = JSON.parse(fs.readFileSync(0, 'utf8'))
  if (process.env.FAKE_REQUEST) fs.writeFileSync(process.env.FAKE_REQUEST, JSON.stringify(request))
  if (mode === 'missing') {
    console.log(JSON.stringify({python: '3.11.7', versions: {}, missing: ['onnx', 'onnxscript'], models: []}))
    process.exit(3)
  }
  const models = request.models.map(m => {
    fs.writeFileSync(m.out, 'ONNX ' + path.basename(m.path))
    return {path: m.path, ok: true, format: 'h5', error: null, onnx: {path: m.out, bytes: fs.statSync(m.out).size},
      inputs: [{name: 'x', shape: [null, 4], dtype: 'float32'}], outputs: [], seconds: 1.5,
      fp32: {maxAbsDiff: 3.7e-7, maxRelDiff: 1e-6, top1Agreement: 1, ok: true}, int8: null}
  })
  console.log(JSON.stringify({python: '3.11.7', versions: {onnxruntime: '1.30.0', keras: '3.15.0'}, missing: [], models}))
} else if (script === 'app_uses.py') {
  const map = Object.fromEntries(process.argv.slice(4).filter((a, i) => i % 2 === 1).map(a => a.split('=')))
  const training = mode === 'training'
  console.log(JSON.stringify({
    frameworks: {tensorflow: {imported: true, inferenceOnly: !training, loads: [{file: 'app.py', line: 4, model: 'models/classifier.h5'}],
      otherUses: training ? [{file: 'app.py', line: 9, code: 'model.fit(x, y)'}] : []}},
    edits: [{file: 'app.py', line: 4, old: 'model = tf.keras.models.load_model("models/classifier.h5")',
      new: 'model = onnx_model.load_model("' + map['models/classifier.h5'] + '")', certain: true}],
    addImport: [{file: 'app.py', line: 1, text: 'import onnx_model'}],
    removeImports: [{file: 'app.py', line: 2, old: 'import tensorflow as tf'}],
    imports: ['flask', 'tensorflow'],
  }))
}
`

describe('slug:convert-models', () => {
  let repo: string
  let bin: string
  let python: string
  const status = () => execFileSync('git', ['-C', repo, 'status', '--porcelain'], {encoding: 'utf8'})

  beforeEach(async () => {
    repo = committedRepo({'app.py': APP, 'models/classifier.h5': HDF5, 'requirements.txt': 'flask==3.0.0\ntensorflow-cpu==2.21.0\n'}, {prefix: 'convert-'})
    bin = await mkdtemp(join(tmpdir(), 'fake-python-'))
    python = join(bin, 'python')
    await writeFile(python, FAKE)
    await chmod(python, 0o755)
  })

  afterEach(async () => {
    delete process.env.FAKE_MODE
    delete process.env.FAKE_REQUEST
    await rm(repo, {force: true, recursive: true})
    await rm(bin, {force: true, recursive: true})
  })

  it('--dry-run converts and shows the plan, and writes nothing', async () => {
    const {result, stdout} = await runCommand<ConvertResult>(ConvertModels, ['--dir', repo, '--python', python, '--dry-run'])
    expect(result!.written).to.deep.equal([])
    expect(result!.modelWrites.map(w => w.path)).to.deep.equal(['models/classifier.onnx'])
    expect(stdout).to.include('models/classifier.h5 -> models/classifier.onnx')
    expect(stdout).to.include('The app only runs inference with tensorflow: it leaves requirements.txt, onnxruntime==1.30.0 comes in.')
    expect(stdout).to.include('+onnxruntime==1.30.0')
    // the resolver is off in unit tests (test/init.ts): one line says so, and the run goes on
    expect(stdout).to.include('Predicted slug: models 4.1 kB -> 18 B. Python dependencies were not resolved: HEROKU_SLUG_DIET_PYTHON is "none".')
    expect(status()).to.equal('')
  })

  it("passes the app's folder as the request's root (a pickled torch module's class is imported from the app)", async () => {
    process.env.FAKE_REQUEST = join(bin, 'request.json')
    await runCommand<ConvertResult>(ConvertModels, ['--dir', repo, '--python', python, '--dry-run'])
    const request = JSON.parse(readFileSync(process.env.FAKE_REQUEST, 'utf8'))
    expect(realpathSync(request.root)).to.equal(realpathSync(repo))
  })

  it('--input-shape goes to PyTorch models (a torch module does not record it), batch first, the batch made dynamic', async () => {
    // a .pt zip as torch.save writes it: its first entry, then data (over 1 KiB: the scan peeks at its first bytes)
    const name = Buffer.from('net/data.pkl')
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04_03_4B_50, 0)
    header.writeUInt16LE(name.length, 26)
    writeFileSync(join(repo, 'net.pt'), Buffer.concat([header, name, Buffer.alloc(2000, 1)]))
    execFileSync('git', ['-C', repo, 'add', 'net.pt'])
    process.env.FAKE_REQUEST = join(bin, 'request.json')
    await runCommand<ConvertResult>(ConvertModels, ['--dir', repo, '--python', python, '--dry-run', '--input-shape', '1,3,224,224'])
    const request = JSON.parse(readFileSync(process.env.FAKE_REQUEST, 'utf8')) as {models: {inputs?: unknown; path: string}[]}
    const byName = Object.fromEntries(request.models.map(m => [m.path.split('/').at(-1), m.inputs]))
    expect(byName).to.deep.equal({'classifier.h5': undefined, 'net.pt': [{dtype: 'float32', shape: [null, 3, 224, 224]}]})
    const {error} = await runCommand(ConvertModels, ['--dir', repo, '--python', python, '--dry-run', '--input-shape', '3,x'])
    expect(error?.message).to.equal('--input-shape takes positive whole dimensions, batch first (1,3,224,224), not "3,x".')
  })

  it('--json returns the typed plan', async () => {
    const {stdout} = await runCommand(ConvertModels, ['--dir', repo, '--python', python, '--dry-run', '--json'])
    const json = JSON.parse(stdout) as ConvertResult
    expect(json.frameworkLeaves).to.equal(true)
    expect(json.models[0]).to.include({after: 18, onnx: 'models/classifier.onnx', path: 'models/classifier.h5', precision: 'fp32'})
    expect(json.changes.map(c => c.path)).to.deep.equal(['app.py', 'requirements.txt', 'onnx_model.py', '.slugignore'])
  })

  it('keeps the framework when the app trains with it, and says where', async () => {
    process.env.FAKE_MODE = 'training'
    const {result, stdout} = await runCommand<ConvertResult>(ConvertModels, ['--dir', repo, '--python', python, '--yes'])
    expect(stdout).to.include('the app uses tensorflow for more than running a model (app.py:9 model.fit(x, y))')
    expect(result!.written).to.deep.equal(['models/classifier.onnx'])
    expect(await readFile(join(repo, 'requirements.txt'), 'utf8')).to.equal('flask==3.0.0\ntensorflow-cpu==2.21.0\n')
  })

  it('names the missing modules and --install-converter (exit 3), writing nothing', async () => {
    process.env.FAKE_MODE = 'missing'
    const {error, exitCode} = await runCommand(ConvertModels, ['--dir', repo, '--python', python, '--yes'])
    expect(exitCode).to.equal(3)
    expect(error!.message).to.equal(`${python} is missing the modules onnx, onnxscript: ${python} -m pip install onnx onnxscript, or pass --install-converter. Nothing was written.`)
    expect(status()).to.equal('')
  })

  it('refuses a model that is not Keras or PyTorch when named', async () => {
    await writeFile(join(repo, 'm.onnx'), 'x')
    execFileSync('git', ['-C', repo, 'add', 'm.onnx'])
    const {error} = await runCommand(ConvertModels, [join(repo, 'm.onnx'), '--dir', repo, '--python', python, '--yes'])
    expect(error!.message).to.match(/m\.onnx is .*slug:convert-models converts Keras \(\.keras, \.h5\) and PyTorch models/)
  })

  describe('writing (with the plugin\'s runtime module template)', () => {
    before(function () {
      if (!existsSync(TEMPLATE)) this.skip()
    })

    it('--yes writes the model, the code, the requirements, the runtime module and .slugignore together', async () => {
      const {result} = await runCommand<ConvertResult>(ConvertModels, ['--dir', repo, '--python', python, '--yes'])
      expect(result!.written).to.deep.equal(['models/classifier.onnx', 'app.py', 'requirements.txt', 'onnx_model.py', '.slugignore'])
      expect(await readFile(join(repo, 'models/classifier.onnx'), 'utf8')).to.equal('ONNX classifier.h5')
      expect(await readFile(join(repo, 'app.py'), 'utf8')).to.equal('import onnx_model\nimport flask\n\nmodel = onnx_model.load_model("models/classifier.onnx")\n')
      expect(await readFile(join(repo, 'requirements.txt'), 'utf8')).to.equal('flask==3.0.0\nonnxruntime==1.30.0\nnumpy\n')
      expect(await readFile(join(repo, 'onnx_model.py'), 'utf8')).to.include(await readFile(TEMPLATE, 'utf8'))
      expect(await readFile(join(repo, '.slugignore'), 'utf8')).to.include('/models/classifier.h5\n')
      // a second run replaces its own runtime module, refuses nothing, and converts again
      await rm(join(repo, 'models/classifier.onnx'))
      const again = await runCommand<ConvertResult>(ConvertModels, ['--dir', repo, '--python', python, '--dry-run'])
      expect(again.result!.conflicts).to.deep.equal([])
    })

    it('refuses to replace a file the plugin did not write without --force, and writes nothing', async () => {
      await writeFile(join(repo, 'onnx_model.py'), 'def load_model(path):\n    return path\n')
      const {error, exitCode} = await runCommand(ConvertModels, ['--dir', repo, '--python', python, '--yes'])
      expect(exitCode).to.equal(1)
      expect(error!.message).to.equal('onnx_model.py exists and was not written by slug:convert-models (pass --force to replace it). Nothing was written.')
      expect(existsSync(join(repo, 'models/classifier.onnx'))).to.equal(false)
      expect(await readFile(join(repo, 'app.py'), 'utf8')).to.equal(APP)
      const forced = await runCommand<ConvertResult>(ConvertModels, ['--dir', repo, '--python', python, '--yes', '--force'])
      expect(forced.result!.written).to.include('onnx_model.py')
    })

    it('cannot ask for confirmation without a terminal: says so and writes nothing', async () => {
      const {error} = await runCommand(ConvertModels, ['--dir', repo, '--python', python])
      expect(error!.message).to.match(/^slug:convert-models would write models\/classifier\.onnx, app\.py, .* pass --yes to write, or --dry-run/)
      expect(status()).to.equal('')
    })
  })
})
