import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {crc32, gzipSync} from 'node:zlib'

import {type ScanOptions, SlugScanner, wantsPeek} from '../../../../src/lib/scan/scanner.js'
import type {ScanResult} from '../../../../src/lib/scan/entries.js'
import {buildSlug, buildTar, incompressible} from '../../../helpers/slug-builder.js'

function scan(bytes: Buffer, chunk = 64 * 1024, options: ScanOptions = {}): ScanResult {
  const scanner = new SlugScanner(options)
  for (let i = 0; i < bytes.length; i += chunk) scanner.write(bytes.subarray(i, i + chunk))
  return scanner.end()
}

function scanError(bytes: Buffer): string {
  try {
    scan(bytes)
  } catch (error) {
    return (error as Error).message
  }

  throw new Error('expected the scan to fail')
}

/** A one-file slug whose header's size field is `field` (12 bytes), its checksum made right again. */
function withSizeField(field: string): Buffer {
  const tar = buildTar([{content: 'hello', path: './app/a.txt'}])
  tar.write(field, 124, 12, 'latin1')
  tar.fill(0x20, 148, 156)
  let sum = 0
  for (let i = 0; i < 512; i++) sum += tar[i]
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1')
  return gzipSync(tar)
}

describe('SlugScanner', () => {
  it('lists entries under ./app with types, sizes and link targets, and counts the rest apart', () => {
    const long = `./app/.heroku/python/lib/python3.12/site-packages/${'deep/'.repeat(25)}module.py`
    const gnuLong = `./app/node_modules/${'x'.repeat(120)}/index.js`
    const result = scan(buildSlug([
      {path: './app/', type: 'directory'},
      {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
      {content: 'print(1)\n', longName: 'pax', path: long},
      {content: 'module.exports = 1\n', longName: 'gnu', path: gnuLong},
      {linkTarget: 'python3.12', path: './app/.heroku/python/bin/python3', type: 'symlink'},
      {linkTarget: './app/Procfile', path: './app/Procfile.copy', type: 'hardlink'},
      {content: 'not unpacked', path: './tmp/stray.txt'},
    ]))

    expect(result.entries.map(e => [e.path, e.type, e.size])).to.deep.equal([
      ['Procfile', 'file', 22],
      [long.slice('./app/'.length), 'file', 9],
      [gnuLong.slice('./app/'.length), 'file', 19],
      ['.heroku/python/bin/python3', 'symlink', 0],
      ['Procfile.copy', 'hardlink', 0],
    ])
    expect(result.entries[3].linkTarget).to.equal('python3.12')
    expect(result.outside).to.include({count: 1, size: 12})
    expect(result.outside.examples).to.deep.equal(['./tmp/stray.txt'])
    expect(result.fileCount).to.equal(3)
    expect(result.uncompressedSize).to.equal(22 + 9 + 19)
    expect(result.captured.Procfile).to.equal('web: gunicorn app:app\n')
  })

  it('splits the compressed bytes across entries by what each produced', () => {
    const weights = incompressible(3_000_000)
    const code = Buffer.from('import os\nprint(os.getcwd())\n'.repeat(40_000))
    const slug = buildSlug([
      {content: weights, path: './app/models/model.h5'},
      {content: code, path: './app/app.py'},
    ])
    const result = scan(slug)
    const [model, app] = result.entries
    const attributed = model.compressed + app.compressed
    // Every compressed byte lands on an entry, except the gzip header/trailer and tar end padding.
    expect(attributed).to.be.within(slug.length - 64, slug.length)
    // Weights do not compress: their share is their size, within one 16 KiB piece.
    expect(Math.abs(model.compressed - weights.length)).to.be.below(16 * 1024)
    // Code compresses ~100x here; its share is far below its size.
    expect(app.compressed).to.be.below(code.length / 20)
  })

  it('matches gzip -c of a large file alone within 0.6%', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'))
    // Half random, half text: compresses to roughly 55%.
    const big = Buffer.concat([incompressible(1_500_000, 7), Buffer.from('lorem ipsum dolor sit amet '.repeat(60_000))])
    const small = Buffer.from('x = 1\n'.repeat(1000))
    writeFileSync(join(dir, 'big.bin'), big)
    const alone = execFileSync('sh', ['-c', `gzip -6 -c ${join(dir, 'big.bin')} | wc -c`]).toString().trim()
    const result = scan(buildSlug([{content: small, path: './app/a.py'}, {content: big, path: './app/big.bin'}, {content: small, path: './app/z.py'}]))
    const share = result.entries.find(e => e.path === 'big.bin')!.compressed
    expect(Math.abs(share - Number(alone)) / Number(alone)).to.be.below(0.006)
  })

  it('keeps a peek of each file of 1 KiB or more that could be a model, for recognising formats by content', () => {
    const hdf5 = Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(5000)])
    const result = scan(buildSlug([
      {content: hdf5, path: './app/model.h5'},
      {content: 'tiny', path: './app/tiny.bin'},
      {content: 'import os\n'.repeat(500), path: './app/big.py'},
      {content: incompressible(5000, 2), path: './app/weights'},
    ]))
    expect(result.entries[0].peek?.subarray(0, 8).toString('latin1')).to.equal('\u0089HDF\r\n\u001A\n')
    expect(result.entries[0].peek?.length).to.equal(256)
    expect(result.entries[1].peek, 'under 1 KiB').to.equal(undefined)
    expect(result.entries[2].peek, 'source code').to.equal(undefined)
    expect(result.entries[3].peek?.length, 'no extension').to.equal(256)
  })

  it('keeps no peek of source, headers, text or shared libraries, whatever their size', () => {
    for (const path of ['a/b.py', 'include/x.h', 'lib/libfoo.so', 'README.md', 'data.json', 'x/Y.PY']) expect(wantsPeek(path, 1e6), path).to.equal(false)
    for (const path of ['model.h5', 'weights.bin', 'model.pt', 'saved_model.pb', 'model', '.hidden', 'v.data-00000-of-00001']) expect(wantsPeek(path, 1e6), path).to.equal(true)
    expect(wantsPeek('model.h5', 1023)).to.equal(false)
  })

  it('keeps the CRC-32 of every file when asked for content hashes (slug:diff), and none otherwise', () => {
    const a = incompressible(300_000, 4)
    const b = Buffer.from('x = 1\n'.repeat(100))
    const slug = buildSlug([{content: a, path: './app/a.bin'}, {content: b, path: './app/b.py'}, {path: './app/dir/', type: 'directory'}])
    const hashed = scan(slug, 1000, {contentHashes: true})
    expect(hashed.entries.map(e => e.crc32)).to.deep.equal([crc32(a), crc32(b), undefined])
    expect(scan(slug).entries.map(e => e.crc32)).to.deep.equal([undefined, undefined, undefined])
  })

  it('computes the sha256 of the compressed bytes', () => {
    const slug = buildSlug([{content: 'a', path: './app/a'}])
    const expected = execFileSync('sha256sum', {input: slug}).toString().split(' ')[0]
    expect(scan(slug).sha256).to.equal(expected)
  })

  it('gives the same result whatever the chunking of the input', () => {
    const slug = buildSlug([{content: incompressible(100_000), path: './app/a.bin'}, {content: 'b'.repeat(50_000), path: './app/b.txt'}])
    const one = scan(slug, 1)
    const big = scan(slug, 1 << 20)
    expect(one.entries.map(e => e.size)).to.deep.equal(big.entries.map(e => e.size))
    expect(one.sha256).to.equal(big.sha256)
  })

  it('splits compressed bytes the same way whatever the chunking, as network reads end anywhere', () => {
    // Network reads end anywhere; the JSON report (compressed shares to the byte) must not depend on where.
    const slug = buildSlug([
      {content: incompressible(300_000), path: './app/a.bin'},
      {content: 'import os\n'.repeat(30_000), path: './app/b.py'},
      {content: incompressible(70_000), path: './app/c.bin'},
    ])
    const byFile = scan(slug).entries.map(e => e.compressed)
    const random = new SlugScanner()
    let seed = 7
    for (let i = 0; i < slug.length;) {
      seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648
      const n = 1 + (seed % 40_000)
      random.write(slug.subarray(i, i + n))
      i += n
    }

    expect(random.end().entries.map(e => e.compressed)).to.deep.equal(byFile)
  })

  describe('hostile names', () => {
    it('resolves . and .. inside ./app, and keeps names that climb out of it out of the app files', () => {
      const result = scan(buildSlug([
        {content: 'ok', path: './app/lib/../src/./main.py'},
        {content: 'evil', path: './app/../../etc/evil'},
        {content: 'sibling', path: './app/../tmp/x'},
        {content: 'stray', path: './tmp/stray.txt'},
        {content: 'rooted', path: '/app/rooted.txt'},
      ]))
      expect(result.entries.map(e => e.path)).to.deep.equal(['src/main.py', 'rooted.txt'])
      expect(result.entries.some(e => e.path.includes('..'))).to.equal(false)
      expect(result.outside).to.include({count: 3, size: 4 + 7 + 5})
      expect(result.escaping).to.deep.equal({count: 2, examples: ['./app/../../etc/evil', './app/../tmp/x']})
      expect(result.fileCount).to.equal(2)
    })

    it('resolves empty and dot segments wherever they are, plain names kept as they are', () => {
      const result = scan(buildSlug([
        {content: 'a', path: './app/x//y.py'},
        {content: 'b', path: './app/./z.py'},
        {content: 'c', path: './app/w/..'},
        {content: 'd', path: './app/q/.'},
        {content: 'e', path: './app/plain/name with spaces.py'},
        {content: 'f', path: 'app/no-dot-slash.py'},
      ]))
      expect(result.entries.map(e => e.path)).to.deep.equal(['x/y.py', 'z.py', 'q', 'plain/name with spaces.py', 'no-dot-slash.py'])
    })

    it('rejects a pax size that is not a decimal integer, naming the entry', () => {
      for (const size of ['1.5', '1e3', '-1', ' 12', '0x10', '']) {
        const slug = buildSlug([{content: 'abc', pax: {size}, path: './app/weights.bin'}])
        expect(scanError(slug), size).to.equal(`The slug's tar stream is damaged: the pax header of ./app/weights.bin has an invalid size "${size}".`)
      }
    })

    it('rejects a malformed pax record, naming the entry, and shows control characters in the name', () => {
      for (const body of ['1.0 comment=x\n', '99 comment=x\n', '13 comment=xx\n', 'comment=x\n']) {
        const message = scanError(buildSlug([{content: 'abc', paxBody: body, path: './app/ok'}]))
        expect(message, body).to.match(/^The slug's tar stream is damaged: the pax header of \.\/app\/ok has a malformed record/)
      }

      const hostile = scanError(buildSlug([{content: 'abc', paxBody: '1.0 comment=x\n', path: './app/\u001B[2Jx'}]))
      expect(hostile).to.equal(String.raw`The slug's tar stream is damaged: the pax header of ./app/\e[2Jx has a malformed record (length "1.0").`)
    })
  })

  describe('bad input', () => {
    it('reads octal size fields as writers pad them: leading spaces, trailing NULs or spaces', () => {
      for (const field of ['00000000005\0', '     5 \0\0\0\0\0', '5\0\0\0\0\0\0\0\0\0\0\0', '00000000005 ']) {
        expect(scan(withSizeField(field)).entries[0].size, JSON.stringify(field)).to.equal(5)
      }
    })

    it('rejects a size field with other characters in it', () => {
      for (const field of ['0000000x005\0', '00000000 05\0', '\0\0\0\0\0\0\0\0\0\0\0x']) {
        expect(scanError(withSizeField(field)), JSON.stringify(field)).to.equal('The slug\'s tar stream is damaged: an entry has an unreadable size.')
      }
    })

    it('rejects an empty file', () => {
      expect(scanError(Buffer.alloc(0))).to.equal('The slug is empty (0 bytes).')
    })

    it('rejects a file that is not gzip', () => {
      expect(scanError(Buffer.from('PK\u0003\u0004 a zip file'))).to.match(/^The slug is not a gzip file/)
    })

    it('names a squashfs slug for what it is', () => {
      expect(scanError(Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(100)]))).to.match(/squashfs image/)
    })

    it('rejects a truncated gzip stream', () => {
      const slug = buildSlug([{content: incompressible(200_000), path: './app/a.bin'}])
      expect(scanError(slug.subarray(0, slug.length / 2))).to.match(/^The slug is truncated/)
    })

    it('rejects corrupt gzip data', () => {
      const slug = Buffer.from(buildSlug([{content: 'hello '.repeat(10_000), path: './app/a.txt'}]))
      for (let i = 20; i < 60; i++) slug[i] ^= 0xff
      expect(scanError(slug)).to.match(/corrupt|damaged/)
    })

    it('rejects garbage after the gzip stream, but not zero padding', () => {
      const slug = buildSlug([{content: 'a', path: './app/a'}])
      expect(scanError(Buffer.concat([slug, Buffer.from('garbage!garbage!')]))).to.match(/^The slug's gzip data is corrupt/)
      const padded = scan(Buffer.concat([slug, Buffer.alloc(1024)]))
      expect(padded.entries.map(e => e.path)).to.deep.equal(['a'])
      expect(padded.compressedSize).to.equal(slug.length + 1024)
    })

    it('rejects garbage tar headers', () => {
      expect(scanError(gzipSync(Buffer.from('this is not a tar header '.repeat(100))))).to.match(/^The slug's tar stream is damaged/)
    })

    it('rejects a tar cut inside an entry', () => {
      const tar = buildTar([{content: incompressible(5000), path: './app/a.bin'}])
      expect(scanError(gzipSync(tar.subarray(0, 2048)))).to.match(/ends in the middle of an entry/)
    })
  })
})
