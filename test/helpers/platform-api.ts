import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'
import nock from 'nock'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface PlatformApi {
  /** the real API client of @heroku-cli/command, as the commands use it */
  heroku: APIClient
  /** nock on api.heroku.com, fresh for each test; every request it expects must be made */
  api: nock.Scope
}

/**
 * Sets up, in the calling describe block, a real API client and a nock scope for the Platform API,
 * and checks after each test that every expected request was made.
 */
export function platformApi(): PlatformApi {
  const state = {} as PlatformApi
  before(async () => {
    state.heroku = new APIClient(await Config.load(root))
  })

  beforeEach(() => {
    state.api = nock('https://api.heroku.com')
  })

  afterEach(() => {
    const pending = state.api.pendingMocks()
    nock.cleanAll()
    expect(pending, 'every expected request was made').to.deep.equal([])
  })

  return state
}
