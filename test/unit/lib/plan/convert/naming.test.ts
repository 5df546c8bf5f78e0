import {expect} from 'chai'

import {outputNames} from '../../../../../src/lib/plan/convert/naming.js'

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

  it('names a SavedModel folder or a file without an extension by its whole name', () => {
    const names = outputNames(['models/sentiment', 'weights', '.hidden'])
    expect(names.get('models/sentiment')!.onnx).to.equal('models/sentiment.onnx')
    expect(names.get('weights')!.onnx).to.equal('weights.onnx')
    expect(names.get('.hidden')!.onnx).to.equal('.hidden.onnx')
  })
})
