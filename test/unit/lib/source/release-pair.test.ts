import type * as Heroku from '@heroku-cli/schema'

import {expect} from 'chai'

import {previousSlugRelease, resolveReleasePair} from '../../../../src/lib/source/release-pair.js'
import {platformApi} from '../../../helpers/platform-api.js'
import {rejection} from '../../../helpers/rejection.js'

function release(version: number, slugId: null | string, status: Heroku.Release['status'] = 'succeeded', current = false): Heroku.Release {
  return {current, slug: slugId ? {id: slugId} : null, status, version}
}

describe('source/release-pair', () => {
  describe('previousSlugRelease', () => {
    it('skips config-only releases that reuse the slug, failed releases and releases without a slug', () => {
      const to = release(12, 'c', 'succeeded', true)
      const releases = [
        release(13, 'd', 'failed'),
        to,
        release(11, 'c'),
        release(10, 'b', 'failed'),
        release(9, null),
        release(8, 'a'),
        release(7, 'z'),
      ]
      expect(previousSlugRelease(releases, to)?.version).to.equal(8)
    })

    it('takes a rollback slug for what it is: the release before it with another slug', () => {
      // v5 rolled back to v3's slug: compared with v4, the slug it replaced.
      const to = release(5, 'a', 'succeeded', true)
      expect(previousSlugRelease([to, release(4, 'b'), release(3, 'a')], to)?.version).to.equal(4)
    })

    it('finds nothing when every older release has the same slug', () => {
      const to = release(3, 'a', 'succeeded', true)
      expect(previousSlugRelease([to, release(2, 'a'), release(1, 'a')], to)).to.equal(undefined)
    })
  })

  describe('resolveReleasePair', () => {
    const platform = platformApi()

    const listing = [release(4, 'd', 'pending'), release(3, 'c', 'succeeded', true), release(2, 'b'), release(1, 'a')]

    it('compares from the previous different slug to a given TO', async () => {
      platform.api.get('/apps/myapp').reply(200, {name: 'myapp'}).get('/apps/myapp/releases').reply(206, listing)
      const pair = await resolveReleasePair(platform.heroku, 'myapp', {to: 2})
      expect([pair.from.version, pair.to.version]).to.deep.equal([1, 2])
    })

    it('looks up a release outside the listed window', async () => {
      platform.api
      .get('/apps/myapp')
      .reply(200, {name: 'myapp'})
      .get('/apps/myapp/releases')
      .reply(206, listing)
      .get('/apps/myapp/releases/0')
      .reply(200, release(0, 'genesis'))
      const pair = await resolveReleasePair(platform.heroku, 'myapp', {from: 0})
      expect([pair.from.slug?.id, pair.to.slug?.id]).to.deep.equal(['genesis', 'c'])
    })

    it('says why a container app has nothing to compare', async () => {
      platform.api.get('/apps/box').reply(200, {build_stack: {name: 'container'}, name: 'box'}).get('/apps/box/releases').reply(206, [])
      const error = await rejection(resolveReleasePair(platform.heroku, 'box', {}))
      expect(error.message).to.match(/^box uses the container stack/)
    })

    it('says so when the app has no releases, or no current one', async () => {
      platform.api.get('/apps/fresh').reply(200, {name: 'fresh'}).get('/apps/fresh/releases').reply(200, [])
      let error = await rejection(resolveReleasePair(platform.heroku, 'fresh', {}))
      expect(error.message).to.equal('fresh has no releases yet: nothing to compare.')
      platform.api.get('/apps/broken').reply(200, {name: 'broken'}).get('/apps/broken/releases').reply(206, [release(1, 'a', 'failed')])
      error = await rejection(resolveReleasePair(platform.heroku, 'broken', {}))
      expect(error.message).to.equal('broken has no current successful release: name the two releases to compare, e.g. heroku slug:diff -a broken v41 v42.')
    })

    it('refuses a release that has no slug', async () => {
      platform.api.get('/apps/myapp').reply(200, {name: 'myapp'}).get('/apps/myapp/releases').reply(206, [...listing, release(0, null)])
      const error = await rejection(resolveReleasePair(platform.heroku, 'myapp', {from: 0}))
      expect(error.message).to.equal('Release v0 of myapp has no slug to compare (a Docker release, or an app that was never built).')
    })

    it('says in one line that an answer is not a release list (it failed as releases.find is not a function)', async () => {
      platform.api.get('/apps/myapp').reply(200, {name: 'myapp'}).get('/apps/myapp/releases').reply(206, {releases: []})
      const error = await rejection(resolveReleasePair(platform.heroku, 'myapp', {}))
      expect(error.name).to.equal('UserError')
      expect(error.message).to.equal('The Heroku API answered GET /apps/myapp/releases with something that is not a release list.')
    })
  })
})
