import {expect} from 'chai'

import {fetchBuildOutput, getBuild, latestBuild, listBuilds, resolveBuild} from '../../../../src/lib/heroku/builds.js'
import {UserError} from '../../../../src/lib/shared/errors.js'
import {failFirst, refusingPort, silent, stallAfter} from '../../../helpers/blob-faults.js'
import {type BlobServer, sendBytes, serveBlobs} from '../../../helpers/blob-server.js'
import {interceptingProxy, privateCaPath} from '../../../helpers/intercepting-proxy.js'
import {platformApi} from '../../../helpers/platform-api.js'
import {rejection} from '../../../helpers/rejection.js'
import {startSilentServer} from '../../../helpers/silent-server.js'

const OUTPUT_HOST = 'https://build-output.heroku.com'
/** Fast timeouts, so faults are noticed in tenths of a second. */
const fast = {idleTimeoutMs: 100, retryDelayMs: 10}

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

    it('follows one redirect', async () => {
      output.serve({
        again: (_req, res) => res.writeHead(302, {Location: '/log.txt'}).end(),
        'log.txt': (_req, res) => res.writeHead(302, {Location: '/moved.log'}).end(),
        'moved.log': Buffer.from('moved'),
      })
      expect(await fetchBuildOutput(output.url('log.txt'))).to.equal('moved')
      expect(output.requests.map(r => r.path)).to.deep.equal(['/log.txt', '/moved.log'])
      expect((await rejection(fetchBuildOutput(output.url('again')))).message).to.equal('The build log URL redirected more than once: refused.')
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
      output.serve({'log.txt': (_req, res) => res.writeHead(500).end('oops'), 'reset.txt': req => req.socket.resetAndDestroy(), teapot: (_req, res) => res.writeHead(418).end()})
      expect((await rejection(fetchBuildOutput(output.url('log.txt'), fast))).message).to.equal('Fetching the build log failed with HTTP 500 (4 attempts).')
      expect((await rejection(fetchBuildOutput(output.url('teapot'), fast))).message).to.equal('Fetching the build log failed with HTTP 418.')
      const error = await rejection(fetchBuildOutput(output.url('reset.txt'), fast))
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.match(/^Cannot fetch the build log: 127\.0\.0\.1:\d+ closed the connection \(ECONNRESET\)\.$/)
      const port = await refusingPort()
      expect((await rejection(fetchBuildOutput(`http://127.0.0.1:${port}/log`, fast))).message).to.equal(`Cannot fetch the build log: 127.0.0.1:${port} refused the connection (ECONNREFUSED).`)
    })

    it('retries a 503, waits out a short Retry-After once, refuses a redirect to plain http', async () => {
      output.serve({
        busy: failFirst(1, 429, {'Retry-After': '0'}, sendBytes(Buffer.from('after 429'))),
        closed: failFirst(1, 429, {'Retry-After': '7200'}, sendBytes(Buffer.from('never'))),
        flaky: failFirst(2, 503, {}, sendBytes(Buffer.from('after 503'))),
        insecure: (_req, res) => res.writeHead(302, {Location: 'http://logs.example.com/log?sig=1'}).end(),
      })
      expect(await fetchBuildOutput(output.url('flaky'), fast)).to.equal('after 503')
      expect(await fetchBuildOutput(output.url('busy'), fast)).to.equal('after 429')
      expect((await rejection(fetchBuildOutput(output.url('closed'), fast))).message).to.match(/^The build log server is limiting requests \(HTTP 429\): try again in 120 min \(at \d\d:\d\d UTC\)\.$/)
      expect((await rejection(fetchBuildOutput(output.url('insecure'), fast))).message).to.equal('The build log URL redirected to http://logs.example.com: refused, only https is followed.')
    })

    it('gives up on a log that stops coming, or never answers, within the idle timeout', async () => {
      const log = Buffer.from('remote: -----> Building\n'.repeat(1000))
      output.serve({silent, stalled: stallAfter(log, 5000)})
      expect((await rejection(fetchBuildOutput(output.url('stalled'), fast))).message).to.equal('The build log server stopped sending after 5.0 kB (nothing came for 0.1 s).')
      expect((await rejection(fetchBuildOutput(output.url('silent'), fast))).message).to.equal('The build log server did not answer for 0.1 s.')
    })

    it('goes through the CLI\'s proxy and trusts its CA settings, as slug blobs do', async () => {
      output.serve({'streams/b.log': Buffer.from('remote: Collecting numpy\n')})
      const proxy = await interceptingProxy(Number(new URL(output.url('x')).port))
      try {
        const url = 'https://build-output.heroku.com/streams/b.log?sig=abc'
        expect(await fetchBuildOutput(url, {...fast, env: {HTTPS_PROXY: proxy.url, SSL_CERT_FILE: privateCaPath}})).to.equal('remote: Collecting numpy\n')
        expect(proxy.connects).to.deep.equal(['build-output.heroku.com:443'])
        expect(proxy.requests.map(r => [r.host, r.path])).to.deep.equal([['build-output.heroku.com', '/streams/b.log?sig=abc']])
        const untrusted = await rejection(fetchBuildOutput(url, {...fast, env: {HTTPS_PROXY: proxy.url}}))
        expect(untrusted.message).to.match(/^Cannot fetch the build log: the certificate of build-output\.heroku\.com is not signed by a CA this machine trusts \([A-Z_]+\); /)
        expect(untrusted.message).to.match(/behind a TLS-inspecting proxy, point SSL_CERT_FILE or NODE_EXTRA_CA_CERTS at its CA certificate\.$/)
      } finally {
        await proxy.close()
      }
    })

    it('names the proxy that never answers CONNECT, or refuses, and ends within the idle timeout', async () => {
      const silentProxy = await startSilentServer()
      const port = await refusingPort()
      const url = 'https://build-output.heroku.com/streams/b.log?sig=abc'
      const started = Date.now()
      try {
        const hung = await rejection(fetchBuildOutput(url, {...fast, env: {HTTPS_PROXY: silentProxy.endpoint.replace('//', '//user:s3cret@')}}))
        expect(hung.message).to.equal(`The build log server did not answer for 0.1 s (through the proxy ${silentProxy.endpoint} (HTTPS_PROXY)).`)
        expect(Date.now() - started).to.be.below(3000)
        const refused = await rejection(fetchBuildOutput(url, {...fast, env: {HTTPS_PROXY: `http://127.0.0.1:${port}`}}))
        expect(refused.message).to.equal(`Cannot fetch the build log: the proxy http://127.0.0.1:${port} (HTTPS_PROXY) refused the connection (ECONNREFUSED).`)
      } finally {
        await silentProxy.stop()
      }
    })

    it('refuses a body over the size cap', async () => {
      output.serve({'log.txt': Buffer.from('x'.repeat(5000))})
      const error = await rejection(fetchBuildOutput(output.url('log.txt'), {maxBytes: 1000}))
      expect(error).to.be.instanceOf(UserError)
      expect(error.message).to.match(/^The build log is larger than/)
    })
  })
})
