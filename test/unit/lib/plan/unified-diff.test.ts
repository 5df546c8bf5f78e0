import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {unifiedDiff} from '../../../../src/lib/plan/unified-diff.js'

/** Applies a diff with git apply: the diff is right only if it turns `before` into `after`. */
function applies(before: string, after: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'diet-diff-'))
  try {
    writeFileSync(join(dir, 'f.txt'), before)
    writeFileSync(join(dir, 'p.diff'), unifiedDiff('f.txt', before, after))
    const run = spawnSync('git', ['apply', '--unidiff-zero', 'p.diff'], {cwd: dir, encoding: 'utf8'})
    return run.status === 0 && readFileSync(join(dir, 'f.txt'), 'utf8') === after
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}

describe('unifiedDiff', () => {
  it('is empty when nothing changes', () => {
    expect(unifiedDiff('x', 'a\n', 'a\n')).to.equal('')
  })

  it('diffs a new file against /dev/null', () => {
    expect(unifiedDiff('.slugignore', undefined, 'a\nb\n')).to.equal('--- /dev/null\n+++ b/.slugignore\n@@ -0,0 +1,2 @@\n+a\n+b\n')
  })

  it('prints one hunk with three lines of context', () => {
    const before = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\n'
    const after = 'l1\nl2\nl3\nl4 changed\nl5\nl6\nl7\n'
    expect(unifiedDiff('f', before, after)).to.equal('--- a/f\n+++ b/f\n@@ -1,7 +1,7 @@\n l1\n l2\n l3\n-l4\n+l4 changed\n l5\n l6\n l7\n')
  })

  it('shows a hunk for a change that only adds the final newline (the hand-written diff printed headers alone)', () => {
    expect(unifiedDiff('f', 'a', 'a\n')).to.equal('--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+a\n')
    expect(applies('a\nb', 'a\nb\n')).to.equal(true)
    expect(applies('a\nb\n', 'a\nb')).to.equal(true)
  })

  it('diffs a removed file against /dev/null', () => {
    expect(unifiedDiff('.slugignore', 'a\n')).to.equal('--- a/.slugignore\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n')
  })

  it('shows CRLF lines without their carriage returns', () => {
    expect(unifiedDiff('r.txt', 'a\r\nb\r\n', 'a\r\nc\r\n')).to.equal('--- a/r.txt\n+++ b/r.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n')
  })

  it('produces patches that git applies, with separate and merged hunks', () => {
    const lines = Array.from({length: 40}, (_, i) => `line ${i}`)
    const before = `${lines.join('\n')}\n`
    const edits = [...lines]
    edits[2] = 'two'
    edits.splice(20, 1)
    edits.splice(25, 0, 'inserted')
    edits.push('tail')
    expect(applies(before, `${edits.join('\n')}\n`)).to.equal(true)
    expect(applies('a\nb\n', 'c\n')).to.equal(true)
    expect(applies('a\nb\nc\n', 'a\nc\nb\n')).to.equal(true)
  })
})
