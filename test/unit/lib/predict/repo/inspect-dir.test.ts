import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Inspect from '../../../../../src/commands/slug/inspect.js'
import type {SlugReport} from '../../../../../src/lib/analyze/report.js'
import {runCommand} from '../../../../helpers/run-command.js'
import {incompressible} from '../../../../helpers/slug-builder.js'
import {git} from './fixture.js'

// slug:inspect on a local repository (--dir, and the default when no app is given or found).
describe('slug:inspect --dir', () => {
  let dir: string
  let repo: string
  const cwd = process.cwd()

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'inspect-dir-')))
    repo = join(dir, 'repo')
    mkdirSync(join(repo, 'notebooks'), {recursive: true})
    writeFileSync(join(repo, 'Procfile'), 'web: gunicorn app:app\n')
    writeFileSync(join(repo, 'requirements.txt'), 'tensorflow==2.16.1\n')
    writeFileSync(join(repo, 'model.h5'), Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(400_000, 2)]))
    writeFileSync(join(repo, 'notebooks/eda.ipynb'), incompressible(200_000, 3))
    writeFileSync(join(repo, '.slugignore'), 'notebooks/\n')
    git(repo, 'init', '-q')
    git(repo, 'add', '.')
    git(repo, 'commit', '-q', '-m', 'app')
  })

  afterEach(() => {
    process.chdir(cwd)
    rmSync(dir, {force: true, recursive: true})
  })

  it('shows the predicted slug: files left by .slugignore, estimated sizes, declared packages, findings', async () => {
    const {exitCode, stdout} = await runCommand(Inspect, ['--dir', repo])
    expect(exitCode).to.equal(0)
    expect(stdout).to.include(`Predicted slug ${repo}`)
    expect(stdout).to.match(/model\.h5\s+400 kB\s+40\d kB/)
    expect(stdout).not.to.include('eda.ipynb')
    expect(stdout).to.include('.slugignore removes 1 file (200 kB unpacked) before the build.')
    expect(stdout).to.include('tensorflow can be replaced by tensorflow-cpu')
    expect(stdout).to.include('Run: heroku slug:offload-models')
  })

  it('writes the HTML treemap of the predicted slug with every file', async () => {
    const html = join(dir, 'report.html')
    const {exitCode} = await runCommand(Inspect, ['--dir', repo, '--html', html, '--top', '1'])
    expect(exitCode).to.equal(0)
    const page = readFileSync(html, 'utf8')
    expect(page).to.include('model.h5')
    expect(page).to.include('Procfile')
    expect(page).not.to.include('eda.ipynb')
  })

  it('returns the prediction as JSON, and gates it with --max-size', async () => {
    const {result, stdout} = await runCommand<SlugReport>(Inspect, ['--dir', repo, '--json'])
    const json = JSON.parse(stdout) as SlugReport
    expect(json.totals).to.deep.equal(result!.totals)
    expect(json.files.map(f => f.path)).to.deep.equal(result!.files.map(f => f.path))
    expect(json).to.include({kind: 'repo', prediction: true})
    expect(json.totals.files).to.equal(4)
    const gated = await runCommand(Inspect, ['--dir', repo, '--max-size', '100kB'])
    expect(gated.exitCode).to.equal(1)
  })

  it('predicts the current directory when no app is given or found, and says what to do outside a repository', async () => {
    process.chdir(repo)
    const here = await runCommand<SlugReport>(Inspect, ['--json'])
    expect(here.exitCode).to.equal(0)
    expect(here.result).to.include({kind: 'repo'})
    expect(here.result!.source).to.deep.equal({dir: repo})

    process.chdir(dir)
    const nowhere = await runCommand(Inspect, [])
    expect(nowhere.exitCode).to.equal(1)
    expect(nowhere.error!.message).to.equal('Say what to inspect: --app APP (or a heroku git remote), --file SLUG.tgz, --log BUILD.log, or --dir REPO.')
  })

  it('refuses --dir on a folder that is not a git repository', async () => {
    const {error, exitCode} = await runCommand(Inspect, ['--dir', dir])
    expect(exitCode).to.equal(1)
    expect(error!.message).to.equal(`${dir} is not a git repository: Heroku builds what git push sends, so --dir needs one.`)
  })
})
