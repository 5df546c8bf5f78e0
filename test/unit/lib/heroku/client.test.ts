import {Config} from '@oclif/core'
import {expect} from 'chai'
import nock from 'nock'
import {fileURLToPath} from 'node:url'

import {LazyHerokuApi} from '../../../../src/lib/heroku/client.js'
import {api} from '../../../../src/lib/heroku/errors.js'

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
    const error = (await api(new LazyHerokuApi(config).get('/apps/myapp'), 'app myapp').catch((error_: Error) => error_)) as Error
    expect(error.name).to.equal('UserError')
    expect(error.message).to.equal('The Heroku API answered HTTP 503 for app myapp.')
  })
})
