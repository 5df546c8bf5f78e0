import {expect} from 'chai'

import {classifyFiles, findPackages} from '../../../../src/lib/analyze/classify.js'
import {normalizePythonName, parseDistFolder} from '../../../../src/lib/analyze/python/dist-info.js'
import type {PackageRow} from '../../../../src/lib/analyze/rows.js'
import {ScanBuilder, SITE} from '../../../helpers/scan-fixtures.js'

function byName(rows: PackageRow[], ecosystem: string, name: string): PackageRow {
  const row = rows.find(r => r.ecosystem === ecosystem && r.name === name)
  expect(row, `${ecosystem}:${name}`).to.not.equal(undefined)
  return row!
}

describe('Python distributions', () => {
  const builder = new ScanBuilder()
  .dist(
    'tensorflow',
    '2.16.1',
    {
      'tensorflow/__init__.py': 2000,
      'tensorflow/python/_pywrap_tensorflow_internal.so': 300_000_000,
      'tensorflow/libtensorflow_framework.so.2': 20_000_000,
    },
    {recordOnly: ['../../../bin/tensorboard-fake', '../../../bin/saved_model_cli']},
  )
  .file('.heroku/python/bin/saved_model_cli', 700)
  .file('.heroku/python/bin/tensorboard-fake', 300)
  // compiled after install, not in RECORD: belongs to the folder's only owner
  .file(`${SITE}/tensorflow/__pycache__/__init__.cpython-312.pyc`, 1500)
  // two distributions share the `nvidia` namespace folder
  .dist('nvidia-cublas-cu12', '12.1.3.1', {'nvidia/cublas/lib/libcublas.so.12': 90_000_000, 'nvidia/cublas/__init__.py': 10})
  .dist('nvidia-cudnn-cu12', '8.9.2.26', {'nvidia/cudnn/lib/libcudnn.so.8': 200_000_000, 'nvidia/cudnn/__init__.py': 10})
  .file(`${SITE}/nvidia/__pycache__/__init__.cpython-312.pyc`, 50)
  .file(`${SITE}/nvidia/cudnn/__pycache__/__init__.cpython-312.pyc`, 40)
  // no RECORD: found through top_level.txt
  .dist('PyYAML', '6.0.1', {}, {record: false, topLevel: ['yaml', '_yaml']})
  .file(`${SITE}/yaml/__init__.py`, 900)
  .file(`${SITE}/_yaml/__init__.py`, 100)
  // nothing at all: a folder name
  .file(`${SITE}/mystery_pkg/core.py`, 5000)
  .file(`${SITE}/six.py`, 800)
  .file(`${SITE}/distutils-precedence.pth`, 1)
  // the interpreter itself
  .file('.heroku/python/bin/python3.12', 4_000_000)
  .file('.heroku/python/lib/python3.12/os.py', 30_000)
  .file('.heroku/python/lib/python3.12/test/test_os.py', 20_000)
  .file('.heroku/python/lib/libpython3.12.so.1.0', 6_000_000)
  builder.captured['runtime.txt'] = 'python-3.12.3\n'
  const scan = builder.build()
  const packages = findPackages(scan)
  const files = classifyFiles(scan)
  const fileOf = (path: string) => files.find(f => f.path === path)!

  it('names each distribution from METADATA (normalized) with its version and location', () => {
    const tf = byName(packages, 'python', 'tensorflow')
    expect(tf).to.include({evidence: 'installed', location: SITE, version: '2.16.1'})
    expect(byName(packages, 'python', 'nvidia-cublas-cu12').version).to.equal('12.1.3.1')
    expect(byName(packages, 'python', 'pyyaml').version).to.equal('6.0.1')
  })

  it('sums the slug entries of every RECORD path, ../../bin scripts and compiled files included', () => {
    const tf = byName(packages, 'python', 'tensorflow')
    // 3 files + 2 bin scripts + 1 pyc + METADATA + RECORD
    expect(tf.compressed).to.equal(2000 + 300_000_000 + 20_000_000 + 700 + 300 + 1500 + 1 + 1)
    expect(tf.files).to.equal(8)
    const distInfoSize = scan.entries.filter(e => e.path.includes('tensorflow-2.16.1.dist-info')).reduce((sum, e) => sum + e.size, 0)
    expect(tf.size).to.equal(((2000 + 300_000_000 + 20_000_000 + 1500 + 700 + 300) * 3) + distInfoSize)
    expect(fileOf('.heroku/python/bin/saved_model_cli').package).to.equal('python:tensorflow')
    expect(fileOf('.heroku/python/bin/saved_model_cli').category).to.equal('python-package')
  })

  it('gives a shared namespace folder to nobody, and its subfolders to their one owner', () => {
    expect(fileOf(`${SITE}/nvidia/cudnn/__pycache__/__init__.cpython-312.pyc`).package).to.equal('python:nvidia-cudnn-cu12')
    expect(fileOf(`${SITE}/nvidia/__pycache__/__init__.cpython-312.pyc`).package).to.equal(undefined)
    expect(fileOf(`${SITE}/nvidia/__pycache__/__init__.cpython-312.pyc`).category).to.equal('python-package')
    expect(byName(packages, 'python', 'nvidia-cudnn-cu12').compressed).to.equal(200_000_000 + 10 + 40 + 2)
  })

  it('follows RECORD for files outside any one distribution\'s folder: site-packages\' root and shared folders', () => {
    const mixed = new ScanBuilder()
    .dist('setuptools', '70.0.0', {'distutils-precedence.pth': 151})
    .dist('nvidia-cublas-cu12', '12.1.3.1', {'nvidia/__init__.py': 20, 'nvidia/cublas/__init__.py': 10})
    .dist('nvidia-cudnn-cu12', '8.9.2.26', {'nvidia/cudnn/__init__.py': 10})
    .build()
    const owners = Object.fromEntries(classifyFiles(mixed).map(f => [f.path, f.package]))
    expect(owners[`${SITE}/distutils-precedence.pth`]).to.equal('python:setuptools')
    expect(owners[`${SITE}/nvidia/__init__.py`]).to.equal('python:nvidia-cublas-cu12')
    expect(owners[`${SITE}/nvidia/cudnn/__init__.py`]).to.equal('python:nvidia-cudnn-cu12')
  })

  it('falls back to top_level.txt, then to the top-level folder or module name', () => {
    expect(byName(packages, 'python', 'pyyaml').compressed).to.equal(900 + 100 + 1 + 1)
    expect(byName(packages, 'python', 'mystery-pkg')).to.include({compressed: 5000, files: 1})
    expect(byName(packages, 'python', 'mystery-pkg').version).to.equal(undefined)
    expect(byName(packages, 'python', 'six').compressed).to.equal(800)
    expect(fileOf(`${SITE}/distutils-precedence.pth`).package).to.equal(undefined)
  })

  it('reports the interpreter (everything in .heroku/python outside site-packages) as one runtime package', () => {
    const python = byName(packages, 'runtime', 'python')
    expect(python).to.include({compressed: 4_000_000 + 30_000 + 20_000 + 6_000_000, files: 4, location: '.heroku/python', version: '3.12.3'})
    expect(fileOf('.heroku/python/lib/python3.12/test/test_os.py').category).to.equal('runtime')
  })

  it('lists packages by compressed share, largest first, each file counted once', () => {
    expect(packages.map(p => p.name).slice(0, 3)).to.deep.equal(['tensorflow', 'nvidia-cudnn-cu12', 'nvidia-cublas-cu12'])
    const owned = files.filter(f => f.package).reduce((s, f) => s + f.compressed, 0)
    expect(packages.reduce((s, p) => s + p.compressed, 0)).to.equal(owned)
  })
})

describe('node_modules packages', () => {
  const scan = new ScanBuilder()
  .node('node_modules/express', 'express', '4.19.2', {'index.js': 500, 'lib/router/index.js': 1500})
  .node('node_modules/@aws-sdk/client-s3', '@aws-sdk/client-s3', '3.600.0', {'dist-cjs/index.js': 90_000})
  .node('node_modules/express/node_modules/debug', 'debug', '2.6.9', {'src/index.js': 300})
  .node('node_modules/debug', 'debug', '4.3.4', {'src/index.js': 400})
  .file('node_modules/no-manifest/index.js', 77)
  .file('node_modules/.package-lock.json', 5000)
  .file('node_modules/.bin/tsc', 10)
  .node('.heroku/node/lib/node_modules/npm', 'npm', '10.5.0', {'index.js': 2000})
  .file('.heroku/node/bin/node', 40_000_000)
  .build()
  const packages = findPackages(scan)

  it('reads scoped and nested packages, each at its own location, from their package.json', () => {
    expect(byName(packages, 'node', '@aws-sdk/client-s3')).to.include({compressed: 90_001, location: 'node_modules/@aws-sdk/client-s3', version: '3.600.0'})
    const debugs = packages.filter(p => p.name === 'debug').map(p => [p.location, p.version, p.compressed])
    expect(debugs).to.have.deep.members([
      ['node_modules/express/node_modules/debug', '2.6.9', 301],
      ['node_modules/debug', '4.3.4', 401],
    ])
    // the nested copy is not part of express
    expect(byName(packages, 'node', 'express').compressed).to.equal(500 + 1500 + 1)
    expect(byName(packages, 'node', 'no-manifest')).to.include({compressed: 77, location: 'node_modules/no-manifest'})
    expect(byName(packages, 'node', 'no-manifest').version).to.equal(undefined)
  })

  it('leaves lock files and .bin outside any package, and counts .heroku/node (npm included) as the runtime', () => {
    const files = classifyFiles(scan)
    const lock = files.find(f => f.path === 'node_modules/.package-lock.json')!
    expect([lock.category, lock.origin, lock.package]).to.deep.equal(['node-package', 'buildpack', undefined])
    expect(byName(packages, 'runtime', 'node')).to.include({compressed: 40_000_000 + 2000 + 1, files: 3})
    expect(packages.some(p => p.name === 'npm')).to.equal(false)
  })
})

describe('Ruby gems', () => {
  const base = 'vendor/bundle/ruby/3.2.0'
  const scan = new ScanBuilder()
  .file(`${base}/gems/rails-7.1.3/lib/rails.rb`, 4000)
  .file(`${base}/specifications/rails-7.1.3.gemspec`, 300)
  .file(`${base}/gems/nokogiri-1.16.2-x86_64-linux/lib/nokogiri.rb`, 3000)
  .file(`${base}/extensions/x86_64-linux/3.2.0/nokogiri-1.16.2-x86_64-linux/gem.build_complete`, 1)
  .file(`${base}/gems/aws-sdk-s3-1.143.0/lib/aws-sdk-s3.rb`, 500)
  .file(`${base}/bundler/gems/private-lib-0a1b2c3d4e5f/lib/x.rb`, 50)
  .file('vendor/ruby-3.2.2/bin/ruby', 9_000_000)
  .build()
  const packages = findPackages(scan)

  it('reads name and version from gems/NAME-VERSION, platform suffix dropped; the gemspec counts with its gem', () => {
    expect(byName(packages, 'ruby', 'rails')).to.include({compressed: 4300, files: 2, version: '7.1.3'})
    expect(byName(packages, 'ruby', 'nokogiri')).to.include({compressed: 3001, version: '1.16.2'})
    expect(byName(packages, 'ruby', 'aws-sdk-s3').version).to.equal('1.143.0')
    expect(byName(packages, 'ruby', 'private-lib').location).to.equal(`${base}/bundler/gems/private-lib-0a1b2c3d4e5f`)
  })

  it('counts vendor/ruby-X as the Ruby runtime', () => {
    expect(byName(packages, 'runtime', 'ruby')).to.include({compressed: 9_000_000, version: '3.2.2'})
  })
})

describe('Python names', () => {
  it('normalizes project names (PEP 503) and parses dist-info / egg-info folder names', () => {
    expect(normalizePythonName('Foo_Bar.baz')).to.equal('foo-bar-baz')
    expect(parseDistFolder('nvidia_cublas_cu12-12.1.3.1')).to.deep.equal({name: 'nvidia-cublas-cu12', version: '12.1.3.1'})
    expect(parseDistFolder('legacy_pkg-1.0-py3.12')).to.deep.equal({name: 'legacy-pkg', version: '1.0'})
  })

  it('reads quoted RECORD paths (paths with commas)', () => {
    const scan = new ScanBuilder().file(`${SITE}/odd/a,b.txt`, 42).text(`${SITE}/odd-1.0.dist-info/RECORD`, '"odd/a,b.txt",sha256=x,3\nodd-1.0.dist-info/RECORD,,\n').build()
    expect(classifyFiles(scan).find(f => f.path.endsWith('a,b.txt'))!.package).to.equal('python:odd')
  })
})
