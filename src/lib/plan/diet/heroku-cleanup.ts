import {runtimeRequires, type RuntimeRequires} from '../../analyze/node/entry-points.js'
import {type PackageJson, parsePackageJson, readPackageJson} from '../../analyze/node/package-json.js'
import type {Finding, PackageRow} from '../../analyze/rows.js'
import {BUILD_ONLY_PACKAGES} from '../../knowledge/node-facts.js'
import {UserError} from '../../shared/errors.js'
import {keepLineEndings} from '../../shared/line-endings.js'

/*
 * slug:diet for Node.js apps: the `heroku-cleanup` script of package.json, which Heroku's Node.js buildpack runs
 * after it prunes devDependencies, deleting build output .slugignore cannot reach (build caches, other platforms'
 * binaries, source maps in node_modules, a browser download the app does not launch). The guarantees of
 * bin/post_compile hold: nothing the app's start commands and code load is deleted (analyze/node/entry-points.ts);
 * the user's own heroku-cleanup is kept and the plugin's part appended (`theirs && { : heroku-slug-diet; ...; }`),
 * replaced in place on the next run; every step succeeds on a tree without the file it deletes. `--fix-package-json`
 * moves dependencies only the build or the tests use to devDependencies.
 */

export const PACKAGE_JSON_PATH = 'package.json'
export const CLEANUP_SCRIPT = 'heroku-cleanup'
/** Marks the plugin's part of the script: a no-op command the shell runs (`:`), found again on the next run. */
export const CLEANUP_MARKER = '{ : heroku-slug-diet;'

export interface CleanupItem {
  label: string
  /** what it deletes, relative to the app */
  paths: string[]
  savings: number
  source?: string
}

export interface PackageMove {
  name: string
  from: 'dependencies'
  /** moved to devDependencies, or only removed from dependencies when devDependencies lists it already */
  to: 'devDependencies' | 'removed'
  /** compressed bytes the buildpack then prunes (the package's own folder; what only it needs comes on top) */
  savings: number
}

export interface HerokuCleanupPlan {
  items: CleanupItem[]
  /** what the plan keeps, and why */
  kept: string[]
  savings: number
  /** the shell text of the plugin's part; undefined when there is nothing to delete */
  block?: string
  moves: PackageMove[]
  /** the app's runtime requirements as read (for the notes) */
  requires: RuntimeRequires
  notes: string[]
}

export interface HerokuCleanupInput {
  /** the app's package.json text */
  packageJson: string
  procfile?: string
  /** the repo's code (readReferenceTexts) */
  texts: Record<string, string>
  findings: Finding[]
  packages: PackageRow[]
  /** the slug's captured texts: installed packages' package.json */
  captured: Record<string, string>
}

const BROWSER_USERS: Record<string, string[]> = {
  '.cache/ms-playwright/': ['playwright', 'playwright-core', '@playwright/test'],
  '.cache/puppeteer/': ['puppeteer', 'puppeteer-core'],
}

/** Source maps in node_modules, as the source-maps finding counts them. */
const SOURCE_MAP_STEP = String.raw`[ ! -d node_modules ] || find node_modules -type f \( -name '*.js.map' -o -name '*.mjs.map' -o -name '*.cjs.map' -o -name '*.css.map' \) -delete`

function installedPackages(captured: Record<string, string>): Map<string, PackageJson> {
  const installed = new Map<string, PackageJson>()
  for (const [path, text] of Object.entries(captured)) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(path)
    const pkg = m ? readPackageJson(text) : undefined
    if (m && pkg) installed.set(m[1], pkg)
  }

  return installed
}

/** The package a node_modules path belongs to (`node_modules/@swc/core-linux-x64-musl/` -> `@swc/core-linux-x64-musl`). */
function packageOfPath(path: string): string | undefined {
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)
  return m ? m[1] : undefined
}

/** A path as one shell word: single-quoted, a `'` in it closed, escaped and reopened (folder names are the user's). */
const quote = (path: string) => `'${path.replace(/\/$/, '').replaceAll("'", String.raw`'\''`)}'`

function browserItem(finding: Finding, requires: RuntimeRequires, kept: string[]): CleanupItem | undefined {
  const folder = finding.paths?.[0]
  if (!folder) return undefined
  const users = (BROWSER_USERS[folder] ?? []).filter(name => requires.packages.has(name))
  if (users.length > 0) {
    kept.push(`${folder}: the app loads ${users.join(', ')} (a browser it launches at run time)`)
    return undefined
  }

  const unknown = [...requires.unresolved, ...requires.dynamic]
  if (unknown.length > 0) {
    kept.push(`${folder}: what ${unknown.slice(0, 3).join(', ')} load${unknown.length === 1 ? 's' : ''} cannot be read (not in the repo, or a computed require), so the browser may be launched`)
    return undefined
  }

  return {label: `the browser download in ${folder} (the app's code never loads ${BROWSER_USERS[folder]?.join(' or ') ?? 'it'})`, paths: [folder], savings: finding.savings, source: finding.source}
}

function foreignItem(finding: Finding, requires: RuntimeRequires, kept: string[], packages: PackageRow[]): CleanupItem | undefined {
  const paths = (finding.paths ?? []).filter(path => {
    const name = packageOfPath(path)
    if (name && requires.packages.has(name)) {
      kept.push(`${path}: the app loads ${name}`)
      return false
    }

    return true
  })
  if (paths.length === 0) return undefined
  const savings = packages.filter(p => p.location && paths.includes(`${p.location}/`)).reduce((n, p) => n + p.compressed, 0)
  return {label: 'native binaries for other platforms (the dyno cannot load them)', paths, savings, source: finding.source}
}

function cleanupItems(input: HerokuCleanupInput, requires: RuntimeRequires, kept: string[]): CleanupItem[] {
  const items: CleanupItem[] = []
  for (const finding of input.findings) {
    if (finding.kind === 'build-cache' && finding.paths) items.push({label: 'build caches', paths: finding.paths, savings: finding.savings, source: finding.source})
    if (finding.kind === 'foreign-binaries') {
      const item = foreignItem(finding, requires, kept, input.packages)
      if (item) items.push(item)
    }

    if (finding.kind === 'browser-download' && finding.savings > 0) {
      const item = browserItem(finding, requires, kept)
      if (item) items.push(item)
    }

    if (finding.kind === 'source-maps' && finding.savings > 0) {
      if (requires.sourceMaps) kept.push('source maps in node_modules: the app runs node with --enable-source-maps')
      else items.push({label: 'source maps in node_modules', paths: ['node_modules/**/*.map'], savings: finding.savings, source: finding.source})
    }
  }

  return items
}

/** The words of a shell command line quoted as renderBlock quotes them (`'a'\\''b'` is one word: a'b). */
function shellWords(text: string): string[] {
  const words: string[] = []
  let word: string | undefined
  let quoted = false
  let escaped = false
  for (const c of text) {
    const literal: boolean = escaped || (quoted && c !== "'")
    escaped = !literal && c === '\\'
    if (literal) word = (word ?? '') + c
    else if (c === "'") {
      quoted = !quoted
      word ??= ''
    } else if (c === ' ' || c === ';') {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (!escaped) word = (word ?? '') + c
  }

  if (word !== undefined) words.push(word)
  return words
}

/**
 * What the part an earlier run wrote deletes that this slug no longer shows (that build already deleted it):
 * kept, so that a second slug:diet does not bring the caches back. A browser folder is checked again: dropped
 * when the app now loads the browser, or what it loads cannot be read.
 */
function earlierItems(script: string | undefined, items: CleanupItem[], requires: RuntimeRequires, kept: string[]): CleanupItem[] {
  const at = script?.indexOf(CLEANUP_MARKER) ?? -1
  if (script === undefined || at === -1) return []
  const end = script.indexOf('; }', at)
  const part = script.slice(at + CLEANUP_MARKER.length, end === -1 ? undefined : end)
  const planned = new Set(items.flatMap(i => i.paths.map(p => p.replace(/\/$/, ''))))
  const rm = part.split('; ').find(step => step.trimStart().startsWith('rm -rf '))
  const earlier: CleanupItem[] = []
  for (const path of rm ? shellWords(rm.trimStart().slice('rm -rf '.length)) : []) {
    if (planned.has(path)) continue
    const browser = BROWSER_USERS[`${path}/`]
    if (browser) {
      const item = browserItem({estimated: false, evidence: [], id: 'earlier', kind: 'browser-download', paths: [`${path}/`], remedy: '', savings: 1, severity: 'low', title: ''}, requires, kept)
      if (!item) continue
    }

    earlier.push({label: `${path} (deleted by the earlier heroku-cleanup: not in this slug)`, paths: [path], savings: 0})
  }

  if (part.includes(SOURCE_MAP_STEP) && !items.some(i => i.paths.includes('node_modules/**/*.map')) && !requires.sourceMaps) {
    earlier.push({label: 'source maps in node_modules (deleted by the earlier heroku-cleanup)', paths: ['node_modules/**/*.map'], savings: 0})
  }

  return earlier
}

function renderBlock(items: CleanupItem[]): string | undefined {
  if (items.length === 0) return undefined
  const steps: string[] = []
  const folders = items.flatMap(i => i.paths).filter(p => !p.includes('*'))
  if (folders.length > 0) steps.push(`rm -rf ${folders.map(p => quote(p)).join(' ')}`)
  if (items.some(i => i.paths.includes('node_modules/**/*.map'))) steps.push(SOURCE_MAP_STEP)
  return `${CLEANUP_MARKER} ${steps.join('; ')}; }`
}

/**
 * The user's heroku-cleanup with the plugin's part: appended with `&&` (it runs only when theirs succeeded, as the
 * buildpack would fail the build anyway), or put in place of the part an earlier run wrote.
 */
export function mergeCleanupScript(existing: string | undefined, block: string): string {
  if (existing === undefined || existing.trim() === '') return block
  const at = existing.indexOf(CLEANUP_MARKER)
  if (at === -1) {
    const theirs = existing.trim()
    // A script ending in `;` or `&` would make `&&` a syntax error, and a `#` comment would swallow the plugin's
    // part: such a script goes in braces, ended by a newline.
    return /[;&]$/.test(theirs) || theirs.includes('#') ? `{ ${theirs}\n} && ${block}` : `${theirs} && ${block}`
  }

  if (existing.slice(at + 1).includes(CLEANUP_MARKER)) {
    throw new UserError(`package.json: scripts.${CLEANUP_SCRIPT} holds two heroku-slug-diet parts; keep one, then run again. Nothing was written.`)
  }

  const end = existing.indexOf('; }', at)
  if (end === -1) {
    throw new UserError(`package.json: the heroku-slug-diet part of scripts.${CLEANUP_SCRIPT} has no end ("; }"); restore it or delete the part, then run again. Nothing was written.`)
  }

  return `${existing.slice(0, at)}${block}${existing.slice(end + 3)}`
}

/** Dependencies only the build or the tests use: not loaded at run time, named in the knowledge table. */
function planMoves(app: PackageJson, requires: RuntimeRequires, packages: PackageRow[], notes: string[]): PackageMove[] {
  const candidates = Object.keys(app.dependencies ?? {}).filter(name => BUILD_ONLY_PACKAGES.some(p => p.pattern.test(name)) && !requires.packages.has(name))
  if (candidates.length === 0) return []
  const unknown = [...requires.unresolved, ...requires.dynamic]
  if (unknown.length > 0) {
    notes.push(`${candidates.join(', ')} look like build or test tools, but what ${unknown.slice(0, 3).join(', ')} load cannot be read: they stay in dependencies.`)
    return []
  }

  return candidates.map(name => ({
    from: 'dependencies',
    name,
    savings: packages.find(p => p.location === `node_modules/${name}`)?.compressed ?? 0,
    to: app.devDependencies?.[name] === undefined ? 'devDependencies' : 'removed',
  }))
}

/** What heroku-cleanup deletes and what --fix-package-json moves, measured on the slug's findings. */
export function planHerokuCleanup(input: HerokuCleanupInput): HerokuCleanupPlan {
  const app = parsePackageJson(input.packageJson)
  const requires = runtimeRequires({app, installed: installedPackages(input.captured), procfile: input.procfile, texts: input.texts})
  const kept: string[] = []
  const notes: string[] = []
  const items = [...cleanupItems(input, requires, kept)]
  items.push(...earlierItems(app.scripts?.[CLEANUP_SCRIPT], items, requires, kept))
  const moves = planMoves(app, requires, input.packages, notes)
  return {block: renderBlock(items), items, kept, moves, notes, requires, savings: items.reduce((n, i) => n + i.savings, 0)}
}

/** The indent package.json is written with: its first indented line's (npm writes two spaces). */
function indentOf(text: string): string {
  const line = text.split('\n').find(l => /^\s+"/.test(l))
  return line ? line.slice(0, line.length - line.trimStart().length) : '  '
}

function moved(record: Record<string, string> | undefined, name: string): Record<string, string> | undefined {
  if (!record) return record
  return Object.fromEntries(Object.entries(record).filter(([key]) => key !== name))
}

/** A key added to an object after its existing keys, in npm's order for dependency maps (sorted). */
function sortedWith(record: Record<string, string> | undefined, name: string, range: string): Record<string, string> {
  return Object.fromEntries(Object.entries({...record, [name]: range}).sort(([a], [b]) => a.localeCompare(b)))
}

/**
 * package.json with the plugin's heroku-cleanup and the moves, every other key in its place. The text is written
 * back as npm writes it (JSON with the file's own indent and final newline); `reformatted` says when the file had
 * another layout, which the rewrite does not keep.
 */
export function editPackageJson(text: string, block: string | undefined, moves: PackageMove[]): {text: string; reformatted: boolean} {
  parsePackageJson(text)
  const json = JSON.parse(text) as Record<string, unknown> & {dependencies?: Record<string, string>; devDependencies?: Record<string, string>; scripts?: Record<string, string>}
  const indent = indentOf(text.replaceAll('\r\n', '\n'))
  const newline = text.endsWith('\n') ? '\n' : ''
  const reformatted = `${JSON.stringify(json, null, indent)}${newline}` !== text.replaceAll('\r\n', '\n')
  if (block !== undefined) json.scripts = {...json.scripts, [CLEANUP_SCRIPT]: mergeCleanupScript(json.scripts?.[CLEANUP_SCRIPT], block)}
  for (const move of moves) {
    const range = json.dependencies?.[move.name]
    if (range === undefined) continue
    json.dependencies = moved(json.dependencies, move.name)
    if (move.to === 'devDependencies') json.devDependencies = sortedWith(json.devDependencies, move.name, range)
  }

  return {reformatted, text: keepLineEndings(text, `${JSON.stringify(json, null, indent)}${newline}`)}
}
