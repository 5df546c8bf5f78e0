import {expect} from 'chai'

import {outputNames} from '../../../../../src/lib/plan/convert/naming.js'
import {type ConvertInput, planConvert} from '../../../../../src/lib/plan/convert/plan.js'
import {withChecksum} from '../../../../../src/lib/plan/diet/quantize.js'
import type {AppUses, Conversion} from '../../../../../src/lib/predict/python/convert-output.js'

const APP = 'import flask\nimport tensorflow as tf\n\nmodel = tf.keras.models.load_model("models/classifier.h5")\n\ndef predict(x):\n    return model.predict(x)\n'
const TEMPLATE = '"""Runs an ONNX model: written into the app by `heroku slug:convert-models`."""\nimport onnxruntime\n'

function conversion(over: Partial<Conversion['models'][number]> = {}): Conversion {
  return {
    missing: [],
    models: [{
      error: null,
      format: 'h5',
      fp32: {maxAbsDiff: 3.7e-7, maxRelDiff: 1e-6, ok: true, top1Agreement: 1},
      inputs: [],
      int8: null,
      ok: true,
      onnx: {bytes: 109_000_000, path: '/tmp/x/0.onnx'},
      outputs: [],
      path: '/repo/models/classifier.h5',
      seconds: 4.2,
      ...over,
    }],
    python: '3.11.7',
    versions: {onnxruntime: '1.30.0'},
  }
}

function uses(over: Partial<AppUses> = {}, inferenceOnly = true): AppUses {
  return {
    addImport: [{file: 'app.py', line: 1, text: 'import onnx_model'}],
    edits: [{certain: true, file: 'app.py', line: 4, new: 'model = onnx_model.load_model("models/classifier.onnx")', old: 'model = tf.keras.models.load_model("models/classifier.h5")'}],
    frameworks: {
      keras: {imported: false, inferenceOnly: true, loads: [], otherUses: []},
      tensorflow: {
        imported: true,
        inferenceOnly,
        loads: [{file: 'app.py', line: 4, model: 'models/classifier.h5'}],
        otherUses: inferenceOnly ? [] : [{code: 'tf.image.resize(img, (224, 224))', file: 'app.py', line: 12}],
      },
    },
    imports: ['flask', 'tensorflow'],
    removeImports: [{file: 'app.py', line: 2, old: 'import tensorflow as tf'}],
    ...over,
  }
}

function input(over: Partial<ConvertInput> = {}): ConvertInput {
  const models = [{format: 'keras-h5', path: 'models/classifier.h5', size: 110_000_000}]
  return {
    conversion: conversion(),
    existing: new Set(),
    force: false,
    models,
    names: outputNames(models.map(m => m.path)),
    template: TEMPLATE,
    texts: {'app.py': APP, 'requirements.txt': 'flask\ntensorflow-cpu==2.21.0\n'},
    uses: uses(),
    ...over,
  }
}

describe('plan/convert/plan', () => {
  it('moves an inference-only app to ONNX Runtime: model, code, requirements, runtime module, .slugignore', () => {
    const plan = planConvert(input())
    expect(plan.frameworkLeaves).to.equal(true)
    expect(plan.stays).to.deep.equal([])
    expect(plan.modelWrites).to.deep.equal([{bytes: 109_000_000, from: '/tmp/x/0.onnx', path: 'models/classifier.onnx'}])
    expect(plan.models[0]).to.include({after: 109_000_000, before: 110_000_000, maxAbsDiff: 3.7e-7, onnx: 'models/classifier.onnx', precision: 'fp32'})
    const files = Object.fromEntries(plan.changes.map(c => [c.path, c.after]))
    expect(Object.keys(files)).to.deep.equal(['app.py', 'requirements.txt', 'onnx_model.py', '.slugignore'])
    expect(files['app.py']).to.equal('import onnx_model\nimport flask\n\nmodel = onnx_model.load_model("models/classifier.onnx")\n\ndef predict(x):\n    return model.predict(x)\n')
    expect(files['requirements.txt']).to.equal('flask\nonnxruntime==1.30.0\nnumpy\n')
    expect(files['onnx_model.py']).to.equal(withChecksum(TEMPLATE))
    expect(files['.slugignore']).to.match(/^#>>>heroku-slug-diet:managed-block\n\/models\/classifier\.h5\n#<<<heroku-slug-diet:managed-block\n$/)
    expect(plan.ignored).to.deep.equal(['models/classifier.h5'])
    expect(plan.advice).to.deep.equal([])
    expect(plan.conflicts).to.deep.equal([])
  })

  it('keeps the framework when the app uses it for more than inference, and says where', () => {
    const plan = planConvert(input({uses: uses({}, false)}))
    expect(plan.frameworkLeaves).to.equal(false)
    expect(plan.stays[0]).to.equal('the app uses tensorflow for more than running a model (app.py:12 tf.image.resize(img, (224, 224)))')
    // the model is still converted; nothing else is written, the load edit is advice
    expect(plan.modelWrites).to.have.length(1)
    expect(plan.changes).to.deep.equal([])
    expect(plan.advice.map(a => a.path)).to.deep.equal(['app.py'])
    expect(plan.notes.at(-1)).to.match(/original models stay/)
  })

  it('writes nothing but advice when an edit is not certain', () => {
    const edits = [{...uses().edits[0], certain: false}]
    const plan = planConvert(input({uses: uses({edits})}))
    expect(plan.frameworkLeaves).to.equal(false)
    expect(plan.stays).to.deep.equal(['some loads are not recognised with certainty: apply the diff below by hand, then run again'])
    expect(plan.changes).to.deep.equal([])
    expect(plan.advice.map(a => a.path)).to.deep.equal(['app.py', 'requirements.txt'])
  })

  it('leaves the code as it is when requirements.txt cannot take onnxruntime (--hash lines, no requirements.txt): an app pointed at onnx_model without it would not start', () => {
    const hashed = planConvert(input({texts: {'app.py': APP, 'requirements.txt': 'flask==3.1.3 --hash=sha256:aaaa\ntensorflow-cpu==2.21.0 --hash=sha256:bbbb\n'}}))
    expect(hashed.frameworkLeaves).to.equal(false)
    expect(hashed.stays).to.deep.equal(['requirements.txt cannot be rewritten: requirements.txt has --hash lines: a new requirement needs its hashes, which slug:convert-models cannot compute; edit it by hand'])
    expect(hashed.changes).to.deep.equal([])
    expect(hashed.advice.map(a => a.path)).to.deep.equal(['app.py'])
    expect(hashed.ignored).to.deep.equal([])

    const none = planConvert(input({texts: {'app.py': APP}}))
    expect(none.frameworkLeaves).to.equal(false)
    expect(none.stays).to.deep.equal(['there is no requirements.txt to put onnxruntime in'])
    expect(none.changes).to.deep.equal([])
  })

  it('reports a model that did not convert, and keeps the framework that loads it', () => {
    const plan = planConvert(input({conversion: conversion({error: 'custom layer MyLayer: pass it with custom_objects', ok: false, onnx: null})}))
    expect(plan.models[0]).to.deep.include({error: 'custom layer MyLayer: pass it with custom_objects', ok: false})
    expect(plan.modelWrites).to.deep.equal([])
    expect(plan.stays).to.deep.equal(['no model converted'])
  })

  it('keeps int8 only where it verified, else fp32 with the reason', () => {
    const kept = planConvert(input({conversion: conversion({int8: {bytes: 27_000_000, kept: true, maxAbsDiff: 0.014, path: '/tmp/x/0.int8.onnx', reason: null, top1Agreement: 1}})}))
    expect(kept.modelWrites).to.deep.equal([{bytes: 27_000_000, from: '/tmp/x/0.int8.onnx', path: 'models/classifier.int8.onnx'}])
    expect(kept.models[0]).to.include({maxAbsDiff: 0.014, precision: 'int8'})
    const int8 = {bytes: 27_000_000, kept: false, maxAbsDiff: 0.3, path: '/tmp/x/0.int8.onnx', reason: 'top-1 agreement 93.8% under 99%', top1Agreement: 0.938}
    const refused = planConvert(input({conversion: conversion({int8})}))
    expect(refused.models[0]).to.include({int8Note: 'top-1 agreement 93.8% under 99%', precision: 'fp32'})
    expect(refused.modelWrites[0].path).to.equal('models/classifier.onnx')
  })

  it('refuses to replace files the plugin did not write, unless forced', () => {
    const texts = {...input().texts, 'onnx_model.py': 'def load_model(p):\n    pass\n'}
    const plan = planConvert(input({existing: new Set(['models/classifier.onnx', 'onnx_model.py']), texts}))
    expect(plan.conflicts).to.deep.equal([
      'models/classifier.onnx exists and would be replaced by the converted model (pass --force to replace it)',
      'onnx_model.py exists and was not written by slug:convert-models (pass --force to replace it)',
    ])
    expect(planConvert(input({existing: new Set(['models/classifier.onnx', 'onnx_model.py']), force: true, texts})).conflicts).to.deep.equal([])
    // an older runtime module the plugin wrote is replaced; one edited since is not
    const older = planConvert(input({texts: {...input().texts, 'onnx_model.py': withChecksum('"""v0"""\n')}}))
    expect(older.conflicts).to.deep.equal([])
    expect(older.changes.find(c => c.path === 'onnx_model.py')!.after).to.equal(withChecksum(TEMPLATE))
    const edited = planConvert(input({texts: {...input().texts, 'onnx_model.py': `${withChecksum(TEMPLATE)}# mine\n`}}))
    expect(edited.conflicts).to.deep.equal(['onnx_model.py was written by slug:convert-models but edited since (pass --force to replace it)'])
  })

  it('keeps the user\'s .slugignore lines and CRLF line endings', () => {
    const plan = planConvert(input({texts: {...input().texts, '.slugignore': '/docs/\r\n', 'requirements.txt': 'flask\r\ntensorflow\r\n'}}))
    const files = Object.fromEntries(plan.changes.map(c => [c.path, c.after]))
    expect(files['.slugignore']).to.equal('/docs/\r\n\r\n#>>>heroku-slug-diet:managed-block\r\n/models/classifier.h5\r\n#<<<heroku-slug-diet:managed-block\r\n')
    expect(files['requirements.txt']).to.equal('flask\r\nonnxruntime==1.30.0\r\nnumpy\r\n')
  })

  it('does not decide for the framework without the app\'s code', () => {
    const plan = planConvert(input({uses: undefined}))
    expect(plan.stays).to.deep.equal(['the app\'s code was not read'])
    expect(plan.changes).to.deep.equal([])
  })
})
