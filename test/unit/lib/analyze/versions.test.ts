import {expect} from 'chai'

import {compareVersions, publicVersion, withoutLocal} from '../../../../src/lib/analyze/versions.js'

describe('compareVersions', () => {
  it('compares numbers as numbers and puts pre-releases before the release', () => {
    const sorted = ['2.16.0', '2.9.1', '2.16.0rc1', '2.16.1', '10.0', '1.0.0-beta.2', '1.0.0'].sort((a, b) => compareVersions(a, b))
    expect(sorted).to.deep.equal(['1.0.0-beta.2', '1.0.0', '2.9.1', '2.16.0rc1', '2.16.0', '2.16.1', '10.0'])
    expect(compareVersions('1.26.4', '1.26.4')).to.equal(0)
    expect(compareVersions('2.16', '2.16.0')).to.equal(0)
  })

  describe('Python versions order by PEP 440', () => {
    it('puts a post-release after its release', () => {
      expect(compareVersions('1.0.post1', '1.0')).to.be.greaterThan(0)
      expect(compareVersions('1.0', '1.0.post1')).to.be.lessThan(0)
    })

    it('puts a local version (+cpu, what slug:diet writes) after its public version, never before', () => {
      expect(compareVersions('2.5.1+cpu', '2.5.1')).to.be.greaterThan(0)
      expect(compareVersions('2.5.1+cpu', '2.5.0')).to.be.greaterThan(0)
      expect(compareVersions('2.5.1+cpu', '2.5.2')).to.be.lessThan(0)
    })

    it('puts a dev release before the pre-releases of the same version', () => {
      expect(compareVersions('1.0.dev1', '1.0a1')).to.be.lessThan(0)
      const sorted = ['1.0', '1.0.post1', '1.0rc1', '1.0.dev1', '1.0a1', '1.0b2', '1!0.1'].sort((a, b) => compareVersions(a, b))
      expect(sorted).to.deep.equal(['1.0.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0.post1', '1!0.1'])
    })
  })

  describe('other ecosystems keep the numeric ordering', () => {
    it('orders npm versions whose build metadata PEP 440 would read as a local version, by semver precedence', () => {
      expect(compareVersions('1.0.0+build.5', '1.0.0', 'node')).to.equal(0)
      expect(compareVersions('1.0.0-alpha.beta', '1.0.0', 'node')).to.be.lessThan(0)
      expect(compareVersions('1.10.0', '1.9.9', 'node')).to.be.greaterThan(0)
    })

    it('orders gem pre-releases before the release', () => {
      expect(compareVersions('7.1.0.rc1', '7.1.0', 'ruby')).to.be.lessThan(0)
      expect(compareVersions('7.1.10', '7.1.9', 'ruby')).to.be.greaterThan(0)
    })

    it('falls back for a Python version PEP 440 cannot read', () => {
      expect(compareVersions('2.0-custom.x', '1.0')).to.be.greaterThan(0)
    })
  })
})

describe('publicVersion / withoutLocal', () => {
  it('reads the local label PEP 440 defines', () => {
    expect(publicVersion('2.5.1+cpu')).to.deep.equal({local: 'cpu', public: '2.5.1'})
    expect(publicVersion('2.5.1')).to.deep.equal({local: undefined, public: '2.5.1'})
    expect(withoutLocal('2.5.1+cu121')).to.equal('2.5.1')
    expect(withoutLocal('not a version+x')).to.equal('not a version')
  })
})
