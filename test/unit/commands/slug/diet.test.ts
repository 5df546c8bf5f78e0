import {expect} from 'chai'
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import nock from 'nock'

import Diet, {type DietResult} from '../../../../src/commands/slug/diet.js'
import {HOOK_BEGIN} from '../../../../src/lib/plan/diet/post-compile.js'
import {BLOCK_BEGIN, BLOCK_END} from '../../../../src/lib/analyze/slugignore/file.js'
import {serveBlobs} from '../../../helpers/blob-server.js'
import {runCommand} from '../../../helpers/run-command.js'
import {buildSlug, type FixtureEntry, incompressible} from '../../../helpers/slug-builder.js'

const HDF5 = Buffer.concat([Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), incompressible(50_000, 7)])

const REPO: Record<string, Buffer | string> = {
  '.github/workflows/ci.yml': 'on: push\n',
  Procfile: 'web: gunicorn app:app\n',
  'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
  'docs/design.psd': incompressible(300_000, 3),
  'models/clf.h5': HDF5,
  'notebooks/eda.ipynb': JSON.stringify({cells: [{source: 'x = 1\n'.repeat(2000)}]}),
  'requirements.txt': 'flask\nnumpy==1.26.4\npytest==8.0.0\ntensorflow==2.16.1\n',
  'tests/test_app.py': 'def test_ok():\n    assert True\n',
}

const SITE = '.heroku/python/lib/python3.11/site-packages'

function dist(name: string, version: string, files: Record<string, Buffer | string>, requires: string[] = []): FixtureEntry[] {
  const info = `${SITE}/${name.replaceAll('-', '_')}-${version}.dist-info`
  const folder = `${name.replaceAll('-', '_')}-${version}.dist-info`
  const record = [...Object.keys(files).map(f => `${f},sha256=x,${Buffer.byteLength(files[f])}`), `${folder}/METADATA,,`, `${folder}/RECORD,,`]
  return [
    ...Object.entries(files).map(([f, content]) => ({content, path: `./app/${SITE}/${f}`})),
    {content: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${requires.map(r => `Requires-Dist: ${r}\n`).join('')}`, path: `./app/${info}/METADATA`},
    {content: `${record.join('\n')}\n`, path: `./app/${info}/RECORD`},
  ]
}

const SLUG = buildSlug([
  ...Object.entries(REPO).map(([path, content]) => ({content, path: `./app/${path}`})),
  ...dist('flask', '3.0.0', {'flask/__init__.py': 'import os\n'}),
  ...dist('numpy', '1.26.4', {
    'numpy/__init__.py': 'x = 1\n',
    'numpy/_core/include/numpy/ndarraytypes.h': '#define X 1\n'.repeat(500),
    'numpy/_core/tests/test_multiarray.py': incompressible(100_000, 5),
  }),
  ...dist('pytest', '8.0.0', {'pytest/__init__.py': incompressible(20_000, 9)}),
  ...dist('tensorflow', '2.16.1', {'tensorflow/__init__.py': 'x = 1\n', 'tensorflow/libtf.so': incompressible(400_000, 11)}),
])

function makeRepo(files: Record<string, Buffer | string> = REPO): string {
  const dir = mkdtempSync(join(tmpdir(), 'diet-cmd-'))
  execFileSync('git', ['init', '-q', dir])
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), {recursive: true})
    writeFileSync(join(dir, path), content)
  }

  execFileSync('git', ['-C', dir, 'add', '-A'])
  return dir
}

/** A file's text, '' when it does not exist. */
const textIn = (dir: string, path: string): string => (existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : '')

/** Every file of the work tree with its bytes, to prove nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const path of execFileSync('git', ['-C', dir, 'ls-files', '--others', '--cached'], {encoding: 'utf8'}).split('\n').filter(Boolean)) {
    out[path] = readFileSync(join(dir, path)).toString('base64')
  }

  return out
}

describe('slug:diet', function () {
  this.timeout(60_000)
  let dir: string
  let slugPath: string
  let isTTY: boolean | undefined

  beforeEach(() => {
    dir = makeRepo()
    slugPath = join(mkdtempSync(join(tmpdir(), 'diet-slug-')), 'slug.tgz')
    writeFileSync(slugPath, SLUG)
    isTTY = process.stdin.isTTY
    Object.defineProperty(process.stdin, 'isTTY', {configurable: true, value: false})
  })

  afterEach(() => {
    Object.defineProperty(process.stdin, 'isTTY', {configurable: true, value: isTTY})
    rmSync(dir, {force: true, recursive: true})
    rmSync(dirname(slugPath), {force: true, recursive: true})
  })

  it('--dry-run shows the plan, the savings and the diff, and writes nothing', async () => {
    const before = snapshot(dir)
    const {exitCode, stdout} = await runCommand(Diet, ['--file', slugPath, '--dir', dir, '--dry-run', '--post-compile', '--fix-requirements'])
    expect(exitCode).to.equal(0)
    expect(stdout).to.contain('=== Slug diet plan from the slug file')
    expect(stdout).to.match(/\/docs\/ +docs-media +1 +\d+(\.\d)? kB/)
    expect(stdout).to.contain('--- /dev/null\n+++ b/.slugignore')
    expect(stdout).to.contain('-tensorflow==2.16.1\n+tensorflow-cpu==2.16.1')
    expect(stdout).to.contain('heroku slug:offload-models')
    expect(stdout).to.match(/After this run: +\d/)
    // the build cache keeps what the hook pruned: said where the rules are shown, with the command that clears it
    expect(stdout).to.contain('pruned files stay pruned in later builds, even after the hook is removed, until you clear the cache with heroku builds:cache:purge -a APP (heroku-builds plugin)')
    // the hook's diff is printed verbatim (a log format string would turn %% into %)
    expect(stdout).to.contain('{rel%%/*}')
    expect(snapshot(dir)).to.deep.equal(before)
  })

  it('a run killed before any rename of --fix-requirements keeps every line, and the next run finishes the write', async function () {
    this.timeout(120_000)
    const fixture = join(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/atomic-write/diet-killed.ts')
    const args = ['--file', slugPath, '--dir', dir, '--fix-requirements', '--yes']
    // .slugignore, requirements-dev.txt (gains lines: first), requirements.txt (loses pytest: after it)
    for (const nth of [1, 2, 3]) {
      const repo = nth === 1 ? dir : makeRepo()
      const repoArgs = args.map(a => (a === dir ? repo : a))
      const killed = spawnSync(process.execPath, ['--import', 'tsx', fixture, String(nth), ...repoArgs], {encoding: 'utf8', timeout: 60_000})
      expect(killed.signal, `${nth}: ${killed.stderr}`).to.equal('SIGKILL')
      expect(`${textIn(repo, 'requirements.txt')}${textIn(repo, 'requirements-dev.txt')}`, `killed before rename ${nth}`).to.contain('pytest==8.0.0')
      expect(textIn(repo, '.slug-diet-journal.json'), `killed before rename ${nth}`).not.to.equal('')

      const again = await runCommand<DietResult>(Diet, repoArgs)
      expect(again.exitCode, again.error?.message).to.equal(0)
      expect(again.stderr.replaceAll(/\s*\n ›\s+/g, ' ')).to.match(/An earlier slug:diet was stopped while writing .*requirements\.txt.*: the write was finished/)
      expect(textIn(repo, 'requirements.txt')).to.equal('flask==3.0.0\nnumpy==1.26.4\ntensorflow-cpu==2.16.1\n')
      expect(textIn(repo, 'requirements-dev.txt')).to.equal('-r requirements.txt\npytest==8.0.0\n')
      expect(textIn(repo, '.slugignore')).to.contain('/docs/')
      expect(readdirSync(repo).filter(f => f.endsWith('.tmp') || f.includes('journal'))).to.deep.equal([])
      if (repo !== dir) rmSync(repo, {force: true, recursive: true})
    }
  })

  it('without a terminal and without --yes, it refuses and writes nothing', async () => {
    const before = snapshot(dir)
    const {error, exitCode} = await runCommand(Diet, ['--file', slugPath, '--dir', dir])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.match(/cannot ask for confirmation here: pass --yes .* Nothing was written\.$/)
    expect(error?.message).not.to.contain('\n')
    expect(snapshot(dir)).to.deep.equal(before)
  })

  it('--yes writes .slugignore, bin/post_compile (executable) and the requirements; a second run changes nothing', async () => {
    const args = ['--file', slugPath, '--dir', dir, '--post-compile', '--fix-requirements', '--yes']
    const first = await runCommand<DietResult>(Diet, args)
    expect(first.exitCode, first.error?.message).to.equal(0)
    expect(first.result!.written).to.deep.equal(['.slugignore', 'bin/post_compile', 'requirements.txt', 'requirements-dev.txt'])
    const slugignore = readFileSync(join(dir, '.slugignore'), 'utf8')
    expect(slugignore).to.equal(`${BLOCK_BEGIN}\n/.github/\n/docs/\n/notebooks/\n/tests/\n${BLOCK_END}\n`)
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('flask==3.0.0\nnumpy==1.26.4\ntensorflow-cpu==2.16.1\n')
    expect(readFileSync(join(dir, 'requirements-dev.txt'), 'utf8')).to.equal('-r requirements.txt\npytest==8.0.0\n')
    expect(statSync(join(dir, 'bin/post_compile')).mode & 0o777).to.equal(0o755)
    expect(readFileSync(join(dir, 'bin/post_compile'), 'utf8')).to.match(/^#!\/usr\/bin\/env bash\nset -euo pipefail\n/)

    const after = snapshot(dir)
    const second = await runCommand<DietResult>(Diet, args)
    expect(second.exitCode).to.equal(0)
    expect(second.stdout).to.contain('Nothing to write')
    expect(second.result!.written).to.deep.equal([])
    expect(snapshot(dir)).to.deep.equal(after)
  })

  it('--fix-requirements never swaps tensorflow while tf-keras requires it, and says what would make it possible', async () => {
    const repo = {...REPO, 'requirements.txt': 'tensorflow==2.16.1\ntf-keras==2.16.0\n'}
    rmSync(dir, {force: true, recursive: true})
    dir = makeRepo(repo)
    writeFileSync(slugPath, buildSlug([
      ...Object.entries(repo).map(([path, content]) => ({content, path: `./app/${path}`})),
      ...dist('tensorflow', '2.16.1', {'tensorflow/__init__.py': 'x = 1\n', 'tensorflow/libtf.so': incompressible(400_000, 11)}),
      ...dist('tf-keras', '2.16.0', {'tf_keras/__init__.py': 'x = 1\n'}, ['tensorflow<2.17,>=2.16']),
    ]))
    const {exitCode, result, stdout} = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--fix-requirements', '--yes'])
    expect(exitCode).to.equal(0)
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('tensorflow==2.16.1\ntf-keras==2.16.0\n')
    expect(result!.written).not.to.include('requirements.txt')
    expect(result!.requirements!.refused!.map(r => [r.package, r.to, r.requiredBy])).to.deep.equal([['tensorflow', 'tensorflow-cpu', ['tf-keras']]])
    expect(stdout).to.contain('tensorflow is not swapped for tensorflow-cpu: tf-keras requires tensorflow, so pip would install both')
  })

  it('--json returns the plan with measured savings and the what-if', async () => {
    const {exitCode, result, stdout} = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--dry-run', '--json', '--post-compile'])
    expect(exitCode).to.equal(0)
    const json = JSON.parse(stdout) as DietResult
    expect(json.slugignore.rules).to.deep.equal(['/.github/', '/docs/', '/notebooks/', '/tests/'])
    const docs = json.slugignore.items.find(i => i.rule === '/docs/')!
    expect(docs.compressed).to.be.within(295_000, 305_000)
    expect(json.postCompile!.items.find(i => i.rule.id === 'package-tests')!.targets).to.deep.equal([`${SITE}/numpy/_core/tests`])
    expect(json.whatIf.before).to.equal(SLUG.length)
    expect(json.whatIf.after).to.equal(json.whatIf.before - json.whatIf.lines.filter(l => l.applied).reduce((n, l) => n + l.savings, 0))
    expect(json.changes.map(c => c.path)).to.deep.equal(['.slugignore', 'bin/post_compile'])
    expect(result!.written).to.deep.equal([])
  })

  it('works from the repo alone and keeps tests when app.json declares Heroku CI', async () => {
    writeFileSync(join(dir, 'app.json'), JSON.stringify({environments: {test: {scripts: {test: 'pytest'}}}}))
    execFileSync('git', ['-C', dir, 'add', 'app.json'])
    const {exitCode, result} = await runCommand<DietResult>(Diet, ['--dir', dir, '--dry-run'])
    expect(exitCode).to.equal(0)
    expect(result!.evidence.kind).to.equal('repo')
    expect(result!.slugignore.rules).to.deep.equal(['/.github/', '/docs/', '/notebooks/'])
    expect(result!.slugignoreEstimated).to.equal(true)
    expect(result!.slugignore.items.find(i => i.rule === '/docs/')!.compressed).to.be.greaterThan(250_000)
  })

  it('keeps the rules slug:offload-models wrote, and removes offloaded models although the code loads them', async () => {
    const manifest = {bucket: 'b', models: [{key: 'app/models/clf.h5', model: 'models/clf.h5', path: 'models/clf.h5', sha256: 'a'.repeat(64), size: HDF5.length}], prefix: 'app/models/', version: 1}
    writeFileSync(join(dir, 'models.manifest.json'), JSON.stringify(manifest))
    writeFileSync(join(dir, 'app.py'), 'MODEL = "models/clf.h5"\n')
    writeFileSync(join(dir, '.slugignore'), `*.log\n${BLOCK_BEGIN}\nmodels/clf.h5\n# <<< heroku-slug-diet\n`)
    execFileSync('git', ['-C', dir, 'add', '-A'])
    const {exitCode, result} = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--keep-tests', '--yes'])
    expect(exitCode).to.equal(0)
    expect(readFileSync(join(dir, '.slugignore'), 'utf8')).to.equal(`*.log\n${BLOCK_BEGIN}\n/.github/\n/docs/\n/models/clf.h5\n/notebooks/\n${BLOCK_END}\n`)
    expect(result!.slugignore.modelsToOffload.paths).to.deep.equal([])
  })

  it('--emit-quantize-script writes a TFLiteConverter script for the Keras model', async () => {
    const {exitCode, result} = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--emit-quantize-script', join(dir, 'quantize_model.py'), '--yes'])
    expect(exitCode).to.equal(0)
    expect(result!.written).to.include('quantize_model.py')
    const script = readFileSync(join(dir, 'quantize_model.py'), 'utf8')
    expect(script).to.contain('"path": "models/clf.h5"')
    expect(script).to.contain('tf.lite.TFLiteConverter.from_keras_model')
  })

  it('writes no empty .slugignore when there is no rule, and says so', async () => {
    const bare = makeRepo({Procfile: 'web: gunicorn app:app\n', 'app.py': 'print(1)\n', 'requirements.txt': 'flask\n'})
    try {
      const {exitCode, result, stdout} = await runCommand<DietResult>(Diet, ['--dir', bare, '--yes'])
      expect(exitCode).to.equal(0)
      expect(result!.changes).to.deep.equal([])
      expect(stdout).to.contain('No .slugignore rule to write: no .slugignore file is created.')
      expect(existsSync(join(bare, '.slugignore'))).to.equal(false)
    } finally {
      rmSync(bare, {force: true, recursive: true})
    }
  })

  it('--emit-quantize-script never replaces the user\'s own file without --force', async () => {
    writeFileSync(join(dir, 'mine.py'), 'print("my own script")\n')
    const before = snapshot(dir)
    const refused = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--emit-quantize-script', join(dir, 'mine.py'), '--yes'])
    expect(refused.exitCode).to.equal(1)
    expect(refused.error?.message).to.equal('mine.py exists and was not written by this plugin: choose another --emit-quantize-script path, or run again with --force to replace it. Nothing was written.')
    expect(snapshot(dir)).to.deep.equal(before)
    const forced = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--emit-quantize-script', join(dir, 'mine.py'), '--yes', '--force'])
    expect(forced.exitCode, forced.error?.message).to.equal(0)
    expect(readFileSync(join(dir, 'mine.py'), 'utf8')).to.contain('tf.lite.TFLiteConverter')
    // its own script it rewrites without --force
    const again = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--emit-quantize-script', join(dir, 'mine.py'), '--yes'])
    expect(again.exitCode, again.error?.message).to.equal(0)
  })

  it('--emit-quantize-script never replaces its own script once the user has edited it, without --force', async () => {
    const first = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--emit-quantize-script', join(dir, 'q.py'), '--yes'])
    expect(first.exitCode, first.error?.message).to.equal(0)
    const edited = `${readFileSync(join(dir, 'q.py'), 'utf8')}\n# my representative dataset\nDATA = "calib/"\n`
    writeFileSync(join(dir, 'q.py'), edited)
    const refused = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--emit-quantize-script', join(dir, 'q.py'), '--yes'])
    expect(refused.exitCode).to.equal(1)
    expect(refused.error?.message).to.equal('q.py was written by this plugin but edited since: choose another --emit-quantize-script path, or run again with --force to replace it. Nothing was written.')
    expect(readFileSync(join(dir, 'q.py'), 'utf8')).to.equal(edited)
  })

  it('--emit-quantize-script outside the repo: the user\'s own file there is refused too, and left as it was', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'diet-outside-'))
    try {
      const mine = join(outside, 'mine.py')
      writeFileSync(mine, 'print("my own script")\n')
      const refused = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--emit-quantize-script', mine, '--yes'])
      expect(refused.exitCode).to.equal(1)
      expect(refused.error?.message).to.equal(`${mine} exists and was not written by this plugin: choose another --emit-quantize-script path, or run again with --force to replace it. Nothing was written.`)
      expect(readFileSync(mine, 'utf8')).to.equal('print("my own script")\n')
    } finally {
      rmSync(outside, {force: true, recursive: true})
    }
  })

  it('--app reads the current release\'s slug, as slug:inspect does', async () => {
    const sha = createHash('sha256').update(SLUG).digest('hex')
    const blobs = await serveBlobs({'slug-11.tgz': SLUG})
    const app = {build_stack: {name: 'heroku-24'}, name: 'example-app'}
    const api = nock('https://api.heroku.com')
    // One app lookup serves both the failed-build check and the slug lookup.
    .get('/apps/example-app')
    .reply(200, app)
    .get('/apps/example-app/builds')
    .reply(206, [{created_at: '2026-11-20T12:00:00Z', id: '11111111-1111-4111-8111-111111111111', status: 'succeeded'}])
    .get('/apps/example-app/releases')
    .reply(206, [{current: true, slug: {id: 'slug-11'}, status: 'succeeded', version: 11}])
    .get('/apps/example-app/slugs/slug-11')
    .reply(200, {blob: {url: blobs.url('slug-11.tgz')}, checksum: `SHA256:${sha}`, id: 'slug-11', size: SLUG.length})
    const {exitCode, result, stdout} = await runCommand<DietResult>(Diet, ['--app', 'example-app', '--dir', dir, '--dry-run']).finally(() => blobs.close())
    expect(exitCode).to.equal(0)
    expect(stdout).to.contain('=== Slug diet plan from the slug of example-app v11')
    expect(result!.evidence.source.slugId).to.equal('slug-11')
    expect(result!.whatIf.before).to.equal(SLUG.length)
    api.done()
    expect(blobs.requests.map(r => [r.path, r.headers.authorization])).to.deep.equal([['/slug-11.tgz', undefined]])
  })

  it('--slug plans from the slug with that id, without looking for releases or builds', async () => {
    const sha = createHash('sha256').update(SLUG).digest('hex')
    const blobs = await serveBlobs({'slug-9.tgz': SLUG})
    const api = nock('https://api.heroku.com')
    .get('/apps/example-app/slugs/slug-9')
    .reply(200, {blob: {url: blobs.url('slug-9.tgz')}, checksum: `SHA256:${sha}`, id: 'slug-9', size: SLUG.length})
    const {exitCode, result} = await runCommand<DietResult>(Diet, ['--app', 'example-app', '--slug', 'slug-9', '--dir', dir, '--dry-run']).finally(() => blobs.close())
    expect(exitCode).to.equal(0)
    expect(result!.evidence.source.slugId).to.equal('slug-9')
    expect(result!.whatIf.before).to.equal(SLUG.length)
    api.done()
  })

  it('--build latest plans from the newest build\'s log, fetched without the API token', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'torch==2.3.0\ngunicorn==22.0.0\n')
    const logs = await serveBlobs({'build.log': readFileSync('test/fixtures/build-logs/cuda-torch.log')})
    const failed = '22222222-2222-4222-8222-222222222222'
    const api = nock('https://api.heroku.com')
    .get('/apps/example-app/builds')
    .reply(206, [{created_at: '2026-11-25T09:00:00Z', id: failed, output_stream_url: logs.url('build.log'), stack: 'heroku-24', status: 'failed'}])
    const {exitCode, result} = await runCommand<DietResult>(Diet, ['--app', 'example-app', '--build', 'latest', '--dir', dir, '--dry-run']).finally(() => logs.close())
    expect(exitCode).to.equal(0)
    expect(result!.evidence.kind).to.equal('build-log')
    expect(result!.evidence.source.buildId).to.equal(failed)
    expect(result!.whatIf.lines.find(l => l.label === 'requirements.txt: swap torch')?.savings).to.be.greaterThan(1e9)
    expect(logs.requests.map(r => [r.path, r.headers.authorization])).to.deep.equal([['/build.log', undefined]])
    api.done()
  })

  it('--build needs the app whose build it is', async () => {
    const {error, exitCode} = await runCommand(Diet, ['--build', 'latest', '--dir', dir, '--dry-run'])
    expect(exitCode).to.equal(1)
    expect(error?.message).to.match(/^--build reads a build of an app: add --app APP/)
  })

  it('--log plans from a failed build: PyTorch moves to its CPU wheels', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'torch==2.3.0\ngunicorn==22.0.0\n')
    const {exitCode, result} = await runCommand<DietResult>(Diet, ['--log', 'test/fixtures/build-logs/cuda-torch.log', '--dir', dir, '--fix-requirements', '--yes'])
    expect(exitCode).to.equal(0)
    expect(result!.evidence.kind).to.equal('build-log')
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('--extra-index-url https://download.pytorch.org/whl/cpu\ntorch==2.3.0+cpu\ngunicorn==22.0.0\n')
    const torch = result!.whatIf.lines.find(l => l.label === 'requirements.txt: swap torch')!
    expect(torch.applied).to.equal(true)
    expect(torch.savings).to.be.greaterThan(1e9)
    expect(result!.whatIf.after).to.be.lessThan(result!.whatIf.before - 1e9)
  })

  it('a stray begin marker costs no user line: every run refuses with the line, and changes nothing', async () => {
    writeFileSync(join(dir, '.slugignore'), `#mine\n${BLOCK_BEGIN}\n/old/\n`)
    mkdirSync(join(dir, 'bin'))
    writeFileSync(join(dir, 'bin/post_compile'), `#!/bin/sh\n${HOOK_BEGIN}\npython manage.py collectstatic --noinput\n`, {mode: 0o755})
    execFileSync('git', ['-C', dir, 'add', '-A'])
    const before = snapshot(dir)
    for (const args of [['--yes'], ['--yes'], ['--yes', '--post-compile']]) {
      const {error, exitCode} = await runCommand(Diet, ['--file', slugPath, '--dir', dir, ...args])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.match(/^\.slugignore:2: the heroku-slug-diet block begins here but has no end marker; .* Nothing was written\.$/)
      expect(snapshot(dir)).to.deep.equal(before)
    }

    writeFileSync(join(dir, '.slugignore'), '/old/\n')
    const hook = await runCommand(Diet, ['--file', slugPath, '--dir', dir, '--yes', '--post-compile'])
    expect(hook.error?.message).to.match(/^bin\/post_compile:2: the heroku-slug-diet block begins here but has no end marker/)
    expect(readFileSync(join(dir, '.slugignore'), 'utf8')).to.equal('/old/\n')
    expect(readFileSync(join(dir, 'bin/post_compile'), 'utf8')).to.contain('python manage.py collectstatic --noinput')
  })

  it('never prints a password of the user\'s index URLs: not in the diff, the tables or --json; the file keeps it', async () => {
    const secretLine = '--extra-index-url https://user:S3CRET@pypi.example.com/simple'
    writeFileSync(join(dir, 'requirements.txt'), `${secretLine}\nflask\nnumpy==1.26.4\npytest==8.0.0\ntensorflow==2.16.1\n`)
    execFileSync('git', ['-C', dir, 'add', '-A'])
    const shown = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--fix-requirements', '--dry-run'])
    expect(shown.exitCode, shown.error?.message).to.equal(0)
    expect(shown.stdout).to.contain(' --extra-index-url https://user:***@pypi.example.com/simple')
    const json = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--fix-requirements', '--yes', '--json'])
    expect(json.exitCode, json.error?.message).to.equal(0)
    for (const out of [shown.stdout, shown.stderr, json.stdout, json.stderr]) expect(out).not.to.contain('S3CRET')
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.contain(secretLine)
  })

  it('keeps CRLF line endings of a requirements file it rewrites, and a second run changes nothing', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'flask\r\nnumpy==1.26.4\r\npytest==8.0.0\r\ntensorflow==2.16.1\r\n')
    execFileSync('git', ['-C', dir, 'add', '-A'])
    const args = ['--file', slugPath, '--dir', dir, '--fix-requirements', '--yes']
    const first = await runCommand<DietResult>(Diet, args)
    expect(first.exitCode, first.error?.message).to.equal(0)
    const text = readFileSync(join(dir, 'requirements.txt'), 'utf8')
    expect(text).to.equal('flask==3.0.0\r\nnumpy==1.26.4\r\ntensorflow-cpu==2.16.1\r\n')

    const second = await runCommand<DietResult>(Diet, args)
    expect(second.result!.written).to.deep.equal([])
  })

  describe('bad input: one line, non-zero exit, nothing written', () => {
    it('not a git repository', async () => {
      const plain = mkdtempSync(join(tmpdir(), 'diet-plain-'))
      try {
        const {error, exitCode} = await runCommand(Diet, ['--dir', plain, '--dry-run'])
        expect(exitCode).to.equal(1)
        expect(error?.message).to.match(/is not a git repository/)
      } finally {
        rmSync(plain, {force: true, recursive: true})
      }
    })

    it('an unreadable .slugignore', async () => {
      mkdirSync(join(dir, '.slugignore'))
      const before = snapshot(dir)
      const {error, exitCode} = await runCommand(Diet, ['--file', slugPath, '--dir', dir, '--yes'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.equal('Cannot read .slugignore: it is a directory. Nothing was written.')
      expect(snapshot(dir)).to.deep.equal(before)
    })

    it('a requirements file pip cannot read', async () => {
      writeFileSync(join(dir, 'requirements.txt'), 'flask\nthis is not valid!\n')
      const before = snapshot(dir)
      const {error, exitCode} = await runCommand(Diet, ['--file', slugPath, '--dir', dir, '--yes'])
      expect(exitCode).to.equal(1)
      expect(error?.message).to.match(/requirements.txt line 2/)
      expect(snapshot(dir)).to.deep.equal(before)
    })

    it('a requirements.txt linked to a FIFO: refused at once, without waiting for a writer', async () => {
      const fifo = join(mkdtempSync(join(tmpdir(), 'diet-fifo-')), 'reqs')
      execFileSync('mkfifo', [fifo])
      rmSync(join(dir, 'requirements.txt'))
      symlinkSync(fifo, join(dir, 'requirements.txt'))
      try {
        const {error, exitCode} = await runCommand(Diet, ['--file', slugPath, '--dir', dir, '--yes', '--fix-requirements'])
        expect(exitCode).to.equal(1)
        expect(error?.message).to.equal('Cannot read requirements.txt: it is a FIFO (named pipe), not a regular file. Nothing was written.')
      } finally {
        rmSync(dirname(fifo), {force: true, recursive: true})
      }
    })

    it('a slug it cannot read', async () => {
      writeFileSync(slugPath, 'not a gzip file at all')
      const before = snapshot(dir)
      const {error, exitCode} = await runCommand(Diet, ['--file', slugPath, '--dir', dir, '--yes'])
      expect(exitCode).to.equal(1)
      expect(error?.message).not.to.contain('\n')
      expect(snapshot(dir)).to.deep.equal(before)
    })

    it('a requirements file with --hash lines is left alone, with the reason', async () => {
      writeFileSync(join(dir, 'requirements.txt'), 'tensorflow==2.16.1 --hash=sha256:abcd\n')
      const {exitCode, result, stdout} = await runCommand<DietResult>(Diet, ['--file', slugPath, '--dir', dir, '--fix-requirements', '--yes'])
      expect(exitCode).to.equal(0)
      expect(result!.written).to.deep.equal(['.slugignore'])
      expect(stdout).to.match(/uses --hash/)
      expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('tensorflow==2.16.1 --hash=sha256:abcd\n')
    })
  })
})
