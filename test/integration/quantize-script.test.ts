import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {renderQuantizeScript, tfliteOutputs} from '../../src/lib/plan/diet/quantize.js'
import {PYTHON} from '../helpers/python.js'

// What quantizableModels finds in test/unit/lib/plan/quantize.test.ts' files: a Keras file and a SavedModel folder.
const MODELS = [{format: 'keras-h5', path: 'models/classifier.h5'}, {format: 'savedmodel', path: 'models/encoder'}]

// The script quantize_model.py runs under Python, against a fake tensorflow module that records its calls.
describe('quantize: the generated script', function () {
  this.timeout(30_000)
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'diet-quantize-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('converts each model with the TFLiteConverter and dynamic-range optimization, writing <model>.tflite', async () => {
    const script = await renderQuantizeScript(MODELS)
    expect(spawnSync(PYTHON, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], {input: script}).status).to.equal(0)
    writeFileSync(join(dir, 'quantize_model.py'), script)
    mkdirSync(join(dir, 'models/encoder'), {recursive: true})
    writeFileSync(join(dir, 'models/classifier.h5'), Buffer.alloc(4096))
    writeFileSync(join(dir, 'models/encoder/saved_model.pb'), Buffer.alloc(1024))
    const calls = join(dir, 'calls.jsonl')
    const run = spawnSync(PYTHON, ['quantize_model.py'], {
      cwd: dir,
      encoding: 'utf8',
      env: {...process.env, FAKE_TF_CALLS: calls, PYTHONPATH: resolve('test/fixtures/diet/fake-tensorflow')},
    })
    expect(run.status, run.stderr).to.equal(0)
    expect(readFileSync(calls, 'utf8').trim().split('\n').map(l => JSON.parse(l))).to.deep.equal([
      ['load_model', 'models/classifier.h5', false],
      ['convert', 'keras:models/classifier.h5', ['Optimize.DEFAULT']],
      ['convert', 'models/encoder', ['Optimize.DEFAULT']],
    ])
    expect(existsSync(join(dir, 'models/classifier.tflite'))).to.equal(true)
    expect(existsSync(join(dir, 'models/encoder.tflite'))).to.equal(true)
    expect(run.stdout).to.match(/models\/classifier.h5: 4,096 bytes -> models\/classifier.tflite: 64 bytes \(64.0x smaller\)/)
  })

  it('writes one .tflite per model: classifier.h5 and classifier.keras do not both write classifier.tflite', async () => {
    const models = [{format: 'keras-h5', path: 'models/classifier.h5'}, {format: 'keras-zip', path: 'models/classifier.keras'}, {format: 'keras-h5', path: 'models/other.h5'}]
    expect(Object.fromEntries(tfliteOutputs(models))).to.deep.equal({
      'models/classifier.h5': 'models/classifier.h5.tflite',
      'models/classifier.keras': 'models/classifier.keras.tflite',
      'models/other.h5': 'models/other.tflite',
    })
    writeFileSync(join(dir, 'q.py'), await renderQuantizeScript(models))
    mkdirSync(join(dir, 'models'))
    for (const m of models) writeFileSync(join(dir, m.path), Buffer.alloc(128))
    const run = spawnSync(PYTHON, ['q.py'], {cwd: dir, encoding: 'utf8', env: {...process.env, FAKE_TF_CALLS: join(dir, 'c'), PYTHONPATH: resolve('test/fixtures/diet/fake-tensorflow')}})
    expect(run.status, run.stderr).to.equal(0)
    for (const out of ['models/classifier.h5.tflite', 'models/classifier.keras.tflite', 'models/other.tflite']) expect(existsSync(join(dir, out)), out).to.equal(true)
    expect(existsSync(join(dir, 'models/classifier.tflite'))).to.equal(false)
  })

  it('keeps a .tflite file that is already there (and a user\'s name.tflite.tmp) unless --force, with a one-line reason', async () => {
    writeFileSync(join(dir, 'q.py'), await renderQuantizeScript([{format: 'keras-h5', path: 'm.h5'}]))
    writeFileSync(join(dir, 'm.h5'), Buffer.alloc(128))
    writeFileSync(join(dir, 'm.tflite'), 'hand-tuned')
    writeFileSync(join(dir, 'm.tflite.tmp'), 'mine')
    const env = {...process.env, FAKE_TF_CALLS: join(dir, 'c'), PYTHONPATH: resolve('test/fixtures/diet/fake-tensorflow')}
    const refused = spawnSync('python3', ['q.py'], {cwd: dir, encoding: 'utf8', env})
    expect(refused.status).to.equal(1)
    expect(refused.stderr.trim()).to.equal('m.h5: m.tflite exists: kept (run again with --force to replace it)')
    expect(readFileSync(join(dir, 'm.tflite'), 'utf8')).to.equal('hand-tuned')
    const forced = spawnSync('python3', ['q.py', '--force'], {cwd: dir, encoding: 'utf8', env})
    expect(forced.status, forced.stderr).to.equal(0)
    expect(readFileSync(join(dir, 'm.tflite'), 'utf8')).not.to.equal('hand-tuned')
    expect(readFileSync(join(dir, 'm.tflite.tmp'), 'utf8')).to.equal('mine')
    expect(readdirSync(dir).sort()).to.deep.equal(['c', 'm.h5', 'm.tflite', 'm.tflite.tmp', 'q.py'])
  })

  it('fails when a model is missing', async () => {
    writeFileSync(join(dir, 'q.py'), await renderQuantizeScript([{format: 'keras-h5', path: 'gone.h5'}]))
    const run = spawnSync(PYTHON, ['q.py'], {cwd: dir, encoding: 'utf8', env: {...process.env, FAKE_TF_CALLS: join(dir, 'c'), PYTHONPATH: resolve('test/fixtures/diet/fake-tensorflow')}})
    expect(run.status).to.equal(1)
    expect(run.stderr).to.contain('gone.h5: not found')
  })
})
