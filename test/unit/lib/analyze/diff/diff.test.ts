import {expect} from 'chai'

import type {PackageRow} from '../../../../../src/lib/analyze/rows.js'
import {diffSlugs, type DiffSide, limitLevel} from '../../../../../src/lib/analyze/diff/diff.js'
import {diffPackages} from '../../../../../src/lib/analyze/diff/packages.js'
import type {ScanResult} from '../../../../../src/lib/scan/entries.js'
import {AFTER, BEFORE, scanFixture, sourceText} from './fixtures.js'

function side(scan: ScanResult, file: string): DiffSide {
  return {scan, source: {file}}
}

function pkg(name: string, version: string, size: number, compressed: number): PackageRow {
  return {compressed, ecosystem: 'python', evidence: 'installed', files: 3, name, size, version}
}

function node(version: string): PackageRow {
  return {...pkg('left-pad', version, 10, 10), ecosystem: 'node'}
}

describe('diffSlugs', () => {
  const before = scanFixture(BEFORE)
  const after = scanFixture(AFTER)
  const diff = diffSlugs(side(before, 'old.tgz'), side(after, 'new.tgz'), {depth: 2, top: 20})

  it('lists files added, removed, grown and rewritten, biggest compressed change first', () => {
    const byPath = Object.fromEntries(diff.files.map(f => [f.path, f]))
    expect(diff.files.slice(0, 4).map(f => [f.path, f.change])).to.deep.equal([
      ['models/tokenizer.bin', 'added'],
      ['data/old.csv', 'removed'],
      ['static/bundle.js', 'grew'],
      ['.heroku/python/lib/python3.12/site-packages/requests/api.py', 'grew'],
    ])
    expect(diff.files.slice(4).map(f => f.path)).to.have.members([
      '.heroku/python/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA',
      '.heroku/python/lib/python3.12/site-packages/requests-2.31.0.dist-info/RECORD',
      '.heroku/python/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA',
      '.heroku/python/lib/python3.12/site-packages/requests-2.32.3.dist-info/RECORD',
      'settings.py',
    ])
    expect(diff.files[0]).to.include({change: 'added', path: 'models/tokenizer.bin'})
    expect(diff.files[0].size).to.deep.equal({after: 100_000, before: 0, delta: 100_000})
    // Incompressible bytes cost about their own size in the gzip stream.
    expect(diff.files[0].compressed.delta).to.be.within(95_000, 105_000)
    expect(byPath['data/old.csv']).to.deep.include({change: 'removed', size: {after: 0, before: 50_000, delta: -50_000}})
    expect(byPath['data/old.csv'].compressed.delta).to.be.below(0)
    expect(byPath['static/bundle.js']).to.deep.include({change: 'grew', size: {after: 60_000, before: 20_000, delta: 40_000}})
    expect(byPath['settings.py']).to.deep.include({change: 'modified', size: {after: 2013, before: 2013, delta: 0}})
    expect(byPath['app.py'], 'unchanged files are not listed').to.equal(undefined)
    expect(byPath.Procfile).to.equal(undefined)
    for (let i = 1; i < diff.files.length; i++) {
      expect(Math.abs(diff.files[i - 1].compressed.delta)).to.be.at.least(Math.abs(diff.files[i].compressed.delta))
    }
  })

  it('reports a file that moved folders as moved, not as removed plus added', () => {
    expect(diff.moved).to.have.length(1)
    expect(diff.moved[0]).to.include({from: 'models/classifier.h5', size: 200_000, to: 'assets/models/classifier.h5'})
    expect(diff.files.map(f => f.path)).not.to.include.members(['models/classifier.h5', 'assets/models/classifier.h5'])
    expect(diff.counts.moved).to.equal(1)
    expect(diff.counts.files).to.deep.equal({added: 3, grew: 2, modified: 1, removed: 3, shrank: 0})
  })

  it('rolls folders up like du -d: the moved model leaves models/ and appears under assets/', () => {
    const byPath = Object.fromEntries(diff.folders.map(f => [f.path, f]))
    expect(byPath.assets).to.deep.include({change: 'added', files: {after: 1, before: 0, delta: 1}, size: {after: 200_000, before: 0, delta: 200_000}})
    expect(byPath['assets/models']).to.deep.include({change: 'added', size: {after: 200_000, before: 0, delta: 200_000}})
    expect(byPath.models).to.deep.include({change: 'shrank', size: {after: 100_000, before: 200_000, delta: -100_000}})
    expect(byPath.data).to.deep.include({change: 'removed', files: {after: 0, before: 1, delta: -1}})
    expect(byPath.static).to.deep.include({change: 'grew'})
    // depth 2 stops at .heroku/python: deeper folders roll up into it.
    expect(byPath['.heroku/python']).to.deep.include({change: 'grew', files: {after: 4, before: 4, delta: 0}})
    expect(Object.keys(byPath).every(p => p.split('/').length <= 2)).to.equal(true)
    expect(byPath['.heroku/python'].size.delta).to.equal(diff.files
    .filter(f => f.path.startsWith('.heroku/python/'))
    .reduce((sum, f) => sum + f.size.delta, 0))
    expect(diff.folders[0].path, 'biggest compressed change first').to.be.oneOf(['assets', 'assets/models'])
  })

  it('reads the upgrade from the dist-info METADATA and sums the package from its RECORD', () => {
    expect(diff.packages).to.have.length(1)
    expect(diff.packages[0]).to.deep.include({
      change: 'upgraded',
      ecosystem: 'python',
      files: {after: 4, before: 4, delta: 0},
      name: 'requests',
      size: {after: 10_690, before: 7690, delta: 3000},
      versionAfter: '2.32.3',
      versionBefore: '2.31.0',
    })
    expect(diff.packages[0].compressed.delta).to.be.above(0)
  })

  it('carries the totals before and after and where they stand against the limit', () => {
    expect(diff.totals.compressed).to.deep.equal({after: after.compressedSize, before: before.compressedSize, delta: after.compressedSize - before.compressedSize})
    expect(diff.totals.uncompressed.delta).to.equal(after.uncompressedSize - before.uncompressedSize)
    expect(diff.totals.files).to.deep.equal({after: after.fileCount, before: before.fileCount, delta: 0})
    expect(diff.totals.level).to.deep.equal({after: 'ok', before: 'ok'})
    expect(diff.identical).to.equal(false)
    expect(diff.from).to.deep.equal({file: 'old.tgz', sha256: before.sha256})
  })

  it('keeps at most --top rows per table but counts them all', () => {
    const small = diffSlugs(side(before, 'a'), side(after, 'b'), {depth: 1, top: 2})
    expect(small.files).to.have.length(2)
    expect(small.files).to.deep.equal(diff.files.slice(0, 2))
    expect(small.counts.files).to.deep.equal(diff.counts.files)
    expect(small.folders.every(f => !f.path.includes('/'))).to.equal(true)
  })

  it('tells a file rewritten past its first bytes, at the same size, by its contents', () => {
    const text = sourceText(8000, 9)
    const edited = `${text.slice(0, 6000)}X${text.slice(6001)}`
    const one = scanFixture([{content: text, path: './app/lib/config.py'}, {content: 'same\n', path: './app/same.py'}])
    const two = scanFixture([{content: edited, path: './app/lib/config.py'}, {content: 'same\n', path: './app/same.py'}])
    const changed = diffSlugs(side(one, 'a'), side(two, 'b'), {depth: 2, top: 20})
    expect(changed.files.map(f => [f.path, f.change])).to.deep.equal([['lib/config.py', 'modified']])
  })

  it('says two slugs with the same sha256 are identical, with no rows', () => {
    const same = diffSlugs(side(before, 'a'), side(before, 'b'), {depth: 2, top: 20})
    expect(same.identical).to.equal(true)
    expect([same.files, same.folders, same.packages, same.moved]).to.deep.equal([[], [], [], []])
    expect(same.totals.compressed.delta).to.equal(0)
  })

  it('places compressed sizes against the 300 MB warning and 500 MB limit', () => {
    expect(limitLevel(300e6)).to.equal('ok')
    expect(limitLevel(300e6 + 1)).to.equal('over-warning')
    expect(limitLevel(500e6 + 1)).to.equal('over-limit')
  })
})

describe('diffPackages', () => {
  it('reports upgrades, downgrades, additions, removals and resizes, biggest compressed change first', () => {
    const changes = diffPackages(
      [
        pkg('tensorflow', '2.16.1', 1_500_000_000, 520_000_000),
        pkg('requests', '2.31.0', 400_000, 120_000),
        pkg('numpy', '1.26.4', 60_000_000, 20_000_000),
        pkg('pytest', '8.0.0', 3_000_000, 900_000),
        pkg('six', '1.16.0', 40_000, 12_000),
      ],
      [
        pkg('tensorflow-cpu', '2.16.1', 600_000_000, 190_000_000),
        pkg('requests', '2.32.3', 420_000, 125_000),
        pkg('numpy', '1.26.0', 59_000_000, 19_800_000),
        pkg('six', '1.16.0', 40_000, 12_100),
      ],
    )
    expect(changes.map(c => [c.name, c.change, c.versionBefore, c.versionAfter])).to.deep.equal([
      ['tensorflow', 'removed', '2.16.1', undefined],
      ['tensorflow-cpu', 'added', undefined, '2.16.1'],
      ['pytest', 'removed', '8.0.0', undefined],
      ['numpy', 'downgraded', '1.26.4', '1.26.0'],
      ['requests', 'upgraded', '2.31.0', '2.32.3'],
    ])
    expect(changes[0].compressed).to.deep.equal({after: 0, before: 520_000_000, delta: -520_000_000})
  })

  it('matches Python names across case, dashes and underscores, and adds up copies of one package', () => {
    const changes = diffPackages(
      [{...pkg('typing_extensions', '4.9.0', 100, 50), location: 'a'}],
      [{...pkg('Typing-Extensions', '4.9.0', 100, 50), location: 'a'}, {...pkg('typing-extensions', '4.12.2', 120, 60), location: 'b'}],
    )
    expect(changes).to.have.length(1)
    expect(changes[0]).to.deep.include({change: 'upgraded', size: {after: 220, before: 100, delta: 120}, versionAfter: '4.9.0, 4.12.2', versionBefore: '4.9.0'})
  })

  it('orders Python versions by PEP 440: the +cpu build slug:diet writes is no downgrade, post-releases come after', () => {
    const changes = diffPackages(
      [pkg('torch', '2.5.1', 900, 900), pkg('attrs', '1.0', 10, 10), pkg('pip', '24.0', 10, 10)],
      [pkg('torch', '2.5.1+cpu', 200, 200), pkg('attrs', '1.0.post1', 10, 10), pkg('pip', '24.0.dev1', 10, 10)],
    )
    expect(changes.map(c => [c.name, c.change])).to.deep.equal([['torch', 'upgraded'], ['attrs', 'upgraded'], ['pip', 'downgraded']])
  })

  it('orders npm versions by semver precedence: build metadata does not count', () => {
    expect(diffPackages([node('1.0.0')], [node('1.0.0+build.7')])[0].change).to.equal('modified')
    expect(diffPackages([node('1.10.0')], [node('1.9.0')])[0].change).to.equal('downgraded')
  })

  it('leaves out a package whose version, size and file count did not change', () => {
    expect(diffPackages([pkg('six', '1.16.0', 100, 40)], [pkg('six', '1.16.0', 100, 41)])).to.deep.equal([])
    expect(diffPackages([pkg('six', '1.16.0', 100, 40)], [{...pkg('six', '1.16.0', 100, 40), files: 4}])[0].change).to.equal('modified')
  })
})
