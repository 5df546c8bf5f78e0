import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {gunzipSync, gzipSync} from 'node:zlib'

import {CACHE_FORMAT, decodeScan, scanJsonPieces} from '../../../../../src/lib/scan/cache/format.js'
import {appSlugKey, cacheLimitFromEnv, localFileKey, ScanCache} from '../../../../../src/lib/scan/cache/store.js'
import {scanSlugFile} from '../../../../../src/lib/source/slug-reader.js'
import type {ScanResult} from '../../../../../src/lib/scan/entries.js'
import {UserError} from '../../../../../src/lib/shared/errors.js'
import {HDF5_PEEK} from '../../../../helpers/scan-fixtures.js'
import {buildSlug, incompressible} from '../../../../helpers/slug-builder.js'

const run = promisify(execFile)
const SITE = './app/.heroku/python/lib/python3.12/site-packages'

describe('scan cache', () => {
  let dir: string
  let slugPath: string
  let scan: ScanResult

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scan-cache-'))
    slugPath = join(dir, 'slug.tgz')
    await writeFile(slugPath, buildSlug([
      {path: './app/', type: 'directory'},
      {content: 'print("hi")\n', path: './app/app.py'},
      {content: Buffer.concat([HDF5_PEEK, incompressible(4096)]), path: './app/models/m.h5'},
      {linkTarget: 'app.py', path: './app/link.py', type: 'symlink'},
      {content: 'Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\n', path: `${SITE}/numpy-1.26.4.dist-info/METADATA`},
      {content: 'numpy/__init__.py,,\n', path: `${SITE}/numpy-1.26.4.dist-info/RECORD`},
      {content: 'x = 1\n', path: `${SITE}/numpy/__init__.py`},
      {content: 'outside', path: './tmp/x'},
    ]))
    scan = await scanSlugFile(slugPath, {scan: {contentHashes: true}})
  })

  afterEach(async () => {
    await rm(dir, {force: true, recursive: true})
  })

  it('gives back exactly the scan it stored, peeks, content hashes and captured texts included', async () => {
    expect(scan.entries.some(e => e.peek)).to.equal(true)
    expect(scan.entries.some(e => e.crc32 !== undefined)).to.equal(true)
    expect(Object.keys(scan.captured)).to.not.be.empty
    const cache = new ScanCache(join(dir, 'cache'))
    await cache.put('k', scan, {contentHashes: true})
    expect(await cache.get('k')).to.deep.equal(scan)
    expect(await cache.get('other')).to.equal(undefined)
  })

  it('serves a request for content hashes only from a scan that kept them', async () => {
    const cache = new ScanCache(join(dir, 'cache'))
    const plain = await scanSlugFile(slugPath)
    await cache.put('k', plain, {contentHashes: false})
    expect(await cache.get('k', {contentHashes: true})).to.equal(undefined)
    expect(await cache.get('k')).to.deep.equal(plain)
    await cache.put('k', scan, {contentHashes: true})
    expect(await cache.get('k', {contentHashes: true})).to.deep.equal(scan)
  })

  it('treats a corrupt, partial, foreign or older entry as a miss and removes it', async () => {
    const cache = new ScanCache(join(dir, 'cache'))
    await cache.put('k', scan, {contentHashes: true})
    const [name] = await readdir(join(dir, 'cache'))
    const path = join(dir, 'cache', name)
    const whole = await readFile(path)

    for (const bad of [
      whole.subarray(0, Math.floor(whole.length / 2)),
      Buffer.from('not gzip at all'),
      gzipSync(JSON.stringify({format: CACHE_FORMAT, key: 'k', version: 0})),
      gzipSync(JSON.stringify({format: 'something-else', key: 'k', version: 1})),
      gzipSync('{"format":'),
    ]) {
      await writeFile(path, bad)
      expect(await cache.get('k')).to.equal(undefined)
      expect(await readdir(join(dir, 'cache'))).to.deep.equal([])
    }

    await cache.put('k', scan, {contentHashes: true})
    expect(await cache.get('k')).to.deep.equal(scan)
  })

  it('treats an entry that is a FIFO, or a link to /dev/zero, as a miss at once (it never waits or reads forever)', async () => {
    const cache = new ScanCache(join(dir, 'cache'))
    await cache.put('k', scan, {contentHashes: true})
    const [name] = await readdir(join(dir, 'cache'))
    const path = join(dir, 'cache', name)
    await rm(path)
    await run('mkfifo', [path])
    const started = Date.now()
    expect(await cache.get('k')).to.equal(undefined)
    await rm(path, {force: true})
    await symlink('/dev/zero', path)
    expect(await cache.get('k')).to.equal(undefined)
    expect(Date.now() - started).to.be.below(2000)
  })

  it('rejects an entry whose rows are not entries, and one stored under another key', () => {
    const bytes = gzipSync([...scanJsonPieces('k', scan, {contentHashes: true})].join(''))
    expect(decodeScan('k', bytes)?.scan).to.deep.equal(scan)
    expect(decodeScan('k2', bytes)).to.equal(undefined)
    const stored = JSON.parse(gunzipSync(bytes).toString('utf8'))
    expect(decodeScan('k', gzipSync(JSON.stringify(stored)))?.scan).to.deep.equal(scan)
    stored.entries[0][1] = 'weird'
    expect(decodeScan('k', gzipSync(JSON.stringify(stored)))).to.equal(undefined)
  })

  it('treats a tampered entry as a miss: a size that is not a number, out of range or missing, a row of the wrong shape', () => {
    const stored = JSON.parse([...scanJsonPieces('k', scan, {contentHashes: true})].join(''))
    const tampered: Array<(s: typeof stored) => void> = [
      s => {
        s.rest.compressedSize = 'abc'
      },
      s => {
        s.rest.compressedSize = 1e308
      },
      s => {
        s.rest.compressedSize = null
      },
      s => {
        delete s.rest.uncompressedSize
      },
      s => {
        s.rest.outside.examples = 'x'
      },
      s => {
        s.entries[0][2] = '12'
      },
      s => {
        s.entries[0][3] = -1
      },
      s => {
        s.entries[0] = {path: 'x'}
      },
      s => {
        s.captured = {Procfile: 3}
      },
    ]
    for (const tamper of tampered) {
      const copy = structuredClone(stored)
      tamper(copy)
      expect(decodeScan('k', gzipSync(JSON.stringify(copy))), tamper.toString()).to.equal(undefined)
    }
  })

  it('makes the file in pieces of bounded size, so the whole text of a large scan is never in memory at once', async () => {
    const many: ScanResult = {...scan, entries: Array.from({length: 5000}, (_, i) => ({compressed: i / 3, path: `site-packages/pkg/module_${i}.py`, size: i, type: 'file' as const}))}
    const pieces = [...scanJsonPieces('k', many, {contentHashes: false})]
    expect(pieces.length).to.be.above(5)
    expect(Math.max(...pieces.map(p => p.length))).to.be.below(100_000)
    // What the cache writes streams those pieces through gzip: the same scan comes back.
    const cache = new ScanCache(join(dir, 'cache'))
    await cache.put('big', many, {contentHashes: false})
    expect(await cache.get('big')).to.deep.equal(many)
    expect(decodeScan('k', gzipSync(pieces.join('')))?.scan).to.deep.equal(many)
  })

  it('keeps within its limit by dropping the least recently used entries', async () => {
    // The size of one entry, as the cache writes it.
    const scratch = join(dir, 'scratch')
    await new ScanCache(scratch).put('a', scan, {contentHashes: true})
    const [written] = await readdir(scratch)
    const one = (await stat(join(scratch, written))).size
    const cache = new ScanCache(join(dir, 'cache'), (one * 2) + 10)
    await cache.put('a', scan, {contentHashes: true})
    await cache.put('b', scan, {contentHashes: true})
    // 'a' is older on disk but used now: 'b' is the least recently used when 'c' comes.
    const past = new Date(Date.now() - 60_000)
    for (const name of await readdir(join(dir, 'cache'))) await utimes(join(dir, 'cache', name), past, past)
    expect(await cache.get('a')).to.not.equal(undefined)
    await cache.put('c', scan, {contentHashes: true})
    expect(await cache.get('b')).to.equal(undefined)
    expect(await cache.get('a')).to.not.equal(undefined)
    expect(await cache.get('c')).to.not.equal(undefined)
  })

  it('removes temp files left by a process that died mid-write, and no others', async () => {
    const cache = new ScanCache(join(dir, 'cache'))
    await cache.put('a', scan, {contentHashes: true})
    const stale = join(dir, 'cache', 'abc.scan.123.deadbeef.tmp')
    const fresh = join(dir, 'cache', 'abd.scan.124.deadbeef.tmp')
    await writeFile(stale, 'x')
    await writeFile(fresh, 'x')
    const old = new Date(Date.now() - (2 * 60 * 60 * 1000))
    await utimes(stale, old, old)
    await cache.trim()
    const names = await readdir(join(dir, 'cache'))
    expect(names).to.not.include('abc.scan.123.deadbeef.tmp')
    expect(names).to.include('abd.scan.124.deadbeef.tmp')
  })

  it('never fails the command: a cache directory that cannot be made is a miss', async () => {
    // A file where the directory should be (root ignores permission bits, so no chmod).
    await writeFile(join(dir, 'cache'), 'a file')

    const cache = new ScanCache(join(dir, 'cache'))
    await cache.put('k', scan, {contentHashes: true})
    expect(await cache.get('k')).to.equal(undefined)
  })

  it('is off with a limit of 0', async () => {
    const cache = new ScanCache(join(dir, 'cache'), 0)
    await cache.put('k', scan, {contentHashes: true})
    expect(await cache.get('k')).to.equal(undefined)
    expect(await readdir(dir)).to.deep.equal(['slug.tgz'])
  })

  it('leaves one whole entry when two processes write it at once', async function () {
    this.timeout(60_000)
    const script = `
      import {ScanCache} from ${JSON.stringify(new URL('../../../../../src/lib/scan/cache/store.ts', import.meta.url).href)}
      import {scanSlugFile} from ${JSON.stringify(new URL('../../../../../src/lib/source/slug-reader.ts', import.meta.url).href)}
      const scan = await scanSlugFile(${JSON.stringify(slugPath)}, {scan: {contentHashes: true}})
      const cache = new ScanCache(${JSON.stringify(join(dir, 'cache'))})
      for (let i = 0; i < 20; i++) await cache.put('k', scan, {contentHashes: true})
    `
    const writer = () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])
    await Promise.all([writer(), writer()])
    expect(await readdir(join(dir, 'cache'))).to.have.length(1)
    expect(await new ScanCache(join(dir, 'cache')).get('k')).to.deep.equal(scan)
  })

  it('keys a local file by its place, size, mtime and edges: a rewrite at the same size is another key', async () => {
    const first = await localFileKey(slugPath)
    expect(await localFileKey(slugPath)).to.equal(first)
    const bytes = await readFile(slugPath)
    const {mtime} = await stat(slugPath)
    bytes[bytes.length - 1] ^= 0xff
    await writeFile(slugPath, bytes)
    await utimes(slugPath, mtime, mtime)
    expect(await localFileKey(slugPath)).to.not.equal(first)
    expect(appSlugKey('id-1', 'SHA256:AB')).to.equal('slug:id-1:sha256:ab')
  })

  it('reads its limit from HEROKU_SLUG_DIET_CACHE_SIZE', () => {
    expect(cacheLimitFromEnv({})).to.equal(1e9)
    expect(cacheLimitFromEnv({HEROKU_SLUG_DIET_CACHE_SIZE: '200MB'})).to.equal(2e8)
    expect(cacheLimitFromEnv({HEROKU_SLUG_DIET_CACHE_SIZE: '0'})).to.equal(0)
    expect(() => cacheLimitFromEnv({HEROKU_SLUG_DIET_CACHE_SIZE: 'lots'})).to.throw(UserError, /is not a size/)
  })
})
