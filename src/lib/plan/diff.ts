/** Above this many line pairs the diff shows the whole file replaced rather than spend time on an LCS table. */
const MAX_CELLS = 4_000_000
const CONTEXT = 3

type Op = {kind: ' ' | '+' | '-'; line: string}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines
}

function lineOps(a: string[], b: string[]): Op[] {
  if (a.length * b.length > MAX_CELLS) {
    return [...a.map(line => ({kind: '-' as const, line})), ...b.map(line => ({kind: '+' as const, line}))]
  }

  // lcs[i][j]: longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({length: a.length + 1}, () => new Uint32Array(b.length + 1))
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }

  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({kind: ' ', line: a[i++]})
      j++
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push({kind: '-', line: a[i++]})
    } else {
      ops.push({kind: '+', line: b[j++]})
    }
  }

  return ops
}

/**
 * A unified diff (as `diff -u` prints it, 3 lines of context) of a file's old and new text; empty
 * when nothing changes. A file that does not exist yet is diffed against /dev/null.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  if (before === after) return ''
  const ops = lineOps(splitLines(before ?? ''), splitLines(after))
  const out = [before === undefined ? '--- /dev/null' : `--- a/${path}`, `+++ b/${path}`]
  let k = 0
  while (k < ops.length) {
    while (k < ops.length && ops[k].kind === ' ') k++
    if (k === ops.length) break
    // A hunk: from CONTEXT lines before the first change to CONTEXT lines after the last change that is
    // followed by fewer than 2*CONTEXT unchanged lines.
    const start = Math.max(0, k - CONTEXT)
    let end = k
    while (end < ops.length) {
      let next = end
      while (next < ops.length && ops[next].kind === ' ') next++
      if (next === ops.length || next - end > 2 * CONTEXT) break
      end = next
      while (end < ops.length && ops[end].kind !== ' ') end++
    }

    const stop = Math.min(ops.length, end + CONTEXT)
    const hunk = ops.slice(start, stop)
    const oldStart = ops.slice(0, start).filter(o => o.kind !== '+').length
    const newStart = ops.slice(0, start).filter(o => o.kind !== '-').length
    const oldLen = hunk.filter(o => o.kind !== '+').length
    const newLen = hunk.filter(o => o.kind !== '-').length
    out.push(`@@ -${oldLen === 0 ? oldStart : oldStart + 1},${oldLen} +${newLen === 0 ? newStart : newStart + 1},${newLen} @@`)
    for (const op of hunk) out.push(`${op.kind}${op.line}`)
    k = stop
  }

  return `${out.join('\n')}\n`
}
