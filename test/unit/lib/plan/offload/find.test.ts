import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {findModels} from '../../../../../src/lib/plan/offload/find.js'
import {UserError} from '../../../../../src/lib/shared/errors.js'
import {hdf5, makeRepo} from './repo-fixture.js'

async function failure(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(UserError)
    return error as UserError
  }

  throw new Error('expected a UserError')
}

describe('plan/offload/find', () => {
  let repo: string

  before(() => {
    repo = makeRepo({
      'app.py': 'print(1)\n',
      'data/big.csv': randomBytes(7000),
      'models/clf.h5': hdf5(6000),
      'models/tiny.h5': hdf5(1500),
      'models/encoder/saved_model.pb': randomBytes(3000),
      'models/encoder/variables/variables.data-00000-of-00001': randomBytes(5000),
      'models/encoder/variables/variables.index': randomBytes(200),
    }, {'models/local-only.h5': hdf5(9000)})
  })

  it('finds committed models by content above the minimum size, a SavedModel folder as one unit', async () => {
    const {models, root} = await findModels({dir: repo, minSize: 5000, paths: []})
    expect(root).to.match(/offload-unit-/)
    expect(models.map(m => [m.path, m.kind, m.format, m.size, m.files.length])).to.deep.equal([
      ['models/encoder', 'folder', 'savedmodel', 8200, 3],
      ['models/clf.h5', 'file', 'keras-h5', 6000, 1],
    ])
  })

  it('leaves out models under --min-size, data files and uncommitted files', async () => {
    const {models} = await findModels({dir: repo, minSize: 1000, paths: []})
    const paths = models.map(m => m.path)
    expect(paths).to.include('models/tiny.h5')
    expect(paths).not.to.include('data/big.csv')
    expect(paths).not.to.include('models/local-only.h5')
  })

  it('takes explicit files, folders and globs, relative to --dir, whatever their size', async () => {
    const {models} = await findModels({cwd: repo, dir: repo, minSize: 1e9, paths: ['models/tiny.h5', 'models/encoder/', 'data/*.csv']})
    expect(models.map(m => [m.path, m.kind, m.format])).to.deep.equal([
      ['models/encoder', 'folder', 'savedmodel'],
      ['data/big.csv', 'file', 'file'],
      ['models/tiny.h5', 'file', 'keras-h5'],
    ])
  })

  it('counts a file once when its folder is named too', async () => {
    const {models} = await findModels({cwd: repo, dir: repo, minSize: 0, paths: ['models/encoder', 'models/encoder/saved_model.pb']})
    expect(models.map(m => m.path)).to.deep.equal(['models/encoder'])
  })

  it('refuses a path outside the repository', async () => {
    const error = await failure(findModels({cwd: repo, dir: repo, minSize: 0, paths: [join(tmpdir(), 'elsewhere.h5')]}))
    expect(error.message).to.match(/elsewhere\.h5 is outside the repository .*offload-unit-/)
    const up = await failure(findModels({cwd: repo, dir: repo, minSize: 0, paths: ['../x.h5']}))
    expect(up.message).to.match(/^\.\.\/x\.h5 is outside the repository/)
  })

  it('refuses a file that is not committed, one that does not exist, and a glob matching nothing', async () => {
    expect((await failure(findModels({cwd: repo, dir: repo, minSize: 0, paths: ['models/local-only.h5']}))).message)
    .to.equal('models/local-only.h5 is not committed to git, so it is not in the slug: there is nothing to offload.')
    expect((await failure(findModels({cwd: repo, dir: repo, minSize: 0, paths: ['models/nope.h5']}))).message).to.equal('models/nope.h5 does not exist.')
    expect((await failure(findModels({cwd: repo, dir: repo, minSize: 0, paths: ['*.onnx']}))).message).to.equal('No committed file matches *.onnx.')
  })

  it('says so when no model is found', async () => {
    const error = await failure(findModels({dir: repo, minSize: 50e6, paths: []}))
    expect(error.message).to.match(/^No committed model file of 50\.0 MB or more was found in .*lower --min-size\.$/)
  })

  it('a glob matches like a shell glob: models/* does not reach into subfolders', async () => {
    const {models} = await findModels({cwd: repo, dir: repo, minSize: 0, paths: ['models/*']})
    expect(models.map(m => m.path)).to.deep.equal(['models/clf.h5', 'models/tiny.h5'])
    const deep = await findModels({cwd: repo, dir: repo, minSize: 0, paths: ['models/**/*.index']})
    expect(deep.models.map(m => m.path)).to.deep.equal(['models/encoder/variables/variables.index'])
  })

  it('follows a committed symlink to a committed model inside the repo, and refuses one that points outside', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'offload-outside-'))
    writeFileSync(join(outside, 'far.h5'), hdf5(4000))
    const linked = makeRepo({'app.py': 'print(1)\n', 'models/v2/clf.h5': hdf5(6000)}, {})
    symlinkSync('v2/clf.h5', join(linked, 'models/current.h5'))
    symlinkSync(join(outside, 'far.h5'), join(linked, 'models/far.h5'))
    spawnSync('git', ['-C', linked, 'add', '.'])
    const {models} = await findModels({cwd: linked, dir: linked, minSize: 0, paths: ['models/current.h5']})
    expect(models.map(m => [m.path, m.format, m.size])).to.deep.equal([['models/v2/clf.h5', 'keras-h5', 6000]])
    const refused = await failure(findModels({cwd: linked, dir: linked, minSize: 0, paths: ['models/far.h5']}))
    expect(refused.message).to.match(/^models\/far\.h5 is a symlink to .*far\.h5, outside the repository: the slug holds the link, not the model, so there is nothing to offload\.$/)
  })

  it('an unreadable file under --dir is one line naming it, not a crash (EACCES)', () => {
    const locked = makeRepo({'app.py': 'print(1)\n', 'models/clf.h5': hdf5(6000), 'models/locked.h5': hdf5(6000)})
    chmodSync(join(locked, 'models/locked.h5'), 0o000)
    // Root reads any file: drop the capabilities that let it, so the test means the same as root or not.
    const find = fileURLToPath(new URL('../../../../../src/lib/plan/offload/find.ts', import.meta.url))
    const script = `import {findModels} from ${JSON.stringify(find)}
try { await findModels({dir: ${JSON.stringify(locked)}, minSize: 0, paths: []}); console.log('found') } catch (e) { console.log(e.name + ': ' + e.message) }`
    const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]
    const command = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', ...node] : node
    const run = spawnSync(command[0], command.slice(1), {encoding: 'utf8'})
    expect(run.stderr).to.equal('')
    expect(run.stdout).to.equal('UserError: Cannot read models/locked.h5 (permission denied): make it readable, or run from a checkout where it is.\n')
  })

  it('refuses a folder that is not a git repository', async () => {
    const error = await failure(findModels({dir: tmpdir(), minSize: 0, paths: []}))
    expect(error.message).to.match(/is not a git repository/)
  })
})
