import {expect} from 'chai'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'

import {parseBuildLogOrThrow, readBuildLogText} from '../../../../src/lib/buildlog/read.js'
import {UserError} from '../../../../src/lib/util/errors.js'
import {rejection} from '../../../helpers/rejection.js'

const fixtures = fileURLToPath(new URL('../../../fixtures/build-logs/', import.meta.url))

describe('buildlog/read', () => {
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
