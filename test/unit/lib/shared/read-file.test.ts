import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {FileReadError, readRegularFile, readRegularText} from '../../../../src/lib/shared/read-file.js'
import {rejection} from '../../../helpers/rejection.js'

describe('readRegularFile', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-file-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('reads a regular file, through a symlink too', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'flask\n')
    symlinkSync('requirements.txt', join(dir, 'link.txt'))
    expect(await readRegularText(join(dir, 'requirements.txt'))).to.equal('flask\n')
    expect(await readRegularText(join(dir, 'link.txt'))).to.equal('flask\n')
  })

  it('refuses a FIFO at once, without waiting for a writer', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')])
    symlinkSync('fifo', join(dir, 'requirements.txt'))
    for (const name of ['fifo', 'requirements.txt']) {
      const error = await rejection(readRegularFile(join(dir, name)))
      expect(error).to.be.instanceOf(FileReadError)
      expect(error.message).to.equal('it is a FIFO (named pipe), not a regular file')
    }
  })

  it('refuses a link to /dev/zero before reading from it', async () => {
    symlinkSync('/dev/zero', join(dir, 'entry'))
    const error = await rejection(readRegularFile(join(dir, 'entry'))) as FileReadError
    expect(error.code).to.equal('ENOTREG')
    expect(error.message).to.equal('it is a device, not a regular file')
  })

  it('refuses a file over the bound, and reads one at the bound', async () => {
    writeFileSync(join(dir, 'big'), Buffer.alloc(1001))
    writeFileSync(join(dir, 'fits'), Buffer.alloc(1000))
    expect((await rejection(readRegularFile(join(dir, 'big'), 1000)) as FileReadError).code).to.equal('EFBIG')
    expect(await readRegularFile(join(dir, 'fits'), 1000)).to.have.length(1000)
  })

  it('passes on open() errors as they are (ENOENT for a missing file)', async () => {
    expect((await rejection(readRegularFile(join(dir, 'missing'))) as NodeJS.ErrnoException).code).to.equal('ENOENT')
  })
})
