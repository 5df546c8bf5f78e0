import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'
import nock from 'nock'

import {CONFIG_LIMIT, configSize, getConfigVars, patchConfigVars} from '../../../../src/lib/heroku/config-vars.js'
import {rejection} from '../../../helpers/rejection.js'

describe('heroku/config-vars', () => {
  let heroku: APIClient

  before(async () => {
    heroku = new APIClient(await Config.load(process.cwd()))
  })

  afterEach(() => nock.cleanAll())

  it('reads the config vars', async () => {
    const api = nock('https://api.heroku.com').get('/apps/example-app/config-vars').reply(200, {A: '1'})
    expect(await getConfigVars(heroku, 'example-app')).to.deep.equal({A: '1'})
    api.done()
  })

  it('sets and unsets in exactly one PATCH with the changes as its body, and returns nothing of the response', async () => {
    const bodies: unknown[] = []
    const api = nock('https://api.heroku.com')
    .patch('/apps/example-app/config-vars', body => {
      bodies.push(body)
      return true
    })
    .reply(200, {DATABASE_URL: 'postgres://secret', MODEL_S3_BUCKET: 'b'})
    const returned = await patchConfigVars(heroku, 'example-app', {MODEL_S3_BUCKET: 'b', MODEL_S3_ENDPOINT: null})
    expect(bodies).to.deep.equal([{MODEL_S3_BUCKET: 'b', MODEL_S3_ENDPOINT: null}])
    expect(returned).to.equal(undefined)
    api.done()
  })

  it('maps a refused PATCH to a one-line error', async () => {
    nock('https://api.heroku.com').patch('/apps/example-app/config-vars').reply(403, {id: 'forbidden', message: 'You do not have access to the app example-app.'})
    const {message} = await rejection(patchConfigVars(heroku, 'example-app', {A: '1'}))
    expect(message).to.equal('Access to the config vars of example-app was refused: You do not have access to the app example-app.')
  })

  it('measures the config as Heroku does: all keys and values, in bytes', () => {
    expect(configSize({AB: 'cd', É: 'é'})).to.equal(8)
    expect(CONFIG_LIMIT).to.equal(32_768)
  })
})
