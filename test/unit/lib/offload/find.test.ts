import {expect} from 'chai'
import {randomBytes} from 'node:crypto'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {findModels} from '../../../../src/lib/offload/find.js'
import {UserError} from '../../../../src/lib/util/errors.js'
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

describe('offload/find', () => {
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

  it('refuses a folder that is not a git repository', async () => {
    const error = await failure(findModels({dir: tmpdir(), minSize: 0, paths: []}))
    expect(error.message).to.match(/is not a git repository/)
  })
})
