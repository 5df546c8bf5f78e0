import {expect} from 'chai'

import {normalizePythonName} from '../../../../src/lib/analyze/python/dist-info.js'
import {DEV_PACKAGES} from '../../../../src/lib/knowledge/dev-packages.js'
import {CUDA_PACKAGES, HEAVY_PACKAGES} from '../../../../src/lib/knowledge/heavy-packages.js'
import {MODEL_FORMATS, modelFormatByExtension} from '../../../../src/lib/knowledge/model-formats.js'

function cuda(name: string): boolean {
  return CUDA_PACKAGES.some(c => c.pattern.test(name))
}

describe('knowledge tables', () => {
  it('every row cites an https source', () => {
    for (const row of [...HEAVY_PACKAGES, ...DEV_PACKAGES, ...CUDA_PACKAGES, ...MODEL_FORMATS]) {
      expect(row.source, JSON.stringify(row)).to.match(/^https:\/\/[^\s]+$/)
    }
  })

  it('heavy packages: normalized names, a lighter alternative, figures that make a saving', () => {
    for (const row of HEAVY_PACKAGES) {
      expect(row.name).to.equal(normalizePythonName(row.name))
      expect(row.alternativeWheelBytes).to.be.greaterThan(0)
      expect(row.alternativeWheelBytes).to.be.below(row.wheelBytes)
      expect(row.remedy).to.include(row.name)
    }

    const tf = HEAVY_PACKAGES.find(r => r.name === 'tensorflow')!
    expect([tf.alternative, tf.wheelBytes, tf.alternativeWheelBytes]).to.deep.equal(['tensorflow-cpu', 590e6, 214e6])
    expect(HEAVY_PACKAGES.find(r => r.name === 'torch')!.gpuFiles!.test('site-packages/torch/lib/libtorch_cuda.so')).to.equal(true)
    expect(HEAVY_PACKAGES.find(r => r.name === 'torch')!.gpuFiles!.test('site-packages/torch/lib/libtorch_cpu.so')).to.equal(false)
  })

  it('dev packages: normalized, unique, with a size for estimates', () => {
    const names = DEV_PACKAGES.map(r => r.name)
    expect(new Set(names).size).to.equal(names.length)
    for (const row of DEV_PACKAGES) {
      expect(row.name).to.equal(normalizePythonName(row.name))
      expect(row.typicalBytes).to.be.greaterThan(0)
    }

    expect(names).to.include.members(['pytest', 'jupyter', 'notebook', 'ipykernel', 'black', 'tensorboard', 'mypy', 'ruff'])
  })

  it('CUDA patterns match the CUDA wheels and nothing else', () => {
    for (const name of ['nvidia-cublas-cu12', 'nvidia-nccl-cu12', 'triton', 'jax-cuda12-plugin', 'cupy-cuda12x']) expect(cuda(name), name).to.equal(true)
    for (const name of ['torch', 'tritonclient', 'jax', 'numpy']) expect(cuda(name), name).to.equal(false)
  })

  it('model formats: one format per extension', () => {
    const extensions = MODEL_FORMATS.flatMap(f => f.extensions)
    expect(new Set(extensions).size).to.equal(extensions.length)
    expect(modelFormatByExtension('.gguf')!.format).to.equal('gguf')
    expect(modelFormatByExtension('.csv')).to.equal(undefined)
  })
})
