import {expect} from 'chai'

import {planConvertRequirements} from '../../../../../src/lib/plan/convert/requirements.js'

const base = {onnxruntime: '1.30.0', path: 'requirements.txt'}

describe('plan/convert/requirements', () => {
  it('replaces the framework lines with onnxruntime pinned to the verifying version, plus numpy', () => {
    const text = '# web\nflask==3.0.0\ntensorflow-cpu==2.21.0  # the model\ngunicorn\nkeras>=3\n'
    const plan = planConvertRequirements({...base, text})
    expect(plan.text).to.equal('# web\nflask==3.0.0\ngunicorn\nonnxruntime==1.30.0\nnumpy\n')
    expect(plan.edits.map(e => [e.package, e.line])).to.deep.equal([['tensorflow-cpu', 3], ['keras', 5], ['onnxruntime', 0], ['numpy', 0]])
  })

  it('keeps numpy and onnxruntime lines the file already has', () => {
    const plan = planConvertRequirements({...base, text: 'torch==2.13.0\nnumpy==2.1.0\n'})
    expect(plan.text).to.equal('numpy==2.1.0\nonnxruntime==1.30.0\n')
  })

  it('drops a companion only when the app does not import it', () => {
    const text = 'tensorflow\nh5py\ntensorboard\n'
    expect(planConvertRequirements({...base, text}).text).to.equal('h5py\ntensorboard\nonnxruntime==1.30.0\nnumpy\n')
    expect(planConvertRequirements({...base, imports: ['flask'], text}).text).to.equal('onnxruntime==1.30.0\nnumpy\n')
    const kept = planConvertRequirements({...base, imports: ['h5py'], text})
    expect(kept.text).to.equal('h5py\nonnxruntime==1.30.0\nnumpy\n')
    expect(kept.kept).to.deep.equal([{line: 2, package: 'h5py', why: 'the app imports h5py'}])
  })

  it('keeps the framework while a package that stays requires it (reverse dependencies)', () => {
    const plan = planConvertRequirements({...base, text: 'torch==2.13.0\ntorchvision==0.28.0\n'})
    expect(plan.text).to.equal(undefined)
    expect(plan.kept).to.deep.equal([{line: 1, package: 'torch', why: 'torchvision requires it and stays'}])
    const resolved = planConvertRequirements({...base, dependents: new Map([['tensorflow', ['my-lib']]]), text: 'tensorflow\nmy-lib\n'})
    expect(resolved.kept[0].why).to.equal('my-lib requires it and stays')
  })

  it('leaves a file with --hash lines to the user', () => {
    const plan = planConvertRequirements({...base, text: 'tensorflow==2.21.0 --hash=sha256:abc\n'})
    expect(plan.text).to.equal(undefined)
    expect(plan.kept[0].why).to.match(/--hash/)
  })
})
