import {expect} from 'chai'

import {renderDiff} from '../../../../src/lib/render/diff.js'
import type {SlugDiff} from '../../../../src/lib/analyze/diff/changes.js'
import {printedBy} from '../../../helpers/printed.js'

function render(diff: SlugDiff): string {
  return printedBy(print => renderDiff(diff, print))
}

const d = (before: number, after: number) => ({after, before, delta: after - before})

function diff(overrides: Partial<SlugDiff> = {}): SlugDiff {
  return {
    counts: {files: {added: 1, grew: 0, modified: 0, removed: 0, shrank: 0}, folders: 5, moved: 0, packages: 0},
    depth: 1,
    files: [{change: 'added', compressed: d(0, 250e6), path: 'models/big.onnx', size: d(0, 251e6)}],
    folders: [
      {change: 'added', compressed: d(0, 250e6), files: d(0, 1), path: 'models', size: d(0, 251e6)},
      {change: 'grew', compressed: d(1e6, 1.5e6), files: d(10, 12), path: 'app', size: d(3e6, 4e6)},
    ],
    from: {app: 'myapp', release: 41, sha256: 'a'.repeat(64), slugId: 'slug-41'},
    identical: false,
    moved: [],
    packages: [],
    to: {app: 'myapp', release: 42, commit: 'abcdef0123456789', sha256: 'b'.repeat(64), slugId: 'slug-42'},
    top: 2,
    totals: {
      compressed: d(280e6, 530e6),
      files: d(100, 101),
      level: {after: 'over-limit', before: 'ok'},
      limit: 500e6,
      uncompressed: d(700e6, 951e6),
      warning: 300e6,
    },
    ...overrides,
  }
}

describe('renderDiff', () => {
  it('says when a change crosses the limit, and how many rows --top left out', () => {
    const text = render(diff())
    expect(text).to.include('=== Slug diff of myapp: v41 → v42')
    expect(text).to.match(/To: +v42, slug slug-42, commit abcdef012345, sha256 bbbbbbbbbbbb\n/)
    expect(text).to.match(/Compressed: +280 MB → 530 MB \(\+250 MB\), 106\.0% of the 500 MB limit: over by 30\.0 MB, Heroku rejects this build\n/)
    expect(text).to.match(/Limit: +was under the 300 MB warning, now over the 500 MB limit\n/)
    expect(text).to.match(/Files: +100 → 101 \(\+1\)\n/)
    expect(text).to.include('=== Files, biggest change first\n')
    expect(text).to.include('=== Folders to depth 1, biggest change first (2 of 5; --top for more)')
    expect(text).to.match(/models\/big\.onnx +added +\+250 MB +0 B → 250 MB +\+251 MB +0 B → 251 MB/)
    expect(text).to.match(/app +grew +\+500 kB +1\.0 MB → 1\.5 MB +\+1\.0 MB +3\.0 MB → 4\.0 MB +\+2/)
    expect(text).not.to.include('=== Packages')
  })

  it('leaves out the limit row when the level did not change, and says identical slugs are identical', () => {
    const same = diff({
      counts: {files: {added: 0, grew: 0, modified: 0, removed: 0, shrank: 0}, folders: 0, moved: 0, packages: 0},
      files: [],
      folders: [],
      identical: true,
      to: {app: 'myapp', release: 43, sha256: 'a'.repeat(64), slugId: 'slug-41'},
      totals: {compressed: d(280e6, 280e6), files: d(100, 100), level: {after: 'ok', before: 'ok'}, limit: 500e6, uncompressed: d(700e6, 700e6), warning: 300e6},
    })
    const text = render(same)
    expect(text).not.to.include('Limit:')
    expect(text).to.include(`v41 and v43 are identical: the same slug, sha256 ${'a'.repeat(64)}.`)
    expect(text).not.to.include('=== Files')
    expect(text).not.to.include('Changed files')
  })
})
