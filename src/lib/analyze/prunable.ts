import picomatch from 'picomatch'

import {POST_COMPILE_RULES, type PostCompileRule} from '../knowledge/post-compile-rules.js'
import {buildpackSitePackagesEnd} from './paths.js'
import type {FileRow} from './rows.js'

/*
 * What the bin/post_compile rules (knowledge/post-compile-rules.ts) remove from a slug, measured on its files.
 * slug:inspect's findings and slug:diet's post_compile plan both come from here, so a rule that saves bytes
 * on a slug is a finding with the same saving.
 */

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

const CODE_FILE = /\.(?:py|pyd|so)$|\.so\.[\d.]+$/

/** An installed file: its path's part below site-packages is read in place, by index, never split. */
interface SiteFile {
  row: FileRow
  /** where the path below site-packages starts */
  below: number
  /** how many segments that part has */
  depth: number
}

/** Each rule's matches: the files it removes, by the folder or file that goes (find's -prune target). */
export interface RuleMatches {
  rule: PostCompileRule
  byTarget: Map<string, FileRow[]>
}

/** The end of the segment that starts at `start` (exclusive). */
function segmentEnd(path: string, start: number): number {
  const slash = path.indexOf('/', start)
  return slash === -1 ? path.length : slash
}

/**
 * The folder or file a rule removes for this file (find's -mindepth and -prune semantics), if any: a prefix
 * of the file's path, so only a match allocates a string.
 */
function targetOf(rule: PostCompileRule, file: SiteFile, matches: (name: string) => boolean): string | undefined {
  const {below, depth, row: {path}} = file
  if (rule.keepPackages?.includes(path.slice(below, segmentEnd(path, below)))) return undefined
  if (rule.type === 'f') {
    return depth >= rule.minDepth && matches(path.slice(path.lastIndexOf('/') + 1)) ? path : undefined
  }

  let start = below
  for (let i = 0; i < depth - 1; i++) {
    const end = segmentEnd(path, start)
    if (i >= rule.minDepth - 1 && matches(path.slice(start, end))) return path.slice(0, end)
    start = end + 1
  }

  return undefined
}

/** `find -name` for a rule's globs: one segment, `*` `?` `[...]`, a leading dot like any character. */
function nameMatcher(names: string[]): (name: string) => boolean {
  // Compiled once to regular expressions: picomatch's own matcher builds a result object per call.
  const res = names.map(name => picomatch.makeRe(name, {dot: true, nobrace: true, noextglob: true, noglobstar: true}))
  return name => {
    for (const re of res) if (re.test(name)) return true
    return false
  }
}

/**
 * Which installed files each rule removes. Rules apply in order and a file counts once, as in the generated
 * script. The `no-code` guard is evaluated here from the slug's file list; the `not-imported` guard needs file
 * contents and is applied by the script at build time. `-name` globs match one path segment, dotfiles too (find).
 */
export function matchPostCompileRules(files: FileRow[], rules: PostCompileRule[] = POST_COMPILE_RULES): {site: number; matches: RuleMatches[]} {
  const site: SiteFile[] = []
  const codeDirs = new Set<string>()
  for (const row of files) {
    const below = buildpackSitePackagesEnd(row.path)
    if (below === -1) continue
    let depth = 1
    for (let p = row.path.indexOf('/', below); p !== -1; p = row.path.indexOf('/', p + 1)) depth++
    site.push({below, depth, row})
    if (CODE_FILE.test(row.path)) {
      // A folder already known has its ancestors known too: stop there (most files share their folders).
      for (let p = row.path.lastIndexOf('/'); p > 0; p = row.path.lastIndexOf('/', p - 1)) {
        const dir = row.path.slice(0, p)
        if (codeDirs.has(dir)) break
        codeDirs.add(dir)
      }
    }
  }

  let remaining = site
  const matches: RuleMatches[] = []
  for (const rule of rules) {
    const matcher = nameMatcher(rule.names)
    const byTarget = new Map<string, FileRow[]>()
    const rest: SiteFile[] = []
    for (const file of remaining) {
      const target = targetOf(rule, file, matcher)
      if (target === undefined || (rule.guard === 'no-code' && codeDirs.has(target))) {
        rest.push(file)
        continue
      }

      const list = byTarget.get(target)
      if (list) list.push(file.row)
      else byTarget.set(target, [file.row])
    }

    remaining = rest
    matches.push({byTarget, rule})
  }

  return {matches, site: site.length}
}

/** The post_compile plan: each rule's targets with the compressed share of the files it removes. */
export function planPostCompile(files: FileRow[], rules: PostCompileRule[] = POST_COMPILE_RULES): PostCompilePlan {
  const {matches, site} = matchPostCompileRules(files, rules)
  const notes: string[] = []
  if (site === 0) {
    notes.push('The evidence has no installed packages (no slug), so the savings of bin/post_compile cannot be measured; the build log will show them.')
  }

  const items = matches.map(({byTarget, rule}) => {
    const matched = [...byTarget.values()].flat()
    return {
      compressed: matched.reduce((n, f) => n + f.compressed, 0),
      files: matched.length,
      rule,
      size: matched.reduce((n, f) => n + f.size, 0),
      targets: [...byTarget.keys()].sort(),
    }
  })

  if (items.some(i => i.rule.guard === 'not-imported' && i.files > 0)) {
    notes.push('Test folders are kept at build time for any package whose own code imports a module named test/tests, so their savings are an upper bound.')
  }

  return {items, measured: site > 0, notes, savings: items.reduce((n, i) => n + i.compressed, 0)}
}
