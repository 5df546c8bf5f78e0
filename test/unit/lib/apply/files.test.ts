import {expect} from 'chai'
import {
  chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {applyChanges} from '../../../../src/lib/apply/files.js'
import {UserError} from '../../../../src/lib/shared/errors.js'
import {rejection} from '../../../helpers/rejection.js'

/** Every file under dir (dotfiles too), to prove no temp file is left behind. */
function tree(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: false}).map(String).sort()
}

describe('applyChanges: one apply is all or nothing', () => {
  let dir: string

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'diet-apply-'))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('when the second file cannot be written (a directory), the first is unchanged and no temp file is left', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'tensorflow==2.16.1\npytest\n')
    mkdirSync(join(dir, 'requirements-dev.txt'))
    const error = await rejection(applyChanges(dir, [
      {after: 'tensorflow-cpu==2.16.1\n', before: 'tensorflow==2.16.1\npytest\n', diff: '', path: 'requirements.txt', why: ''},
      {after: 'pytest\n', diff: '', path: 'requirements-dev.txt', why: ''},
    ]))
    expect(error).to.be.instanceOf(UserError)
    expect(error.message).to.equal('Cannot read requirements-dev.txt: it is a directory. Nothing was written.')
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('tensorflow==2.16.1\npytest\n')
    expect(tree(dir)).to.deep.equal(['requirements-dev.txt', 'requirements.txt'])
  })

  it('refuses a read-only file with one line instead of silently replacing it', async () => {
    writeFileSync(join(dir, '.slugignore'), '/a/\n')
    writeFileSync(join(dir, 'requirements.txt'), 'x\n')
    chmodSync(join(dir, 'requirements.txt'), 0o444)
    const error = await rejection(applyChanges(dir, [
      {after: '/b/\n', before: '/a/\n', diff: '', path: '.slugignore', why: ''},
      {after: 'y\n', before: 'x\n', diff: '', path: 'requirements.txt', why: ''},
    ]))
    expect(error.message).to.match(/^requirements\.txt is read-only: slug:diet does not rewrite a read-only file; make it writable \(chmod u\+w requirements\.txt\) and run again\. Nothing was written\.$/)
    expect(readFileSync(join(dir, '.slugignore'), 'utf8')).to.equal('/a/\n')
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('x\n')
  })

  it('writes through a symlinked requirements.txt: the target is replaced, the link stays', async () => {
    mkdirSync(join(dir, 'reqs'))
    writeFileSync(join(dir, 'reqs/base.txt'), 'tensorflow==2.16.1\n')
    symlinkSync('reqs/base.txt', join(dir, 'requirements.txt'))
    await applyChanges(dir, [{after: 'tensorflow-cpu==2.16.1\n', before: 'tensorflow==2.16.1\n', diff: '', path: 'requirements.txt', why: ''}])
    expect(lstatSync(join(dir, 'requirements.txt')).isSymbolicLink()).to.equal(true)
    expect(readlinkSync(join(dir, 'requirements.txt'))).to.equal('reqs/base.txt')
    expect(readFileSync(join(dir, 'reqs/base.txt'), 'utf8')).to.equal('tensorflow-cpu==2.16.1\n')
    expect(tree(dir)).to.deep.equal(['reqs', 'reqs/base.txt', 'requirements.txt'])
  })

  it('removing a symlinked .slugignore removes the link, never the file it points at', async () => {
    mkdirSync(join(dir, 'config'))
    const text = '#>>>heroku-slug-diet:managed-block\n/a/\n#<<<heroku-slug-diet:managed-block\n'
    writeFileSync(join(dir, 'config/slugignore'), text)
    symlinkSync('config/slugignore', join(dir, '.slugignore'))
    await applyChanges(dir, [{before: text, diff: '', path: '.slugignore', why: ''}])
    expect(tree(dir)).to.deep.equal(['config', 'config/slugignore'])
    expect(readFileSync(join(dir, 'config/slugignore'), 'utf8')).to.equal(text)
  })

  it('refuses to rewrite a file that is not UTF-8 (a Latin-1 comment), whose bytes the rewrite would change', async () => {
    const bytes = Buffer.from('# caf\u00E9 index\ntensorflow==2.16.1\n', 'latin1')
    writeFileSync(join(dir, 'requirements.txt'), bytes)
    const before = bytes.toString('utf8')
    const error = await rejection(applyChanges(dir, [{after: before.replace('tensorflow', 'tensorflow-cpu'), before, diff: '', path: 'requirements.txt', why: ''}]))
    expect(error.message).to.equal('requirements.txt is not UTF-8 text: slug:diet does not rewrite it, as that would change bytes it does not mean to; save it as UTF-8 and run again. Nothing was written.')
    expect(readFileSync(join(dir, 'requirements.txt')).equals(bytes)).to.equal(true)
  })

  it('refuses two changes that reach the same file through a symlink, rather than keeping only one of them', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'flask\npytest\n')
    symlinkSync('requirements.txt', join(dir, 'requirements-dev.txt'))
    const error = await rejection(applyChanges(dir, [
      {after: 'flask\n', before: 'flask\npytest\n', diff: '', path: 'requirements.txt', why: ''},
      {after: 'flask\npytest\nblack\n', before: 'flask\npytest\n', diff: '', path: 'requirements-dev.txt', why: ''},
    ]))
    expect(error.message).to.equal('requirements-dev.txt and requirements.txt are the same file (a symlink): slug:diet would write it twice; make them separate files, or edit it yourself. Nothing was written.')
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('flask\npytest\n')
  })

  it('refuses a symlink whose target is outside the repo', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'diet-outside-'))
    try {
      writeFileSync(join(outside, 'shared.txt'), 'x\n')
      symlinkSync(join(outside, 'shared.txt'), join(dir, 'requirements.txt'))
      const error = await rejection(applyChanges(dir, [{after: 'y\n', before: 'x\n', diff: '', path: 'requirements.txt', why: ''}]))
      expect(error.message).to.match(/^requirements\.txt is a symlink to .*shared\.txt, outside the repository: slug:diet does not write outside the repo; .* Nothing was written\.$/)
      expect(readFileSync(join(outside, 'shared.txt'), 'utf8')).to.equal('x\n')
    } finally {
      rmSync(outside, {force: true, recursive: true})
    }
  })

  it('refuses a file inside the repo reached through a symlinked folder that points outside it', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'diet-outside-'))
    try {
      symlinkSync(outside, join(dir, 'bin'))
      const error = await rejection(applyChanges(dir, [{after: '#!/usr/bin/env bash\n', before: undefined, diff: '', executable: true, path: 'bin/post_compile', why: ''}]))
      expect(error.message).to.match(/^bin\/post_compile is a symlink to .*post_compile, outside the repository: slug:diet does not write outside the repo; .* Nothing was written\.$/)
      expect(readdirSync(outside)).to.deep.equal([])
    } finally {
      rmSync(outside, {force: true, recursive: true})
    }
  })

  it('names a symlink loop as a loop, in one line', async () => {
    symlinkSync('b.txt', join(dir, 'a.txt'))
    symlinkSync('a.txt', join(dir, 'b.txt'))
    const error = await rejection(applyChanges(dir, [{after: 'y\n', before: undefined, diff: '', path: 'a.txt', why: ''}]))
    expect(error.message).to.equal('Cannot read a.txt: it is a symlink that leads back to itself (a loop). Nothing was written.')
  })

  it('cleans its stale temp files best effort: a folder that happens to carry the name is left alone, and the write goes on', async () => {
    writeFileSync(join(dir, 'requirements.txt'), 'x\n')
    mkdirSync(join(dir, '.requirements.txt.slug-diet-4194999-0a1b2c3d.tmp'))
    writeFileSync(join(dir, '.requirements.txt.slug-diet-4194999-0a1b2c3d.tmp/keep'), 'mine')
    await applyChanges(dir, [{after: 'y\n', before: 'x\n', diff: '', path: 'requirements.txt', why: ''}])
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('y\n')
    expect(tree(dir)).to.deep.equal(['.requirements.txt.slug-diet-4194999-0a1b2c3d.tmp', '.requirements.txt.slug-diet-4194999-0a1b2c3d.tmp/keep', 'requirements.txt'])
  })

  it('removes a file whose change has no text, and cleans stale temp files of its own naming', async () => {
    writeFileSync(join(dir, '.slugignore'), '#>>>heroku-slug-diet:managed-block\n/a/\n#<<<heroku-slug-diet:managed-block\n')
    writeFileSync(join(dir, 'requirements.txt'), 'x\n')
    // left by a killed run (a pid that cannot exist), by an earlier version, and a temp file that is not ours
    writeFileSync(join(dir, '.requirements.txt.slug-diet-4194999-0a1b2c3d.tmp'), 'half')
    writeFileSync(join(dir, '.requirements.txt.4194999.1764000000000.tmp'), 'half')
    writeFileSync(join(dir, '.other.tmp'), 'not ours')
    await applyChanges(dir, [
      {before: readFileSync(join(dir, '.slugignore'), 'utf8'), diff: '', path: '.slugignore', why: ''},
      {after: 'y\n', before: 'x\n', diff: '', path: 'requirements.txt', why: ''},
    ])
    expect(tree(dir)).to.deep.equal(['.other.tmp', 'requirements.txt'])
  })

  it('keeps an existing file\'s mode and makes the hook executable', async () => {
    mkdirSync(join(dir, 'bin'))
    writeFileSync(join(dir, 'bin/post_compile'), 'echo hi\n', {mode: 0o640})
    await applyChanges(dir, [{after: 'echo hi\nmore\n', before: 'echo hi\n', diff: '', executable: true, mode: 0o755, path: 'bin/post_compile', why: ''}])
    expect(statSync(join(dir, 'bin/post_compile')).mode & 0o777).to.equal(0o751)
    expect(existsSync(join(dir, 'bin/post_compile'))).to.equal(true)
  })
})
