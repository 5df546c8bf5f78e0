import type {FileRow, Finding, PackageRow} from '../../analyze/rows.js'
import {normalizePythonName} from '../../analyze/python/dist-info.js'
import type {ReportKind, ReportSource, SlugReport} from '../../analyze/report.js'
import {formatBytes} from '../../shared/bytes.js'
import {keepLineEndings} from '../../shared/line-endings.js'
import {unifiedDiff} from '../unified-diff.js'
import {editPackageJson, type HerokuCleanupPlan, PACKAGE_JSON_PATH, planHerokuCleanup} from './heroku-cleanup.js'
import {HOOK_PATH, mergePostCompileHook, planPostCompile, type PostCompilePlan} from './post-compile.js'
import {quantizableModels, type QuantizeModel, quantizeFinding, renderQuantizeScript} from './quantize.js'
import {adviseDeclared, planRequirements, type RequirementsPlan} from './requirements.js'
import {type PlanRepoFile, planSlugignore, type SlugignorePlan, usesHerokuCi} from './slugignore-plan.js'
import {predictAfter, type WhatIf, type WhatIfLine} from './what-if.js'

export const SLUGIGNORE_PATH = '.slugignore'
export const REQUIREMENTS_PATH = 'requirements.txt'
export const REQUIREMENTS_DEV_PATH = 'requirements-dev.txt'
export const APP_JSON_PATH = 'app.json'
/** The repo files slug:diet reads before it plans (and may write). */
export const PLAN_FILES = [SLUGIGNORE_PATH, HOOK_PATH, REQUIREMENTS_PATH, REQUIREMENTS_DEV_PATH, APP_JSON_PATH, PACKAGE_JSON_PATH]

export interface DietOptions {
  postCompile: boolean
  fixRequirements: boolean
  /** move dependencies only the build or tests use to devDependencies (advice otherwise) */
  fixPackageJson?: boolean
  keepTests: boolean
  /** where to write the quantize script, relative to the repo root or absolute */
  quantizeScript?: string
  gpu?: boolean
}

export interface DietInput {
  /** what slug:inspect knows: a slug (measured), a build log or a repo (predicted) */
  report: SlugReport
  /** every file of the evidence with its compressed share (classifyFiles for a slug; none for a build log) */
  files: FileRow[]
  /** what a push sends */
  repoFiles: PlanRepoFile[]
  /** the repo's code, templates, Procfile and config (readReferenceTexts) */
  texts: Record<string, string>
  /** the current text of PLAN_FILES, undefined when absent */
  existing: Partial<Record<string, string>>
  /** repo files recognised as models, with their format (analysis detectModelFormat) */
  models: {path: string; format: string}[]
  /** repo paths of models.manifest.json */
  offloaded: string[]
  /** models slug:convert-models replaced with ONNX ones */
  converted?: string[]
  /** pyproject.toml, Pipfile.lock, uv.lock declarations (advice only) */
  declared: {file: string; manager: string; packages: PackageRow[]}[]
  /** the slug's captured texts (installed packages' package.json), for what a Node.js app loads */
  captured?: Record<string, string>
  /** compressed shares of repo files the evidence has no share for (estimated by compressing them) */
  estimate?: (paths: string[]) => Promise<Map<string, number>>
}

export interface FileChange {
  path: string
  /** undefined when the file is new */
  before?: string
  /** undefined when the file is removed (a .slugignore left with no rule) */
  after?: string
  /** mode of a new file; an existing executable hook keeps its mode, one that is not gets 0755 */
  mode?: number
  executable?: boolean
  diff: string
  why: string
}

export interface DietPlan {
  evidence: {kind: ReportKind; prediction: boolean; source: ReportSource; compressed: number; notes: string[]}
  slugignore: SlugignorePlan
  /** true when the savings of .slugignore rules were estimated by compressing repo files */
  slugignoreEstimated: boolean
  postCompile?: PostCompilePlan
  /** Node.js: the heroku-cleanup script and the package.json moves */
  herokuCleanup?: HerokuCleanupPlan
  requirements?: RequirementsPlan
  declaredAdvice: string[]
  quantize: {models: QuantizeModel[]; finding?: Finding; script?: string}
  whatIf: WhatIf
  /** the files this run writes (none changed: empty) */
  changes: FileChange[]
  notes: string[]
}

/** A file to write, or undefined when its text would not change. */
function change(c: Omit<FileChange, 'diff'>): FileChange | undefined {
  const after = c.after === undefined ? undefined : keepLineEndings(c.before, c.after)
  if (c.before === after) return undefined
  return {...c, after, diff: unifiedDiff(c.path, c.before, after)}
}

/**
 * Without a slug, the repo's model files stand in for the slug's rows: weights hardly compress, so their
 * size is their compressed share (an estimate, as every figure of a prediction).
 */
function modelRows(input: DietInput): FileRow[] {
  const sizes = new Map(input.repoFiles.map(f => [f.path, f.size]))
  return input.models.map(m => {
    const size = sizes.get(m.path) ?? 0
    return {category: 'model', compressed: size, files: 1, modelFormat: m.format, origin: 'repo', path: m.path, size}
  })
}

/** Packages whose installed files leave with a requirements change: their pruning is not counted twice. */
function packagesLeaving(plan: RequirementsPlan | undefined): Set<string> {
  return new Set((plan?.changes ?? []).filter(c => c.kind !== 'pin' && c.kind !== 'cpu-index').map(c => `python:${normalizePythonName(c.package)}`))
}

/**
 * Everything slug:diet would change, with the bytes each change saves and the slug size after it. Nothing
 * here writes: the command shows the plan and its diffs, then writes `changes` after confirmation.
 */
export async function planDiet(input: DietInput, options: DietOptions): Promise<DietPlan> {
  const {existing, report} = input
  const notes: string[] = []
  const {slugignore, slugignoreEstimated} = await planRepoFiles(input, options, notes)
  const requirementsText = existing[REQUIREMENTS_PATH]
  const requirements = requirementsText === undefined
    ? undefined
    : planRequirements({
      devPath: REQUIREMENTS_DEV_PATH, devText: existing[REQUIREMENTS_DEV_PATH], findings: report.findings, gpu: options.gpu, packages: report.packages, path: REQUIREMENTS_PATH, text: requirementsText,
    })

  const leaving = packagesLeaving(requirements)
  const installed = input.files.filter(f => !f.package || !leaving.has(f.package))
  const postCompile = options.postCompile || input.files.some(f => f.path.startsWith('.heroku/python/')) ? planPostCompile(installed) : undefined
  if (postCompile && leaving.size > 0) notes.push('Files of packages a requirements change removes are not counted again under bin/post_compile.')
  const quantize = await planQuantize(input, options, slugignore, notes)
  const herokuCleanup = planNode(input)
  const changes = fileChanges(existing, options, {herokuCleanup, quantize, requirements, slugignore}, notes)
  const lines = whatIfLines(input, options, {herokuCleanup, postCompile, quantize, requirements, slugignore, slugignoreEstimated}, notes)
  const whatIf = predictAfter({compressed: report.totals.compressed, estimated: report.prediction}, lines, report.totals)
  notes.push(...closingNotes(options, requirements, postCompile, herokuCleanup))
  return {
    changes,
    declaredAdvice: adviseDeclared(input.declared, options.gpu, report.findings),
    evidence: {compressed: report.totals.compressed, kind: report.kind, notes: report.notes, prediction: report.prediction, source: report.source},
    herokuCleanup,
    notes: [...slugignore.notes, ...(postCompile?.notes ?? []), ...(herokuCleanup?.notes ?? []), ...notes],
    postCompile,
    quantize,
    requirements,
    slugignore,
    slugignoreEstimated,
    whatIf,
  }
}

/** The parts of the plan the later steps read. */
interface PlanParts {
  slugignore: SlugignorePlan
  slugignoreEstimated: boolean
  requirements?: RequirementsPlan
  postCompile?: PostCompilePlan
  herokuCleanup?: HerokuCleanupPlan
  quantize: DietPlan['quantize']
}

/** Node.js: the heroku-cleanup script and the package.json moves, from the slug's captured package.json files. */
function planNode(input: DietInput): HerokuCleanupPlan | undefined {
  const {existing, report} = input
  const packageJson = existing[PACKAGE_JSON_PATH]
  if (packageJson === undefined || input.captured === undefined) return undefined
  return planHerokuCleanup({captured: input.captured, findings: report.findings, packageJson, packages: report.packages, procfile: input.texts.Procfile, texts: input.texts})
}

/**
 * The .slugignore plan, with the shares of files the evidence does not have (a build log has no files; a repo
 * file may be newer than the slug) estimated by compressing them.
 */
async function planRepoFiles(input: DietInput, options: DietOptions, notes: string[]): Promise<Pick<PlanParts, 'slugignore' | 'slugignoreEstimated'>> {
  const {existing, report} = input
  const slugignore = planSlugignore({
    files: input.files,
    keepTests: options.keepTests || usesHerokuCi(existing[APP_JSON_PATH]),
    models: input.models.map(m => m.path),
    converted: input.converted,
    offloaded: input.offloaded,
    repoFiles: input.repoFiles,
    slugignore: existing[SLUGIGNORE_PATH],
    texts: input.texts,
  })

  const known = new Set(input.files.map(f => f.path))
  const unknown = [...slugignore.items.flatMap(i => i.files), ...slugignore.modelsToOffload.paths].filter(p => !known.has(p))
  if (unknown.length === 0 || !input.estimate) return {slugignore, slugignoreEstimated: report.prediction}
  const shares = await input.estimate(unknown)
  for (const item of slugignore.items) item.compressed += item.files.reduce((n, p) => n + (known.has(p) ? 0 : shares.get(p) ?? 0), 0)
  slugignore.savings = slugignore.items.reduce((n, i) => n + i.compressed, 0)
  slugignore.modelsToOffload.compressed += slugignore.modelsToOffload.paths.reduce((n, p) => n + (known.has(p) ? 0 : shares.get(p) ?? 0), 0)
  notes.push(`${unknown.length} repo file(s) are not in the evidence: their compressed share was estimated by compressing them.`)
  return {slugignore, slugignoreEstimated: true}
}

/** The models to quantize (not those the plan already removes, offloaded ones), and the script when asked for. */
async function planQuantize(input: DietInput, options: DietOptions, slugignore: SlugignorePlan, notes: string[]): Promise<DietPlan['quantize']> {
  const leavingFiles = new Set(slugignore.items.flatMap(i => i.files))
  const models = quantizableModels(input.files.some(f => f.origin === 'repo') ? input.files : modelRows(input))
  .filter(m => !leavingFiles.has(m.path) && ![...leavingFiles].some(p => p.startsWith(`${m.path}/`)))
  const quantize: DietPlan['quantize'] = {finding: quantizeFinding(models), models}
  if (options.quantizeScript) {
    if (models.length === 0) notes.push('No Keras or SavedModel model was found: no quantize script is written.')
    else quantize.script = await renderQuantizeScript(models)
  }

  return quantize
}

/** The files the plan writes, in this order: .slugignore, bin/post_compile, package.json, the requirements, the quantize script. */
function fileChanges(existing: DietInput['existing'], options: DietOptions, parts: Pick<PlanParts, 'herokuCleanup' | 'quantize' | 'requirements' | 'slugignore'>, notes: string[]): FileChange[] {
  const {herokuCleanup, quantize, requirements, slugignore} = parts
  const changes: FileChange[] = []
  const push = (c: FileChange | undefined) => c && changes.push(c)
  push(change({after: slugignore.text, before: existing[SLUGIGNORE_PATH], path: SLUGIGNORE_PATH, why: 'rules for repo files the dyno does not need'}))
  if (options.postCompile) {
    const before = existing[HOOK_PATH]
    push(change({after: mergePostCompileHook(before), before, executable: true, mode: 0o755, path: HOOK_PATH, why: 'prunes what pip installed that the app cannot import'}))
  }

  const packageJson = existing[PACKAGE_JSON_PATH]
  if (herokuCleanup && packageJson !== undefined && (herokuCleanup.block !== undefined || (options.fixPackageJson && herokuCleanup.moves.length > 0))) {
    const edited = editPackageJson(packageJson, herokuCleanup.block, options.fixPackageJson ? herokuCleanup.moves : [])
    if (edited.reformatted && edited.text !== packageJson) notes.push('package.json is written back as npm writes it (JSON with its own indent): its other layout is not kept.')
    if (options.fixPackageJson && herokuCleanup.moves.length > 0) {
      // The lock file records which list a package is in: a frozen install (npm ci, pnpm --frozen-lockfile) refuses a mismatch.
      notes.push('package.json\'s dependencies move: run npm install (or yarn, or pnpm install) and commit the lock file with it, or the build\'s frozen install fails.')
    }

    const why = herokuCleanup.block === undefined ? 'build and test tools moved to devDependencies' : 'heroku-cleanup deletes build output the dyno does not need'
    push(change({after: edited.text, before: packageJson, path: PACKAGE_JSON_PATH, why}))
  }

  if (options.fixRequirements && requirements?.text !== undefined) {
    push(change({after: requirements.text, before: existing[REQUIREMENTS_PATH], path: REQUIREMENTS_PATH, why: 'lighter builds of the same packages, pins, dev packages out'}))
    if (requirements.devText !== undefined) {
      push(change({after: requirements.devText, before: existing[REQUIREMENTS_DEV_PATH], path: REQUIREMENTS_DEV_PATH, why: 'the dev packages moved out of requirements.txt'}))
    }
  }

  if (quantize.script !== undefined && options.quantizeScript) {
    const path = options.quantizeScript
    push(change({after: quantize.script, before: existing[path], mode: 0o755, path, why: 'converts the models to TFLite dynamic-range int8'}))
  }

  return changes
}

/** The lines of the what-if: each change with its saving and where the figure comes from. */
function whatIfLines(input: DietInput, options: DietOptions, parts: PlanParts, notes: string[]): WhatIfLine[] {
  const {report} = input
  const {postCompile, quantize, slugignore, slugignoreEstimated} = parts
  const measured = report.kind === 'slug' ? 'the slug\'s measured shares' : 'wheel sizes in the build log'
  const repoBasis = slugignoreEstimated ? 'the files compressed locally (estimate)' : 'the slug\'s measured shares'
  const lines: WhatIfLine[] = slugignore.items.map(i => ({
    applied: true, basis: repoBasis, estimated: slugignoreEstimated, label: `.slugignore ${i.rule}`, savings: i.compressed, source: i.source,
  }))
  if (postCompile) {
    for (const item of postCompile.items) {
      lines.push({
        applied: options.postCompile, basis: measured, estimated: false, label: `bin/post_compile: ${item.rule.title}`, savings: item.compressed, source: item.rule.source,
      })
    }
  }

  lines.push(...herokuCleanupLines(report, options, parts.herokuCleanup, measured), ...requirementLines(report, options, {measured, requirements: parts.requirements}, notes))
  if (slugignore.modelsToOffload.compressed > 0) {
    lines.push({
      applied: false, basis: repoBasis, estimated: slugignoreEstimated, label: 'offload models (heroku slug:offload-models)', savings: slugignore.modelsToOffload.compressed,
    })
  } else if (quantize.finding) {
    lines.push({
      applied: false, basis: 'TFLite int8 is ~4x smaller (estimate)', estimated: true, label: 'quantize models to TFLite int8', savings: quantize.finding.savings, source: quantize.finding.source,
    })
  }

  return lines
}

/** Node.js: what heroku-cleanup deletes, the devDependencies a production install would prune, the package.json moves. */
function herokuCleanupLines(report: SlugReport, options: DietOptions, herokuCleanup: HerokuCleanupPlan | undefined, measured: string): WhatIfLine[] {
  if (!herokuCleanup) return []
  const lines: WhatIfLine[] = herokuCleanup.items.map(item => ({
    applied: true, basis: measured, estimated: false, label: `heroku-cleanup: ${item.label}`, savings: item.savings, source: item.source,
  }))
  const unpruned = report.findings.find(f => f.kind === 'dev-dependencies' && f.savings > 0)
  if (unpruned) {
    lines.push({applied: false, basis: measured, estimated: false, label: 'devDependencies pruned (unset NPM_CONFIG_PRODUCTION)', savings: unpruned.savings, source: unpruned.source})
  }

  // a package the unpruned devDependencies already count is not counted again
  for (const move of herokuCleanup.moves.filter(m => !unpruned?.paths?.includes(`node_modules/${m.name}/`))) {
    const label = `package.json: ${move.name} ${move.to === 'removed' ? 'only in devDependencies' : 'to devDependencies'}`
    lines.push({applied: Boolean(options.fixPackageJson), basis: measured, estimated: false, label, savings: move.savings})
  }

  return lines
}

/** The requirements changes' lines; a package the size above does not include (declared, not installed) cannot make it smaller. */
function requirementLines(report: SlugReport, options: DietOptions, of: {requirements?: RequirementsPlan; measured: string}, notes: string[]): WhatIfLine[] {
  const {measured, requirements} = of
  const inTotal = new Set(report.packages.filter(p => p.compressed > 0).map(p => normalizePythonName(p.name)))
  const lines: WhatIfLine[] = []
  let outside = 0
  for (const c of requirements?.changes ?? []) {
    if (c.savings <= 0) continue
    if (!inTotal.has(normalizePythonName(c.package))) {
      outside += c.savings
      continue
    }

    const applied = options.fixRequirements && requirements?.text !== undefined
    const basis = c.estimated ? `knowledge table (estimate): ${c.source ?? 'no source'}` : measured
    lines.push({applied, basis, estimated: c.estimated, label: `requirements.txt: ${c.kind} ${c.package}`, savings: c.savings, source: c.source})
  }

  if (outside > 0) {
    notes.push(`The requirements changes save about ${formatBytes(outside)} more in packages the size above does not include (declared, not installed): inspect a slug or a build log to measure them.`)
  }

  return lines
}

/** What is advice only, and why the requirements are not rewritten. */
function closingNotes(options: DietOptions, requirements: RequirementsPlan | undefined, postCompile: PostCompilePlan | undefined, herokuCleanup: HerokuCleanupPlan | undefined): string[] {
  const notes: string[] = []
  if (requirements?.blocked) notes.push(requirements.blocked)
  for (const r of requirements?.refused ?? []) notes.push(r.why)
  if (requirements && !options.fixRequirements && requirements.changes.length > 0) {
    notes.push(`${requirements.changes.length} requirements change(s) are advice: run with --fix-requirements to write them.`)
  }

  for (const kept of herokuCleanup?.kept ?? []) notes.push(`heroku-cleanup keeps ${kept}.`)
  const moves = herokuCleanup?.moves ?? []
  if (!options.fixPackageJson && moves.length > 0) {
    const [is, it] = moves.length === 1 ? ['is', 'it'] : ['are', 'them']
    notes.push(`${moves.map(m => m.name).join(', ')} ${is} used only by the build or tests: run with --fix-package-json to move ${it} to devDependencies.`)
  }

  if (!options.postCompile && postCompile && postCompile.savings > 0) {
    notes.push(`bin/post_compile would prune ${formatBytes(postCompile.savings)} of installed files: run with --post-compile to write it.`)
  }

  return notes
}
