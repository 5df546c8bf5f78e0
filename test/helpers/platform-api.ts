import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'
import nock from 'nock'
import {fileURLToPath} from 'node:url'

import {LazyHerokuApi} from '../../src/lib/heroku/client.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface PlatformApi<Client = APIClient> {
  /** the API client the tests hand to the code under test */
  heroku: Client
  /** nock on api.heroku.com, fresh for each test; every request it expects must be made */
  api: nock.Scope
}

function withPlatformApi<Client>(client: (config: Config) => Client): PlatformApi<Client> {
  const state = {} as PlatformApi<Client>
  before(async () => {
    state.heroku = client(await Config.load(root))
  })

  beforeEach(() => {
    state.api = nock('https://api.heroku.com')
  })

  afterEach(() => {
    const pending = nock.pendingMocks()
    nock.cleanAll()
    expect(pending, 'every expected request was made').to.deep.equal([])
  })

  return state
}

/**
 * Sets up, in the calling describe block, a real API client (@heroku-cli/command's, as the commands use it) and a
 * nock scope for the Platform API, and checks after each test that every expected request was made.
 */
export function platformApi(): PlatformApi {
  return withPlatformApi(config => new APIClient(config))
}

/** The same with the plugin's own client (heroku/client.ts), whose handling of a 429 is part of what is tested. */
export function lazyPlatformApi(): PlatformApi<LazyHerokuApi> {
  return withPlatformApi(config => new LazyHerokuApi(config))
}
