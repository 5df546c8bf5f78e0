import {expect} from 'chai'

import {buildpackSitePackagesEnd} from '../../../../src/lib/analyze/paths.js'

describe('buildpackSitePackagesEnd', () => {
  it('finds where the path below the buildpack site-packages starts', () => {
    const path = '.heroku/python/lib/python3.12/site-packages/numpy/core/x.so'
    expect(path.slice(buildpackSitePackagesEnd(path))).to.equal('numpy/core/x.so')
  })

  it('is -1 anywhere else: another prefix, no pythonX.Y folder, the folder itself, a lookalike', () => {
    for (const path of [
      'app.py',
      'venv/lib/python3.12/site-packages/numpy/x.py',
      '.heroku/python/lib/python/site-packages/numpy/x.py',
      '.heroku/python/lib/python3.12/site-packages/',
      '.heroku/python/lib/python3.12/site-packagesx/numpy.py',
      '.heroku/python/lib/python3.12/dist-packages/numpy.py',
    ]) expect(buildpackSitePackagesEnd(path), path).to.equal(-1)
  })
})
