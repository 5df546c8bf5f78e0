import {expect} from 'chai'

import {convertedOriginals, outputNames} from '../../../../../src/lib/plan/convert/naming.js'

describe('plan/convert/naming', () => {
  it('names the ONNX model beside the original, without its extension', () => {
    expect(outputNames(['models/classifier.h5', 'net.pt']).get('models/classifier.h5')).to.deep.equal({int8: 'models/classifier.int8.onnx', onnx: 'models/classifier.onnx'})
    expect(outputNames(['net.pt']).get('net.pt')!.onnx).to.equal('net.onnx')
  })

  it('keeps the extension in both names when two originals of a folder share a stem', () => {
    const names = outputNames(['models/classifier.h5', 'models/classifier.keras', 'other/classifier.pt'])
    expect(names.get('models/classifier.h5')).to.deep.equal({int8: 'models/classifier-h5.int8.onnx', onnx: 'models/classifier-h5.onnx'})
    expect(names.get('models/classifier.keras')!.onnx).to.equal('models/classifier-keras.onnx')
    // another folder: no collision
    expect(names.get('other/classifier.pt')!.onnx).to.equal('other/classifier.onnx')
  })

  it('never gives two models one output name, fp32 or int8: a later one in path order takes -2', () => {
    const names = outputNames(['m/classifier.h5', 'm/classifier.keras', 'm/classifier-keras.pt', 'm/net.h5', 'm/net.int8.h5'])
    const all = [...names.values()].flatMap(n => [n.onnx, n.int8])
    expect(new Set(all).size).to.equal(all.length)
    // "-" sorts before ".": classifier-keras.pt comes first and keeps its own name
    expect(names.get('m/classifier-keras.pt')!.onnx).to.equal('m/classifier-keras.onnx')
    expect(names.get('m/classifier.keras')!.onnx).to.equal('m/classifier-keras-2.onnx')
    expect(names.get('m/net.h5')).to.deep.equal({int8: 'm/net.int8.onnx', onnx: 'm/net.onnx'})
    expect(names.get('m/net.int8.h5')!.onnx).to.equal('m/net.int8-2.onnx')
  })

  it('names a SavedModel folder or a file without an extension by its whole name', () => {
    const names = outputNames(['models/sentiment', 'weights', '.hidden'])
    expect(names.get('models/sentiment')!.onnx).to.equal('models/sentiment.onnx')
    expect(names.get('weights')!.onnx).to.equal('weights.onnx')
    expect(names.get('.hidden')!.onnx).to.equal('.hidden.onnx')
  })
})

describe('plan/convert/naming: convertedOriginals', () => {
  it('finds the models whose ONNX file sits beside them, under either name, fp32 or int8', () => {
    const models = [
      {format: 'keras-h5', path: 'models/a.h5'},
      {format: 'keras-zip', path: 'models/b.keras'},
      {format: 'pytorch', path: 'models/c.pt'},
      {format: 'pickle', path: 'models/d.pkl'},
      {format: 'keras-h5', path: 'models/e.h5'},
    ]
    const paths = ['models/a.onnx', 'models/b-keras.onnx', 'models/c.int8.onnx', 'models/d.onnx', ...models.map(m => m.path)]
    expect(convertedOriginals(models, paths)).to.deep.equal(['models/a.h5', 'models/b.keras', 'models/c.pt'])
  })
})
