import {expect} from 'chai'
import {rm} from 'node:fs/promises'
import {join} from 'node:path'

import type {AppsReport} from '../../src/lib/analyze/apps.js'
import type {SlugReport} from '../../src/lib/analyze/report.js'
import {formatSignedBytes} from '../../src/lib/shared/bytes.js'
import {buildSlug} from '../helpers/slug-builder.js'
import {FakeHeroku} from './fake-heroku.js'
import {acmeFleet, fleetSlugId, personalFleet, sizedApp} from './fixtures.js'
import {HerokuCli} from './heroku-cli.js'

const API_KEY = 'e2e-token-2b7d41c9e0aa'
const MB = 1_000_000
/** Personal apps: listed by GET /users/~/apps and, with acme's, by GET /apps, 100 a page. */
const PERSONAL = 340

/** The one line oclif prints for a user error, without its wrapping. */
function errorText(stderr: string): string {
  return stderr.replaceAll(/\s*›\s*/g, ' ').replaceAll(/\s+/g, ' ').trim()
}

describe('e2e: slug:apps through the real heroku CLI', function () {
  this.timeout(240_000)
  const api = new FakeHeroku({pageSize: 100})
  let cli: HerokuCli

  before(async () => {
    await api.start()
    for (const app of [...acmeFleet(), ...personalFleet(PERSONAL)]) api.addApp(app)
    cli = await HerokuCli.create(api.url, API_KEY)
  })

  beforeEach(() => api.clear())

  after(async () => {
    await cli?.cleanup()
    await api.stop()
  })

  it('ranks every app the user can see, paging through the list 100 at a time until there is no Next-Range', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:apps'])
    expect(status, stderr).to.equal(0)
    const pages = api.requestsTo('GET', /^\/apps$/)
    expect(pages.map(r => r.headers.range)).to.deep.equal([
      'name ..; max=1000', 'name ]app-089..; max=1000', 'name ]app-189..; max=1000', 'name ]app-289..; max=1000',
    ])
    expect(pages.every(r => r.headers.authorization === `Bearer ${API_KEY}`)).to.equal(true)
    expect(api.requests).to.have.length(4)
    expect(stdout).to.match(/^=== Slugs of the apps you can see \(350 apps\)\n/)
    // The personal fleet spreads from 5 MB to 520 MB: some over the warning, the limit, and near it.
    expect(stdout).to.match(/^\d+ apps over the 300 MB warning, \d+ within 10% of the 500 MB limit, \d+ over the 500 MB limit\.$/m)
    expect(stdout).to.match(/acme-ml-inference\s+cedar\s+heroku-24\s+472 MB\s+94\.4%\s+near limit/)
    expect(stdout).to.match(/acme-fir-api\s+fir\s+heroku-24\s+none\s+Fir app: runs an OCI image, no slug/)
    expect(stdout).to.match(/acme-gpu-worker\s+cedar\s+container\s+none\s+container app: runs a Docker image, no slug/)
    expect(stdout).to.match(/acme-sandbox\s+cedar\s+heroku-24\s+none\s+never built: no slug yet/)
    // Not a terminal: no progress line.
    expect(stderr).to.equal('')
  })

  it('lists a team\'s apps with --team, and the same data with --json', async () => {
    const {status, stderr, stdout} = await cli.run(['slug:apps', '--team', 'acme', '--json'])
    expect(status, stderr).to.equal(0)
    // @heroku-cli/command's client also asks its particleboard (here the same fake) whether the team is delinquent.
    expect(api.requests.map(r => r.path).filter(p => p !== '/teams/acme')).to.deep.equal(['/teams/acme/apps'])
    const report = JSON.parse(stdout) as AppsReport
    expect(report.scope).to.deep.equal({kind: 'team', team: 'acme'})
    expect(report.apps.map(a => a.name)).to.deep.equal([
      'acme-ml-inference',
      'acme-recsys',
      'acme-web',
      'acme-etl',
      'acme-payments',
      'acme-admin',
      'acme-docs',
      'acme-sandbox',
      'acme-fir-api',
      'acme-gpu-worker',
    ])
    expect(report.apps[0]).to.include({band: 'over-warning', slugSize: 472 * MB, team: 'acme'})
    expect(report.summary).to.deep.equal({apps: 10, nearLimit: 1, overLimit: 0, overWarning: 3, withoutSlug: 3})
  })

  it('--history reads each app\'s releases and each slug once; the next run asks only for the releases', async () => {
    const first = await cli.run(['slug:apps', '--team', 'acme', '--history', '10'])
    expect(first.status, first.stderr).to.equal(0)
    expect(first.stdout).to.include('3 apps over the 300 MB warning, 1 within 10% of the 500 MB limit; fastest growing: acme-ml-inference (+115 MB over 10 releases).')
    expect(first.stdout).to.match(/acme-ml-inference\s+cedar\s+heroku-24\s+472 MB\s+94\.4%\s+near limit\s+\+115 MB\s+\+12\.7 MB\s+v15: \+88\.4 MB/)
    expect(first.stdout).to.match(/acme-payments\s+cedar\s+heroku-24\s+150 MB\s+30\.0%\s+releases: access refused \(403\)/)
    const releases = api.requestsTo('GET', /\/releases$/)
    // Apps with a slug only: not the Fir, Docker or never-built ones.
    expect(releases.map(r => r.path).sort()).to.deep.equal([
      'admin', 'docs', 'etl', 'ml-inference', 'payments', 'recsys', 'web',
    ].map(name => `/apps/acme-${name}/releases`))
    expect(releases.every(r => r.headers.range === 'version ..; order=desc, max=10')).to.equal(true)
    const slugs = api.requestsTo('GET', /\/slugs\//)
    expect(new Set(slugs.map(r => r.path)).size).to.equal(slugs.length)
    expect(slugs.length).to.be.greaterThan(20)

    // A deploy since: the next run asks for that release's slug alone.
    api.clear()
    const inference = api.apps.get('acme-ml-inference')!
    const newSlug = {blob: Buffer.alloc(0), id: fleetSlugId(900_001), size: 480 * MB}
    const before = structuredClone(inference.releases!)
    inference.slugs!.push(newSlug)
    for (const r of inference.releases!) r.current = false
    inference.releases!.push({current: true, slugId: newSlug.id, status: 'succeeded', version: inference.releases!.length + 1})
    try {
      const second = await cli.run(['slug:apps', '--team', 'acme', '--history', '10', '--json'])
      expect(second.status, second.stderr).to.equal(0)
      expect(api.requestsTo('GET', /\/slugs\//).map(r => r.path)).to.deep.equal([`/apps/acme-ml-inference/slugs/${newSlug.id}`])
      const report = JSON.parse(second.stdout) as AppsReport
      expect(report.apps[0].history?.releases.at(-1)).to.deep.equal({size: 480 * MB, slugId: newSlug.id, version: 19})
    } finally {
      inference.releases = before
      inference.slugs!.pop()
    }
  })

  it('--max-size and --max-growth exit 1 naming the apps over them', async () => {
    const size = await cli.run(['slug:apps', '--team', 'acme', '--max-size', '400MB'])
    expect(size.status).to.equal(1)
    expect(size.stdout).to.include('=== Slugs of team acme (10 apps)')
    expect(errorText(size.stderr)).to.include('2 apps are over the --max-size budget of 400 MB: acme-ml-inference (472 MB), acme-recsys (405 MB).')
    const growth = await cli.run(['slug:apps', '--team', 'acme', '--history', '10', '--max-growth', '50MB'])
    expect(growth.status).to.equal(1)
    expect(errorText(growth.stderr)).to.include('1 app grew more than the --max-growth budget of 50.0 MB over the last 10 releases: acme-ml-inference (+115 MB).')
    expect((await cli.run(['slug:apps', '--team', 'acme', '--max-size', '500MB'])).status).to.equal(0)
  })

  it('a team the user is not in is one line and exit 1', async () => {
    api.route('GET', /^\/teams\/secret\/apps$/, (_req, res) => {
      res.writeHead(403, {'content-type': 'application/json'})
      res.end(JSON.stringify({id: 'forbidden', message: 'You do not have access to the team secret.'}))
    })
    const {status, stderr, stdout} = await cli.run(['slug:apps', '--team', 'secret'])
    expect(status).to.equal(1)
    expect(stdout).to.equal('')
    expect(errorText(stderr)).to.include('Access to the apps of team secret was refused: You do not have access to the team secret.')
    expect(stderr).not.to.match(/\n\s+at /)
  })

  it('slug:inspect -a of an app over the warning says in its header how the slug grew, from the releases it lists anyway', async () => {
    // A real slug of 305 MB (stored, not compressed: quick to make and to read), after three smaller releases.
    const blob = buildSlug([{content: 'web: python app.py\n', path: './app/Procfile'}, {content: Buffer.alloc(305 * MB, 7), path: './app/models/weights.bin'}], 0)
    const app = sizedApp('big-model', [250 * MB, 262 * MB, 290 * MB])
    const current = {blob, id: fleetSlugId(900_002)}
    app.slugs!.push(current)
    for (const r of app.releases!) r.current = false
    app.releases!.push({current: true, slugId: current.id, status: 'succeeded', version: app.releases!.length + 1})
    api.addApp(app)
    await rm(join(cli.home, '.cache', 'heroku', 'heroku-slug-diet', 'slug-sizes.json'), {force: true})

    const {status, stderr, stdout} = await cli.run(['slug:inspect', '-a', 'big-model', '--top', '3'])
    expect(status, stderr).to.equal(0)
    const growth = formatSignedBytes(blob.length - (250 * MB))
    expect(stdout).to.include(`Growth:       ${growth} over the last 5 releases (v1 to v5), ${formatSignedBytes((blob.length - (250 * MB)) / 4)} per release; biggest jump v3: +28.0 MB`)
    expect(api.requestsTo('GET', /\/releases$/)).to.have.length(1)
    // The current slug's size is known from its read: only the three older slugs are asked for.
    expect(api.requestsTo('GET', /\/slugs\//).map(r => r.path)).to.deep.equal([
      `/apps/big-model/slugs/${current.id}`,
      ...app.slugs!.slice(0, 3).map(s => `/apps/big-model/slugs/${s.id}`),
    ])

    api.clear()
    const again = await cli.run(['slug:inspect', '-a', 'big-model', '--json'])
    const report = JSON.parse(again.stdout) as SlugReport
    expect(report.growth?.releases.map(r => r.version)).to.deep.equal([1, 2, 3, 4, 5])
    expect(report.growth?.biggestJump).to.deep.equal({bytes: 28 * MB, version: 3})
    expect(api.requestsTo('GET', /\/slugs\//).map(r => r.path)).to.deep.equal([`/apps/big-model/slugs/${current.id}`])
  })
})
