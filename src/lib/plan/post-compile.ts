import picomatch from 'picomatch'

import type {FileRow} from '../analysis/types.js'
import {POST_COMPILE_RULES, type PostCompileRule} from '../knowledge/post-compile-rules.js'
import {UserError} from '../util/errors.js'
import {HOOK_BEGIN, HOOK_END, renderPostCompileBlock} from './post-compile-script.js'

export {HOOK_BEGIN, HOOK_END, SITE_PACKAGES_ENV} from './post-compile-script.js'

export const HOOK_PATH = 'bin/post_compile'

export interface PostCompileItem {
  rule: PostCompileRule
  /** what the rule removes in the slug, relative to /app: folders for `d` rules, files for `f` rules */
  targets: string[]
  files: number
  size: number
  /** the matched files' share of the compressed slug */
  compressed: number
}

export interface PostCompilePlan {
  items: PostCompileItem[]
  /** compressed bytes saved, measured from the slug's shares of the matched files */
  savings: number
  /** false when the evidence has no installed files (a build log or a repo): nothing could be measured */
  measured: boolean
  notes: string[]
}

const SITE_PACKAGES = /^(\.heroku\/python\/lib\/python[^/]+\/site-packages)\/(.+)$/
const CODE_FILE = /\.(?:py|pyd|so)$|\.so\.[\d.]+$/

interface SiteFile {
  row: FileRow
  site: string
  segments: string[]
}

type NameMatcher = (name: string) => boolean

/**
 * A rule's names as the script's `find -name` reads them: one path segment, `*`, `?` and `[...]` classes,
 * and (GNU find) a leading dot matched like any other character.
 */
function nameMatcher(names: string[]): NameMatcher {
  return picomatch(names, {dot: true, nobrace: true, noextglob: true, noglobstar: true})
}

/** The folder or file a rule removes for this file (find's -mindepth and -prune semantics), if any. */
function targetOf(rule: PostCompileRule, file: SiteFile, matches: NameMatcher): string | undefined {
  const {segments, site} = file
  if (rule.keepPackages?.includes(segments[0])) return undefined
  if (rule.type === 'f') {
    const name = segments.at(-1)!
    return segments.length >= rule.minDepth && matches(name) ? `${site}/${segments.join('/')}` : undefined
  }

  for (let i = rule.minDepth - 1; i < segments.length - 1; i++) {
    if (matches(segments[i])) return `${site}/${segments.slice(0, i + 1).join('/')}`
  }

  return undefined
}

/**
 * Which installed files each rule would remove, with their compressed share of the slug. Rules apply in
 * order and a file counts once, as in the generated script. The `no-code` guard is evaluated here from the
 * slug's file list; the `not-imported` guard needs file contents and is applied by the script at build
 * time, so the savings of test folders are an upper bound.
 */
export function planPostCompile(files: FileRow[], rules: PostCompileRule[] = POST_COMPILE_RULES): PostCompilePlan {
  const site: SiteFile[] = []
  const codeDirs = new Set<string>()
  for (const row of files) {
    const m = SITE_PACKAGES.exec(row.path)
    if (!m) continue
    site.push({row, segments: m[2].split('/'), site: m[1]})
    if (CODE_FILE.test(row.path)) {
      for (let p = row.path.lastIndexOf('/'); p > 0; p = row.path.lastIndexOf('/', p - 1)) codeDirs.add(row.path.slice(0, p))
    }
  }

  const notes: string[] = []
  if (site.length === 0) {
    notes.push('The evidence has no installed packages (no slug), so the savings of bin/post_compile cannot be measured; the build log will show them.')
  }

  let remaining = site
  const items: PostCompileItem[] = []
  for (const rule of rules) {
    const names = nameMatcher(rule.names)
    const byTarget = new Map<string, SiteFile[]>()
    const rest: SiteFile[] = []
    for (const file of remaining) {
      const target = targetOf(rule, file, names)
      if (target === undefined || (rule.guard === 'no-code' && codeDirs.has(target))) {
        rest.push(file)
        continue
      }

      const list = byTarget.get(target)
      if (list) list.push(file)
      else byTarget.set(target, [file])
    }

    remaining = rest
    const matched = [...byTarget.values()].flat()
    items.push({
      compressed: matched.reduce((n, f) => n + f.row.compressed, 0),
      files: matched.length,
      rule,
      size: matched.reduce((n, f) => n + f.row.size, 0),
      targets: [...byTarget.keys()].sort(),
    })
  }

  if (items.some(i => i.rule.guard === 'not-imported' && i.files > 0)) {
    notes.push('Test folders are kept at build time for any package whose own code imports a module named test/tests, so their savings are an upper bound.')
  }

  return {items, measured: site.length > 0, notes, savings: items.reduce((n, i) => n + i.compressed, 0)}
}

/**
 * Why the block cannot go into this hook, or undefined: it is shell code, and a hook in another language
 * (`#!/usr/bin/env python3`) would break on it.
 */
export function notShellReason(existing: string | undefined): string | undefined {
  const shebang = existing?.startsWith('#!') ? existing.slice(0, existing.includes('\n') ? existing.indexOf('\n') : undefined) : undefined
  if (shebang === undefined || /[/\s](?:ba|da|k|z)?sh(?:\s|$)/.test(shebang)) return undefined
  return `${HOOK_PATH} is not a shell script (${shebang.trim()}): slug:diet only adds its pruning block to a shell hook. Call a bash script holding the block from it instead.`
}

/** `bin/post_compile:N` for a 0-based line index. */
const at = (i: number) => `${HOOK_PATH}:${i + 1}`

/**
 * Where the managed block is. A begin marker without its end marker (a hand edit, a merge), a second block
 * or a stray end marker is refused with the line: guessing where the block ends would delete the user's
 * own steps after it (a `python manage.py collectstatic`).
 */
function blockLines(lines: string[]): {begin?: number; end?: number} {
  const begins = lines.flatMap((l, i) => (l.trimEnd() === HOOK_BEGIN ? [i] : []))
  const ends = lines.flatMap((l, i) => (l.trimEnd() === HOOK_END ? [i] : []))
  if (begins.length > 1) throw new UserError(`${at(begins[1])}: a second heroku-slug-diet block begins here; keep one block, then run again. Nothing was written.`)
  const end = begins.length === 1 ? ends.find(e => e > begins[0]) : undefined
  if (begins.length === 1 && end === undefined) {
    throw new UserError(`${at(begins[0])}: the heroku-slug-diet block begins here but has no end marker; add the line "${HOOK_END}" where the block ends (or delete the block), then run again. Nothing was written.`)
  }

  const stray = ends.find(e => e !== end)
  if (stray !== undefined) {
    throw new UserError(`${at(stray)}: a heroku-slug-diet end marker without its begin marker; delete this line, then run again. Nothing was written.`)
  }

  return {begin: begins[0], end}
}

/**
 * The hook with the managed block: a new hook is a bash script with `set -euo pipefail`; an existing one
 * keeps every line of its own, with the block replaced in place or added at the end (before a final
 * `exit`, which would otherwise skip it).
 */
export function mergePostCompileHook(existing?: string, rules: PostCompileRule[] = POST_COMPILE_RULES): string {
  const block = renderPostCompileBlock(rules)
  const reason = notShellReason(existing)
  if (reason) throw new UserError(reason)
  if (existing === undefined || existing.trim() === '') {
    return `${['#!/usr/bin/env bash', 'set -euo pipefail', '', ...block].join('\n')}\n`
  }

  if (existing.includes('\r\n')) {
    throw new UserError(`${HOOK_PATH} has Windows (CRLF) line endings, which bash cannot run: convert it to LF (e.g. dos2unix ${HOOK_PATH}), then run again. Nothing was written.`)
  }

  const lines = existing.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const {begin, end} = blockLines(lines)
  if (begin !== undefined && end !== undefined) {
    lines.splice(begin, end - begin + 1, ...block)
  } else {
    let at = lines.length
    while (at > 0 && lines[at - 1].trim() === '') at--
    if (at > 0 && /^exit\b/.test(lines[at - 1].trim())) at--
    const spacer = at > 0 && lines[at - 1].trim() !== '' ? [''] : []
    lines.splice(at, 0, ...spacer, ...block)
  }

  return `${lines.join('\n')}\n`
}
