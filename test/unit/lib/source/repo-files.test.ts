import {expect} from 'chai'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, realpathSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {listRepo, listRepoFiles, walkFiles} from '../../../../src/lib/source/repo-files.js'
import {incompressible} from '../../../helpers/slug-builder.js'
import {git} from '../predict/repo/fixture.js'
import {rejection} from '../../../helpers/rejection.js'

describe('source/repo-files', () => {
  let dir: string

  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'slug-repo-')))
  })

  afterEach(() => rmSync(dir, {force: true, recursive: true}))

  it('lists what a push sends: committed and staged files, with sizes, symlink targets and peeks', async () => {
    git(dir, 'init', '-q')
    mkdirSync(join(dir, 'src'))
    writeFileSync(join(dir, 'Procfile'), 'web: gunicorn app:app\n')
    writeFileSync(join(dir, 'src/model.h5'), Buffer.concat([Buffer.from('\u0089HDF\r\n\u001A\n', 'latin1'), incompressible(4000)]))
    symlinkSync('src/model.h5', join(dir, 'model.h5'))
    writeFileSync(join(dir, '.gitignore'), 'secret.env\n')
    writeFileSync(join(dir, 'secret.env'), 'TOKEN=x\n')
    git(dir, 'add', 'Procfile', 'src/model.h5', 'model.h5', '.gitignore')
    git(dir, 'commit', '-q', '-m', 'first')
    writeFileSync(join(dir, 'staged.py'), 'print(1)\n')
    git(dir, 'add', 'staged.py')
    writeFileSync(join(dir, 'untracked.py'), 'print(2)\n')

    const files = await listRepoFiles(dir)
    expect(files.map(f => [f.path, f.type, f.size, f.linkTarget]).sort()).to.deep.equal([
      ['.gitignore', 'file', 11, undefined],
      ['Procfile', 'file', 22, undefined],
      ['model.h5', 'symlink', 0, 'src/model.h5'],
      ['src/model.h5', 'file', 4008, undefined],
      ['staged.py', 'file', 9, undefined],
    ])
    const model = files.find(f => f.path === 'src/model.h5')!
    expect(model.peek).to.have.length(256)
    expect(model.peek!.subarray(0, 4).toString('latin1')).to.equal('\u0089HDF')
    expect(files.find(f => f.path === 'Procfile')!.peek).to.equal(undefined)
  })

  it('works from a subfolder (a push sends the whole repo) and reports files deleted from the working tree', async () => {
    git(dir, 'init', '-q')
    mkdirSync(join(dir, 'web'))
    writeFileSync(join(dir, 'web/app.py'), 'x = 1\n')
    writeFileSync(join(dir, 'gone.txt'), 'bye\n')
    git(dir, 'add', '.')
    git(dir, 'commit', '-q', '-m', 'first')
    rmSync(join(dir, 'gone.txt'))

    const listing = await listRepo(join(dir, 'web'))
    expect(listing.root).to.equal(dir)
    expect(listing.files.map(f => f.path)).to.deep.equal(['web/app.py'])
    expect(listing.missing).to.deep.equal(['gone.txt'])
  })

  it('refuses a folder that is not a git repository, and one that does not exist', async () => {
    const notRepo = await rejection(listRepoFiles(dir))
    expect(notRepo.name).to.equal('UserError')
    expect(notRepo.message).to.equal(`${dir} is not a git repository: Heroku builds what git push sends, so --dir needs one.`)
    const missing = await rejection(listRepoFiles(join(dir, 'nope')))
    expect(missing.message).to.equal(`${join(dir, 'nope')} does not exist.`)
  })

  it('walks a folder without following symlinks', async () => {
    mkdirSync(join(dir, 'a/b'), {recursive: true})
    writeFileSync(join(dir, 'a/b/c.py'), '')
    writeFileSync(join(dir, 'z.txt'), '')
    symlinkSync('a', join(dir, 'link'))
    expect(await walkFiles(dir)).to.deep.equal(['a/b/c.py', 'link', 'z.txt'])
  })
})
