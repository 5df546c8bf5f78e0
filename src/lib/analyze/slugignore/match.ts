import ignore, {type Ignore} from 'ignore'
import picomatch from 'picomatch'

/**
 * Heroku has published two readings of `.slugignore`, and they differ:
 *
 * - its docs (https://devcenter.heroku.com/articles/slug-compiler#ignoring-files-with-slugignore):
 *   `.gitignore`-like lines, `#` comments and blank lines skipped, no `!` negation. A pattern with a `/`
 *   before its end is anchored at the repo root; one without matches at any depth; a trailing `/` matches
 *   directories only. The `ignore` package does the gitignore matching; the anchoring is made explicit here
 *   (every pattern handed to it starts with `/` or `**\/`) and negations never reach it.
 * - its slug compiler (heroku/slug-compiler, lib/slug_compiler.rb, `prune_slugignore`): the whole file split
 *   on whitespace, a `#` anywhere in a token starts a comment, a token containing `/` is globbed from the app
 *   root, any other at every depth (`{"", "**"}/token`), with Ruby's `Dir[]`, whose `*`, `?` and `**` skip
 *   dotfiles and dot folders. picomatch with `dot: false` globs the same way.
 *
 * Which one production follows is not published, so a prediction counts only what BOTH remove, and a rule
 * whose meaning differs gets a warning with both meanings.
 */
export type SlugignoreReading = 'both' | 'compiler' | 'docs' | 'either'

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
  /** the rules under the docs' reading */
  rules: SlugignoreRule[]
  /** lines that Heroku does not honour, or that its two readings read differently, one sentence each */
  warnings: string[]
}

/** A pattern as Heroku's slug compiler reads it: one whitespace-separated token, cut at its first `#`. */
export interface CompilerPattern {
  token: string
  line: number
  directoryOnly: boolean
  /** the glob given to picomatch, relative to the repo root */
  glob: string
}

const quote = (items: string[]) => items.map(t => `"${t}"`).join(', ')

/** Linux's PATH_MAX: a longer pattern names no file (and picomatch refuses patterns over 64 KiB). */
const MAX_PATTERN = 4096

/** The text without its trailing slashes: a scan, since /\/+$/ is quadratic on a long run of slashes. */
function withoutTrailingSlashes(text: string): string {
  let end = text.length
  while (end > 0 && text[end - 1] === '/') end--
  return text.slice(0, end)
}

/**
 * The slug compiler's tokens of one line: `File.read(path).split`, then `token.split(/#/).first`. Ruby's
 * split without a separator splits on ASCII whitespace only: a no-break space stays inside a token.
 */
function compilerTokens(line: string): string[] {
  return line.split(/[\t\n\v\f\r ]+/).map(word => word.split('#')[0]).filter(token => token !== '')
}

/** The slug compiler's patterns, each with its line. */
export function compilerPatterns(text: string): CompilerPattern[] {
  const patterns: CompilerPattern[] = []
  for (const [i, raw] of text.split('\n').entries()) {
    for (const token of compilerTokens(raw)) {
      if (token.length > MAX_PATTERN) continue
      const anchored = token.includes('/')
      const directoryOnly = token.endsWith('/')
      // Ruby's Dir glob reads a `**` that is not followed by `/` as `*`: `docs/**` is docs' entries, not docs.
      const body = withoutTrailingSlashes(token.replace(/^(?:\.?\/)+/, '').replaceAll(/\*\*(?!\/)/g, '*'))
      if (body === '') continue
      patterns.push({directoryOnly, glob: anchored ? body : `**/${body}`, line: i + 1, token})
    }
  }

  return patterns
}

/** How the two readings differ on one line, without looking at any file; undefined when they agree. */
function lineDifference(line: number, raw: string): string | undefined {
  const text = raw.trim()
  if (text === '') return undefined
  const tokens = compilerTokens(text)
  const where = `.slugignore line ${line}`
  if (text.startsWith('#')) {
    if (tokens.length === 0) return undefined
    return `${where}: the comment "${text}" is a comment in Heroku's docs, but its slug compiler splits the file on whitespace and reads ${quote(tokens)} as pattern(s) that remove files of that name at any depth; write comments without spaces (#like-this).`
  }

  if (tokens.length !== 1 || tokens[0] !== text) {
    const docs = text.startsWith('!') ? 'a negation it does not support (ignored)' : `the one pattern "${text}"`
    const compiler = tokens.length === 0 ? 'nothing' : `the pattern(s) ${quote(tokens)}`
    return `${where}: Heroku's docs read ${docs}, its slug compiler (the file split on whitespace, "#" starting a comment anywhere) reads ${compiler}.`
  }

  const inner = withoutTrailingSlashes(text)
  if (text.endsWith('/') && inner !== '' && !inner.includes('/')) {
    return `${where}: "${text}" removes every folder named ${inner} at any depth in Heroku's docs, but only /${text} at the repo root for its slug compiler; write "/${text}" for the root folder alone.`
  }

  return undefined
}

/** The docs' reading of the file, with a warning for each line the two readings read differently. */
export function parseSlugignore(text: string): ParsedSlugignore {
  const rules: SlugignoreRule[] = []
  const warnings: string[] = []
  const lines = text.split('\n')
  for (const [i, raw] of lines.entries()) {
    const line = i + 1
    const difference = lineDifference(line, raw.replace(/\r$/, ''))
    if (difference) warnings.push(difference)
    const pattern = raw.replace(/\r$/, '').trim()
    if (pattern === '' || pattern.startsWith('#')) continue
    if (pattern.length > MAX_PATTERN) {
      warnings.push(`.slugignore line ${line}: a pattern longer than ${MAX_PATTERN} characters names no file and is ignored`)
      continue
    }

    if (pattern.startsWith('!')) {
      warnings.push(`.slugignore line ${line}: "${pattern}" is a negation, which Heroku does not support: it is ignored and keeps nothing`)
      continue
    }

    const directoryOnly = pattern.endsWith('/')
    const body = directoryOnly ? withoutTrailingSlashes(pattern) : pattern
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

function docsMatcher(rules: SlugignoreRule[]): Ignore {
  // Heroku builds on Linux, where file names are case-sensitive.
  return ignore({ignorecase: false}).add(rules.map(r => r.glob))
}

type PathTest = (path: string) => boolean

/** Ruby's Dir glob as picomatch reads it: dotfiles skipped by wildcards, braces, no extglobs or negation. */
function compilerMatcher(patterns: CompilerPattern[]): PathTest {
  if (patterns.length === 0) return () => false
  const options = {dot: false, noextglob: true, nonegate: true}
  const any = picomatch(patterns.map(p => p.glob), options)
  const files = patterns.filter(p => !p.directoryOnly)
  const file = files.length === 0 ? () => false : picomatch(files.map(p => p.glob), options)
  // `rm_rf` of a matched folder removes what is under it: a file goes with any matched ancestor.
  return path => {
    if (file(path)) return true
    for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
      if (any(path.slice(0, i))) return true
    }

    return false
  }
}

/** A repo-relative, '/'-separated path in the form the matchers expect (no leading './' or '/'). */
function normalize(path: string): string {
  return path.replace(/^(?:\.\/|\/)+/, '')
}

function readingTests(text: string): {docs: PathTest; compiler: PathTest} {
  const {rules} = parseSlugignore(text)
  const docs = rules.length === 0 ? undefined : docsMatcher(rules)
  return {compiler: compilerMatcher(compilerPatterns(text)), docs: docs ? p => docs.ignores(p) : () => false}
}

/**
 * A predicate telling whether Heroku removes a repo file (path relative to the repo root, '/'-separated)
 * under a reading: `both` (the default: what is removed whichever reading production follows), `either`,
 * or one of them. A file under a removed directory is removed.
 */
export function createSlugignoreMatcher(text: string, reading: SlugignoreReading = 'both'): (path: string) => boolean {
  const {compiler, docs} = readingTests(text)
  return path => {
    const p = normalize(path)
    if (p === '') return false
    if (reading === 'docs') return docs(p)
    if (reading === 'compiler') return compiler(p)
    return reading === 'both' ? docs(p) && compiler(p) : docs(p) || compiler(p)
  }
}

export interface SlugignoreOutcome {
  kept: string[]
  /** files both readings remove */
  removed: string[]
  /**
   * Removed files by the pattern that removes them: the first rule in the file that matches, so a file is
   * counted once, under the rule written first (the savings of a later rule are what it adds).
   */
  byRule: Map<string, string[]>
  /** files one reading removes and the other keeps: counted as kept */
  oneReading: {path: string; removedBy: 'compiler' | 'docs'}[]
  /** one sentence per rule that removes a file under one reading only, with an example */
  warnings: string[]
}

function differenceWarnings(text: string, oneReading: SlugignoreOutcome['oneReading']): string[] {
  if (oneReading.length === 0) return []
  const docsRules = parseSlugignore(text).rules.map(r => {
    const matcher = docsMatcher([r])
    return {line: r.line, matches: (p: string) => matcher.ignores(p), rule: r.pattern}
  })
  const compilerRules = compilerPatterns(text).map(c => ({line: c.line, matches: compilerMatcher([c]), rule: c.token}))
  const byRule = new Map<string, {line: number; paths: string[]; removedBy: 'compiler' | 'docs'}>()
  for (const {path, removedBy} of oneReading) {
    const rule = (removedBy === 'docs' ? docsRules : compilerRules).find(r => r.matches(normalize(path)))
    const key = rule?.rule ?? '?'
    const entry = byRule.get(key) ?? {line: rule?.line ?? 0, paths: [], removedBy}
    entry.paths.push(path)
    byRule.set(key, entry)
  }

  return [...byRule].map(([rule, {line, paths, removedBy}]) => {
    const [remover, keeper] = removedBy === 'docs'
      ? ['Heroku\'s docs', 'its slug compiler (whose Ruby Dir glob skips dotfiles and dot folders, and anchors a pattern with a "/" at the root)']
      : ['Heroku\'s slug compiler', 'its docs']
    const more = paths.length > 1 ? ` and ${paths.length - 1} more` : ''
    return `.slugignore line ${line}: "${rule}" removes ${paths[0]}${more} under ${remover}, not under ${keeper}: the savings count only what both remove.`
  })
}

export function applySlugignore(paths: string[], text: string): SlugignoreOutcome {
  const {rules} = parseSlugignore(text)
  const kept: string[] = []
  const removed: string[] = []
  const oneReading: SlugignoreOutcome['oneReading'] = []
  const byRule = new Map<string, string[]>()
  const {compiler, docs} = readingTests(text)
  // The per-rule matchers only run on the (usually few) removed files.
  const single = rules.map(r => ({matcher: docsMatcher([r]), rule: r}))
  for (const path of paths) {
    const p = normalize(path)
    const [byDocs, byCompiler] = p === '' ? [false, false] : [docs(p), compiler(p)]
    if (byDocs !== byCompiler) oneReading.push({path, removedBy: byDocs ? 'docs' : 'compiler'})
    if (!byDocs || !byCompiler) {
      kept.push(path)
      continue
    }

    removed.push(path)
    const first = single.find(s => s.matcher.ignores(p))!
    const list = byRule.get(first.rule.pattern)
    if (list) list.push(path)
    else byRule.set(first.rule.pattern, [path])
  }

  return {byRule, kept, oneReading, removed, warnings: differenceWarnings(text, oneReading)}
}
