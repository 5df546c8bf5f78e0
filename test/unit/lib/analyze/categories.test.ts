import {expect} from 'chai'

import {categoryOf} from '../../../../src/lib/analyze/categories.js'
import {classifyFiles} from '../../../../src/lib/analyze/classify.js'
import {originOf} from '../../../../src/lib/analyze/origin.js'
import {HDF5_PEEK, ScanBuilder, SITE} from '../../../helpers/scan-fixtures.js'

describe('originOf', () => {
  it('says buildpack for what buildpacks write, repo for everything pushed', () => {
    for (const path of [
      `${SITE}/numpy/__init__.py`,
      '.heroku/node/bin/node',
      '.profile.d/python.sh',
      '.apt/usr/lib/x86_64-linux-gnu/libgl.so',
      'vendor/bundle/ruby/3.2.0/gems/rails-7.1.3/lib/rails.rb',
      'vendor/ruby-3.2.2/bin/ruby',
      'node_modules/express/index.js',
      'frontend/node_modules/react/index.js',
      '.cache/puppeteer/chrome/linux-131.0.6778.85/chrome-linux64/chrome',
      '.cache/ms-playwright/chromium-1148/chrome-linux/chrome',
      '.next/cache/webpack/client-production/0.pack',
      'web/.next/cache/images/a.webp',
      'node_modules/.cache/babel-loader/x.json',
      '.angular/cache/19.0.0/babel-webpack/a.json',
      '.parcel-cache/data.mdb',
    ]) {
      expect(originOf(path), path).to.equal('buildpack')
    }

    for (const path of ['app.py', 'models/classifier.h5', 'data/train.csv', '.venv_notes.md', 'node_modulesx/a.js', 'heroku/x.py', '.cache/notes.txt', '.next/server/app/page.js']) {
      expect(originOf(path), path).to.equal('repo')
    }
  })
})

describe('categoryOf', () => {
  const cases: Array<[string, number, string]> = [
    ['app.py', 2000, 'app-code'],
    ['templates/index.html', 3000, 'app-code'],
    ['static/img/logo.png', 30_000, 'app-code'],
    ['requirements.txt', 100, 'app-code'],
    ['package-lock.json', 5_000_000, 'app-code'],
    ['config/settings.json', 2000, 'app-code'],
    ['data/train.csv', 100, 'data'],
    ['data/features.parquet', 100, 'data'],
    ['data/embeddings.npy', 100, 'data'],
    ['db.sqlite3', 100, 'data'],
    ['corpus/dump.json', 2_000_000, 'data'],
    ['raw/archive.zip', 100, 'data'],
    ['notebooks/explore.ipynb', 100, 'notebook'],
    ['docs/architecture.md', 100, 'docs-media'],
    ['docs/img/diagram.png', 100, 'docs-media'],
    ['screenshots/demo.gif', 4_000_000, 'docs-media'],
    ['media/intro.mp4', 100, 'docs-media'],
    ['design/mockup.psd', 100, 'docs-media'],
    ['CHANGELOG.md', 2_000_000, 'docs-media'],
    ['tests/test_app.py', 100, 'tests'],
    ['app/test_views.py', 100, 'tests'],
    ['app/views_test.py', 100, 'tests'],
    ['spec/models/user_spec.rb', 100, 'tests'],
    ['web/src/button.test.tsx', 100, 'tests'],
    ['app/__pycache__/views.cpython-312.pyc', 100, 'cache'],
    ['.pytest_cache/v/cache/nodeids', 100, 'cache'],
    ['notebooks/.ipynb_checkpoints/explore-checkpoint.ipynb', 100, 'cache'],
    ['bin/compiled.so', 100, 'other'],
  ]
  for (const [path, size, category] of cases) {
    it(`${path} (${size} B) is ${category}`, () => {
      expect(categoryOf(path, size)).to.equal(category)
    })
  }

  it('puts package and runtime membership before anything else, models before locations', () => {
    expect(categoryOf(`${SITE}/sklearn/datasets/data/iris.csv`, 100, {ecosystem: 'python'})).to.equal('python-package')
    expect(categoryOf(`${SITE}/some_pkg/model.onnx`, 100, {ecosystem: 'python'}, 'onnx')).to.equal('python-package')
    expect(categoryOf('.heroku/python/lib/python3.12/test/test_os.py', 100, {ecosystem: 'runtime'})).to.equal('runtime')
    expect(categoryOf('node_modules/x/test/a.js', 100, {ecosystem: 'node'})).to.equal('node-package')
    expect(categoryOf('tests/fixtures/tiny.h5', 100, undefined, 'keras-h5')).to.equal('model')
  })
})

describe('classifyFiles', () => {
  it('returns every file entry (not directories or symlinks) with origin, category and model format', () => {
    const scan = new ScanBuilder()
    .dir('models')
    .file('models/classifier.h5', 95_000_000, {peek: HDF5_PEEK})
    .symlink('bin/python', '../.heroku/python/bin/python')
    .file('app.py', 900)
    .build()
    const files = classifyFiles(scan)
    expect(files.map(f => [f.path, f.origin, f.category, f.modelFormat ?? null, f.files])).to.deep.equal([
      ['models/classifier.h5', 'repo', 'model', 'keras-h5', 1],
      ['app.py', 'repo', 'app-code', null, 1],
    ])
    expect(files[0]).to.include({compressed: 95_000_000, size: 285_000_000})
  })
})
