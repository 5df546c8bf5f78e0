import {expect} from 'chai'

import {analyzeScan} from '../../../../src/lib/analyze/analyze.js'
import {folderRollup} from '../../../../src/lib/analyze/folders.js'
import type {FileRow} from '../../../../src/lib/analyze/rows.js'
import {ScanBuilder, SITE} from '../../../helpers/scan-fixtures.js'

function slug() {
  return new ScanBuilder()
  .dist('numpy', '1.26.4', {'numpy/core/_multiarray_umath.so': 10_000_000, 'numpy/__init__.py': 1000})
  .file('.heroku/python/bin/python3.12', 5_000_000)
  .node('node_modules/react', 'react', '18.3.1', {'index.js': 100_000})
  .file('app.py', 2000)
  .file('static/app.js', 50_000)
  .file('data/big.csv', 7_000_000)
  .dir('data')
  .build()
}

describe('analyzeScan', () => {
  const scan = slug()

  it('lists the top N files by compressed share', () => {
    const analysis = analyzeScan(scan, {depth: 2, top: 3})
    expect(analysis.files.map(f => f.path)).to.deep.equal([`${SITE}/numpy/core/_multiarray_umath.so`, 'data/big.csv', '.heroku/python/bin/python3.12'])
    expect(analyzeScan(scan, {depth: 1, top: 0}).files).to.deep.equal([])
  })

  it('rolls folders up to the depth asked, biggest first', () => {
    const analysis = analyzeScan(scan, {depth: 2, top: 3})
    const folders = new Map(analysis.folders.map(f => [f.path, f.compressed]))
    expect(folders.get('.heroku')).to.equal(10_000_000 + 1000 + 2 + 5_000_000)
    expect(folders.get('.heroku/python')).to.equal(10_000_000 + 1000 + 2 + 5_000_000)
    expect(folders.get('data')).to.equal(7_000_000)
    expect(folders.get('node_modules/react')).to.equal(100_001)
    expect(folders.has('.heroku/python/lib')).to.equal(false)
    expect(analysis.folders[0].path).to.equal('.heroku')
    expect(analyzeScan(scan, {depth: 1, top: 3}).folders.map(f => f.path)).to.deep.equal(['.heroku', 'data', 'node_modules', 'static'])
  })

  it('totals categories and origins over every file', () => {
    const analysis = analyzeScan(scan, {depth: 1, top: 1})
    const categories = Object.fromEntries(analysis.categories.map(c => [c.category, c.compressed]))
    expect(categories).to.deep.equal({
      'app-code': 52_000,
      data: 7_000_000,
      'node-package': 100_001,
      'python-package': 10_001_002,
      runtime: 5_000_000,
    })
    expect(analysis.origins.repo).to.deep.equal({compressed: 7_052_000, files: 3, size: 7_052_000 * 3})
    expect(analysis.origins.buildpack.compressed).to.equal(15_101_003)
    expect(analysis.origins.buildpack.files + analysis.origins.repo.files).to.equal(scan.fileCount)
  })

  it('lists all packages, largest first', () => {
    const analysis = analyzeScan(scan, {depth: 1, top: 1})
    expect(analysis.packages.map(p => `${p.ecosystem}:${p.name}`)).to.deep.equal(['python:numpy', 'runtime:python', 'node:react'])
  })
})

describe('folderRollup', () => {
  it('keeps the largest folders only', () => {
    const files: FileRow[] = Array.from({length: 50}, (_, i) => ({category: 'other', compressed: i, files: 1, origin: 'repo', path: `d${i}/f`, size: i}))
    const rows = folderRollup(files, 3, 5)
    expect(rows.map(r => r.path)).to.deep.equal(['d49', 'd48', 'd47', 'd46', 'd45'])
  })
})
