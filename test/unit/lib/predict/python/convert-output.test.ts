import {expect} from 'chai'
import * as v from 'valibot'

import {ConversionSchema} from '../../../../../src/lib/predict/python/convert-output.js'

const model = (int8: unknown) => ({
  error: null, format: 'h5', fp32: {maxAbsDiff: 1e-7, maxRelDiff: 5e-7, ok: true, top1Agreement: 1}, inputs: [], int8,
  ok: true, onnx: {bytes: 109_000_000, path: '/tmp/x/0.onnx'}, outputs: [], path: '/app/models/classifier.h5', seconds: 6.6,
})

describe('convert_models.py output schema', () => {
  it('reads a quantization that failed (its figures null, not kept, with the reason) instead of refusing the whole run', () => {
    const failed = {bytes: null, kept: false, maxAbsDiff: null, maxRelDiff: null, path: '/tmp/x/0.int8.onnx', reason: 'quantization failed: shape inference', top1Agreement: null}
    const parsed = v.parse(ConversionSchema, {missing: [], models: [model(failed)], python: '3.11.7', versions: {onnxruntime: '1.30.0'}})
    expect(parsed.models[0].int8).to.include({kept: false, reason: 'quantization failed: shape inference'})
  })

  it('still refuses an int8 result whose figures have the wrong type', () => {
    const wrong = {bytes: '27 MB', kept: true, maxAbsDiff: 0.01, path: '/tmp/x/0.int8.onnx', reason: null, top1Agreement: 1}
    expect(v.safeParse(ConversionSchema, {missing: [], models: [model(wrong)], python: '3.11.7', versions: {}}).success).to.equal(false)
  })
})
