import {expect} from 'chai'

import {currentRelease, noSlugReason, parseReleaseVersion, resolveSlug, slugSha256} from '../../../../src/lib/heroku/slugs.js'
import {platformApi} from '../../../helpers/platform-api.js'
import {rejection} from '../../../helpers/rejection.js'

const not = (path: string, what: string) => `The Heroku API answered GET ${path} with something that is not ${what}.`

describe('heroku/slugs', () => {
  const platform = platformApi()

  describe('currentRelease', () => {
    it('picks the current succeeded release, not the newest', () => {
      const releases = [
        {current: false, status: 'failed' as const, version: 44},
        {current: false, status: 'pending' as const, version: 43},
        {current: true, status: 'succeeded' as const, version: 42},
      ]
      expect(currentRelease(releases)?.version).to.equal(42)
      expect(currentRelease([{current: false, status: 'succeeded', version: 1}])).to.equal(undefined)
    })
  })

  it('parses release numbers with or without v', () => {
    expect(parseReleaseVersion('v42')).to.equal(42)
    expect(parseReleaseVersion('7')).to.equal(7)
    expect(() => parseReleaseVersion('latest')).to.throw('--release takes a release number such as 42 or v42, not "latest".')
  })

  it('reads the sha256 from the slug checksum', () => {
    expect(slugSha256({checksum: `SHA256:${'AB'.repeat(32)}`})).to.equal('ab'.repeat(32))
    expect(slugSha256({checksum: null})).to.equal(undefined)
  })

  it('explains why container and Fir apps have no slug', () => {
    expect(noSlugReason({build_stack: {name: 'container'}, name: 'box'})).to.match(/^box uses the container stack/)
    expect(noSlugReason({generation: 'fir', name: 'cnb'})).to.match(/^cnb is a Fir-generation app/)
    expect(noSlugReason({generation: {name: 'cedar'}, name: 'ok', stack: {name: 'heroku-24'}})).to.equal(undefined)
  })

  describe('resolveSlug', () => {
    it('asks for the newest releases with a Range header and follows the current one to its slug', async () => {
      platform.api
      .get('/apps/myapp')
      .matchHeader('accept', 'application/vnd.heroku+json; version=3.sdk')
      .reply(200, {build_stack: {name: 'heroku-24'}, generation: {name: 'cedar'}, name: 'myapp'})
      .get('/apps/myapp/releases')
      .matchHeader('range', 'version ..; order=desc, max=50')
      .reply(206, [
        {current: false, slug: {id: 'new'}, status: 'failed', version: 8},
        {current: true, slug: {id: 'slug-7'}, status: 'succeeded', version: 7},
      ])
      .get('/apps/myapp/slugs/slug-7')
      .reply(200, {blob: {url: 'https://s3/blob'}, id: 'slug-7', size: 10})
      const {release, slug} = await resolveSlug(platform.heroku, 'myapp', {})
      expect(release?.version).to.equal(7)
      expect(slug.id).to.equal('slug-7')
    })

    it('takes a given release', async () => {
      platform.api
      .get('/apps/myapp')
      .reply(200, {name: 'myapp'})
      .get('/apps/myapp/releases/3')
      .reply(200, {slug: {id: 's3'}, status: 'succeeded', version: 3})
      .get('/apps/myapp/slugs/s3')
      .reply(200, {id: 's3'})
      const {slug} = await resolveSlug(platform.heroku, 'myapp', {release: 3})
      expect(slug.id).to.equal('s3')
    })

    it('says so when the app has no releases yet', async () => {
      platform.api.get('/apps/fresh').reply(200, {name: 'fresh'}).get('/apps/fresh/releases').reply(200, [])
      const error = await rejection(resolveSlug(platform.heroku, 'fresh', {}))
      expect(error.message).to.equal('fresh has no releases yet: deploy it first, or inspect the repo with slug:inspect --dir.')
    })

    it('says so for a Fir app without asking for releases', async () => {
      platform.api.get('/apps/cnb').reply(200, {generation: 'fir', name: 'cnb'})
      const error = await rejection(resolveSlug(platform.heroku, 'cnb', {}))
      expect(error.message).to.match(/Fir-generation app/)
    })

    for (const [status, expected] of [
      [404, /^Couldn't find that app \(app nope\)\.$/],
      [403, /^Access to app nope was refused: You do not have access/],
      [429, /^The Heroku API rate limit is exhausted \(HTTP 429\)/],
    ] as const) {
      it(`maps HTTP ${status} to a one-line error`, async () => {
        const message = {403: 'You do not have access to the app nope.', 404: "Couldn't find that app.", 429: 'Your account reached the API rate limit'}[status]
        platform.api.get('/apps/nope').reply(status, {id: 'x', message})
        const error = await rejection(resolveSlug(platform.heroku, 'nope', {}))
        expect(error.message).to.match(expected)
        expect(error.name).to.equal('UserError')
      })
    }

    describe('answers that are not what was asked for', () => {
      const app = {build_stack: {name: 'heroku-24'}, name: 'myapp'}
      const json = {'Content-Type': 'application/json'}
      const withApp = () => platform.api.get('/apps/myapp').reply(200, app)
      const release3 = () => withApp().get('/apps/myapp/releases/3')
      for (const [label, reply, expected] of [
        ['an empty body', () => platform.api.get('/apps/myapp').reply(200, '', json), not('/apps/myapp', 'an app')],
        ['broken JSON', () => platform.api.get('/apps/myapp').reply(200, '{"name": ', json), not('/apps/myapp', 'JSON')],
        ['an HTML page for the app', () => platform.api.get('/apps/myapp').reply(200, '<html>proxy login</html>', {'Content-Type': 'text/html'}), not('/apps/myapp', 'an app')],
        ['an object for the release list', () => withApp().get('/apps/myapp/releases').reply(206, {id: 'x'}), not('/apps/myapp/releases', 'a release list')],
        ['a list of strings for the release list', () => withApp().get('/apps/myapp/releases').reply(206, ['v1']), not('/apps/myapp/releases', 'a release list')],
        ['null for a release', () => release3().reply(200, 'null', json), not('/apps/myapp/releases/3', 'a release')],
        ['a list for a slug', () => release3().reply(200, {slug: {id: 's3'}, version: 3}).get('/apps/myapp/slugs/s3').reply(200, []), not('/apps/myapp/slugs/s3', 'a slug')],
      ] as const) {
        it(`says so in one line for ${label}`, async () => {
          reply()
          const release = /null for a release|for a slug/.test(label) ? 3 : undefined
          const error = await rejection(resolveSlug(platform.heroku, 'myapp', {release}))
          expect(error.name, error.message).to.equal('UserError')
          expect(error.message).to.equal(expected)
        })
      }
    })

    it('maps an invalid token (401) to a one-line error', async () => {
      platform.api.get('/apps/myapp').reply(401, {id: 'unauthorized', message: 'Invalid credentials provided.'})
      const error = await rejection(resolveSlug(platform.heroku, 'myapp', {}))
      expect(error.name).to.equal('UserError')
      expect(error.message).to.match(/HEROKU_API_KEY/)
    })
  })
})
