import type {AppUses} from '../../predict/python/convert-output.js'

export interface CodeEditsPlan {
  /** files with the edits recognised with certainty applied (and the imports, when the framework leaves) */
  certain: Map<string, string>
  /** files with every edit applied, uncertain ones included: shown as a diff to apply by hand */
  all: Map<string, string>
  /** edits whose line no longer reads as app_uses.py saw it: not made */
  stale: {file: string; line: number; old: string}[]
}

interface LineOp {
  replace?: {old: string; new: string}
  remove?: string
  insert?: string
}

function opsOf(uses: AppUses, file: string, withUncertain: boolean, frameworkLeaves: boolean): Map<number, LineOp[]> {
  const ops = new Map<number, LineOp[]>()
  const push = (line: number, op: LineOp) => ops.set(line, [...(ops.get(line) ?? []), op])
  for (const e of uses.edits) if (e.file === file && (e.certain || withUncertain)) push(e.line, {replace: {new: e.new, old: e.old}})
  // The runtime module is imported only where a load now uses it.
  const edited = uses.edits.some(e => e.file === file && (e.certain || withUncertain))
  if (edited) for (const a of uses.addImport) if (a.file === file) push(a.line, {insert: a.text})
  if (frameworkLeaves) for (const r of uses.removeImports) if (r.file === file) push(r.line, {remove: r.old})
  return ops
}

/** Whether the lines from `at` hold `old` (app_uses.py quotes whole lines; CRLF and trailing blanks do not count). */
function holds(lines: string[], at: number, old: string[]): boolean {
  return old.every((o, k) => lines[at + k] !== undefined && lines[at + k].replace(/\s+$/, '') === o.replace(/\s+$/, ''))
}

/**
 * A file's text with the line operations applied by their original line numbers (so one does not shift
 * another): an insert goes before its line, a replace puts `new` in place of the lines `old` quotes (a
 * statement may span several), a remove drops them. An operation whose lines no longer read `old` is
 * reported stale and not made.
 */
function applyOps(text: string, file: string, ops: Map<number, LineOp[]>, stale: CodeEditsPlan['stale']): string {
  const lines = text.split('\n')
  const cr = text.includes('\r\n') ? '\r' : ''
  const out: string[] = []
  for (let i = 0; i <= lines.length; i++) {
    const here = ops.get(i + 1) ?? []
    for (const op of here) if (op.insert !== undefined) out.push(op.insert + cr)
    if (i === lines.length) break
    const change = here.find(op => op.replace !== undefined || op.remove !== undefined)
    const old = change?.replace?.old ?? change?.remove
    if (change === undefined || old === undefined) {
      out.push(lines[i])
      continue
    }

    const quoted = old.split('\n')
    if (!holds(lines, i, quoted)) {
      stale.push({file, line: i + 1, old})
      out.push(lines[i])
      continue
    }

    if (change.replace) out.push(...change.replace.new.split('\n').map(l => l + cr))
    i += quoted.length - 1
  }

  return out.join('\n')
}

/**
 * The code edits app_uses.py proposes, on the app's files as they are now. Imports are added with the edits that
 * need them; the framework's imports are removed only when the framework leaves.
 */
export function planCodeEdits(uses: AppUses, texts: Readonly<Record<string, string | undefined>>, frameworkLeaves: boolean): CodeEditsPlan {
  const files = new Set([...(frameworkLeaves ? uses.removeImports.map(r => r.file) : []), ...uses.addImport.map(a => a.file), ...uses.edits.map(e => e.file)])
  const certain = new Map<string, string>()
  const all = new Map<string, string>()
  const stale: CodeEditsPlan['stale'] = []
  for (const file of [...files].sort()) {
    const text = texts[file]
    if (text === undefined) continue
    const sure = applyOps(text, file, opsOf(uses, file, false, frameworkLeaves), stale)
    if (sure !== text) certain.set(file, sure)
    const every = applyOps(text, file, opsOf(uses, file, true, frameworkLeaves), [])
    if (every !== sure) all.set(file, every)
  }

  return {all, certain, stale}
}
