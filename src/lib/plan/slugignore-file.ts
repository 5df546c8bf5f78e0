/**
 * The plugin's rules live in one marked block of `.slugignore`; every line outside it is the user's
 * and is kept byte for byte. Writing the same rules twice gives the same file.
 */
export const BLOCK_BEGIN = '# >>> heroku-slug-diet: managed block, rewritten by `heroku slug:diet` and `slug:offload-models`'
export const BLOCK_END = '# <<< heroku-slug-diet'

interface SplitFile {
  before: string[]
  rules: string[]
  after: string[]
  hasBlock: boolean
}

function split(text: string): SplitFile {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const begin = lines.findIndex(l => l.trimEnd() === BLOCK_BEGIN)
  const end = begin === -1 ? -1 : lines.findIndex((l, i) => i > begin && l.trimEnd() === BLOCK_END)
  if (begin === -1 || end === -1) return {after: [], before: lines, hasBlock: false, rules: []}
  return {
    after: lines.slice(end + 1),
    before: lines.slice(0, begin),
    hasBlock: true,
    rules: lines.slice(begin + 1, end).filter(l => l.trim() !== '' && !l.trimStart().startsWith('#')),
  }
}

/** The rules currently in the plugin's block. */
export function managedRules(text: string | undefined): string[] {
  return text ? split(text).rules : []
}

/** The user's own rules (outside the block, comments and blank lines left out). */
export function userRules(text: string | undefined): string[] {
  if (!text) return []
  const {after, before} = split(text)
  return [...before, ...after].map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
}

/**
 * Returns the new file text with the block holding exactly `rules` (sorted, deduplicated, and
 * without any rule the user already has). An empty rule list removes the block.
 */
export function withManagedRules(existing: string | undefined, rules: string[]): string {
  const parts = split(existing ?? '')
  const own = new Set(userRules(existing))
  const block = [...new Set(rules.map(r => r.trim()).filter(r => r !== '' && !own.has(r)))].sort()
  const lines = [...parts.before]
  if (block.length > 0) {
    if (!parts.hasBlock && lines.length > 0 && lines.at(-1)!.trim() !== '') lines.push('')
    lines.push(BLOCK_BEGIN, ...block, BLOCK_END)
  }

  lines.push(...parts.after)
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

/** Adds rules to the block, keeping the ones already there. */
export function addManagedRules(existing: string | undefined, rules: string[]): string {
  return withManagedRules(existing, [...managedRules(existing), ...rules])
}
