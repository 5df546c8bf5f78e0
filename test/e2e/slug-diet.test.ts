import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import type {DietResult} from '../../src/commands/slug/diet.js'
import {incompressible} from '../helpers/slug-builder.js'
import {FakeHeroku} from './fake-heroku.js'
import {CURRENT_SLUG, exampleApp} from './fixtures.js'
import {HerokuCli} from './heroku-cli.js'
import {committedRepo} from '../helpers/git-repo.js'

const API_KEY = 'e2e-token-diet-8b3f'

/** The committed repo behind example-app's current slug (same paths as the fixture slug's repo files). */
function makeRepo(): string {
  const files: Record<string, Buffer | string> = {
    Procfile: 'web: gunicorn app:app\n',
    'app.py': 'from flask import Flask\napp = Flask(__name__)\n'.repeat(50),
    'data/train.csv': 'id,label,value\n'.repeat(20_000),
    'models/classifier.h5': Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(700_000, 3)]),
    'requirements.txt': 'tensorflow==2.16.1\njupyter==1.0.0\nflask\n',
  }
  return committedRepo(files, {prefix: 'diet-e2e-'})
}

describe('e2e: slug:diet through the real heroku CLI', function () {
  this.timeout(120_000)
  const api = new FakeHeroku()
  let cli: HerokuCli

  before(async () => {
    await api.start()
    api.addApp(exampleApp())
    cli = await HerokuCli.create(api.url, API_KEY)
  })

  beforeEach(() => api.clear())

  after(async () => {
    await cli?.cleanup()
    await api.stop()
  })

  it('--dry-run plans from the app\'s current slug and writes nothing', async () => {
    const repo = makeRepo()
    const {status, stderr, stdout} = await cli.run(['slug:diet', '-a', 'example-app', '--dir', repo, '--dry-run', '--json'])
    expect(status, stderr).to.equal(0)
    const plan = JSON.parse(stdout) as DietResult
    expect(plan.dryRun).to.equal(true)
    expect(plan.evidence.source).to.include({app: 'example-app', slugId: CURRENT_SLUG})
    expect(plan.changes.map(c => c.path)).to.include('.slugignore')
    expect(plan.written).to.deep.equal([])
    expect(() => readFileSync(join(repo, '.slugignore'))).to.throw()
    expect(execFileSync('git', ['-C', repo, 'status', '--porcelain'], {encoding: 'utf8'})).to.equal('')

    const [blob] = api.requestsTo('GET', /^\/blobs\//)
    expect(blob.headers.authorization).to.equal(undefined)
    expect(api.requests.filter(r => r.method !== 'GET')).to.deep.equal([])
  })

  it('--yes writes the .slugignore block; no config var or other API write', async () => {
    const repo = makeRepo()
    const {status, stderr, stdout} = await cli.run(['slug:diet', '-a', 'example-app', '--dir', repo, '--yes', '--json'])
    expect(status, stderr).to.equal(0)
    const result = JSON.parse(stdout) as DietResult
    expect(result.written).to.include('.slugignore')
    const slugignore = readFileSync(join(repo, '.slugignore'), 'utf8')
    expect(slugignore).to.match(/data\//)
    expect(slugignore).not.to.include('requirements.txt')
    expect(readFileSync(join(repo, 'models/classifier.h5')).length).to.equal(700_008)
    expect(api.requests.filter(r => r.method !== 'GET')).to.deep.equal([])
    expect(stdout + stderr).not.to.include(API_KEY)
  })
})
