import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {createWriteStream, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'

import {scanFilePair} from '../../../../src/lib/pipeline/diff.js'
import {isStreamPath, scanSlugPath} from '../../../../src/lib/source/slug-stream.js'
import {rejection} from '../../../helpers/rejection.js'
import {buildSlug, incompressible} from '../../../helpers/slug-builder.js'

const slug = buildSlug([
  {content: 'web: gunicorn app:app\n', path: './app/Procfile'},
  {content: incompressible(300_000, 2), path: './app/models/model.onnx'},
])

/** A slug's bytes in pieces of `size`, as a pipe delivers them. */
function pieces(size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < slug.length; i += size) out.push(slug.subarray(i, i + size))
  return out
}

describe('source/slug-stream', () => {
  let dir: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stream-source-'))
  })

  it('reads a slug from stdin for "-", in whatever pieces it comes', async () => {
    const result = await scanSlugPath('-', {}, Readable.from(pieces(1000)))
    expect(result.entries.map(e => [e.path, e.size])).to.deep.equal([['Procfile', 22], ['models/model.onnx', 300_000]])
    expect(result.compressedSize).to.equal(slug.length)
  })

  it('reads a slug from a FIFO (process substitution: --file <(heroku slugs:download ...))', async () => {
    const fifo = join(dir, 'slug.fifo')
    execFileSync('mkfifo', [fifo])
    expect(await isStreamPath(fifo)).to.equal(true)
    const writer = createWriteStream(fifo)
    writer.end(slug)
    const result = await scanSlugPath(fifo)
    expect(result.fileCount).to.equal(2)
    expect(result.compressedSize).to.equal(slug.length)
  })

  it('reads a regular file as a file', async () => {
    const file = join(dir, 'slug.tgz')
    writeFileSync(file, slug)
    expect(await isStreamPath(file)).to.equal(false)
    expect((await scanSlugPath(file)).fileCount).to.equal(2)
  })

  it('refuses a terminal as stdin, and --save of a stream, in one line', async () => {
    const tty = Object.assign(Readable.from([]), {isTTY: true})
    expect((await rejection(scanSlugPath('-', {}, tty))).message).to.match(/^--file - reads a slug from stdin: pipe one in/)
    expect((await rejection(scanSlugPath('-', {savePath: join(dir, 'x.tgz')}, Readable.from([slug])))).message).to.match(/^--save keeps a downloaded slug; stdin is a stream/)
  })

  it('refuses stdin for both sides of slug:diff', async () => {
    expect((await rejection(scanFilePair('-', '-'))).message).to.equal('Only one of the two slugs can come from stdin (--file -): give the other as a file.')
  })

  it('gives the scanner\'s one-line error for a stream that is not a slug', async () => {
    expect((await rejection(scanSlugPath('-', {}, Readable.from([Buffer.from('not a slug')])))).message).to.match(/^The slug is not a gzip file/)
  })
})
