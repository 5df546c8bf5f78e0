import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {syntheticTar, writeSyntheticSlug, type SyntheticSlug} from '../../../scripts/synthetic-slug.js'
import {SlugLayout} from '../../../scripts/synthetic/layout.js'
import {CHUNK_BYTES, tarChunks} from '../../../scripts/synthetic/tar.js'
import {scanSlugFile} from '../../../src/lib/source/slug-reader.js'
import type {ScanResult, SlugEntry} from '../../../src/lib/scan/entries.js'

const SCALE = 0.01
const SITE = '.heroku/python/lib/python3.12/site-packages'

/** uncompressed / compressed over the files whose path matches */
function ratio(scan: ScanResult, matches: (path: string) => boolean): number {
  let size = 0
  let compressed = 0
  for (const e of scan.entries) {
    if (e.type === 'file' && matches(e.path)) {
      size += e.size
      compressed += e.compressed
    }
  }

  return size / compressed
}

const sha256 = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex')

describe('synthetic slug generator', () => {
  let dir: string
  let slug: SyntheticSlug
  let scan: ScanResult
  let byPath: Map<string, SlugEntry>

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'synthetic-slug-'))
    slug = await writeSyntheticSlug({out: join(dir, 'a.tgz'), scale: SCALE, seed: 'test'})
    scan = await scanSlugFile(slug.path)
    byPath = new Map(scan.entries.map(e => [e.path, e]))
  })

  after(async () => {
    await rm(dir, {force: true, recursive: true})
  })

  it('reports what it wrote, as the real scanner reads it', () => {
    expect(slug.entries).to.equal(scan.entries.length)
    expect(slug.files).to.equal(scan.fileCount)
    expect(slug.uncompressedBytes).to.equal(scan.uncompressedSize)
    expect(slug.compressedBytes).to.equal(scan.compressedSize)
    expect(scan.outside.count).to.equal(0)
  })

  it('writes dist-info RECORDs whose sizes and hashes match the installed files', () => {
    const records = Object.keys(scan.captured).filter(p => p.endsWith('.dist-info/RECORD'))
    expect(records.length).to.be.greaterThan(40)
    expect(records).to.include(`${SITE}/tensorflow-2.16.1.dist-info/RECORD`)
    let checked = 0
    for (const record of records) {
      for (const line of scan.captured[record].trim().split('\n')) {
        const [rel, hash, size] = line.split(',')
        if (!hash) continue
        const path = rel.startsWith('../../../') ? `.heroku/python/${rel.slice(9)}` : `${SITE}/${rel}`
        const entry = byPath.get(path)
        expect(entry, path).to.not.equal(undefined)
        expect(entry!.size, path).to.equal(Number(size))
        // Captured files (METADATA, top_level.txt) are whole: their hash can be checked too.
        const text = scan.captured[path]
        if (text !== undefined) expect(`sha256=${createHash('sha256').update(text).digest('base64url')}`, path).to.equal(hash)
        checked++
      }
    }

    expect(checked).to.be.greaterThan(500)
  })

  it('gives each distribution METADATA with its name and version', () => {
    const metadata = scan.captured[`${SITE}/tensorflow-2.16.1.dist-info/METADATA`]
    expect(metadata).to.match(/^Name: tensorflow$/m)
    expect(metadata).to.match(/^Version: 2\.16\.1$/m)
    expect(scan.captured[`${SITE}/nvidia_cudnn_cu12-8.9.7.29.dist-info/METADATA`]).to.match(/^Name: nvidia-cudnn-cu12$/m)
  })

  it('writes models recognisable by their first bytes', () => {
    expect(byPath.get('models/model.h5')!.peek!.subarray(0, 8)).to.deep.equal(Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'))
    const keras = byPath.get('models/classifier.keras')!.peek!
    expect(keras.readUInt32LE(0)).to.equal(0x04034b50)
    expect(keras.toString('latin1', 30, 30 + keras.readUInt16LE(26))).to.equal('metadata.json')
    for (const path of ['models/saved_model/saved_model.pb', 'models/saved_model/variables/variables.data-00000-of-00001', 'models/saved_model/variables/variables.index']) {
      expect(byPath.get(path)?.type, path).to.equal('file')
    }
  })

  it('writes symlinks and folder entries', () => {
    const python3 = byPath.get('.heroku/python/bin/python3')!
    expect(python3.type).to.equal('symlink')
    expect(python3.linkTarget).to.equal('python3.12')
    expect(byPath.get('.heroku/python/bin/python3.12')!.type).to.equal('file')
    expect(byPath.get('models/latest.h5')).to.include({linkTarget: 'model.h5', type: 'symlink'})
    expect(byPath.get(SITE)!.type).to.equal('directory')
    expect(byPath.get('models/saved_model/assets')!.type).to.equal('directory')
  })

  it('includes the app files a Python app pushes', () => {
    expect(scan.captured.Procfile).to.match(/^web: gunicorn app:app/)
    expect(scan.captured['requirements.txt']).to.match(/^tensorflow\[and-cuda\]==2\.16\.1$/m)
    for (const prefix of ['notebooks/', 'data/', 'docs/', 'tests/', 'templates/']) {
      expect(scan.entries.some(e => e.type === 'file' && e.path.startsWith(prefix)), prefix).to.equal(true)
    }
  })

  it('compresses like a real slug: code ~4-5x, shared objects and weights ~1x', () => {
    expect(ratio(scan, p => p.endsWith('.py'))).to.be.within(3.8, 5.5)
    expect(ratio(scan, p => p.endsWith('.h'))).to.be.within(3.8, 5.5)
    // Binary files stay near 1x; the scanner's attribution blurs a few percent at the edges of small files.
    expect(ratio(scan, p => /\.so(?:\.\d+)*$/.test(p))).to.be.within(0.95, 1.06)
    expect(ratio(scan, p => p.startsWith('models/'))).to.be.within(0.95, 1.1)
  })

  it('is deterministic for a seed, and differs for another seed', async () => {
    const again = await writeSyntheticSlug({out: join(dir, 'b.tgz'), scale: SCALE, seed: 'test'})
    const other = await writeSyntheticSlug({out: join(dir, 'c.tgz'), scale: SCALE, seed: 'other'})
    expect(await sha256(again.path)).to.equal(scan.sha256)
    expect(await sha256(other.path)).to.not.equal(scan.sha256)
  })

  it('streams the tar in bounded chunks, made only as they are read', async () => {
    const sizes: number[] = []
    for (const chunk of tarChunks(new SlugLayout(SCALE, 'test').items())) sizes.push(chunk.length)
    const total = sizes.reduce((a, b) => a + b, 0)
    expect(total).to.be.greaterThan(10 * CHUNK_BYTES)
    expect(Math.max(...sizes)).to.equal(CHUNK_BYTES)
    expect(total % 10_240).to.equal(0)

    const stream = syntheticTar({scale: SCALE, seed: 'test'})
    await new Promise(resolve => {
      setTimeout(resolve, 50)
    })
    // Nobody has read yet: the stream made one chunk and stopped (backpressure), not the archive.
    expect(stream.readableLength).to.be.at.most(CHUNK_BYTES)
    stream.destroy()
  })
})
