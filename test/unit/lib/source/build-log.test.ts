import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'

import {parseBuildLogOrThrow} from '../../../../src/lib/predict/build-log/parse.js'
import {readBuildLogText} from '../../../../src/lib/source/build-log.js'
import {UserError} from '../../../../src/lib/shared/errors.js'
import {rejection} from '../../../helpers/rejection.js'

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16()
const fixtures = fileURLToPath(new URL('../../../fixtures/build-logs/', import.meta.url))

describe('source/build-log', () => {
  let dir: string

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'buildlog-'))
  })

  after(() => {
    rmSync(dir, {force: true, recursive: true})
  })

  it('reads a log file', async () => {
    const {name, text} = await readBuildLogText(join(fixtures, 'success.log'))
    expect(name).to.equal(join(fixtures, 'success.log'))
    expect(text).to.match(/^-----> Building on the Heroku-24 stack\n/)
  })

  it('reads stdin for "-"', async () => {
    const stdin = Readable.from([Buffer.from('remote: -----> Python app detected\n')])
    expect(await readBuildLogText('-', stdin)).to.deep.equal({name: 'stdin', text: 'remote: -----> Python app detected\n'})
  })

  describe('encodings', () => {
    const log = readFileSync(join(fixtures, 'success.log'), 'utf8')
    for (const [label, bytes] of [
      ['UTF-16LE with BOM (PowerShell\'s >)', Buffer.concat([Buffer.from([0xFF, 0xFE]), Buffer.from(log, 'utf16le')])],
      ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xFE, 0xFF]), utf16be(log)])],
      ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xEF, 0xBB, 0xBF]), Buffer.from(log)])],
    ] as const) {
      it(`reads ${label}`, async () => {
        const path = join(dir, 'encoded.log')
        writeFileSync(path, bytes)
        const {text} = await readBuildLogText(path)
        expect(text).to.equal(log)
        expect(parseBuildLogOrThrow(text, path).downloads).to.have.length(16)
      })
    }

    it('still refuses a binary file', async () => {
      const path = join(dir, 'slug.bin')
      writeFileSync(path, Buffer.from([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x41]))
      expect((await rejection(readBuildLogText(path))).message).to.match(/is not a text build log/)
    })
  })

  it('reads a FIFO (process substitution: --log <(heroku builds:output ...))', async () => {
    const fifo = join(dir, 'log.fifo')
    execFileSync('mkfifo', [fifo])
    const writer = createWriteStream(fifo)
    writer.end(readFileSync(join(fixtures, 'success.log')))
    const {name, text} = await readBuildLogText(fifo)
    expect(name).to.equal(fifo)
    expect(text).to.match(/^-----> Building on the Heroku-24 stack\n/)
  })

  it('refuses a terminal as stdin', async () => {
    const stdin = Object.assign(Readable.from([]), {isTTY: true})
    expect((await rejection(readBuildLogText('-', stdin))).message).to.match(/^--log - reads a build log from stdin/)
  })

  it('refuses a binary file (NUL bytes), a missing file, a directory and an oversized one', async () => {
    const binary = join(dir, 'slug.tgz')
    writeFileSync(binary, Buffer.from([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00]))
    const errors = [
      await rejection(readBuildLogText(binary)),
      await rejection(readBuildLogText(join(dir, 'missing.log'))),
      await rejection(readBuildLogText(dir)),
      await rejection(readBuildLogText(join(fixtures, 'success.log'), undefined, 100)),
    ]
    expect(errors.every(e => e instanceof UserError)).to.equal(true)
    expect(errors.map(e => e.message)).to.deep.equal([
      `${binary} is not a text build log (it has NUL bytes). For a slug .tgz use --file instead.`,
      `Cannot read ${join(dir, 'missing.log')}: ENOENT.`,
      `${dir} is not a file.`,
      `${join(fixtures, 'success.log')} is larger than 100 B: that is not a build log.`,
    ])
  })

  it('refuses a log with no pip or buildpack lines', () => {
    expect(() => parseBuildLogOrThrow('hello\nworld\n', 'notes.txt')).to.throw(UserError, /^No pip or buildpack lines found in notes\.txt/)
    expect(parseBuildLogOrThrow('-----> Python app detected\n', 'x').detected).to.deep.equal(['Python'])
  })
})
