import {expect} from 'chai'
import {copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {readNpmLock} from '../../../../../src/lib/analyze/node/lock-npm.js'
import type {LockNode} from '../../../../../src/lib/analyze/node/lock.js'
import {browserDownloads} from '../../../../../src/lib/predict/node/browsers.js'
import {chooseNode} from '../../../../../src/lib/predict/node/node-version.js'
import {isNodeFallback, type NodeDependencies, predictNodeModules} from '../../../../../src/lib/predict/node/predict.js'
import {FakeNpmRegistry} from '../../../../helpers/npm-registry.js'

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/node-locks/', import.meta.url))
const TIMEOUTS = {bodyMs: 2000, connectMs: 1000, headersMs: 1000}

/** Every package of the fixtures' npm lock, 1000 bytes unpacked and 400 as a tarball, with npm's platform fields. */
function fixtureVersions() {
  const lock = readNpmLock(readFileSync(join(FIXTURES, 'npm/package-lock.json'), 'utf8'), 'package-lock.json')
  const seen = new Map<string, LockNode>()
  for (const n of lock.nodes.values()) seen.set(`${n.name}@${n.version}`, n)
  return [...seen.values()].map(n => ({cpu: n.cpu, libc: n.libc, name: n.name, os: n.os, tarball: Buffer.alloc(400), unpackedSize: 1000, version: n.version}))
}

describe('predict/node: node_modules from a lock file', () => {
  let registry: FakeNpmRegistry
  let dirs: string[] = []
  const repo = (fixture: string, extra: Record<string, string> = {}): {root: string; tracked: Set<string>} => {
    const root = mkdtempSync(join(tmpdir(), 'slug-diet-node-'))
    dirs.push(root)
    // the fixtures' folders are flat
    for (const file of readdirSync(join(FIXTURES, fixture))) copyFileSync(join(FIXTURES, fixture, file), join(root, file))
    for (const [path, text] of Object.entries(extra)) writeFileSync(join(root, path), text)
    return {root, tracked: new Set([...Object.keys(extra), ...readdirSync(root)])}
  }

  const options = () => ({registries: {origin: 'test', scopes: {}, url: registry.url}, timeouts: TIMEOUTS})

  before(async () => {
    registry = await new FakeNpmRegistry(fixtureVersions()).start()
  })

  after(async () => {
    await registry.stop()
  })

  afterEach(() => {
    for (const d of dirs) rmSync(d, {force: true, recursive: true})
    dirs = []
  })

  for (const fixture of ['npm', 'yarn-classic', 'yarn-berry', 'pnpm']) {
    it(`${fixture}: production packages for a dyno, sized from the registry, and the Node runtime engines.node selects`, async () => {
      const {root, tracked} = repo(fixture)
      const result = await predictNodeModules(root, tracked, options()) as NodeDependencies
      expect(isNodeFallback(result)).to.equal(false)
      const node = result.packages.filter(p => p.ecosystem === 'node')
      expect(node).to.have.length(83)
      expect(node.every(p => p.size === 1000 && p.compressed === 400)).to.equal(true)
      expect(node.map(p => p.name)).to.include.members(['express', 'sharp', '@img/sharp-linux-x64'])
      expect(node.map(p => p.name)).not.to.include.members(['typescript', 'fsevents', '@img/sharp-darwin-arm64'])
      const runtime = result.packages.find(p => p.ecosystem === 'runtime')!
      expect(runtime).to.include({location: '.heroku/node', name: 'node', version: '22.23.5'})
      expect(result.notes.join('\n')).to.include('21 optional packages for other platforms than a dyno (Linux x64, glibc) are not installed')
      expect(result.notes.join('\n')).to.include('1 devDependency (and what only they need) is pruned')
    })
  }

  it("yarn berry: says Plug'n'Play keeps the packages zipped unless .yarnrc.yml asks for node_modules", async () => {
    const linked = repo('yarn-berry')
    expect((await predictNodeModules(linked.root, linked.tracked, options()) as NodeDependencies).notes.join('\n')).not.to.include("Plug'n'Play")
    const pnp = repo('yarn-berry')
    pnp.tracked.delete('.yarnrc.yml')
    expect((await predictNodeModules(pnp.root, pnp.tracked, options()) as NodeDependencies).notes.join('\n')).to.include("installs Plug'n'Play")
  })

  it('keeps devDependencies when asked (NPM_CONFIG_PRODUCTION=false)', async () => {
    const {root, tracked} = repo('npm')
    const result = await predictNodeModules(root, tracked, {...options(), dev: true}) as NodeDependencies
    expect(result.packages.map(p => p.name)).to.include('typescript')
  })

  it("says the build script's output is not predicted", async () => {
    const {root, tracked} = repo('npm', {'package.json': JSON.stringify({...JSON.parse(readFileSync(join(FIXTURES, 'npm/package.json'), 'utf8')), scripts: {build: 'next build'}})})
    const result = await predictNodeModules(root, tracked, options()) as NodeDependencies
    expect(result.notes).to.include("package.json's build script (next build) runs during the build: what it writes (e.g. .next/ and its cache) is not predicted.")
  })

  it('npm: the location each copy is installed at', async () => {
    const {root, tracked} = repo('npm')
    const result = await predictNodeModules(root, tracked, options()) as NodeDependencies
    expect(result.packages.find(p => p.name === '@img/sharp-linux-x64')?.location).to.equal('node_modules/@img/sharp-linux-x64')
  })

  it('says in one line why it cannot predict: two managers, no lock, a field of the wrong type', async () => {
    const both = repo('npm', {'yarn.lock': readFileSync(join(FIXTURES, 'yarn-classic/yarn.lock'), 'utf8')})
    expect(await predictNodeModules(both.root, both.tracked, options())).to.deep.equal({
      fallback: 'node_modules was not predicted: the repo has package-lock.json and yarn.lock, and the Node.js buildpack refuses lock files of two package managers.',
      notes: [],
    })
    const none = repo('npm')
    none.tracked.delete('package-lock.json')
    expect((await predictNodeModules(none.root, none.tracked, options()) as {fallback: string}).fallback).to.match(/the repo has no lock file/)
    const broken = repo('npm', {'package-lock.json': '{"lockfileVersion": "3"}'})
    expect((await predictNodeModules(broken.root, broken.tracked, options()) as {fallback: string}).fallback)
    .to.equal('node_modules was not predicted: package-lock.json: "lockfileVersion" Expected number but received "3".')
    expect(await predictNodeModules(both.root, new Set(['index.js']), options())).to.equal(undefined)
  })
})

describe('predict/node: the Node.js release engines.node selects', () => {
  it('is the newest release the range allows, the default LTS line without one', () => {
    expect(chooseNode('22.x')).to.include({major: 22, version: '22.23.5'})
    expect(chooseNode('>=18')).to.include({major: 26})
    expect(chooseNode('20.11.1')).to.include({version: '20.11.1'})
    expect(chooseNode()).to.include({major: 24, range: '24.x'})
    expect(chooseNode('^40')).to.equal('no Node.js release matches engines.node "^40" (the build would fail)')
    expect(chooseNode('latest please')).to.equal('engines.node "latest please" is not a semver range the buildpack can resolve')
  })
})

describe("predict/node: Puppeteer's browser download", () => {
  const puppeteer: LockNode[] = [{dependencies: [], key: 'node_modules/puppeteer', name: 'puppeteer', optionalDependencies: [], version: '24.10.0'}]
  let root: string

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'slug-diet-pptr-'))
  })

  afterEach(() => rmSync(root, {force: true, recursive: true}))

  it('by default lands in $HOME/.cache, outside the slug: a note that the app will not find it, no size', async () => {
    const result = await browserDownloads(root, new Set(), {}, puppeteer)
    expect(result.packages).to.deep.equal([])
    expect(result.notes[0]).to.match(/^puppeteer 24\.10\.0 downloads Chrome for Testing 148\.0\.7778\.97 and chrome-headless-shell at install into \$HOME\/\.cache\/puppeteer; .* it is not in the slug/)
  })

  it('is in the slug when .puppeteerrc.cjs puts the cache in the app, with the build the version pins', async () => {
    writeFileSync(join(root, '.puppeteerrc.cjs'), "const {join} = require('path')\nmodule.exports = {cacheDirectory: join(__dirname, '.cache', 'puppeteer')}\n")
    const result = await browserDownloads(root, new Set(['.puppeteerrc.cjs']), {}, puppeteer)
    expect(result.packages).to.have.length(1)
    expect(result.packages[0]).to.include({location: '.cache/puppeteer', name: 'puppeteer browser', version: 'Chrome for Testing 148.0.7778.97'})
    expect(result.notes[0]).to.match(/^Estimate: puppeteer 24\.10\.0 downloads .* into the app \(\.puppeteerrc\.cjs\)/)
  })

  it('is not in the slug when the config puts the cache at an absolute path outside /app, or under ~', async () => {
    for (const dir of ['/tmp/puppeteer', '~/.cache/puppeteer']) {
      writeFileSync(join(root, '.puppeteerrc.json'), JSON.stringify({cacheDirectory: dir}))
      expect((await browserDownloads(root, new Set(['.puppeteerrc.json']), {}, puppeteer)).packages, dir).to.deep.equal([])
    }

    writeFileSync(join(root, '.puppeteerrc.json'), JSON.stringify({cacheDirectory: '/app/.cache/puppeteer'}))
    expect((await browserDownloads(root, new Set(['.puppeteerrc.json']), {}, puppeteer)).packages).to.have.length(1)
  })

  it('downloads nothing with PUPPETEER_SKIP_DOWNLOAD or skipDownload', async () => {
    expect((await browserDownloads(root, new Set(), {PUPPETEER_SKIP_DOWNLOAD: 'true'}, puppeteer)).packages).to.deep.equal([])
    writeFileSync(join(root, '.puppeteerrc.json'), '{"skipDownload": true, "cacheDirectory": "./.cache"}')
    const result = await browserDownloads(root, new Set(['.puppeteerrc.json']), {}, puppeteer)
    expect(result.packages).to.deep.equal([])
    expect(result.notes[0]).to.match(/downloads no browser \(skipDownload in \.puppeteerrc\.json\)/)
  })
})
