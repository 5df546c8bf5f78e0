import {expect} from 'chai'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {SlugReport} from '../../src/lib/report/types.js'
import {FakeHeroku, type FakeRelease} from './fake-heroku.js'
import {tensorflowSlug} from './fixtures.js'
import {HerokuCli} from './heroku-cli.js'

const API_KEY = 'e2e-token-6f1c9a0d3b7e'
const CURRENT_SLUG = '5f0e6a2c-1d4b-4c8e-9a7f-0b3c2d1e4f59'
const OLD_SLUG = '5f0e6a2c-1d4b-4c8e-9a7f-0b3c2d1e4f01'

/** 60 releases (more than one 50-release page): v60 failed and is not current; v59 is what runs. */
function releases(): FakeRelease[] {
  return Array.from({length: 60}, (_, i) => {
    const version = i + 1
    if (version === 60) return {current: false, slugId: OLD_SLUG, status: 'failed', version} as FakeRelease
    return {current: version === 59, slugId: version === 59 ? CURRENT_SLUG : OLD_SLUG, status: 'succeeded', version} as FakeRelease
  })
}

/** The one line oclif prints for a user error, without the "Error:" decoration or a stack. */
function errorText(stderr: string): string {
  return stderr.replaceAll(/\s*›\s*/g, ' ').replaceAll(/\s+/g, ' ').trim()
}

describe('e2e: slug:inspect through the real heroku CLI', function () {
  this.timeout(120_000)
  const api = new FakeHeroku()
  const blob = tensorflowSlug()
  let cli: HerokuCli

  before(async () => {
    await api.start()
    api.addApp({
      name: 'example-app',
      releases: releases(),
      slugs: [
        {blob, commit: '3f9c2a1b7e5d4c2a9b8e', id: CURRENT_SLUG},
        {blob: tensorflowSlug(), id: OLD_SLUG},
      ],
    })
    api.addApp({generation: 'fir', name: 'fir-app'})
    api.addApp({buildStack: 'container', name: 'container-app'})
    api.addApp({name: 'new-app', releases: []})
    cli = await HerokuCli.create(api.url, API_KEY)
  })

  beforeEach(() => api.clear())

  after(async () => {
    await cli?.cleanup()
    await api.stop()
  })

  it('lists the slug commands in `heroku help slug`', async () => {
    const {status, stdout} = await cli.run(['help', 'slug'])
    expect(status).to.equal(0)
    expect(stdout).to.include('see where the bytes of a slug go')
    expect(stdout).to.match(/slug:inspect\s+show where the bytes of a slug go/)
    expect(stdout).to.include('slug:offload-models')
  })

  it('inspects the current release\'s slug: the report, and exactly the requests it needs', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:inspect', '-a', 'example-app'])
    expect(status, stderr).to.equal(0)
    expect(stdout).to.include('example-app')
    expect(stdout).to.include('v59')
    expect(stdout).to.include('models/classifier.h5')
    expect(stdout).to.include('tensorflow')
    expect(stdout + stderr).not.to.include(API_KEY)

    expect(api.requests.map(r => `${r.method} ${r.path}`)).to.deep.equal([
      'GET /apps/example-app',
      'GET /apps/example-app/releases',
      `GET /apps/example-app/slugs/${CURRENT_SLUG}`,
      `GET /blobs/${CURRENT_SLUG}`,
    ])
    const [app, list, slug] = api.requests
    expect(app.headers.accept).to.equal('application/vnd.heroku+json; version=3.sdk')
    expect(list.headers.range).to.equal('version ..; order=desc, max=50')
    expect(slug.headers.accept).to.equal('application/vnd.heroku+json; version=3')
  })

  it('sends the API key to HEROKU_HOST as a Bearer token, and nothing to the pre-signed blob URL', async () => {
    await cli.run(['slug:inspect', '-a', 'example-app'])
    const apiCalls = api.requests.filter(r => r.path.startsWith('/apps/'))
    expect(apiCalls).to.have.length(3)
    for (const r of apiCalls) expect(r.headers.authorization, r.path).to.equal(`Bearer ${API_KEY}`)
    const [download] = api.requestsTo('GET', /^\/blobs\//)
    expect(download.headers.authorization).to.equal(undefined)
    expect(download.query.get('X-Amz-Signature')).to.equal('fake-signature')
    expect(JSON.stringify(download.headers)).not.to.include(API_KEY)
  })

  it('--json prints the typed report and nothing else', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:inspect', '-a', 'example-app', '--json'])
    expect(status, stderr).to.equal(0)
    const report = JSON.parse(stdout) as SlugReport
    expect(report.kind).to.equal('slug')
    expect(report.prediction).to.equal(false)
    expect(report.source).to.include({app: 'example-app', release: 59, slugId: CURRENT_SLUG})
    expect(report.totals.compressed).to.equal(blob.length)
    expect(report.files.map(f => f.path)).to.include('models/classifier.h5')
    expect(report.packages.map(p => p.name)).to.include.members(['tensorflow', 'jupyter'])
    expect(report.findings.length).to.be.greaterThan(0)
    expect(stdout).not.to.include(API_KEY)
  })

  it('--html writes the treemap page with the same report as --json', async () => {
    const path = join(cli.home, 'slug-report.html')
    const {status, stderr, stdout} = await cli.run(['slug:inspect', '-a', 'example-app', '--html', path])
    expect(status, stderr).to.equal(0)
    expect(stdout).to.include(`HTML report written to ${path}`)
    const page = await readFile(path, 'utf8')
    const json = /<script type="application\/json" id="slug-report">([^<]*)<\/script>/.exec(page)!
    const report = JSON.parse(json[1]) as SlugReport
    expect(report.source.slugId).to.equal(CURRENT_SLUG)
    expect(report.totals.compressed).to.equal(blob.length)
    expect(page).not.to.include(API_KEY)
  })

  it('--release 58 inspects that release without listing the others', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:inspect', '-a', 'example-app', '--release', 'v58'])
    expect(status, stderr).to.equal(0)
    expect(stdout).to.include('v58')
    expect(api.requests.map(r => `${r.method} ${r.path}`)).to.deep.equal([
      'GET /apps/example-app',
      'GET /apps/example-app/releases/58',
      `GET /apps/example-app/slugs/${OLD_SLUG}`,
      `GET /blobs/${OLD_SLUG}`,
    ])
  })

  it('refuses a Fir app with a clear one-line error and a non-zero exit', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:inspect', '-a', 'fir-app'])
    expect(status).to.not.equal(0)
    expect(stdout).to.equal('')
    expect(errorText(stderr)).to.include('fir-app is a Fir-generation app')
    expect(stderr).not.to.match(/\n\s+at /)
    expect(api.requests.map(r => `${r.method} ${r.path}`)).to.deep.equal(['GET /apps/fir-app'])
  })

  it('refuses a container app with a clear one-line error and a non-zero exit', async () => {
    const {status, stderr} = await cli.run(['slug:inspect', '-a', 'container-app'])
    expect(status).to.not.equal(0)
    expect(errorText(stderr)).to.include('container-app uses the container stack')
    expect(stderr).not.to.match(/\n\s+at /)
    expect(api.requests.map(r => `${r.method} ${r.path}`)).to.deep.equal(['GET /apps/container-app'])
  })

  it('says an app with no releases has nothing to inspect yet', async () => {
    const {status, stderr} = await cli.run(['slug:inspect', '-a', 'new-app'])
    expect(status).to.not.equal(0)
    expect(errorText(stderr)).to.include('new-app has no releases yet')
  })

  it('passes on the API\'s message for an unknown app, in one line', async () => {
    const {status, stderr} = await cli.run(['slug:inspect', '-a', 'no-such-app'])
    expect(status).to.not.equal(0)
    expect(errorText(stderr)).to.match(/no-such-app/)
    expect(stderr).not.to.match(/\n\s+at /)
  })
})
