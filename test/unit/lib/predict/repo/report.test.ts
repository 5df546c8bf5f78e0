import {expect} from 'chai'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {predictRepoReport} from '../../../../../src/lib/predict/repo/report.js'
import {SlugScanner} from '../../../../../src/lib/scan/scanner.js'
import {incompressible} from '../../../../helpers/slug-builder.js'
import {fakeDistribution} from '../../source/fake-site-packages.js'
import {git, prng, pythonSource, tarSlug} from './fixture.js'
import {rejection} from '../../../../helpers/rejection.js'

const HDF5 = Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1')

const SLUGIGNORE = ['# docs and data stay out of the slug', '/docs', '*.ipynb', 'data', 'notebooks/', '**/*.csv', 'tests/**', '!keep.md', ''].join('\n')

const TRACKED: Record<string, Buffer | string> = {
  '.slugignore': SLUGIGNORE,
  Procfile: 'web: gunicorn app:app\n',
  'requirements.txt': 'flask>=3\ntensorflow==2.16.1\npytest==8.0.0\n',
  'app.py': pythonSource(6000, prng(1)),
  'docs/guide.md': 'x'.repeat(5000),
  'src/docs/api.md': 'api\n',
  'analysis.ipynb': '{"cells": []}\n'.repeat(300),
  'src/nb/explore.ipynb': '{"cells": []}\n',
  'data/train.bin': incompressible(400_000, 5),
  'src/data/lookup.json': '{}\n',
  'notebooks/helper.py': 'print(1)\n',
  'reports/2024/q1.csv': 'a,b\n1,2\n',
  'tests/test_app.py': 'def test(): pass\n',
  'src/tests/helper.py': 'x = 1\n',
  'keep.md': 'kept\n',
  'models/model.h5': Buffer.concat([HDF5, incompressible(300_000, 9)]),
}

const REMOVED = new Set(['analysis.ipynb', 'data/train.bin', 'docs/guide.md', 'notebooks/helper.py', 'reports/2024/q1.csv', 'src/data/lookup.json', 'src/nb/explore.ipynb', 'tests/test_app.py'])

function writeRepo(dir: string): void {
  for (const [path, content] of Object.entries(TRACKED)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }

  git(dir, 'init', '-q')
  git(dir, 'add', '.')
  git(dir, 'commit', '-q', '-m', 'app')
  writeFileSync(join(dir, 'untracked.bin'), incompressible(50_000))
}

/** A site-packages as pip would leave it: what requirements.txt pulls in, plus a dev tool it does not. */
function writeSitePackages(site: string): void {
  fakeDistribution(site, {files: {'flask/__init__.py': pythonSource(20_000, prng(2))}, name: 'Flask', requires: ['Werkzeug>=3', 'python-dotenv; extra == "dotenv"'], version: '3.0.0'})
  fakeDistribution(site, {files: {'werkzeug/__init__.py': pythonSource(30_000, prng(3))}, name: 'werkzeug', version: '3.0.1'})
  const tensorflow = {'tensorflow/__init__.py': pythonSource(10_000, prng(5)), 'tensorflow/libtensorflow_framework.so.2': incompressible(600_000, 4)}
  fakeDistribution(site, {files: tensorflow, name: 'tensorflow', version: '2.16.1'})
  fakeDistribution(site, {files: {'pytest/__init__.py': pythonSource(8000, prng(6))}, name: 'pytest', version: '8.0.0'})
  fakeDistribution(site, {files: {'black/__init__.py': pythonSource(9000, prng(7))}, name: 'black', version: '24.1.0'})
  mkdirSync(join(site, 'black/__pycache__'), {recursive: true})
  writeFileSync(join(site, 'black/__pycache__/__init__.cpython-311.pyc'), 'compiled')
}

describe('predict/repo/report', () => {
  let dir: string
  let repo: string

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'slug-predict-')))
    repo = join(dir, 'repo')
    mkdirSync(repo)
    writeRepo(repo)
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('predicts the slug from committed files that survive .slugignore, with packages measured from a site-packages', async () => {
    const site = join(dir, 'env/lib/python3.11/site-packages')
    writeSitePackages(site)
    const report = await predictRepoReport(repo, {depth: 2, sitePackages: join(dir, 'env'), top: 100})

    expect(report).to.include({kind: 'repo', prediction: true})
    expect(report.source).to.deep.equal({dir: repo})
    const repoPaths = report.files.filter(f => f.origin === 'repo').map(f => f.path).sort()
    const expected = Object.keys(TRACKED).filter(p => !REMOVED.has(p)).sort()
    expect(repoPaths).to.deep.equal(expected)
    expect(repoPaths).not.to.include('untracked.bin')

    const sitePrefix = '.heroku/python/lib/python3.11/site-packages/'
    const packages = Object.fromEntries(report.packages.map(p => [p.name, p]))
    expect(Object.keys(packages).sort()).to.deep.equal(['flask', 'pytest', 'tensorflow', 'werkzeug'])
    expect(packages.tensorflow).to.include({evidence: 'installed', location: sitePrefix.slice(0, -1), version: '2.16.1'})
    expect(packages.tensorflow.compressed).to.be.within(600_000, 620_000)
    expect(report.files.some(f => f.path.startsWith(`${sitePrefix}black/`))).to.equal(false)

    const ids = report.findings.map(f => f.id)
    expect(ids).to.include.members(['heavy-package:tensorflow', 'dev-package:pytest', 'model-in-repo'])
    const model = report.findings.find(f => f.id === 'model-in-repo')!
    expect(model.paths).to.deep.equal(['models/model.h5'])

    const fileCount = expected.length + report.files.filter(f => f.origin === 'buildpack').length
    expect(report.totals.files).to.equal(fileCount)
    expect(report.totals.uncompressed).to.equal(report.origins.repo.size + report.origins.buildpack.size)
    expect(report.notes.join('\n')).to.include('.slugignore removes 8 files')
    expect(report.notes.join('\n')).to.include('"!keep.md" is a negation, which Heroku does not support')
    expect(report.notes.join('\n')).to.include('1 installed package that the declared dependencies do not require is left out: black.')
  })

  it('comes within 2% of the real slug of the same files', async () => {
    const site = join(dir, 'env/lib/python3.11/site-packages')
    writeSitePackages(site)
    const report = await predictRepoReport(repo, {depth: 2, sitePackages: site, top: 1000})

    // Lay out /app as the build would: the kept repo files, then the packages under .heroku/python.
    const app = join(dir, 'app')
    for (const file of report.files) {
      const from = file.origin === 'repo' ? join(repo, file.path) : join(site, file.path.replace(/^\.heroku\/python\/lib\/python3\.11\/site-packages\//, ''))
      mkdirSync(dirname(join(app, file.path)), {recursive: true})
      copyFileSync(from, join(app, file.path))
    }

    tarSlug(app, join(dir, 'slug.tgz'))
    const scanner = new SlugScanner()
    scanner.write(readFileSync(join(dir, 'slug.tgz')))
    const real = scanner.end()
    expect(real.fileCount).to.equal(report.totals.files)
    expect(Math.abs(report.totals.compressed - real.compressedSize) / real.compressedSize).to.be.below(0.02)
  })

  it('lists declared dependencies with knowledge findings when no environment is known', async () => {
    const report = await predictRepoReport(repo, {depth: 1, top: 5})
    expect(report.packages.map(p => [p.name, p.evidence, p.size])).to.deep.equal([
      ['flask', 'requirement', 0],
      ['tensorflow', 'requirement', 0],
      ['pytest', 'requirement', 0],
    ])
    const tensorflow = report.findings.find(f => f.id === 'heavy-package:tensorflow')!
    expect(tensorflow.estimated).to.equal(true)
    expect(tensorflow.savings).to.equal(590e6 - 214e6)
    expect(report.findings.map(f => f.id)).to.include('dev-package:pytest')
    expect(report.files).to.have.length(5)
    expect(report.notes.join('\n')).to.include('pass --site-packages PATH (or keep a .venv in the repo) to measure them')
  })

  it('finds an untracked .venv in the repo by itself', async () => {
    writeSitePackages(join(repo, '.venv/lib/python3.11/site-packages'))
    const report = await predictRepoReport(repo, {depth: 1, top: 5})
    expect(report.packages.find(p => p.name === 'flask')).to.include({evidence: 'installed'})
    expect(report.files.some(f => f.path.startsWith('.venv/'))).to.equal(false)
  })

  it('refuses a folder that is not a git repository and a --site-packages that holds no packages', async () => {
    const notRepo = await rejection(predictRepoReport(join(dir), {depth: 1, top: 5}))
    expect(notRepo.message).to.equal(`${dir} is not a git repository: Heroku builds what git push sends, so --dir needs one.`)
    mkdirSync(join(dir, 'empty'))
    const empty = await rejection(predictRepoReport(repo, {depth: 1, sitePackages: join(dir, 'empty'), top: 5}))
    expect(empty.name).to.equal('UserError')
    expect(empty.message).to.match(/--site-packages .*empty holds no installed packages/)
  })

  it('fails with a one-line error when requirements.txt cannot be parsed', async () => {
    writeFileSync(join(repo, 'requirements.txt'), 'flask>=3 <4\n')
    const error = await rejection(predictRepoReport(repo, {depth: 1, top: 5}))
    expect(error.message).to.equal('requirements.txt line 1: pip cannot read "flask>=3 <4" as a requirement.')
  })
})
