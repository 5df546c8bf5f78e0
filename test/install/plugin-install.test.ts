import {expect} from 'chai'
import {existsSync} from 'node:fs'
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

import type {SlugReport} from '../../src/lib/analyze/report.js'
import {runChecked} from '../helpers/bounded-run.js'
import {cleanTree, pack, type Packed} from '../helpers/clean-pack.js'
import {LocalRegistry} from '../helpers/local-registry.js'
import {tensorflowSlug} from '../e2e/fixtures.js'
import {HerokuCli, PLUGIN_ROOT} from '../e2e/heroku-cli.js'

const NAME = 'heroku-slug-diet'
/** An install fetches ~150 packages through the local registry, which fetches them from upstream the first time. */
const INSTALL_TIMEOUT_MS = 300_000

interface Manifest {
  version: string
  commands: Record<string, {description?: string}>
}

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true})
  return entries.filter(e => !e.isDirectory()).map(e => relative(dir, join(e.parentPath, e.name))).sort()
}

/** Output lines as the README shows them: versions (which move with each release) as VERSION, no blank lines. */
function normalized(text: string): string[] {
  return text
  .split('\n')
  .map(line => line.trimEnd().replaceAll(/\d+\.\d+\.\d+/g, 'VERSION'))
  .filter(Boolean)
}

/** The lines of the README's block between <!-- NAME --> and <!-- /NAME -->. */
function readmeBlock(readme: string, name: string): string {
  const start = readme.indexOf(`<!-- ${name} -->`)
  const end = readme.indexOf(`<!-- /${name} -->`)
  if (start === -1 || end < start) throw new Error(`README.md has no <!-- ${name} --> block`)
  return readme.slice(start, end).split('\n').filter(line => !line.startsWith('<!--') && !line.startsWith('```')).join('\n')
}

describe('install: `heroku plugins:install heroku-slug-diet` from a registry, as a user does', function () {
  this.timeout(20 * 60_000)
  let work: string
  let tree: string
  let registry: LocalRegistry
  let cli: HerokuCli
  let first: Packed
  let published: {stdout: string; stderr: string}
  let commands: string[]

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'slug-diet-install-'))
    tree = join(work, 'tree')
    await cleanTree(tree)
    registry = await LocalRegistry.start([NAME])
    first = await pack(tree, work)
    published = await registry.publish(first.tarball)
    commands = (await readdir(join(PLUGIN_ROOT, 'src/commands/slug'))).filter(f => f.endsWith('.ts')).map(f => `slug:${f.slice(0, -3)}`).sort()
    cli = await HerokuCli.fresh({HEROKU_NPM_REGISTRY: registry.url})
  })

  after(async () => {
    await cli?.cleanup()
    await registry?.stop()
    if (work) await rm(work, {force: true, recursive: true})
  })

  it('packs what runs, built by prepack from a tree with no build, and leaves no manifest in the tree', async () => {
    const top = new Set(first.files.map(f => (f.includes('/') ? f.slice(0, f.indexOf('/') + 1) : f)))
    const shipped = ['LICENSE', 'README.md', 'dist/', 'oclif.manifest.json', 'package.json', 'templates/', ...(existsSync(join(tree, 'python')) ? ['python/'] : [])]
    expect([...top].sort()).to.deep.equal(shipped.sort())
    for (const id of commands) expect(first.files).to.include(`dist/commands/slug/${id.slice('slug:'.length)}.js`)
    expect(first.files.filter(f => f.endsWith('.map') || f.endsWith('.ts'))).to.deep.equal([])

    const manifest = JSON.parse((await runChecked('tar', ['-xzOf', first.tarball, 'package/oclif.manifest.json'], {timeoutMs: 30_000})).stdout) as Manifest
    expect(manifest.version).to.equal(first.version)
    expect(Object.keys(manifest.commands).sort()).to.deep.equal(commands)

    // postpack removes the manifest, as oclif's own plugins do: a stale one would hide new commands in development
    expect(existsSync(join(tree, 'oclif.manifest.json'))).to.equal(false)
  })

  it('has a package.json npm publishes as it is: `npm pkg fix` changes nothing and publishing warns of nothing', async () => {
    const before = await readFile(join(tree, 'package.json'), 'utf8')
    await runChecked('npm', ['pkg', 'fix'], {cwd: tree, timeoutMs: 60_000})
    expect(await readFile(join(tree, 'package.json'), 'utf8')).to.equal(before)
    const pkg = JSON.parse(before) as {bin?: unknown}
    expect(pkg.bin, 'a plugin runs inside the heroku CLI: it has no command of its own on PATH').to.equal(undefined)
    expect(published.stderr).not.to.match(/npm warn/i)
    expect(published.stdout).to.include(`+ ${NAME}@${first.version}`)
  })

  it('installs from the registry with the real CLI, printing what the README says', async () => {
    // a user has run the CLI before: its first run's one-time notices are not part of installing a plugin
    const none = await cli.run(['plugins'])
    expect(none.stdout).not.to.include(NAME)

    const {status, stderr, stdout} = await cli.run(['plugins:install', NAME], {timeoutMs: INSTALL_TIMEOUT_MS})
    expect(status, stderr).to.equal(0)
    expect(stderr).to.include(`installed v${first.version}`)
    const readme = await readFile(join(PLUGIN_ROOT, 'README.md'), 'utf8')
    expect(normalized(stdout + stderr)).to.deep.equal(normalized(readmeBlock(readme, 'install:output')))

    const listed = await cli.run(['plugins'])
    expect(listed.stdout).to.include(`${NAME} ${first.version}`)
    // installed from the registry, not linked from this checkout
    expect(listed.stdout).not.to.include(PLUGIN_ROOT)
    expect(existsSync(join(cli.dataDir, 'node_modules', NAME, 'dist/commands/slug/inspect.js'))).to.equal(true)
  })

  it('answers --help for every command', async () => {
    const manifest = JSON.parse(await readFile(join(cli.dataDir, 'node_modules', NAME, 'oclif.manifest.json'), 'utf8')) as Manifest
    for (const id of commands) {
      const {status, stderr, stdout} = await cli.run([id, '--help'])
      expect(status, `${id} --help: ${stderr}`).to.equal(0)
      expect(stdout).to.include(`$ heroku ${id}`)
      expect(stdout).to.include(manifest.commands[id].description!.split('\n')[0])
    }
  })

  it('inspects a slug file, in the terminal and as --json', async () => {
    const slug = join(cli.home, 'slug.tgz')
    const bytes = tensorflowSlug()
    await writeFile(slug, bytes)

    const html = join(cli.home, 'report.html')
    const terminal = await cli.run(['slug:inspect', '--file', slug, '--html', html])
    expect(terminal.status, terminal.stderr).to.equal(0)
    expect(terminal.stdout).to.include(`=== Slug ${slug}`)
    expect(terminal.stdout).to.include('models/classifier.h5')
    expect(terminal.stdout).to.match(/tensorflow 2\.16\.1\s+python/)
    // the page's script and styles are read from the package's templates/, found from dist/
    const page = await readFile(html, 'utf8')
    for (const asset of ['report.css', 'report.js']) {
      expect(page).to.include((await readFile(join(cli.dataDir, 'node_modules', NAME, 'templates/report', asset), 'utf8')).trim())
    }

    const json = await cli.run(['slug:inspect', '--file', slug, '--json'])
    expect(json.status, json.stderr).to.equal(0)
    const report = JSON.parse(json.stdout) as SlugReport
    expect(report.kind).to.equal('slug')
    expect(report.source.file).to.equal(slug)
    expect(report.totals.compressed).to.equal(bytes.length)
    expect(report.packages.map(p => p.name)).to.include.members(['tensorflow', 'jupyter'])
  })

  it('updates to the next published version with `heroku plugins:update`', async () => {
    await runChecked('npm', ['version', 'patch', '--no-git-tag-version'], {cwd: tree, timeoutMs: 60_000})
    const next = await pack(tree, work)
    expect(next.version).not.to.equal(first.version)
    await registry.publish(next.tarball)

    const {status, stderr} = await cli.run(['plugins:update'], {timeoutMs: INSTALL_TIMEOUT_MS})
    expect(status, stderr).to.equal(0)
    expect((await cli.run(['plugins'])).stdout).to.include(`${NAME} ${next.version}`)
    const help = await cli.run(['slug:inspect', '--help'])
    expect(help.status, help.stderr).to.equal(0)
    const installed = JSON.parse(await readFile(join(cli.dataDir, 'node_modules', NAME, 'oclif.manifest.json'), 'utf8')) as Manifest
    expect(installed.version).to.equal(next.version)
  })

  it('uninstalls with `heroku plugins:uninstall`, leaving nothing of it or its dependencies in the data dir', async () => {
    const {status, stderr} = await cli.run(['plugins:uninstall', NAME], {timeoutMs: INSTALL_TIMEOUT_MS})
    expect(status, stderr).to.equal(0)

    const gone = await cli.run(['slug:inspect', '--help'])
    expect(gone.status).not.to.equal(0)
    expect(gone.stderr).to.include('Command slug:inspect not found')

    const pjson = JSON.parse(await readFile(join(cli.dataDir, 'package.json'), 'utf8')) as {dependencies: object; oclif: {plugins: unknown[]}}
    expect(pjson.dependencies).to.deep.equal({})
    expect(pjson.oclif.plugins).to.deep.equal([])
    // npm keeps the scope folders it emptied and its own record of the (now empty) tree: no file of a package is left
    expect(await filesUnder(join(cli.dataDir, 'node_modules'))).to.deep.equal(['.package-lock.json'])
    const lock = JSON.parse(await readFile(join(cli.dataDir, 'node_modules/.package-lock.json'), 'utf8')) as {packages: object}
    expect(lock.packages).to.deep.equal({})
  })
})
