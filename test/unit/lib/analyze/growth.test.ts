import {expect} from 'chai'

import {slugGrowth, slugReleases} from '../../../../src/lib/analyze/growth.js'

const MB = 1e6

describe('analyze/growth', () => {
  describe('slugReleases', () => {
    it('keeps succeeded releases with a slug, oldest first, none newer than the current one', () => {
      const releases = [
        {current: false, slug: {id: 's9'}, status: 'pending', version: 9},
        {current: false, slug: {id: 's8'}, status: 'failed', version: 8},
        {current: true, slug: {id: 's7'}, status: 'succeeded', version: 7},
        {current: false, slug: {id: 's5'}, status: 'succeeded', version: 6},
        {current: false, slug: {id: 's5'}, status: 'succeeded', version: 5},
        {current: false, slug: null, status: 'succeeded', version: 2},
      ]
      expect(slugReleases(releases)).to.deep.equal([
        {slugId: 's5', version: 5},
        {slugId: 's5', version: 6},
        {slugId: 's7', version: 7},
      ])
    })

    it('reads a rollback\'s history as Heroku ran it: the current release is the newest counted', () => {
      const releases = [
        {current: true, slug: {id: 'old'}, status: 'succeeded', version: 12},
        {current: false, slug: {id: 'big'}, status: 'succeeded', version: 11},
        {current: false, slug: {id: 'old'}, status: 'succeeded', version: 10},
      ]
      expect(slugReleases(releases).map(r => r.version)).to.deep.equal([10, 11, 12])
    })
  })

  describe('slugGrowth', () => {
    it('measures growth from the first release to the last, per release, and the biggest jump', () => {
      const growth = slugGrowth([
        {size: 200 * MB, slugId: 'a', version: 120},
        {size: 210 * MB, slugId: 'b', version: 121},
        {size: 210 * MB, slugId: 'b', version: 122},
        {size: 294 * MB, slugId: 'c', version: 123},
        {size: 280 * MB, slugId: 'd', version: 124},
      ])
      expect(growth?.growth).to.equal(80 * MB)
      expect(growth?.perRelease).to.equal(20 * MB)
      expect(growth?.biggestJump).to.deep.equal({bytes: 84 * MB, version: 123})
      expect(growth?.releases).to.have.length(5)
    })

    it('says a shrinking slug shrank, with no jump to name', () => {
      const growth = slugGrowth([{size: 300 * MB, slugId: 'a', version: 1}, {size: 250 * MB, slugId: 'b', version: 2}])
      expect(growth?.growth).to.equal(-50 * MB)
      expect(growth?.perRelease).to.equal(-50 * MB)
      expect(growth).not.to.have.property('biggestJump')
    })

    it('a single release has not grown; no release has no history', () => {
      expect(slugGrowth([{size: 5, slugId: 'a', version: 1}])).to.deep.equal({growth: 0, perRelease: 0, releases: [{size: 5, slugId: 'a', version: 1}]})
      expect(slugGrowth([])).to.equal(undefined)
    })
  })
})
