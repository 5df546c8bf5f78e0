import {expect} from 'chai'
import {readFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import type {SlugReport} from '../../src/lib/analyze/report.js'
import {FakeHeroku} from './fake-heroku.js'
import {CURRENT_SLUG, exampleApp, OLD_SLUG} from './fixtures.js'

const FAILED_BUILD = '7c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5'
const overLimitLog = readFileSync(new URL('../fixtures/build-logs/over-limit.log', import.meta.url), 'utf8')
import {HerokuCli} from './heroku-cli.js'

const API_KEY = 'e2e-token-6f1c9a0d3b7e'
/** The one line oclif prints for a user error, without the "Error:" decoration or a stack. */
function errorText(stderr: string): string {
  return stderr.replaceAll(/\s*›\s*/g, ' ').replaceAll(/\s+/g, ' ').trim()
}

describe('e2e: slug:inspect through the real heroku CLI', function () {
  this.timeout(120_000)
  const api = new FakeHeroku()
  const app = exampleApp()
  const {blob} = app.slugs![0]
  let cli: HerokuCli

  before(async () => {
    await api.start()
    api.addApp(app)
    api.addApp({generation: 'fir', name: 'fir-app'})
    api.addApp({buildStack: 'container', name: 'container-app'})
    api.addApp({name: 'new-app', releases: []})
    api.addApp({
      builds: [
        {createdAt: '2026-01-02T10:00:00Z', id: FAILED_BUILD, output: overLimitLog, status: 'failed'},
        {createdAt: '2026-01-01T10:00:00Z', id: '0b1e2d3c-4a5b-4c6d-8e7f-000000000001', output: '', slugId: OLD_SLUG, status: 'succeeded'},
      ],
      name: 'failed-app',
      releases: [{current: true, slugId: OLD_SLUG, status: 'succeeded', version: 7}],
      slugs: [app.slugs![1]],
    })
    cli = await HerokuCli.create(api.url, API_KEY)
  })

  beforeEach(() => api.clear())

  /** "METHOD path" of the requests the fake API saw, each once. */
  function calls(): string[] {
    return [...new Set(api.requests.map(r => `${r.method} ${r.path}`))]
  }

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

    // The app is read, its builds checked (a newer failed push would be the evidence), then the release and its slug.
    expect(calls()).to.have.members([
      'GET /apps/example-app',
      'GET /apps/example-app/builds',
      'GET /apps/example-app/releases',
      `GET /apps/example-app/slugs/${CURRENT_SLUG}`,
      `GET /blobs/${CURRENT_SLUG}`,
    ])
    const [list] = api.requestsTo('GET', /\/releases$/)
    expect(api.requestsTo('GET', /\/releases$/)).to.have.length(1)
    expect(list.headers.range).to.equal('version ..; order=desc, max=50')
    expect(api.requestsTo('GET', /^\/apps\/example-app$/).every(r => r.headers.accept === 'application/vnd.heroku+json; version=3.sdk')).to.equal(true)
    expect(api.requestsTo('GET', /\/slugs\//)[0].headers.accept).to.equal('application/vnd.heroku+json; version=3')
    expect(api.requestsTo('GET', /^\/blobs\//)).to.have.length(1)
  })

  it('reads the scan cache on the next run of the same slug: the API is asked, the blob is not downloaded again', async () => {
    const first = await cli.run(['slug:inspect', '-a', 'example-app', '--json'])
    api.clear()
    const second = await cli.run(['slug:inspect', '-a', 'example-app', '--json'])
    expect(second.status, second.stderr).to.equal(0)
    expect(second.stdout).to.equal(first.stdout)
    expect(calls()).to.include(`GET /apps/example-app/slugs/${CURRENT_SLUG}`)
    expect(api.requestsTo('GET', /^\/blobs\//)).to.have.length(0)
  })

  it('sends the API key to HEROKU_HOST as a Bearer token, and nothing to the pre-signed blob URL', async () => {
    // --no-cache: the download itself is what this test looks at, and an earlier test cached this slug's scan.
    await cli.run(['slug:inspect', '-a', 'example-app', '--no-cache'])
    const apiCalls = api.requests.filter(r => r.path.startsWith('/apps/'))
    expect(apiCalls.length).to.be.greaterThan(3)
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
    expect(calls()).to.have.members([
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
    expect(calls()).to.deep.equal(['GET /apps/fir-app'])
  })

  it('refuses a container app with a clear one-line error and a non-zero exit', async () => {
    const {status, stderr} = await cli.run(['slug:inspect', '-a', 'container-app'])
    expect(status).to.not.equal(0)
    expect(errorText(stderr)).to.include('container-app uses the container stack')
    expect(stderr).not.to.match(/\n\s+at /)
    expect(calls()).to.deep.equal(['GET /apps/container-app'])
  })

  it('reads the log of a failed push newer than the running release, fetched without the API token', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:inspect', '-a', 'failed-app', '--json'])
    expect(status, stderr).to.equal(0)
    const report = JSON.parse(stdout) as SlugReport
    expect(report.kind).to.equal('build-log')
    expect(report.prediction).to.equal(true)
    expect(report.source).to.include({app: 'failed-app', buildId: FAILED_BUILD})
    expect(report.packages.map(p => p.name)).to.include('tensorflow')
    expect(report.notes[0]).to.include(`The newest build (${FAILED_BUILD}) failed`)
    expect(report.notes[0]).to.include('--release v7')

    const [builds] = api.requestsTo('GET', /\/builds$/)
    expect(builds.headers.range).to.equal('created_at ..; order=desc, max=20')
    const streams = api.requestsTo('GET', /^\/streams\//)
    expect(streams.map(r => r.path)).to.deep.equal([`/streams/${FAILED_BUILD}`])
    expect(streams[0].headers.authorization).to.equal(undefined)
    expect(api.requestsTo('GET', /^\/blobs\//)).to.deep.equal([])
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
