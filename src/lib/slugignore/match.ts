import ignore, {type Ignore} from 'ignore'

/**
 * Heroku's `.slugignore` rules (https://devcenter.heroku.com/articles/slug-compiler#ignoring-files-with-slugignore):
 * `.gitignore`-like lines, `#` comments and blank lines skipped, and no `!` negation. A pattern with a `/`
 * before its end is anchored at the repo root; one without matches at any depth; a trailing `/` matches
 * directories only (and so everything under them). The `ignore` package does the glob matching; the
 * anchoring is made explicit here (every pattern handed to it starts with `/` or `**\/`) so that it does
 * not depend on that package's reading of the gitignore rules, and negations never reach it.
 */
export interface SlugignoreRule {
  /** the pattern as written in the file (trimmed) */
  pattern: string
  /** 1-based line number in .slugignore */
  line: number
  /** true when the pattern only matches from the repo root */
  anchored: boolean
  /** true when the pattern ends with `/`: it matches directories (and what is under them), not files */
  directoryOnly: boolean
  /** the pattern in the explicit form given to the glob matcher (`/...` or `**\/...`) */
  glob: string
}

export interface ParsedSlugignore {
  rules: SlugignoreRule[]
  /** lines that Heroku does not honour, one sentence each */
  warnings: string[]
}

export function parseSlugignore(text: string): ParsedSlugignore {
  const rules: SlugignoreRule[] = []
  const warnings: string[] = []
  const lines = text.split('\n')
  for (const [i, raw] of lines.entries()) {
    const pattern = raw.replace(/\r$/, '').trim()
    if (pattern === '' || pattern.startsWith('#')) continue
    const line = i + 1
    if (pattern.startsWith('!')) {
      warnings.push(`.slugignore line ${line}: "${pattern}" is a negation, which Heroku does not support: it is ignored and keeps nothing`)
      continue
    }

    const directoryOnly = pattern.endsWith('/')
    const body = directoryOnly ? pattern.replace(/\/+$/, '') : pattern
    if (body === '') {
      warnings.push(`.slugignore line ${line}: "${pattern}" names no file and is ignored`)
      continue
    }

    const anchored = body.includes('/')
    const rooted = body.replace(/^\/+/, '')
    const glob = `${anchored ? '/' : '**/'}${rooted}${directoryOnly ? '/' : ''}`
    rules.push({
      anchored, directoryOnly, glob, line, pattern,
    })
  }

  return {rules, warnings}
}

function matcherFor(rules: SlugignoreRule[]): Ignore {
  // Heroku builds on Linux, where file names are case-sensitive.
  return ignore({ignorecase: false}).add(rules.map(r => r.glob))
}

/** A repo-relative, '/'-separated path in the form the matcher expects (no leading './' or '/'). */
function normalize(path: string): string {
  return path.replace(/^(?:\.\/|\/)+/, '')
}

/**
 * A predicate telling whether Heroku removes a repo file (path relative to the repo root, '/'-separated).
 * A file under a removed directory is removed.
 */
export function createSlugignoreMatcher(text: string): (path: string) => boolean {
  const {rules} = parseSlugignore(text)
  if (rules.length === 0) return () => false
  const matcher = matcherFor(rules)
  return path => {
    const p = normalize(path)
    return p !== '' && matcher.ignores(p)
  }
}

export interface SlugignoreOutcome {
  kept: string[]
  removed: string[]
  /**
   * Removed files by the pattern that removes them: the first rule in the file that matches, so a file is
   * counted once, under the rule written first (the savings of a later rule are what it adds).
   */
  byRule: Map<string, string[]>
}

export function applySlugignore(paths: string[], text: string): SlugignoreOutcome {
  const {rules} = parseSlugignore(text)
  const kept: string[] = []
  const removed: string[] = []
  const byRule = new Map<string, string[]>()
  if (rules.length === 0) return {byRule, kept: [...paths], removed}
  // One matcher over all rules decides; the per-rule matchers only run on the (usually few) removed files.
  const all = matcherFor(rules)
  const single = rules.map(r => ({matcher: matcherFor([r]), rule: r}))
  for (const path of paths) {
    const p = normalize(path)
    if (p === '' || !all.ignores(p)) {
      kept.push(path)
      continue
    }

    removed.push(path)
    const first = single.find(s => s.matcher.ignores(p))!
    const list = byRule.get(first.rule.pattern)
    if (list) list.push(path)
    else byRule.set(first.rule.pattern, [path])
  }

  return {byRule, kept, removed}
}
