import {anchoredRule, ruleProblem} from './rule.js'
import {UserError} from '../../shared/errors.js'

/**
 * The plugin's rules live in one marked block of `.slugignore`; every line outside it is the user's
 * and is kept byte for byte. Writing the same rules twice gives the same file.
 *
 * The markers are single tokens: Heroku's slug compiler splits the whole file on whitespace and reads a
 * `#` anywhere in a token as the start of a comment, so a marker with spaces would turn its words into
 * patterns (`managed`, `block,`, `by`...). The rules are anchored literal paths (analyze/slugignore/rule.ts).
 */
export const BLOCK_BEGIN = '#>>>heroku-slug-diet:managed-block'
export const BLOCK_END = '#<<<heroku-slug-diet:managed-block'
/** The markers of earlier versions: still recognised, so an upgrading user's block is rewritten in place. */
const LEGACY_BEGIN = '# >>> heroku-slug-diet: managed block, rewritten by `heroku slug:diet` and `slug:offload-models`'
const LEGACY_END = '# <<< heroku-slug-diet'
const BEGINS = new Set([BLOCK_BEGIN, LEGACY_BEGIN])
const ENDS = new Set([BLOCK_END, LEGACY_END])

const FILE = '.slugignore'

/** `.slugignore:N` for a 0-based line index. */
const at = (i: number) => `${FILE}:${i + 1}`

interface SplitFile {
  before: string[]
  rules: string[]
  after: string[]
  /** 0-based line index of after[0] */
  afterIndex: number
  hasBlock: boolean
  /** the ending of the lines the plugin adds; the user's lines keep their own (a `\r` left on them) */
  eol: '\n' | '\r\n'
}

/**
 * The file cut around its block. A block whose end marker is missing (a hand edit, a merge), or a second
 * block, is refused with the line: guessing where it ends would cost the user's lines after it.
 */
function split(text: string): SplitFile {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  // Split on \n only: a line keeps its \r, so a file with mixed endings comes back byte for byte.
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  else if (lines.length > 0 && eol === '\r\n') lines[lines.length - 1] += '\r'
  const begins = lines.flatMap((l, i) => (BEGINS.has(l.trim()) ? [i] : []))
  const ends = lines.flatMap((l, i) => (ENDS.has(l.trim()) ? [i] : []))
  if (begins.length > 1) {
    throw new UserError(`${at(begins[1])}: a second heroku-slug-diet block begins here; keep one block (from its begin marker to its end marker ${BLOCK_END}), then run again. Nothing was written.`)
  }

  const end = begins.length === 1 ? ends.find(e => e > begins[0]) : undefined
  if (begins.length === 1 && end === undefined) {
    throw new UserError(`${at(begins[0])}: the heroku-slug-diet block begins here but has no end marker; add the line ${BLOCK_END} where the plugin's rules end (or delete this line), then run again. Nothing was written.`)
  }

  const stray = ends.find(e => e !== end)
  if (stray !== undefined) {
    throw new UserError(`${at(stray)}: a heroku-slug-diet end marker without its begin marker; delete this line or add ${BLOCK_BEGIN} where the plugin's rules begin, then run again. Nothing was written.`)
  }

  if (end === undefined) return {after: [], afterIndex: lines.length, before: lines, eol, hasBlock: false, rules: []}
  const begin = begins[0]
  return {
    after: lines.slice(end + 1),
    afterIndex: end + 1,
    before: lines.slice(0, begin),
    eol,
    hasBlock: true,
    rules: lines.slice(begin + 1, end).map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#')),
  }
}

/** The rules currently in the plugin's block. */
export function managedRules(text: string | undefined): string[] {
  return text ? split(text).rules : []
}

/** The user's own lines outside the block (blank lines left out, comments kept), with their line numbers. */
export function userLines(text: string | undefined): {line: number; text: string}[] {
  if (!text) return []
  const {after, afterIndex, before} = split(text)
  return [
    ...before.map((t, i) => ({line: i + 1, text: t.replace(/\r$/, '')})),
    ...after.map((t, i) => ({line: afterIndex + i + 1, text: t.replace(/\r$/, '')})),
  ].filter(l => l.text.trim() !== '')
}

/** The user's own rules (outside the block, comments and blank lines left out). */
export function userRules(text: string | undefined): string[] {
  return userLines(text).map(l => l.text.trim()).filter(l => !l.startsWith('#'))
}

function checked(rules: string[]): string[] {
  return rules.map(r => {
    const rule = anchoredRule(r.trim())
    const problem = ruleProblem(rule)
    if (problem) throw new UserError(`${FILE} cannot hold "${r}" as a rule that Heroku's docs and its slug compiler read alike: ${problem}. Rename it, or remove it with your own .slugignore line. Nothing was written.`)
    return rule
  })
}

function render(parts: SplitFile, own: Set<string>, rules: string[]): string {
  const block = [...new Set(rules.filter(r => r !== '' && !own.has(r)))].sort()
  const cr = parts.eol === '\r\n' ? '\r' : ''
  const lines = [...parts.before]
  if (block.length > 0) {
    if (!parts.hasBlock && lines.length > 0 && lines.at(-1)!.trim() !== '') lines.push(cr)
    lines.push(...[BLOCK_BEGIN, ...block, BLOCK_END].map(l => l + cr))
  }

  lines.push(...parts.after)
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

/**
 * Returns the new file text with the block holding exactly `rules` (anchored, sorted, deduplicated, and
 * without any rule the user already has). An empty rule list removes the block. A rule that cannot be
 * written as an anchored literal path is refused.
 */
export function withManagedRules(existing: string | undefined, rules: string[]): string {
  return render(split(existing ?? ''), new Set(userRules(existing)), checked(rules))
}

/**
 * The file with these rules of the block moved out of it, just above it, as the user's own lines: a rule the
 * user typed inside the block would otherwise be lost when the plugin next rewrites the block.
 */
export function moveOutOfBlock(existing: string, rules: string[]): string {
  if (rules.length === 0) return existing
  const parts = split(existing)
  const cr = parts.eol === '\r\n' ? '\r' : ''
  const moving = new Set(rules)
  const before = [...parts.before]
  if (before.length > 0 && before.at(-1)!.trim() !== '') before.push(cr)
  before.push(...rules.map(r => r + cr))
  // the block's other rules as they are (an earlier version's unanchored ones too): the plan rewrites them
  return render({...parts, before}, new Set(), parts.rules.filter(r => !moving.has(r)))
}

/**
 * Adds rules to the block, keeping the ones already there. Rules an earlier version wrote (`*.ipynb`,
 * `tests/`) are kept as they are: slug:diet replaces them with anchored ones when it next runs.
 */
export function addManagedRules(existing: string | undefined, rules: string[]): string {
  return render(split(existing ?? ''), new Set(userRules(existing)), [...managedRules(existing), ...checked(rules)])
}
