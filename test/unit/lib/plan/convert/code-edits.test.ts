import {expect} from 'chai'

import {planCodeEdits} from '../../../../../src/lib/plan/convert/code-edits.js'
import type {AppUses} from '../../../../../src/lib/predict/python/convert-output.js'

const frameworks = {tensorflow: {imported: true, inferenceOnly: true, loads: [], otherUses: []}}

describe('plan/convert/code-edits', () => {
  it('replaces a statement spanning several lines, and a multi-line import, by their quoted lines', () => {
    const text = 'from tensorflow.keras.models import (\n    load_model,\n)\n\nmodel = load_model(\n    "m.h5", compile=False)\nprint(1)\n'
    const uses: AppUses = {
      addImport: [{file: 'a.py', line: 1, text: 'import onnx_model'}],
      edits: [{certain: false, file: 'a.py', line: 5, new: 'model = onnx_model.load_model(\n    "m.onnx")', old: 'model = load_model(\n    "m.h5", compile=False)'}],
      frameworks,
      removeImports: [{file: 'a.py', line: 1, old: 'from tensorflow.keras.models import (\n    load_model,\n)'}],
    }
    const plan = planCodeEdits(uses, {'a.py': text}, true)
    // only uncertain edits: nothing certain to write beyond the import removal
    expect(plan.certain.get('a.py')).to.equal('\nmodel = load_model(\n    "m.h5", compile=False)\nprint(1)\n')
    expect(plan.all.get('a.py')).to.equal('import onnx_model\n\nmodel = onnx_model.load_model(\n    "m.onnx")\nprint(1)\n')
    expect(plan.stale).to.deep.equal([])
  })

  it('reports an edit whose lines changed since app_uses.py read them, and does not make it', () => {
    const uses: AppUses = {
      addImport: [],
      edits: [{certain: true, file: 'a.py', line: 1, new: 'm = onnx_model.load_model("m.onnx")', old: 'm = load_model("m.h5")'}],
      frameworks,
      removeImports: [],
    }
    const plan = planCodeEdits(uses, {'a.py': 'm = load_model("other.h5")\n'}, true)
    expect(plan.certain.size).to.equal(0)
    expect(plan.stale).to.deep.equal([{file: 'a.py', line: 1, old: 'm = load_model("m.h5")'}])
  })
})
