import {expect} from 'chai'
import {gzipSync} from 'node:zlib'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {configuredRegistries, NpmRegistryClient} from '../../../../../src/lib/predict/node/registry.js'
import {FakeNpmRegistry} from '../../../../helpers/npm-registry.js'

/** A package tarball as npm's registry serves it (package/ folder, gzipped), written by GNU tar, not by this project. */
function tarballOf(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'slug-diet-npm-tgz-'))
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, 'package', path, '..'), {recursive: true})
      writeFileSync(join(dir, 'package', path), text)
    }

    execFileSync('tar', ['-czf', join(dir, 'p.tgz'), '-C', dir, 'package'])
    return readFileSync(join(dir, 'p.tgz'))
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}

const TIMEOUTS = {bodyMs: 2000, connectMs: 1000, headersMs: 1000}

describe('predict/node: the npm registry client', () => {
  let registry: FakeNpmRegistry
  let cache: string
  const old = tarballOf({'index.js': 'x'.repeat(3000), 'lib/a.js': 'y'.repeat(1000), 'package.json': '{"name":"old"}'})

  beforeEach(async () => {
    registry = await new FakeNpmRegistry([
      {fileCount: 3, name: 'express', tarball: Buffer.alloc(58_016), unpackedSize: 221_226, version: '4.21.2'},
      {cpu: ['x64'], libc: ['glibc'], name: '@img/sharp-linux-x64', os: ['linux'], tarball: Buffer.alloc(1000), unpackedSize: 5000, version: '0.34.3'},
      {name: 'old', tarball: old, version: '1.0.0'},
      {name: 'html', tarball: Buffer.from('<html>a proxy login page, not a tarball</html>'), version: '1.0.0'},
      {name: 'torn', tarball: gzipSync(Buffer.alloc(1024, 'x')), version: '1.0.0'},
    ]).start()
    cache = mkdtempSync(join(tmpdir(), 'slug-diet-npm-cache-'))
  })

  afterEach(async () => {
    await registry.stop()
    rmSync(cache, {force: true, recursive: true})
  })

  it("sizes a version from its manifest's dist.unpackedSize and its tarball's HEAD, with its platform fields", async () => {
    const client = new NpmRegistryClient({origin: 'test', scopes: {}, url: registry.url}, {timeouts: TIMEOUTS})
    const [express, sharp] = await client.factsOf([{name: 'express', version: '4.21.2'}, {name: '@img/sharp-linux-x64', version: '0.34.3'}])
    await client.close()
    expect(express).to.deep.equal({facts: {files: 3, source: 'manifest', tarball: 58_016, unpacked: 221_226}})
    expect(sharp.facts).to.include({tarball: 1000, unpacked: 5000})
    expect(sharp.facts).to.deep.include({cpu: ['x64'], libc: ['glibc'], os: ['linux']})
    expect(registry.requests).to.include.members(['GET /express/4.21.2', 'HEAD /express/-/express-4.21.2.tgz', 'GET /@img%2fsharp-linux-x64/0.34.3'])
  })

  it('reads the tarball as it streams when the manifest has no unpackedSize: files and bytes from its tar headers', async () => {
    const client = new NpmRegistryClient({origin: 'test', scopes: {}, url: registry.url}, {timeouts: TIMEOUTS})
    const [facts] = await client.factsOf([{name: 'old', version: '1.0.0'}])
    await client.close()
    expect(facts).to.deep.equal({facts: {files: 3, source: 'tarball', tarball: old.length, unpacked: 3000 + 1000 + 14}})
  })

  it('says in one line that a tarball is not one (no gzip, or a damaged tar), instead of crashing the run', async () => {
    const client = new NpmRegistryClient({origin: 'test', scopes: {}, url: registry.url}, {timeouts: TIMEOUTS})
    const [html, torn, good] = await client.factsOf([{name: 'html', version: '1.0.0'}, {name: 'torn', version: '1.0.0'}, {name: 'old', version: '1.0.0'}])
    await client.close()
    expect(html.facts).to.equal(undefined)
    expect(html.error).to.be.a('string').and.match(/^html@1\.0\.0/)
    expect(torn.facts).to.equal(undefined)
    expect(torn.error).to.be.a('string')
    expect(good.facts).to.include({source: 'tarball'})
  })

  it('starts no request past its deadline: what was not asked yet says so, what the cache holds is still known', async () => {
    const file = join(cache, 'npm-packages.json')
    const first = new NpmRegistryClient({origin: 'test', scopes: {}, url: registry.url}, {cacheFile: file, timeouts: TIMEOUTS})
    await first.factsOf([{name: 'express', version: '4.21.2'}])
    await first.close()
    const asked = registry.requests.length
    const late = new NpmRegistryClient({origin: 'test', scopes: {}, url: registry.url}, {cacheFile: file, timeouts: TIMEOUTS})
    const [express, old] = await late.factsOf([{name: 'express', version: '4.21.2'}, {name: 'old', version: '1.0.0'}], {deadline: Date.now() - 1})
    await late.close()
    expect(express.facts?.unpacked).to.equal(221_226)
    expect(old).to.deep.equal({error: "old@1.0.0 was not asked for: the prediction's time ran out"})
    expect(registry.requests.length).to.equal(asked)
  })

  it('keeps what it learnt in the cache file: a second run asks nothing', async () => {
    const file = join(cache, 'npm-packages.json')
    const first = new NpmRegistryClient({origin: 'test', scopes: {}, url: registry.url}, {cacheFile: file, timeouts: TIMEOUTS})
    await first.factsOf([{name: 'express', version: '4.21.2'}])
    await first.close()
    const asked = registry.requests.length
    const second = new NpmRegistryClient({origin: 'test', scopes: {}, url: registry.url}, {cacheFile: file, timeouts: TIMEOUTS})
    const [again] = await second.factsOf([{name: 'express', version: '4.21.2'}])
    await second.close()
    expect(again.facts?.unpacked).to.equal(221_226)
    expect(registry.requests.length).to.equal(asked)
  })

  it('says in one line what it cannot size: a version the registry does not have, a scope on another registry', async () => {
    const client = new NpmRegistryClient({origin: 'test', scopes: {'@acme': 'http://127.0.0.1:9/'}, url: registry.url}, {timeouts: TIMEOUTS})
    const [missing, scoped] = await client.factsOf([{name: 'express', version: '9.9.9'}, {name: '@acme/ui', version: '1.0.0'}])
    await client.close()
    expect(missing.error).to.equal(`express@9.9.9 is not in ${registry.url}`)
    expect(scoped.error).to.equal('@acme/ui@1.0.0: http://127.0.0.1:9/ refused the connection (ECONNREFUSED)')
  })

  it('gives up on a registry that accepts the connection and never answers, within its first-byte timeout', async () => {
    const silent = createServer(() => {})
    await new Promise<void>(resolve => {
      silent.listen(0, '127.0.0.1', resolve)
    })
    const started = Date.now()
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`
      const client = new NpmRegistryClient({origin: 'test', scopes: {}, url}, {timeouts: TIMEOUTS})
      const [result] = await client.factsOf([{name: 'express', version: '4.21.2'}])
      await client.close()
      expect(result.error).to.match(/^express@4\.21\.2: .*UND_ERR_HEADERS_TIMEOUT/)
      expect(Date.now() - started).to.be.below(5000)
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })

  it("reads the registries from npm's configuration in the repo: its .npmrc's registry and scoped registries", async () => {
    const repo = mkdtempSync(join(tmpdir(), 'slug-diet-npmrc-'))
    try {
      writeFileSync(join(repo, 'package.json'), '{}')
      writeFileSync(join(repo, '.npmrc'), 'registry=https://npm.example.com/repo\n@acme:registry=https://acme.example.com/npm/\n')
      const found = await configuredRegistries(repo, {...process.env, npm_config_registry: undefined})
      expect(found).to.deep.equal({origin: 'npm config get registry', scopes: {'@acme': 'https://acme.example.com/npm/'}, url: 'https://npm.example.com/repo/'})
    } finally {
      rmSync(repo, {force: true, recursive: true})
    }
  })
})
