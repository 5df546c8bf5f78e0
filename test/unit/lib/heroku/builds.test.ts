import {expect} from 'chai'

import {fetchBuildOutput, getBuild, latestBuild, listBuilds, resolveBuild} from '../../../../src/lib/heroku/builds.js'
import {UserError} from '../../../../src/lib/util/errors.js'
import {type BlobServer, serveBlobs} from '../../../helpers/blob-server.js'
import {platformApi} from '../../../helpers/platform-api.js'
import {rejection} from '../../../helpers/rejection.js'

const OUTPUT_HOST = 'https://build-output.heroku.com'

function build(id: string, status: 'failed' | 'pending' | 'succeeded', createdAt: string) {
  return {
    created_at: createdAt,
    id,
    output_stream_url: `${OUTPUT_HOST}/streams/${id}.log`,
    source_blob: {},
    status,
    updated_at: createdAt,
    user: {},
  }
}

const B1 = '11111111-1111-4111-8111-111111111111'
const B2 = '22222222-2222-4222-8222-222222222222'

describe('heroku/builds', () => {
  const platform = platformApi()

  describe('listBuilds', () => {
    it('asks for the newest builds with a bounded Range header and does not follow Next-Range', async () => {
      platform.api
      .get('/apps/example-app/builds')
      .matchHeader('range', 'created_at ..; order=desc, max=5')
      .reply(206, [build(B2, 'failed', '2026-11-25T10:00:00Z'), build(B1, 'succeeded', '2026-11-24T10:00:00Z')], {
        'Next-Range': ']2026-11-24T10:00:00Z..; order=desc, max=5',
      })
      const builds = await listBuilds(platform.heroku, 'example-app', 5)
      expect(builds.map(b => b.id)).to.deep.equal([B2, B1])
    })

    it('maps API errors to one-line UserErrors', async () => {
      platform.api.get('/apps/nope/builds').reply(404, {id: 'not_found', message: "Couldn't find that app."})
      const error = await rejection(listBuilds(platform.heroku, 'nope'))
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.equal("Couldn't find that app (the builds of nope).")
    })
  })

  it('getBuild reads one build by id', async () => {
    platform.api.get(`/apps/example-app/builds/${B1}`).reply(200, build(B1, 'failed', '2026-11-25T10:00:00Z'))
    expect((await getBuild(platform.heroku, 'example-app', B1)).status).to.equal('failed')
  })

  it('latestBuild goes by creation time, not list order', () => {
    const builds = [build(B1, 'succeeded', '2026-11-24T10:00:00Z'), build(B2, 'failed', '2026-11-25T10:00:00Z')]
    expect(latestBuild(builds)?.id).to.equal(B2)
    expect(latestBuild([])).to.equal(undefined)
  })

  describe('resolveBuild', () => {
    it('"latest" picks the newest build', async () => {
      platform.api.get('/apps/example-app/builds').reply(200, [build(B1, 'succeeded', '2026-11-24T10:00:00Z'), build(B2, 'failed', '2026-11-25T10:00:00Z')])
      expect((await resolveBuild(platform.heroku, 'example-app', 'latest')).id).to.equal(B2)
    })

    it('an app with no builds is a UserError', async () => {
      platform.api.get('/apps/example-app/builds').reply(200, [])
      const error = await rejection(resolveBuild(platform.heroku, 'example-app', 'latest'))
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.equal('example-app has no builds yet: push to it first, or inspect the repo with slug:inspect --dir.')
    })

    it('refuses a build that is still running, and a build id that is not a UUID', async () => {
      platform.api.get(`/apps/example-app/builds/${B1}`).reply(200, build(B1, 'pending', '2026-11-25T10:00:00Z'))
      expect((await rejection(resolveBuild(platform.heroku, 'example-app', B1))).message).to.equal(`Build ${B1} of example-app is still running: run the command again when it has finished.`)
      const error = await rejection(resolveBuild(platform.heroku, 'example-app', 'v42'))
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.match(/^--build takes a build id/)
    })
  })

  describe('fetchBuildOutput', () => {
    let output: BlobServer

    beforeEach(async () => {
      output = await serveBlobs()
    })

    afterEach(async () => {
      await output.close()
      expect(output.requests.filter(r => r.headers.authorization !== undefined), 'no token sent to the log URL').to.deep.equal([])
    })

    it('GETs the signed URL without an Authorization header and returns the whole text', async () => {
      const text = '-----> Building on the Heroku-24 stack\n' + '       Downloading x-1.0-py3-none-any.whl (1.0 MB)\n'.repeat(2000)
      output.serve({'log.txt': Buffer.from(text)})
      expect(await fetchBuildOutput(output.url('log.txt'))).to.equal(text)
      expect(output.requests.map(r => [r.path, r.query.get('X-Amz-Signature'), r.headers.accept])).to.deep.equal([['/log.txt', 'abc', 'text/plain']])
    })

    it('follows a redirect', async () => {
      output.serve({
        'log.txt': (_req, res) => res.writeHead(302, {Location: '/moved.log'}).end(),
        'moved.log': Buffer.from('moved'),
      })
      expect(await fetchBuildOutput(output.url('log.txt'))).to.equal('moved')
      expect(output.requests.map(r => r.path)).to.deep.equal(['/log.txt', '/moved.log'])
    })

    for (const status of [403, 404, 410]) {
      it(`an expired log (HTTP ${status}) is a UserError that says so`, async () => {
        output.serve({'log.txt': (_req, res) => res.writeHead(status).end('<Error>AccessDenied</Error>')})
        const error = await rejection(fetchBuildOutput(output.url('log.txt')))
        expect(error).to.be.instanceOf(UserError)
        expect(error.message).to.match(new RegExp(`^The build log has expired or is gone \\(HTTP ${status}\\)`))
      })
    }

    it('other HTTP failures and network errors are UserErrors too', async () => {
      output.serve({'log.txt': (_req, res) => res.writeHead(500).end('oops'), 'reset.txt': req => req.socket.resetAndDestroy()})
      expect((await rejection(fetchBuildOutput(output.url('log.txt')))).message).to.equal('Fetching the build log failed with HTTP 500.')
      const error = await rejection(fetchBuildOutput(output.url('reset.txt')))
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.equal('Cannot fetch the build log (ECONNRESET).')
    })

    it('refuses a body over the size cap', async () => {
      output.serve({'log.txt': Buffer.from('x'.repeat(5000))})
      const error = await rejection(fetchBuildOutput(output.url('log.txt'), {maxBytes: 1000}))
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.match(/^The build log is larger than/)
    })
  })
})
