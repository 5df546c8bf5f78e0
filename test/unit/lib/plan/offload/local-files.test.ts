import {expect} from 'chai'
import {mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {ModelUnit} from '../../../../../src/lib/plan/offload/find.js'
import {
  defaultLoader, planLocalFiles, publicChanges, requirementsWithBoto3, slugignoreRules, writeLocalFiles,
} from '../../../../../src/lib/plan/offload/local-files.js'
import {buildManifest} from '../../../../../src/lib/plan/offload/manifest.js'
import {BLOCK_BEGIN, BLOCK_END} from '../../../../../src/lib/analyze/slugignore/file.js'
import {applySlugignore} from '../../../../../src/lib/analyze/slugignore/match.js'

const models: ModelUnit[] = [
  {files: [{path: 'models/clf.h5', size: 9}], format: 'keras-h5', kind: 'file', path: 'models/clf.h5', size: 9},
  {files: [{path: 'model.onnx', size: 9}], format: 'onnx', kind: 'file', path: 'model.onnx', size: 9},
  {files: [{path: 'nets/encoder/saved_model.pb', size: 9}, {path: 'nets/encoder/variables/variables.index', size: 1}], format: 'savedmodel', kind: 'folder', path: 'nets/encoder', size: 10},
]
const manifest = buildManifest('bucket', 'p/', [{key: 'p/models/clf.h5', model: 'models/clf.h5', path: 'models/clf.h5', sha256: 'a'.repeat(64), size: 9}])

function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'offload-local-'))
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text)
  return dir
}

describe('plan/offload/local-files', () => {
  it('writes .slugignore rules that remove exactly the offloaded files under Heroku\'s matching', () => {
    const rules = slugignoreRules(models)
    expect(rules).to.deep.equal(['models/clf.h5', '/model.onnx', 'nets/encoder/'])
    const paths = [
      'models/clf.h5',
      'model.onnx',
      'nets/encoder/saved_model.pb',
      'nets/encoder/variables/variables.index',
      'other/model.onnx',
      'app/models/clf.h5',
      'nets/encoder.py',
      'requirements.txt',
      'Procfile',
      'model_store.py',
      'models.manifest.json',
    ]
    const {kept, removed} = applySlugignore(paths, rules.join('\n'))
    expect(removed.sort()).to.deep.equal(['model.onnx', 'models/clf.h5', 'nets/encoder/saved_model.pb', 'nets/encoder/variables/variables.index'])
    expect(kept).to.include('other/model.onnx').and.include('app/models/clf.h5').and.include('model_store.py')
  })

  it('adds boto3 to requirements.txt, keeping every line of the user\'s', () => {
    expect(requirementsWithBoto3('flask==3.0.0\n# comment\n-r base.txt\n')).to.equal('flask==3.0.0\n# comment\n-r base.txt\nboto3\n')
    expect(requirementsWithBoto3('flask')).to.equal('flask\nboto3\n')
    expect(requirementsWithBoto3('')).to.equal('boto3\n')
    expect(requirementsWithBoto3('Boto3==1.34.0\n')).to.equal(undefined)
    expect(requirementsWithBoto3('boto3[crt]>=1.30 ; python_version>"3.8"\n')).to.equal(undefined)
    expect(requirementsWithBoto3('boto3-stubs\n')).to.equal('boto3-stubs\nboto3\n')
    expect(requirementsWithBoto3('# boto3 later\nflask\n')).to.equal('# boto3 later\nflask\nboto3\n')
  })

  it('never edits a hash-pinned requirements.txt (pip would refuse an unhashed line)', () => {
    expect(() => requirementsWithBoto3('flask==3.0.0 --hash=sha256:abc\n')).to.throw(/pins hashes/)
  })

  it('picks the Python loader for a Python app, the Node one for a Node app', () => {
    expect(defaultLoader(['app.py', 'requirements.txt'])).to.equal('python')
    expect(defaultLoader(['pyproject.toml'])).to.equal('python')
    expect(defaultLoader(['package.json', 'index.js'])).to.equal('node')
    expect(defaultLoader(['Gemfile'])).to.equal('none')
  })

  it('plans .slugignore, the manifest, model_store.py and requirements.txt, then writes them, keeping the user\'s lines and modes', async () => {
    const dir = tempDir({'.slugignore': '*.psd\n', 'requirements.txt': 'flask\n'})
    chmodSync(join(dir, 'requirements.txt'), 0o600)
    const plan = await planLocalFiles({force: false, loader: 'python', manifest, models, root: dir})
    expect(publicChanges(plan.writes).map(c => [c.path, c.action])).to.deep.equal([
      ['.slugignore', 'update'], ['models.manifest.json', 'create'], ['model_store.py', 'create'], ['requirements.txt', 'update'],
    ])
    expect(JSON.stringify(publicChanges(plan.writes))).not.to.include('def ensure_models')
    await writeLocalFiles(dir, plan.writes)
    const slugignore = readFileSync(join(dir, '.slugignore'), 'utf8')
    expect(slugignore).to.equal(`*.psd\n\n${BLOCK_BEGIN}\n/model.onnx\n/models/clf.h5\n/nets/encoder/\n${BLOCK_END}\n`)
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).to.equal('flask\nboto3\n')
    expect(statSync(join(dir, 'requirements.txt')).mode & 0o777).to.equal(0o600)
    expect(readFileSync(join(dir, 'model_store.py'), 'utf8')).to.include('web: python -m model_store && gunicorn app:app')

    const again = await planLocalFiles({force: false, loader: 'python', manifest, models, root: dir})
    expect(again.writes.every(w => w.action === 'unchanged'), 'a second run changes nothing').to.equal(true)
  })

  it('refuses to replace a model_store.py it did not write, unless --force', async () => {
    const dir = tempDir({'model_store.py': 'print("mine")\n'})
    let message = ''
    await planLocalFiles({force: false, loader: 'python', manifest, models, root: dir}).catch(error => {
      message = error.message
    })
    expect(message).to.equal('model_store.py exists and was not written by this plugin: move it away, or run again with --force to replace it.')
    const forced = await planLocalFiles({force: true, loader: 'python', manifest, models, root: dir})
    expect(forced.writes.find(w => w.path === 'model_store.py')?.action).to.equal('update')
  })

  it('writes model-store.mjs for Node and leaves package.json alone, with a note to install the SDK', async () => {
    const dir = tempDir({'package.json': '{"dependencies": {"express": "^4"}}\n'})
    const plan = await planLocalFiles({force: false, loader: 'node', manifest, models, root: dir})
    expect(plan.writes.map(w => [w.path, w.action])).to.deep.equal([['.slugignore', 'create'], ['models.manifest.json', 'create'], ['model-store.mjs', 'create']])
    expect(plan.writes[2].text).to.include('export async function ensureModels(')
    expect(plan.notes).to.deep.equal(['Run npm install @aws-sdk/client-s3 and commit package.json and the lock file: the loader needs it.'])
    const ready = await planLocalFiles({force: false, loader: 'node', manifest, models, root: tempDir({'package.json': '{"dependencies": {"@aws-sdk/client-s3": "^3"}}'})})
    expect(ready.notes).to.deep.equal([])
  })

  it('notes what the user must do when there is no requirements.txt or no loader', async () => {
    const python = await planLocalFiles({force: false, loader: 'python', manifest, models, root: tempDir({'pyproject.toml': ''})})
    expect(python.notes).to.deep.equal(['Add boto3 to the app\'s dependencies (there is no requirements.txt to add it to): the loader needs it.'])
    const none = await planLocalFiles({force: false, loader: 'none', manifest, models, root: tempDir()})
    expect(none.writes.map(w => w.path)).to.deep.equal(['.slugignore', 'models.manifest.json'])
    expect(none.notes[0]).to.match(/^No loader was written/)
  })
})
