import {Config} from '@oclif/core'
import {expect} from 'chai'
import nock from 'nock'
import {fileURLToPath} from 'node:url'

import {LazyHerokuApi} from '../../../../src/lib/heroku/client.js'
import {api} from '../../../../src/lib/heroku/errors.js'
import {rejection} from '../../../helpers/rejection.js'

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
