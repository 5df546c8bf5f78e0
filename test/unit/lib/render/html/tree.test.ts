import {expect} from 'chai'

import type {FileRow, PackageRow} from '../../../../../src/lib/analyze/rows.js'
import {folderTree, packageOnlyTree, packageTree, reportTrees, type TreeNode} from '../../../../../src/lib/render/html/tree.js'
import {SLUG_LIMIT, SLUG_WARNING, type SlugReport} from '../../../../../src/lib/analyze/report.js'
import {syntheticReport} from '../../../../browser/synthetic-report.js'

function file(path: string, compressed: number, extra: Partial<FileRow> = {}): FileRow {
  return {category: 'app-code', compressed, files: 1, origin: 'repo', path, size: compressed * 2, ...extra}
}

function child(node: TreeNode, name: string): TreeNode {
  const found = node.children?.find(c => c.name === name)
  if (!found) throw new Error(`${node.name} has no child ${name}: ${node.children?.map(c => c.name).join(', ')}`)
  return found
}

function count(node: TreeNode): number {
  return 1 + (node.children ?? []).reduce((n, c) => n + count(c), 0)
}

/** Every file path the tree can lead to: a drawn cell or a member of a merged cell. */
function reachable(node: TreeNode, prefix = '', out = new Set<string>()): Set<string> {
  for (const c of node.children ?? []) {
    const path = prefix ? `${prefix}/${c.name}` : c.name
    if (c.kind === 'file') out.add(path)
    for (const m of c.members ?? []) out.add(prefix ? `${prefix}/${m}` : m)
    reachable(c, path, out)
  }

  return out
}

function report(overrides: Partial<SlugReport>): SlugReport {
  return {
    categories: [],
    files: [],
    findings: [],
    folders: [],
    kind: 'slug',
    notes: [],
    origins: {buildpack: {compressed: 0, files: 0, size: 0}, repo: {compressed: 0, files: 0, size: 0}},
    packages: [],
    prediction: false,
    source: {},
    totals: {compressed: 1000, files: 10, limit: SLUG_LIMIT, uncompressed: 2000, warning: SLUG_WARNING},
    ...overrides,
  }
}

describe('render/html/tree', () => {
  describe('folderTree', () => {
    it('sums folders, sorts children by compressed bytes and keeps each file category', () => {
      const root = folderTree([
        file('app.py', 100),
        file('models/a.h5', 5000, {category: 'model'}),
        file('models/b.h5', 3000, {category: 'model'}),
        file('lib/x.py', 900),
      ])
      expect(root.name).to.equal('/app')
      expect(root).to.include({compressed: 9000, files: 4, size: 18000})
      expect(root.children!.map(c => c.name)).to.deep.equal(['models', 'lib', 'app.py'])
      const models = child(root, 'models')
      expect(models).to.include({category: 'model', compressed: 8000, files: 2, kind: 'dir'})
      expect(child(models, 'a.h5')).to.include({category: 'model', kind: 'file'})
    })

    it('joins chains of single folders so a zoom never lands on a folder with one child', () => {
      const root = folderTree([
        file('.heroku/python/lib/python3.12/site-packages/tf/a.so', 1000),
        file('.heroku/python/lib/python3.12/site-packages/np/b.so', 1000),
      ])
      expect(root.children!.map(c => c.name)).to.deep.equal(['.heroku/python/lib/python3.12/site-packages'])
      expect(root.children![0].children!.map(c => c.name).sort()).to.deep.equal(['np', 'tf'])
    })

    it('merges files below the threshold into one cell per folder, keeping their paths for search', () => {
      const files = [file('big/a.bin', 100_000), ...Array.from({length: 50}, (_, i) => file(`big/s${i}.py`, 1))]
      const root = folderTree(files, {minShare: 0.001})
      const big = child(root, 'big')
      expect(big.children!.map(c => c.name)).to.deep.equal(['a.bin', '50 small files'])
      const small = child(big, '50 small files')
      expect(small).to.include({compressed: 50, files: 50, kind: 'small'})
      expect(small.members).to.have.length(50)
      expect(small.members).to.include('s7.py')
    })

    it('keeps one small file as itself rather than a "1 small files" cell', () => {
      const root = folderTree([file('a.bin', 100_000), file('tiny.txt', 1)], {minShare: 0.001})
      expect(root.children!.map(c => c.name)).to.deep.equal(['a.bin', 'tiny.txt'])
    })

    it('closes a folder too small to open, listing the files inside it', () => {
      const root = folderTree([file('a.bin', 100_000), file('tiny/x/1.txt', 1), file('tiny/x/2.txt', 1), file('other.txt', 1)], {minShare: 0.001})
      const small = root.children!.find(c => c.kind === 'small')!
      expect(small.name).to.equal('3 small files')
      expect(small.members!.sort()).to.deep.equal(['other.txt', 'tiny/x/1.txt', 'tiny/x/2.txt'])
    })

    it('shows a folder closed, listing its files, when every file in it would be merged', () => {
      const many = Array.from({length: 200}, (_, i) => file(`many/f${i}.txt`, 1))
      const root = folderTree([file('a.bin', 100_000), ...many], {minShare: 0.001})
      const folder = child(root, 'many')
      expect(folder).to.include({files: 200, kind: 'dir'})
      expect(folder.children).to.equal(undefined)
      expect(folder.members).to.have.length(200)
      expect(folder.members).to.include('many/f7.txt')
    })

    it('shows each of the files of a big folder even when each is under the slug-wide threshold', () => {
      const data = Array.from({length: 50}, (_, i) => file(`data/part${i}.csv`, 100))
      const root = folderTree([file('big.bin', 5000), ...data], {minShare: 0.05})
      expect(child(root, 'data').children).to.have.length(50)
    })

    it('keeps a file that is small compressed but large uncompressed (the uncompressed view needs it)', () => {
      const root = folderTree([file('a.bin', 100_000), file('zeros.img', 1, {size: 500_000})], {minShare: 0.001})
      expect(root.children!.map(c => c.name)).to.include('zeros.img')
    })

    it('stays small for 100,000 files and still leads to every one of them', () => {
      const {files} = syntheticReport(100_000)
      const root = folderTree(files)
      expect(count(root)).to.be.below(5000)
      const paths = reachable(root)
      const missing = files.map(f => f.path).filter(p => !paths.has(p))
      expect(missing).to.deep.equal([])
    })
  })

  describe('packageTree', () => {
    const packages: PackageRow[] = [
      {compressed: 3000, ecosystem: 'python', evidence: 'installed', files: 2, location: 'site', name: 'tensorflow', size: 6000, version: '2.16.1'},
      {compressed: 500, ecosystem: 'node', evidence: 'installed', files: 1, location: 'node_modules/left-pad', name: 'left-pad', size: 1000},
    ]

    it('groups files by ecosystem and package, with paths relative to where the package is installed', () => {
      const root = packageTree(
        [
          file('site/tensorflow/a.so', 2000, {category: 'python-package', package: 'python:tensorflow'}),
          file('site/tensorflow/b.py', 1000, {category: 'python-package', package: 'python:tensorflow'}),
          file('node_modules/left-pad/index.js', 500, {category: 'node-package', package: 'node:left-pad'}),
          file('app.py', 100),
        ],
        packages,
      )
      expect(root.children!.map(c => [c.name, c.kind])).to.deep.equal([
        ['Python packages', 'group'],
        ['Node packages', 'group'],
        ['Not in a package', 'group'],
      ])
      const tf = child(child(root, 'Python packages'), 'tensorflow 2.16.1')
      expect(tf).to.include({category: 'python-package', compressed: 3000, kind: 'package'})
      expect(tf.children!.map(c => c.name)).to.deep.equal(['tensorflow'])
      expect(child(child(child(root, 'Node packages'), 'left-pad'), 'index.js').kind).to.equal('file')
      expect(child(child(root, 'Not in a package'), 'app.py').compressed).to.equal(100)
    })

    it('draws a build log as one cell per package, grouped by ecosystem', () => {
      const root = packageOnlyTree(packages)
      expect(child(child(root, 'Python packages'), 'tensorflow 2.16.1')).to.include({compressed: 3000, files: 2, kind: 'package'})
      expect(child(child(root, 'Node packages'), 'left-pad').category).to.equal('node-package')
    })
  })

  describe('reportTrees', () => {
    it('has no folder view for a build log and adds what the log does not account for', () => {
      const trees = reportTrees(report({
        kind: 'build-log',
        packages: [{compressed: 600, ecosystem: 'python', evidence: 'build-log', files: 0, name: 'torch', size: 900}],
        prediction: true,
      }))
      expect(trees.folder).to.equal(undefined)
      expect(trees.package.children!.map(c => [c.name, c.compressed])).to.deep.equal([
        ['Python packages', 600],
        ['Rest of the slug (not in the log)', 400],
      ])
      expect(trees.package.compressed).to.equal(1000)
    })

    it('draws the top files of a report made without the full list, and the rest as one cell', () => {
      const trees = reportTrees(report({files: [file('models/m.h5', 700, {category: 'model'})]}))
      expect(trees.folder!.children!.map(c => [c.name, c.kind, c.compressed])).to.deep.equal([
        ['models', 'dir', 700],
        ['Files not listed in the report', 'rest', 300],
      ])
      expect(trees.folder!.compressed).to.equal(1000)
      expect(trees.package.compressed).to.equal(1000)
    })

    it('uses the full file list when given and adds no rest cell', () => {
      const files = [file('a.py', 600), file('b.py', 400)]
      const trees = reportTrees(report({files: [files[0]]}), files)
      expect(trees.folder!.children!.map(c => c.name)).to.deep.equal(['a.py', 'b.py'])
    })
  })
})
