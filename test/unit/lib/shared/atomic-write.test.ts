import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {rename} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {recoverInterruptedWrite, WriteError, writeFileAtomic, writeFilesAtomic} from '../../../../src/lib/shared/atomic-write.js'
import {rejection} from '../../../helpers/rejection.js'

/** A rename that fails on its nth call with an errno, as a full disk or a revoked permission would. */
function failingRename(nth: number, code: string): (from: string, to: string) => Promise<void> {
  let calls = 0
  return async (from, to) => {
    calls++
    if (calls === nth) throw Object.assign(new Error(`${code}: raw text, rename '${from}'`), {code})
    await rename(from, to)
  }
}

describe('writeFilesAtomic', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  for (const [code, reason] of [['ENOSPC', 'the disk is full'], ['EROFS', 'the file system is read-only'], ['EACCES', 'permission denied'], ['EPERM', 'the operation is not permitted']]) {
    it(`puts back what was already renamed when a later rename fails (${code}), with one line and no raw errno`, async () => {
      // a.txt loses a line, so it is renamed last: b.txt, c.txt, a.txt
      writeFileSync(join(dir, 'a.txt'), 'old a\n')
      const error = await rejection(writeFilesAtomic(
        [{data: 'new a\n', path: join(dir, 'a.txt')}, {data: 'new b\n', path: join(dir, 'b.txt')}, {data: 'new c\n', path: join(dir, 'c.txt')}],
        {label: p => p.slice(dir.length + 1), rename: failingRename(2, code)},
      ))
      expect(error.message).to.equal(`Cannot write c.txt: ${reason}. Nothing was changed: b.txt restored.`)
      expect(error.message).not.to.contain(code)
      expect(readFileSync(join(dir, 'a.txt'), 'utf8')).to.equal('old a\n')
      expect(readdirSync(dir)).to.deep.equal(['a.txt'])
    })
  }

  it('a failure after a new file\'s folder was created and renamed into removes that folder again', async () => {
    writeFileSync(join(dir, 'b.txt'), 'old b\n')
    const error = await rejection(writeFilesAtomic(
      [{createDirs: true, data: 'hook\n', path: join(dir, 'bin', 'post_compile')}, {data: 'new b\n', path: join(dir, 'b.txt')}],
      {label: p => p.slice(dir.length + 1), rename: failingRename(2, 'ENOSPC')},
    ))
    expect(error.message).to.equal('Cannot write b.txt: the disk is full. Nothing was changed: bin/post_compile restored.')
    expect(readdirSync(dir)).to.deep.equal(['b.txt'])
  })

  it('removes a symlink after the renames: a failed rename leaves the link as it was', async () => {
    writeFileSync(join(dir, 'shared'), 'rules\n')
    symlinkSync('shared', join(dir, '.slugignore'))
    const error = await rejection(writeFilesAtomic(
      [{path: join(dir, '.slugignore')}, {data: 'new b\n', path: join(dir, 'b.txt')}],
      {label: p => p.slice(dir.length + 1), rename: failingRename(1, 'EROFS')},
    ))
    expect(error.message).to.equal('Cannot write b.txt: the file system is read-only. Nothing was written.')
    expect(readlinkSync(join(dir, '.slugignore'))).to.equal('shared')
    expect(readFileSync(join(dir, 'shared'), 'utf8')).to.equal('rules\n')
    expect(readdirSync(dir).sort()).to.deep.equal(['.slugignore', 'shared'])
  })

  it('writeFileAtomic creates no folder: a missing one is a WriteError with its errno code for the caller', async () => {
    const error = await rejection(writeFileAtomic(join(dir, 'missing', 'x.txt'), 'x\n')) as WriteError
    expect(error).to.be.instanceOf(WriteError)
    expect(error.code).to.equal('ENOENT')
    expect(error.message).to.equal(`Cannot write ${join(dir, 'missing', 'x.txt')}: its folder does not exist. Nothing was written.`)
    expect(readdirSync(dir)).to.deep.equal([])
  })

  it('writes a file whose name is near the 255-byte limit (its temp name is shortened), and names a too-long one in words', async () => {
    const long = `${'\u00E9'.repeat(120)}.txt`
    await writeFileAtomic(join(dir, long), 'x\n')
    expect(readdirSync(dir)).to.deep.equal([long])
    const error = await rejection(writeFileAtomic(join(dir, 'a'.repeat(300)), 'x\n'))
    expect(error.message).to.equal(`Cannot read ${join(dir, 'a'.repeat(300))}: its name is too long. Nothing was written.`)
  })

  it('writeFileAtomic writes one file and leaves no temp file', async () => {
    await writeFileAtomic(join(dir, 'x.txt'), 'x\n', {mode: 0o600})
    expect(readdirSync(dir)).to.deep.equal(['x.txt'])
    expect(readFileSync(join(dir, 'x.txt'), 'utf8')).to.equal('x\n')
  })
})

/** the pid of a process that has ended: the journal's writer was killed */
const deadPid = () => spawnSync('true').pid
const sha = (text: string) => createHash('sha256').update(text).digest('hex')
const OLD_REQUIREMENTS = {data: Buffer.from('flask\npytest\n').toString('base64'), mode: 0o644}

describe('recoverInterruptedWrite', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-journal-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  const journal = (state: string, entries: object[]) => writeFileSync(join(dir, 'journal.json'), JSON.stringify({entries, format: 'slug-diet-write-journal', pid: deadPid(), state}))

  it('undoes the renames already made when a file not yet replaced was edited since the kill, and removes the temp files', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'flask\npytest\nrequests\n') // edited by the user after the kill
    writeFileSync(join(dir, '.requirements.txt.slug-diet-1-ab.tmp'), 'flask\n')
    writeFileSync(join(dir, 'requirements-dev.txt'), 'pytest\n') // renamed before the kill
    journal('renaming', [
      {sha: sha('pytest\n'), target: join(dir, 'requirements-dev.txt'), tmp: join(dir, '.requirements-dev.txt.slug-diet-1-cd.tmp')},
      {old: OLD_REQUIREMENTS, sha: sha('flask\n'), target: join(dir, 'requirements.txt'), tmp: join(dir, '.requirements.txt.slug-diet-1-ab.tmp')},
    ])
    expect(await recoverInterruptedWrite(join(dir, 'journal.json'))).to.deep.equal({outcome: 'undone', paths: [join(dir, 'requirements-dev.txt'), join(dir, 'requirements.txt')]})
    expect(readdirSync(dir)).to.deep.equal(['requirements.txt'])
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('flask\npytest\nrequests\n')
  })

  it('killed while staging, nothing had changed: removes the temp files and the journal', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'flask\npytest\n')
    writeFileSync(join(dir, '.requirements.txt.slug-diet-1-ab.tmp'), 'fla')
    journal('staging', [{old: OLD_REQUIREMENTS, sha: sha('flask\n'), target: join(dir, 'requirements.txt'), tmp: join(dir, '.requirements.txt.slug-diet-1-ab.tmp')}])
    expect((await recoverInterruptedWrite(join(dir, 'journal.json')))?.outcome).to.equal('discarded')
    expect(readdirSync(dir)).to.deep.equal(['requirements.txt'])
  })

  it('leaves a set edited on both sides as it is, and says what to check in one line', async () => {
    writeFileSync(join(dir, 'a.txt'), 'edited\n')
    writeFileSync(join(dir, '.b.txt.slug-diet-1-ab.tmp'), 'new b\n')
    writeFileSync(join(dir, 'b.txt'), 'edited too\n')
    journal('renaming', [
      {sha: sha('new a\n'), target: join(dir, 'a.txt'), tmp: join(dir, '.a.txt.slug-diet-1-cd.tmp')},
      {old: {data: Buffer.from('old b\n').toString('base64'), mode: 0o644}, sha: sha('new b\n'), target: join(dir, 'b.txt'), tmp: join(dir, '.b.txt.slug-diet-1-ab.tmp')},
    ])
    const error = await rejection(recoverInterruptedWrite(join(dir, 'journal.json'), p => p.slice(dir.length + 1)))
    expect(error.message).to.equal('An interrupted write of a.txt, b.txt cannot be finished or undone: they were edited since. Check them with git diff, then remove journal.json.')
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).to.equal('edited\n')
  })

  it('does nothing while the writer still runs, or without a journal', async () => {
    expect(await recoverInterruptedWrite(join(dir, 'journal.json'))).to.equal(undefined)
    writeFileSync(join(dir, 'journal.json'), JSON.stringify({entries: [], format: 'slug-diet-write-journal', pid: process.pid, state: 'renaming'}))
    expect(await recoverInterruptedWrite(join(dir, 'journal.json'))).to.equal(undefined)
    expect(readdirSync(dir)).to.deep.equal(['journal.json'])
  })
})

describe('writeFilesAtomic in a read-only repository', () => {
  it('says so in one line and leaves every file as it was (a real read-only folder, not an injected error)', () => {
    const repo = mkdtempSync(join(tmpdir(), 'atomic-ro-'))
    writeFileSync(join(repo, 'requirements.txt'), 'flask\n')
    writeFileSync(join(repo, '.slugignore'), '/docs/\n')
    chmodSync(repo, 0o555)
    try {
      const module = fileURLToPath(new URL('../../../../src/lib/shared/atomic-write.ts', import.meta.url))
      const script = `import {writeFilesAtomic} from ${JSON.stringify(module)}
try {
  await writeFilesAtomic([{data: '/data/\\n', path: ${JSON.stringify(join(repo, '.slugignore'))}}, {data: 'flask==3\\n', path: ${JSON.stringify(join(repo, 'requirements.txt'))}}], {label: p => p.slice(${repo.length + 1})})
  console.log('written')
} catch (e) { console.log(e.name + ': ' + e.message) }`
      const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]
      // Root writes anywhere: drop the capabilities that let it, so the folder's mode decides, as for any user.
      const command = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', ...node] : node
      const run = spawnSync(command[0], command.slice(1), {encoding: 'utf8'})
      expect(run.stderr).to.equal('')
      expect(run.stdout.trim()).to.match(/^WriteError: Cannot write \.slugignore: permission denied\. Nothing was written\.$/)
      expect(readFileSync(join(repo, 'requirements.txt'), 'utf8')).to.equal('flask\n')
      expect(readFileSync(join(repo, '.slugignore'), 'utf8')).to.equal('/docs/\n')
      expect(readdirSync(repo).sort()).to.deep.equal(['.slugignore', 'requirements.txt'])
    } finally {
      chmodSync(repo, 0o755)
      rmSync(repo, {force: true, recursive: true})
    }
  })
})
