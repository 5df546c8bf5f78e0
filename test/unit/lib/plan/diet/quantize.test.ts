import {expect} from 'chai'

import {quantizableModels, quantizeFinding, tfliteOutputs} from '../../../../../src/lib/plan/diet/quantize.js'
import {row} from './helpers.js'

const FILES = [
  row('models/classifier.h5', 80e6, {category: 'model', compressed: 76e6, modelFormat: 'keras-h5'}),
  row('models/encoder/saved_model.pb', 1e6, {category: 'model', compressed: 0.5e6, modelFormat: 'savedmodel'}),
  row('models/encoder/variables/variables.data-00000-of-00001', 40e6, {category: 'model', compressed: 39.5e6, modelFormat: 'savedmodel'}),
  row('models/tiny.onnx', 5e6, {category: 'model', compressed: 4e6, modelFormat: 'onnx'}),
  row('models/already.tflite', 5e6, {category: 'model', compressed: 4e6, modelFormat: 'tflite'}),
  row('.heroku/python/lib/python3.11/site-packages/h5py/tests/data.h5', 1e6, {modelFormat: 'keras-h5'}),
]

describe('quantize', () => {
  it('finds Keras files and SavedModel folders in the repo, with ~4x estimated savings', () => {
    const models = quantizableModels(FILES)
    expect(models.map(m => [m.path, m.format, m.files])).to.deep.equal([
      ['models/classifier.h5', 'keras-h5', 1],
      ['models/encoder', 'savedmodel', 2],
    ])
    expect(models[0].savings).to.equal(57e6)
    const finding = quantizeFinding(models)!
    expect(finding.estimated).to.equal(true)
    expect(finding.savings).to.equal(57e6 + 30e6)
    expect(finding.source).to.match(/post_training_quant/)
    expect(quantizeFinding([])).to.equal(undefined)
  })

  it('never gives two models the same .tflite, even when a longer name would take the plain one (a.h5.keras)', () => {
    const models = [{format: 'keras-h5', path: 'a.h5'}, {format: 'keras-zip', path: 'a.keras'}, {format: 'keras-zip', path: 'a.h5.keras'}]
    const outputs = [...tfliteOutputs(models).values()]
    expect(new Set(outputs).size).to.equal(3)
    expect(Object.fromEntries(tfliteOutputs(models))).to.deep.equal({'a.h5': 'a.h5.tflite', 'a.h5.keras': 'a.h5.keras.tflite', 'a.keras': 'a.keras.tflite'})
  })
})
