import {expect} from 'chai'

import type {SlugDiff} from '../../src/lib/analyze/diff/changes.js'
import {FakeHeroku} from './fake-heroku.js'
import {CURRENT_SLUG, exampleApp, OLD_SLUG} from './fixtures.js'
import {HerokuCli} from './heroku-cli.js'

const API_KEY = 'e2e-token-diff-2c4e'

describe('e2e: slug:diff through the real heroku CLI', function () {
  this.timeout(120_000)
  const api = new FakeHeroku()
  let cli: HerokuCli

  before(async () => {
    await api.start()
    api.addApp(exampleApp())
    cli = await HerokuCli.create(api.url, API_KEY)
  })

  after(async () => {
    await cli?.cleanup()
    await api.stop()
  })

  it('compares the current slug with the previous different one: the committed model shows as added', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:diff', '-a', 'example-app', '--json'])
    expect(status, stderr).to.equal(0)
    const diff = JSON.parse(stdout) as SlugDiff
    expect(diff.from).to.include({release: 58, slugId: OLD_SLUG})
    expect(diff.to).to.include({release: 59, slugId: CURRENT_SLUG})
    expect(diff.files.find(f => f.path === 'models/classifier.h5')?.change).to.equal('added')
    expect(diff.totals.compressed.delta).to.be.greaterThan(690_000)

    const blobs = api.requestsTo('GET', /^\/blobs\//)
    expect(blobs.map(r => r.path).sort()).to.deep.equal([`/blobs/${CURRENT_SLUG}`, `/blobs/${OLD_SLUG}`].sort())
    for (const r of blobs) expect(r.headers.authorization).to.equal(undefined)
    for (const r of api.requests.filter(r => r.path.startsWith('/apps/'))) expect(r.headers.authorization).to.equal(`Bearer ${API_KEY}`)
    expect(stdout).not.to.include(API_KEY)
  })
})
