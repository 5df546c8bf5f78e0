import {expect} from 'chai'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import nock from 'nock'

import Apps from '../../../../src/commands/slug/apps.js'
import type {AppsReport} from '../../../../src/lib/analyze/apps.js'
import {runCommand} from '../../../helpers/run-command.js'

const MB = 1e6
const SDK = 'application/vnd.heroku+json; version=3.sdk'
const sizesFile = () => join(process.env.HEROKU_CACHE_DIR!, 'heroku-slug-diet', 'slug-sizes.json')
const slugId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

interface AppJson {
  name: string
  slug_size: null | number
  generation?: {name: string}
  stack?: {name: string}
  build_stack?: {name: string}
  team?: {name: string}
}

const cedar = (name: string, size: null | number, extra: Partial<AppJson> = {}): AppJson => ({
  generation: {name: 'cedar'}, name, slug_size: size, stack: {name: 'heroku-24'}, ...extra,
})

/** Releases newest first, as the API answers a desc Range: each [version, slug number]; the newest is current. */
/** The table's body rows, cell by cell: the lines between its rule and the blank line after it (hux draws the rule with - or ─ and indents by one or two spaces, depending on which table module another test loaded first). */
function tableRows(stdout: string): string[][] {
  const lines = stdout.split('\n')
  const rule = lines.findIndex(l => /^[-─]+$/.test(l.trim()))
  const rows = lines.slice(rule + 1)
  const end = rows.findIndex(l => l.trim() === '')
  return rows.slice(0, end === -1 ? undefined : end).map(l => l.trim().split(/\s{2,}/))
}

function releases(list: [number, number | null][]): Record<string, unknown>[] {
  return list.map(([version, slug], i) => ({current: i === 0, slug: slug === null ? null : {id: slugId(slug)}, status: 'succeeded', version}))
}

function twoApps(api: nock.Scope): nock.Scope {
  return api.get('/apps').reply(200, [cedar('api', 294 * MB), cedar('web', 40 * MB), cedar('cnb', null, {generation: {name: 'fir'}})])
}

describe('slug:apps', () => {
  const team = process.env.HEROKU_TEAM

  beforeEach(() => {
    rmSync(sizesFile(), {force: true})
    delete process.env.HEROKU_TEAM
  })

  afterEach(() => {
    const pending = nock.pendingMocks()
    nock.cleanAll()
    if (team === undefined) delete process.env.HEROKU_TEAM
    else process.env.HEROKU_TEAM = team
    expect(pending, 'every expected request was made').to.deep.equal([])
  })

  it('ranks every app over several pages by slug size: share of the limit, a mark from the warning on, and apps without a slug as such', async () => {
    nock('https://api.heroku.com')
    .get('/apps').matchHeader('range', 'name ..; max=1000').matchHeader('accept', SDK)
    .reply(206, [cedar('api', 472 * MB), cedar('box', null, {build_stack: {name: 'container'}, stack: {name: 'container'}})], {'Next-Range': 'name ]box..; max=1000'})
    .get('/apps').matchHeader('range', 'name ]box..; max=1000')
    .reply(206, [cedar('cnb', null, {generation: {name: 'fir'}}), cedar('docs', 12 * MB)], {'Next-Range': 'name ]docs..; max=1000'})
    .get('/apps').matchHeader('range', 'name ]docs..; max=1000')
    .reply(200, [cedar('fresh', null), cedar('ml', 310 * MB, {team: {name: 'acme'}}), cedar('web', 530 * MB)])
    const {exitCode, stdout} = await runCommand(Apps, [])
    expect(exitCode).to.equal(0)
    const lines = stdout.split('\n')
    expect(lines[0]).to.equal('=== Slugs of the apps you can see (7 apps)')
    expect(stdout).to.include('3 apps over the 300 MB warning, 1 within 10% of the 500 MB limit, 1 over the 500 MB limit.')
    const rows = tableRows(stdout)
    expect(rows).to.deep.equal([
      ['web', 'cedar', 'heroku-24', '530 MB', '106.0%', 'OVER LIMIT'],
      ['api', 'cedar', 'heroku-24', '472 MB', '94.4%', 'near limit'],
      ['ml', 'cedar', 'heroku-24', '310 MB', '62.0%', 'warning'],
      ['docs', 'cedar', 'heroku-24', '12.0 MB', '2.4%'],
      ['fresh', 'cedar', 'heroku-24', 'none', 'never built: no slug yet'],
      ['cnb', 'fir', 'heroku-24', 'none', 'Fir app: runs an OCI image, no slug'],
      ['box', 'cedar', 'container', 'none', 'container app: runs a Docker image, no slug'],
    ])
  })

  it('returns the same data with --json', async () => {
    nock('https://api.heroku.com').get('/apps')
    .reply(200, [cedar('docs', 12 * MB), cedar('cnb', null, {generation: {name: 'fir'}}), cedar('ml', 310 * MB, {team: {name: 'acme'}})])
    const {result, stdout} = await runCommand<AppsReport>(Apps, ['--json'])
    const json = JSON.parse(stdout) as AppsReport
    expect(json).to.deep.equal(result)
    expect(json.scope).to.deep.equal({kind: 'all'})
    expect(json.limit).to.equal(500 * MB)
    expect(json.apps.map(a => [a.name, a.slugSize, a.noSlug ?? a.band, a.team])).to.deep.equal([
      ['ml', 310 * MB, 'over-warning', 'acme'],
      ['docs', 12 * MB, 'under-warning', null],
      ['cnb', null, 'fir', null],
    ])
    expect(json.summary).to.deep.equal({apps: 3, nearLimit: 0, overLimit: 0, overWarning: 1, withoutSlug: 1})
  })

  it('lists a team\'s apps (--team or HEROKU_TEAM), or the personal ones with --personal', async () => {
    nock('https://api.heroku.com')
    .get('/teams/acme/apps').reply(200, [cedar('acme-web', MB)])
    .get('/teams/env-team/apps').reply(200, [])
    .get('/users/~/apps').reply(200, [])
    let run = await runCommand(Apps, ['--team', 'acme'])
    expect(run.stdout).to.match(/^=== Slugs of team acme \(1 app\)\n/)
    expect(run.stdout).to.include('No app is over the 300 MB warning.')
    process.env.HEROKU_TEAM = 'env-team'
    run = await runCommand(Apps, [])
    expect(run.stdout).to.include('There are no apps in team env-team.')
    run = await runCommand(Apps, ['--personal'])
    expect(run.stdout).to.include('You have no personal apps.')
  })

  it('refuses --team with --personal in one line', async () => {
    const {error, exitCode} = await runCommand(Apps, ['--team', 'acme', '--personal'])
    expect(exitCode).to.equal(2)
    expect(error?.message).to.match(/^--personal=true cannot also be provided when using --team/)
  })

  describe('--history', () => {
    it('reads each app\'s N newest releases and their slugs once: growth, per release and the biggest jump', async () => {
      const api = twoApps(nock('https://api.heroku.com'))
      .get('/apps/api/releases').matchHeader('range', 'version ..; order=desc, max=5')
      .reply(206, releases([[124, 4], [123, 3], [122, 2], [121, 2], [120, 1]]))
      .get('/apps/web/releases').matchHeader('range', 'version ..; order=desc, max=5')
      .reply(206, releases([[9, 9], [8, null]]))
      for (const [n, size] of [[1, 200], [2, 210], [3, 294], [4, 294], [9, 40]]) {
        const app = n === 9 ? 'web' : 'api'
        api.get(`/apps/${app}/slugs/${slugId(n)}`).reply(200, {id: slugId(n), size: size * MB})
      }

      const {exitCode, result, stdout} = await runCommand<AppsReport>(Apps, ['--history', '5'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.include('No app is over the 300 MB warning; fastest growing: api (+94.0 MB over 5 releases).')
      expect(stdout).to.match(/^=== Slugs of the apps you can see \(3 apps; growth over each one's last 5 releases\)\n/)
      expect(stdout).to.match(/Status\s+Growth\s+Per release\s+Biggest jump\s+Note/)
      expect(stdout).to.match(/api\s+cedar\s+heroku-24\s+294 MB\s+58\.8%\s+\+94\.0 MB\s+\+23\.5 MB\s+v123: \+84\.0 MB/)
      expect(stdout).to.match(/web\s+cedar\s+heroku-24\s+40\.0 MB\s+8\.0%\s+0 B\s*\n/)
      const api0 = result!.apps[0]
      expect(api0.history?.releases.map(r => r.version)).to.deep.equal([120, 121, 122, 123, 124])
      expect(api0.history?.biggestJump).to.deep.equal({bytes: 84 * MB, version: 123})
      expect(result!.historyWindow).to.equal(5)
      expect(result!.apps.find(a => a.name === 'cnb')).not.to.have.property('history')
    })

    it('asks a second time only for the releases and the slugs it has not seen', async () => {
      const first = twoApps(nock('https://api.heroku.com'))
      .get('/apps/api/releases').reply(206, releases([[2, 2], [1, 1]]))
      .get('/apps/web/releases').reply(206, releases([[1, 9]]))
      .get(`/apps/api/slugs/${slugId(1)}`).reply(200, {size: 100 * MB})
      .get(`/apps/api/slugs/${slugId(2)}`).reply(200, {size: 150 * MB})
      .get(`/apps/web/slugs/${slugId(9)}`).reply(200, {size: 40 * MB})
      expect((await runCommand(Apps, ['--history', '3'])).exitCode).to.equal(0)
      first.done()
      expect(Object.keys((JSON.parse(readFileSync(sizesFile(), 'utf8')) as {sizes: object}).sizes)).to.have.length(3)

      twoApps(nock('https://api.heroku.com'))
      .get('/apps/api/releases').reply(206, releases([[3, 3], [2, 2], [1, 1]]))
      .get('/apps/web/releases').reply(206, releases([[1, 9]]))
      .get(`/apps/api/slugs/${slugId(3)}`).reply(200, {size: 294 * MB})
      const {result} = await runCommand<AppsReport>(Apps, ['--history', '3', '--json'])
      expect(result!.apps[0].history?.growth).to.equal(194 * MB)
    })

    it('shows an app whose releases it may not read as a row that says so, and goes on', async () => {
      twoApps(nock('https://api.heroku.com'))
      .get('/apps/api/releases').reply(403, {id: 'forbidden', message: 'You do not have access to the app api.'})
      .get('/apps/web/releases').reply(206, releases([[1, 9]]))
      .get(`/apps/web/slugs/${slugId(9)}`).reply(200, {size: 40 * MB})
      const {exitCode, result, stdout} = await runCommand<AppsReport>(Apps, ['--history', '3'])
      expect(exitCode).to.equal(0)
      expect(stdout).to.match(/api\s+cedar\s+heroku-24\s+294 MB\s+58\.8%\s+releases: access refused \(403\)/)
      expect(result!.apps[0].historyError).to.deep.equal({message: 'Access to the releases of api was refused: You do not have access to the app api.', status: 403})
    })

    it('waits out a short 429; a long one ends the run in one line, keeping the sizes already read', async () => {
      nock('https://api.heroku.com')
      .get('/apps').reply(200, [cedar('api', 294 * MB)])
      .get('/apps/api/releases').reply(429, {id: 'rate_limit', message: 'Your account reached the API rate limit'}, {'Retry-After': '0'})
      .get('/apps/api/releases').reply(206, releases([[2, 2], [1, 1]]))
      .get(`/apps/api/slugs/${slugId(1)}`).reply(200, {size: 100 * MB})
      .get(`/apps/api/slugs/${slugId(2)}`).reply(200, {size: 150 * MB})
      let run = await runCommand<AppsReport>(Apps, ['--history', '3', '--json'])
      expect(run.exitCode).to.equal(0)
      expect(run.result!.apps[0].history?.growth).to.equal(50 * MB)

      rmSync(sizesFile())
      nock('https://api.heroku.com')
      .get('/apps').reply(200, [cedar('api', 294 * MB)])
      .get('/apps/api/releases').reply(206, releases([[2, 2], [1, 1]]))
      .get(`/apps/api/slugs/${slugId(1)}`).reply(200, {size: 100 * MB})
      .get(`/apps/api/slugs/${slugId(2)}`).reply(429, {id: 'rate_limit'}, {'Retry-After': '600'})
      run = await runCommand<AppsReport>(Apps, ['--history', '3'])
      expect(run.exitCode).to.equal(1)
      expect(run.error?.message).to.match(/^The Heroku API rate limit is exhausted \(HTTP 429\)\. Run the command again in 10 min/)
      expect((JSON.parse(readFileSync(sizesFile(), 'utf8')) as {sizes: object}).sizes).to.deep.equal({[slugId(1)]: 100 * MB})
    })
  })

  describe('budgets', () => {
    it('--max-size exits 1 naming the apps over it, after the table', async () => {
      nock('https://api.heroku.com').get('/apps').twice().reply(200, [cedar('api', 472 * MB), cedar('web', 410 * MB), cedar('docs', 12 * MB)])
      const {error, exitCode, stdout} = await runCommand(Apps, ['--max-size', '400MB'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.equal('2 apps are over the --max-size budget of 400 MB: api (472 MB), web (410 MB).')
      expect(stdout).to.include('=== Slugs of the apps you can see (3 apps)')
      expect((await runCommand(Apps, ['--max-size', '500MB'])).exitCode).to.equal(0)
    })

    it('--max-growth holds the growth over the --history window', async () => {
      nock('https://api.heroku.com')
      .get('/apps').reply(200, [cedar('api', 294 * MB)])
      .get('/apps/api/releases').reply(206, releases([[2, 2], [1, 1]]))
      .get(`/apps/api/slugs/${slugId(1)}`).reply(200, {size: 200 * MB})
      .get(`/apps/api/slugs/${slugId(2)}`).reply(200, {size: 294 * MB})
      const {error, exitCode, result} = await runCommand<AppsReport>(Apps, ['--history', '10', '--max-growth', '50MB', '--max-size', '400MB'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.equal('1 app grew more than the --max-growth budget of 50.0 MB over the last 10 releases: api (+94.0 MB).')
      expect(result).to.equal(undefined)
    })

    it('refuses --max-growth without --history, and a budget that is not a size, before any request', async () => {
      let run = await runCommand(Apps, ['--max-growth', '50MB'])
      expect(run.exitCode).to.equal(2)
      expect(run.error?.message).to.match(/^All of the following must be provided when using --max-growth: --history/)
      run = await runCommand(Apps, ['--max-size', 'lots'])
      expect(run.exitCode).to.equal(1)
      expect(run.error?.message).to.equal('--max-size takes a size such as 400MB or 1.5GB, not "lots".')
    })
  })
})
