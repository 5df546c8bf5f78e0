import type {FileRow} from '../../analyze/rows.js'
import {applySlugignore, createSlugignoreMatcher, parseSlugignore} from '../../analyze/slugignore/match.js'
import {anchoredRule, ruleProblem} from '../../analyze/slugignore/rule.js'
import {
  buildInputReason, CANDIDATE_KINDS, type CandidateKind, candidateKind,
} from './repo-candidates.js'
import {buildReferenceIndex, findReference} from './references.js'
import {managedRules, moveOutOfBlock, userLines, withManagedRules} from '../../analyze/slugignore/file.js'

export interface PlanRepoFile {
  path: string
  size: number
  type?: string
}

export interface SlugignorePlanInput {
  /** every file a push sends (git ls-files) */
  repoFiles: PlanRepoFile[]
  /** text of the repo's code, templates, Procfile and config, by path (see readReferenceTexts) */
  texts: Record<string, string>
  /** the current .slugignore, if any */
  slugignore?: string
  /** the evidence's files: their compressed shares are the savings (measured for a slug, estimated for a repo) */
  files: FileRow[]
  /** repo files recognised as models (every file of a SavedModel folder) */
  models: string[]
  /** repo paths listed in models.manifest.json: offloaded to S3, fetched back at dyno start */
  offloaded: string[]
  /** models slug:convert-models replaced with ONNX ones (convertedOriginals): its rules for them stay */
  converted?: string[]
  /** Heroku CI runs the tests (app.json environments.test) or --keep-tests */
  keepTests: boolean
}

export interface SlugignoreItem {
  rule: string
  kinds: CandidateKind[]
  /** repo files the rule removes that are not removed today */
  files: string[]
  size: number
  /** their compressed share of the slug (0 for files the evidence does not have) */
  compressed: number
  why: string
  source: string
}

export interface HeldBack {
  path: string
  kind: CandidateKind
  reason: string
}

export interface SlugignorePlan {
  items: SlugignoreItem[]
  /** the rules of the managed block after the plan, including offloaded-model rules already there */
  rules: string[]
  /** candidates that stay, and why (a mention in the code, a build input) */
  heldBack: HeldBack[]
  /** models in the repo that are not offloaded yet: slug:offload-models first */
  modelsToOffload: {paths: string[]; size: number; compressed: number}
  notes: string[]
  savings: number
  /** the .slugignore text after the plan; undefined when there is no rule to write and no file is kept */
  text?: string
}

/**
 * True when app.json declares a Heroku CI test environment: the tests must then stay in the slug. An
 * app.json that is not valid JSON keeps them too (the safe reading).
 */
export function usesHerokuCi(appJson?: string): boolean {
  if (appJson === undefined) return false
  try {
    const data = JSON.parse(appJson) as {environments?: {test?: unknown}}
    return data?.environments?.test !== undefined
  } catch {
    return true
  }
}

function ancestors(path: string): string[] {
  const out: string[] = []
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i))
  return out
}

/** Files a single rule removes, verified with the shared matcher against the whole repo. */
function matchedBy(rule: string, paths: string[]): string[] {
  const matches = createSlugignoreMatcher(rule)
  return paths.filter(p => matches(p))
}

/**
 * The user's lines outside the managed block, at their own line numbers (the block's lines left blank), so
 * that warnings name the line of the real file.
 */
function userText(slugignore: string | undefined): string {
  const lines = userLines(slugignore)
  const out = Array.from({length: lines.at(-1)?.line ?? 0}, () => '')
  for (const l of lines) out[l.line - 1] = l.text
  return out.join('\n')
}

/** The file after the plan; undefined rather than an empty file (Heroku needs none). */
function planText(existing: string | undefined, rules: string[]): string | undefined {
  const text = withManagedRules(existing, rules)
  if (text.trim() !== '') return text
  return existing !== undefined && existing.trim() === '' ? existing : undefined
}

/**
 * Rules in the plugin's block that the plugin never wrote: the user typed them there. The plugin writes only
 * rules for candidate files (anchored ones, or an earlier version's `tests/` and `*.ipynb`), so a rule that
 * removes any other file, or one that is not a literal path and removes nothing, is the user's. A literal
 * path that removes nothing is taken for the plugin's own, for a file deleted since.
 */
function userRulesInBlock(input: SlugignorePlanInput, paths: string[]): string[] {
  const sizeOf = new Map(input.repoFiles.map(f => [f.path, f.size]))
  const options = {keepTests: false, models: new Set<string>(), offloaded: new Set(input.offloaded)}
  // The originals of models slug:convert-models converted are the plugin's too.
  const converted = new Set(input.converted ?? [])
  const candidate = (p: string) => converted.has(p) || candidateKind(p, sizeOf.get(p) ?? 0, options) !== undefined
  return managedRules(input.slugignore).filter(rule => {
    const matched = matchedBy(rule, paths)
    if (matched.length === 0) return ruleProblem(anchoredRule(rule)) !== undefined
    return !matched.every(p => candidate(p))
  })
}

/**
 * The `.slugignore` rules for repo files the dyno does not need. A file is proposed only when it is a
 * candidate (notebook, docs media, data, large file, test folder, CI/editor file, offloaded model), is
 * not a build input, and nothing in the app's code, templates, Procfile or config mentions it or a folder
 * it is in (offloaded models are exempt: their loader fetches them back). Every rule is a literal path
 * anchored at the root (a whole folder when every file in it is safe to remove, else the file), so both of
 * Heroku's readings of .slugignore agree on it; each is checked with the shared matcher against the full
 * file list before it is proposed. The user's own rules count for what both readings remove.
 */
export function planSlugignore(given: SlugignorePlanInput): SlugignorePlan {
  const paths = given.repoFiles.map(f => f.path)
  // A rule the user typed inside the plugin's block is kept: moved out of it, and from then on theirs.
  const strays = userRulesInBlock(given, paths)
  const input = strays.length > 0 ? {...given, slugignore: moveOutOfBlock(given.slugignore!, strays)} : given
  const user = userSide(input, paths)
  const {notes, removedByUser} = user
  if (strays.length > 0) {
    const listed = strays.map(r => `"${r}"`).join(', ')
    notes.push(`.slugignore: ${listed} ${strays.length === 1 ? 'is a rule' : 'are rules'} you typed inside the plugin's block, which slug:diet rewrites: kept, moved above the block.`)
  }

  const {heldBack, kindOf} = candidatesOf(input, removedByUser)
  holdBackMentioned(input.texts, kindOf, removedByUser, heldBack)
  const rules = chooseRules(input, paths, kindOf, removedByUser)
  const items = itemsOf(input, rules, kindOf)
  const sizeOf = new Map(input.repoFiles.map(f => [f.path, f.size]))
  const shareOf = shareByPath(input)
  const done = new Set([...input.converted ?? [], ...input.offloaded])
  const pending = input.models.filter(p => !done.has(p) && !removedByUser.has(p))
  if (input.keepTests) notes.push('Test folders stay: the app uses Heroku CI (app.json environments.test) or --keep-tests was given.')
  if (pending.length > 0) {
    notes.push(`${pending.length} model file(s) stay until they are offloaded: run heroku slug:offload-models, then slug:diet again.`)
  }

  const managed = rules.map(r => r.rule)
  if (managed.length === 0 && userLines(input.slugignore).length === 0) {
    notes.push(input.slugignore?.trim() ? '.slugignore would hold nothing but an empty block: it is removed (Heroku needs no .slugignore).' : 'No .slugignore rule to write: no .slugignore file is created.')
  }

  return {
    heldBack: heldBack.sort((a, b) => a.path.localeCompare(b.path)),
    items,
    modelsToOffload: {
      compressed: pending.reduce((n, p) => n + (shareOf.get(p) ?? 0), 0),
      paths: pending,
      size: pending.reduce((n, p) => n + (sizeOf.get(p) ?? 0), 0),
    },
    notes,
    rules: managed,
    savings: items.reduce((n, i) => n + i.compressed, 0),
    text: planText(input.slugignore, managed),
  }
}

/** The repo files' compressed shares in the evidence, by path. */
const shareByPath = (input: SlugignorePlanInput) => new Map(input.files.filter(f => f.origin === 'repo').map(f => [f.path, f.compressed]))

/** What the user's own lines remove, and the warnings about them (a build input either reading removes). */
function userSide(input: SlugignorePlanInput, paths: string[]): {notes: string[]; removedByUser: Set<string>} {
  const own = userText(input.slugignore)
  const userOutcome = applySlugignore(paths, own)
  const notes: string[] = [...parseSlugignore(own).warnings, ...userOutcome.warnings]
  // The user's own lines are theirs to change, but a build input either reading removes is worth a warning.
  const removedByEither = createSlugignoreMatcher(own, 'either')
  for (const path of paths.filter(p => buildInputReason(p) && removedByEither(p)).sort()) {
    notes.push(`Your .slugignore removes ${path} (${buildInputReason(path)}): the build or the dyno may need it.`)
  }

  return {notes, removedByUser: new Set(userOutcome.removed)}
}

/** Candidates by kind, before the reference search; build inputs and names no rule can hold are held back. */
function candidatesOf(input: SlugignorePlanInput, removedByUser: ReadonlySet<string>): {heldBack: HeldBack[]; kindOf: Map<string, CandidateKind>} {
  const options = {keepTests: input.keepTests, models: new Set(input.models), offloaded: new Set(input.offloaded)}
  const heldBack: HeldBack[] = []
  const kindOf = new Map<string, CandidateKind>()
  for (const file of input.repoFiles) {
    if (removedByUser.has(file.path)) continue
    const kind = candidateKind(file.path, file.size, options)
    if (!kind) continue
    const reason = buildInputReason(file.path)
    if (reason) {
      heldBack.push({kind, path: file.path, reason})
      continue
    }

    const problem = ruleProblem(`/${file.path}`)
    if (problem) {
      heldBack.push({kind, path: file.path, reason: `.slugignore cannot name it in one rule both of Heroku's readings agree on: ${problem}`})
      continue
    }

    kindOf.set(file.path, kind)
  }

  return {heldBack, kindOf}
}

/**
 * Holds back the candidates the app's code, templates, Procfile or config mention. A removed file's mentions
 * do not count, but a file kept because it is mentioned counts again: repeat until nothing more is held back.
 */
function holdBackMentioned(texts: Record<string, string>, kindOf: Map<string, CandidateKind>, removedByUser: ReadonlySet<string>, heldBack: HeldBack[]): void {
  for (;;) {
    const index = buildReferenceIndex(texts, p => kindOf.has(p) || removedByUser.has(p))
    let changed = false
    for (const [path, kind] of kindOf) {
      if (kind === 'offloaded-model') continue
      const ref = findReference(index, path)
      if (ref) {
        heldBack.push({kind, path, reason: `${ref.by} mentions "${ref.mentioned}"`})
        kindOf.delete(path)
        changed = true
      }
    }

    if (!changed) break
  }
}

/**
 * The rules, each checked with the shared matcher against the whole repo: offloaded-model rules already in
 * the block, then whole folders (outermost first), then single files. A rule is taken only when every file
 * it removes is safe to remove and it removes a file no earlier rule does.
 */
function chooseRules(input: SlugignorePlanInput, paths: string[], kindOf: ReadonlyMap<string, CandidateKind>, removedByUser: ReadonlySet<string>): {rule: string; files: string[]}[] {
  const offloaded = new Set(input.offloaded)
  // The rules slug:convert-models wrote for the models it replaced with ONNX ones stay too (never proposed anew).
  const converted = new Set(input.converted ?? [])
  const safe = (p: string) => kindOf.has(p) || removedByUser.has(p) || converted.has(p)
  const covered = new Set<string>()
  const rules: {rule: string; files: string[]}[] = []
  const accept = (rule: string, minNew: number): boolean => {
    const matched = matchedBy(rule, paths)
    const fresh = matched.filter(p => kindOf.has(p) && !covered.has(p))
    if (rule.startsWith('!') || fresh.length < minNew || !matched.every(p => safe(p))) return false
    for (const p of fresh) covered.add(p)
    rules.push({files: fresh, rule})
    return true
  }

  // Offloaded-model rules slug:offload-models already wrote stay (anchored, if an earlier version did not).
  const keptModelRules = managedRules(input.slugignore).map(r => anchoredRule(r)).filter(rule => {
    if (ruleProblem(rule)) return false
    const matched = matchedBy(rule, paths)
    return matched.length > 0 && matched.every(p => offloaded.has(p) || converted.has(p))
  })
  for (const rule of keptModelRules) accept(rule, 0)

  // 1. Whole folders, outermost first.
  const dirs = new Set(paths.flatMap(p => ancestors(p)))
  const unsafeDirs = new Set(paths.filter(p => !safe(p)).flatMap(p => ancestors(p)))
  for (const dir of [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))) {
    // an inner folder of an accepted one adds no file, so accept() turns it down
    if (!unsafeDirs.has(dir) && !ruleProblem(`/${dir}/`)) accept(`/${dir}/`, 1)
  }

  // 2. Single files. (No `tests/` or `*.ipynb`: a name without a leading `/`, or a wildcard, means
  // something else to Heroku's slug compiler than to its docs.)
  for (const path of [...kindOf.keys()].filter(p => !covered.has(p)).sort()) accept(`/${path}`, 1)
  return rules
}

/** The plan's items: each rule with the files it removes, their sizes and shares, and why. */
function itemsOf(input: SlugignorePlanInput, rules: {rule: string; files: string[]}[], kindOf: ReadonlyMap<string, CandidateKind>): SlugignoreItem[] {
  const sizeOf = new Map(input.repoFiles.map(f => [f.path, f.size]))
  const shareOf = shareByPath(input)
  return rules.filter(r => r.files.length > 0).map(({files, rule}) => {
    const kinds = [...new Set(files.map(f => kindOf.get(f)!))].sort()
    const info = CANDIDATE_KINDS[kinds[0]]
    return {
      compressed: files.reduce((n, f) => n + (shareOf.get(f) ?? 0), 0),
      files: files.sort(),
      kinds,
      rule,
      size: files.reduce((n, f) => n + (sizeOf.get(f) ?? 0), 0),
      source: info.source,
      why: kinds.map(k => CANDIDATE_KINDS[k].why).join('; '),
    }
  })
}
