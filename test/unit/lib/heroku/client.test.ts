import {Config} from '@oclif/core'
import {expect} from 'chai'
import nock from 'nock'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

import {LazyHerokuApi} from '../../../../src/lib/heroku/client.js'
import {api} from '../../../../src/lib/heroku/errors.js'
import {interceptingProxy, privateCaPath} from '../../../helpers/intercepting-proxy.js'
import {rejection} from '../../../helpers/rejection.js'
import {type SilentServer, startSilentServer} from '../../../helpers/silent-server.js'

const root = fileURLToPath(new URL('../../../..', import.meta.url))

describe('heroku/client: LazyHerokuApi', () => {
  let config: Config
  const apiKey = process.env.HEROKU_API_KEY

  before(async () => {
    config = await Config.load(root)
  })

  beforeEach(() => {
    process.env.HEROKU_API_KEY = 'test-token'
  })

  afterEach(() => {
    nock.cleanAll()
    if (apiKey === undefined) delete process.env.HEROKU_API_KEY
    else process.env.HEROKU_API_KEY = apiKey
  })

  it('makes authenticated Platform API requests through @heroku-cli/command', async () => {
    const scope = nock('https://api.heroku.com', {reqheaders: {accept: /application\/vnd\.heroku\+json; version=3/, authorization: 'Bearer test-token'}})
    .get('/apps/myapp')
    .reply(200, {name: 'myapp'})
    .patch('/apps/myapp/config-vars', {A: '1'})
    .reply(200, {A: '1'})
    const heroku = new LazyHerokuApi(config)
    expect((await heroku.get<{name: string}>('/apps/myapp')).body.name).to.equal('myapp')
    expect((await heroku.patch<Record<string, string>>('/apps/myapp/config-vars', {body: {A: '1'}})).body).to.deep.equal({A: '1'})
    scope.done()
  })

  it('maps an error without a JSON message (a proxy 503) to a one-line error', async () => {
    nock('https://api.heroku.com').get('/apps/myapp').reply(503, '<html>Service Unavailable</html>', {'content-type': 'text/html'})
    const error = await rejection(api(new LazyHerokuApi(config).get('/apps/myapp'), 'app myapp'))
    expect(error.name).to.equal('UserError')
    expect(error.message).to.equal('The Heroku API answered HTTP 503 for app myapp.')
  })
})

describe('heroku/client: rate limits (429)', () => {
  let config: Config

  before(async () => {
    config = await Config.load(root)
  })

  afterEach(() => nock.cleanAll())

  it('waits out a short Retry-After once and sends the request again, a GET or a PATCH', async () => {
    const scope = nock('https://api.heroku.com')
    .get('/apps/myapp').reply(429, {id: 'rate_limit', message: 'Your account reached the API rate limit'}, {'Retry-After': '0'})
    .get('/apps/myapp').reply(200, {name: 'myapp'})
    .patch('/apps/myapp/config-vars', {A: '1'}).reply(429, {id: 'rate_limit'}, {'Retry-After': '0'})
    .patch('/apps/myapp/config-vars', {A: '1'}).reply(200, {A: '1'})
    const heroku = new LazyHerokuApi(config)
    expect((await heroku.get<{name: string}>('/apps/myapp')).body.name).to.equal('myapp')
    expect((await heroku.patch<Record<string, string>>('/apps/myapp/config-vars', {body: {A: '1'}})).body).to.deep.equal({A: '1'})
    scope.done()
  })

  it('retries once only, and says when to run again when the wait is long', async () => {
    const twice = nock('https://api.heroku.com')
    .get('/apps/myapp').twice().reply(429, {id: 'rate_limit'}, {'Retry-After': '1'})
    const again = await rejection(api(new LazyHerokuApi(config).get('/apps/myapp'), 'app myapp'))
    twice.done()
    expect(again?.message).to.match(/^The Heroku API rate limit is exhausted \(HTTP 429\)\. Run the command again in 1 s/)
    const long = nock('https://api.heroku.com').get('/apps/myapp').reply(429, {id: 'rate_limit'}, {'Retry-After': '600'})
    const started = Date.now()
    const error = await rejection(api(new LazyHerokuApi(config).get('/apps/myapp'), 'app myapp'))
    long.done()
    expect(Date.now() - started).to.be.below(2000)
    expect(error?.message).to.match(/^The Heroku API rate limit is exhausted \(HTTP 429\)\. Run the command again in 10 min/)
  })
})

describe('heroku/client: a proxy that does not answer, and one that holds credentials', () => {
  let config: Config
  let silent: SilentServer
  const saved = {...process.env}

  before(async () => {
    config = await Config.load(root)
  })

  beforeEach(async () => {
    // nock's interception takes an agent's connection synchronously only: node's own http takes the tunnel's
    // asynchronous one. Only the proxy on 127.0.0.1 is ever contacted (and the API named is this machine's).
    nock.restore()
    silent = await startSilentServer()
    process.env.HEROKU_HOST = 'https://127.0.0.1:9'
    process.env.HTTPS_PROXY = silent.endpoint.replace('http://', 'http://proxyuser:s3cret-pw@')
  })

  afterEach(async () => {
    for (const name of ['HEROKU_HOST', 'HTTPS_PROXY', 'HEROKU_DEBUG']) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }

    await silent.stop()
    nock.activate()
  })

  it('reaches the API through a TLS-inspecting proxy with the CAs of SSL_CERT_FILE, token inside the tunnel', async () => {
    const upstream = http.createServer((_req, res) => res.writeHead(200, {'content-type': 'application/json'}).end('{"name":"myapp"}'))
    await new Promise<void>(resolve => {
      upstream.listen(0, '127.0.0.1', resolve)
    })
    const proxy = await interceptingProxy((upstream.address() as AddressInfo).port)
    process.env.HEROKU_HOST = 'https://localhost'
    process.env.HTTPS_PROXY = proxy.url
    process.env.SSL_CERT_FILE = privateCaPath
    try {
      const {body} = await new LazyHerokuApi(config, 5000).get<{name: string}>('/apps/myapp')
      expect(body.name).to.equal('myapp')
      expect(proxy.connects).to.deep.equal(['localhost:443'])
      expect(proxy.requests).to.deep.equal([{authorization: 'Bearer test-api-key', host: 'localhost', path: '/apps/myapp'}])
    } finally {
      delete process.env.SSL_CERT_FILE
      await proxy.close()
      upstream.close()
    }
  })

  it('ends the first request within its bound, in one line naming the proxy without its credentials', async () => {
    const started = Date.now()
    const error = await rejection(api(new LazyHerokuApi(config, 1000).get('/apps/myapp'), 'app myapp'))
    expect(Date.now() - started).to.be.below(5000)
    expect(error.name).to.equal('UserError')
    expect(error.message).to.equal(`The Heroku API did not answer within 1 s through the proxy ${silent.endpoint} (HTTPS_PROXY).`)
    expect(silent.connections).to.equal(1)
  })

  it('ends a request to an API that accepts and never answers within the same bound, without a proxy', async () => {
    delete process.env.HTTPS_PROXY
    process.env.HEROKU_HOST = silent.endpoint
    const started = Date.now()
    const error = await rejection(api(new LazyHerokuApi(config, 1000).get('/apps/myapp'), 'app myapp'))
    expect(error.message).to.equal('The Heroku API did not answer within 1 s.')
    expect(Date.now() - started).to.be.below(5000)
  })

  it('says a proxy that refuses in one line naming it, at once (not retried)', async () => {
    const refused = 'http://proxyuser:s3cret-pw@127.0.0.1:9'
    process.env.HTTPS_PROXY = refused
    const started = Date.now()
    const error = await rejection(api(new LazyHerokuApi(config, 1000).get('/apps/myapp'), 'app myapp'))
    expect(Date.now() - started).to.be.below(1000)
    expect(error.message).to.equal('Cannot reach the Heroku API: the proxy http://127.0.0.1:9 (HTTPS_PROXY) could not be reached (ECONNREFUSED).')
  })

  it('says a proxy setting that is not a URL in one line naming the variable', async () => {
    delete process.env.HTTPS_PROXY
    process.env.HTTP_PROXY = 'http://[::zz'
    try {
      const error = await rejection(api(new LazyHerokuApi(config, 1000).get('/apps/myapp'), 'app myapp'))
      expect(error.name).to.equal('UserError')
      expect(error.message).to.equal('The proxy setting HTTP_PROXY is not a URL.')
    } finally {
      delete process.env.HTTP_PROXY
    }
  })

  it('with HEROKU_DEBUG=1, shows the proxy in the request dump without its credentials', async () => {
    process.env.HEROKU_DEBUG = '1'
    const printed: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array) => {
      printed.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    try {
      await rejection(api(new LazyHerokuApi(config, 500).get('/apps/myapp'), 'app myapp'))
    } finally {
      process.stderr.write = write
      httpCallDebug().disable()
    }

    const text = printed.join('')
    expect(text).to.include('proxy: proxy agent (http://127.0.0.1:')
    expect(text).not.to.match(/s3cret-pw|proxyAuth|proxyuser/)
  })
})

/** The `debug` package http-call prints through (HEROKU_DEBUG=1 turns it on for the rest of the process). */
function httpCallDebug(): {disable(): void} {
  return createRequire(`${root}/node_modules/@heroku/http-call/lib/http.js`)('debug') as {disable(): void}
}
