import {expect} from 'chai'

import {classifyFiles} from '../../../../src/lib/analyze/classify.js'
import {detectModelFormat, savedModelRoots} from '../../../../src/lib/analyze/models.js'
import {HDF5_PEEK, safetensorsPeek, ScanBuilder, zipPeek} from '../../../helpers/scan-fixtures.js'

function tflitePeek(): Buffer {
  return Buffer.concat([Buffer.from([0x1c, 0, 0, 0]), Buffer.from('TFL3'), Buffer.alloc(120)])
}

function onnxPeek(producer: string): Buffer {
  return Buffer.concat([Buffer.from([0x08, 0x08, 0x12, producer.length]), Buffer.from(producer), Buffer.from([0x1a, 0x03]), Buffer.alloc(100)])
}

const PICKLE = Buffer.concat([Buffer.from([0x80, 0x04, 0x95]), Buffer.alloc(100)])

describe('detectModelFormat', () => {
  it('recognises HDF5 by its signature: Keras for .h5/.keras, plain HDF5 otherwise', () => {
    expect(detectModelFormat('models/classifier.h5', HDF5_PEEK)).to.equal('keras-h5')
    expect(detectModelFormat('models/legacy.keras', HDF5_PEEK)).to.equal('keras-h5')
    expect(detectModelFormat('weights/encoder.hdf5', HDF5_PEEK)).to.equal('hdf5')
    expect(detectModelFormat('weights/encoder.bin', HDF5_PEEK)).to.equal('hdf5')
  })

  it('tells a Keras 3 zip from a PyTorch zip by the first entry', () => {
    expect(detectModelFormat('model.keras', zipPeek('metadata.json'))).to.equal('keras-zip')
    expect(detectModelFormat('export/model.zip', zipPeek('config.json'))).to.equal('keras-zip')
    expect(detectModelFormat('pytorch_model.bin', zipPeek('archive/data.pkl'))).to.equal('pytorch')
    expect(detectModelFormat('weights/resnet.pt', zipPeek('resnet/data.pkl'))).to.equal('pytorch')
    expect(detectModelFormat('weights/scripted', zipPeek('scripted/code/__torch__.py'))).to.equal('pytorch')
  })

  it('leaves data zips alone (an .npz is a zip of .npy arrays)', () => {
    expect(detectModelFormat('data/arrays.npz', zipPeek('arr_0.npy'))).to.equal(undefined)
    expect(detectModelFormat('data/export.zip', zipPeek('rows.csv'))).to.equal(undefined)
  })

  it('recognises TFLite, GGUF, safetensors and ONNX by content', () => {
    expect(detectModelFormat('assets/detector.bin', tflitePeek())).to.equal('tflite')
    expect(detectModelFormat('llm/weights', Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(60)]))).to.equal('gguf')
    expect(detectModelFormat('hf/model.bin', safetensorsPeek())).to.equal('safetensors')
    expect(detectModelFormat('exported/model', onnxPeek('pytorch'))).to.equal('onnx')
    expect(detectModelFormat('random.dat', onnxPeek('hello'))).to.equal(undefined)
  })

  it('names pickles by extension: legacy torch, joblib, pickle', () => {
    expect(detectModelFormat('old.pth', PICKLE)).to.equal('pytorch-legacy')
    expect(detectModelFormat('pytorch_model.bin', PICKLE)).to.equal('pytorch-legacy')
    expect(detectModelFormat('model.joblib', PICKLE)).to.equal('joblib')
    expect(detectModelFormat('model.pkl', PICKLE)).to.equal('pickle')
    expect(detectModelFormat('notes.txt', PICKLE)).to.equal(undefined)
  })

  it('falls back to the extension when the peek says nothing (or there is none: files under 1 KiB)', () => {
    expect(detectModelFormat('m/model.onnx')).to.equal('onnx')
    expect(detectModelFormat('m/model.tflite')).to.equal('tflite')
    expect(detectModelFormat('m/model.safetensors', Buffer.alloc(64))).to.equal('safetensors')
    expect(detectModelFormat('m/model.joblib', Buffer.from([0x78, 0x9c, 1, 2]))).to.equal('joblib')
    expect(detectModelFormat('m/MODEL.H5')).to.equal('keras-h5')
    expect(detectModelFormat('src/app.py', Buffer.from('import os\n'.repeat(30)))).to.equal(undefined)
    expect(detectModelFormat('data/table.csv')).to.equal(undefined)
  })

  it('marks saved_model.pb and saved_model.pbtxt as SavedModel', () => {
    expect(detectModelFormat('export/1/saved_model.pb')).to.equal('savedmodel')
    expect(detectModelFormat('export/2/saved_model.pbtxt')).to.equal('savedmodel')
  })
})

describe('SavedModel folders', () => {
  const scan = new ScanBuilder()
  .file('models/sentiment/saved_model.pb', 400_000, {peek: Buffer.from([0x08, 0x01, 0x12, 0x02, 0x41, 0x41])})
  .file('models/sentiment/fingerprint.pb', 100)
  .file('models/sentiment/variables/variables.data-00000-of-00001', 80_000_000, {peek: Buffer.alloc(256, 7)})
  .file('models/sentiment/variables/variables.index', 20_000, {peek: Buffer.alloc(256, 3)})
  .file('models/sentiment/assets/vocab.txt', 300_000)
  .file('models/other.txt', 10)
  .build()

  it('makes every file under the folder part of the one SavedModel', () => {
    const files = classifyFiles(scan)
    const saved = files.filter(f => f.modelFormat === 'savedmodel').map(f => f.path)
    expect(saved).to.have.length(5)
    expect(files.find(f => f.path === 'models/other.txt')!.modelFormat).to.equal(undefined)
    expect(files.filter(f => f.category === 'model')).to.have.length(5)
    expect(savedModelRoots(files)).to.deep.equal(['models/sentiment'])
  })
})
