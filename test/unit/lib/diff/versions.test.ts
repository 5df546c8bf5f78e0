import {expect} from 'chai'

import {compareVersions} from '../../../../src/lib/diff/versions.js'

describe('compareVersions', () => {
  it('compares numbers as numbers and puts pre-releases before the release', () => {
    const sorted = ['2.16.0', '2.9.1', '2.16.0rc1', '2.16.1', '10.0', '1.0.0-beta.2', '1.0.0'].sort(compareVersions)
    expect(sorted).to.deep.equal(['1.0.0-beta.2', '1.0.0', '2.9.1', '2.16.0rc1', '2.16.0', '2.16.1', '10.0'])
    expect(compareVersions('1.26.4', '1.26.4')).to.equal(0)
    expect(compareVersions('2.16', '2.16.0')).to.equal(0)
  })
})
