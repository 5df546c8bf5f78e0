import {addManagedRules} from '../../analyze/slugignore/file.js'
import type {AppUses, Conversion, ConvertedModel} from '../../predict/python/convert-output.js'
import {keepLineEndings} from '../../shared/line-endings.js'
import type {FileChange} from '../diet/diet.js'
import {REQUIREMENTS_PATH, SLUGIGNORE_PATH} from '../diet/diet.js'
import {isOwnUnedited, withChecksum} from '../diet/quantize.js'
import {unifiedDiff} from '../unified-diff.js'
import {planCodeEdits} from './code-edits.js'
import type {OutputNames} from './naming.js'
import {type ConvertRequirementsPlan, FRAMEWORK_NAMES, planConvertRequirements} from './requirements.js'

/** The runtime module's name in the app (templates/onnx_model.py). */
export const RUNTIME_MODULE = 'onnx_model.py'

export interface ConvertModelInput {
  /** repo-relative */
  path: string
  format: string
  size: number
  /** a SavedModel is a folder */
  kind?: 'file' | 'folder'
}

export interface ConvertInput {
  models: ConvertModelInput[]
  names: ReadonlyMap<string, OutputNames>
  /** what convert_models.py printed, its models in the order of `models` */
  conversion: Conversion
  /** what app_uses.py printed; undefined when the app's code was not read */
  uses?: AppUses
  /** the current text of the files the plan may change (requirements.txt, .slugignore, onnx_model.py, the app's code) */
  texts: Readonly<Record<string, string | undefined>>
  /** repo paths that exist on disk (an output may not replace one without --force) */
  existing: ReadonlySet<string>
  /** templates/onnx_model.py (its checksum line is added here) */
  template: string
  force: boolean
}

/** The predicted slug change: pip's resolution for the stack of requirements.txt before and after, and the models. */
export interface ConvertWhatIf {
  /** compressed bytes of what the build installs (packages and the Python runtime), before and after */
  packagesBefore?: number
  packagesAfter?: number
  /** compressed bytes of the models in the slug before (the originals) and after (the ONNX ones, or both) */
  modelsBefore: number
  modelsAfter: number
  /** why the packages could not be predicted (the resolver unreachable, no pip), in one line */
  unavailable?: string
}

export interface ConvertedRow {
  path: string
  format: string
  ok: boolean
  error?: string
  before: number
  /** the ONNX model written (repo path) and its bytes */
  onnx?: string
  after?: number
  precision?: 'fp32' | 'int8'
  maxAbsDiff?: number
  maxRelDiff?: number
  agreement?: number
  /** why int8 was not kept, when it was asked for */
  int8Note?: string
  seconds: number
}

export interface FrameworkRow {
  name: string
  inferenceOnly: boolean
  otherUses: {file: string; line: number; code: string}[]
}

/** A model file to put into the repo: the converter's output, copied atomically. */
export interface ModelWrite {
  path: string
  /** the converter's output file (absolute) */
  from: string
  bytes: number
}

export interface ConvertPlan {
  models: ConvertedRow[]
  frameworks: FrameworkRow[]
  /** the framework's requirement lines leave with this run */
  frameworkLeaves: boolean
  /** why the framework stays (empty when it leaves) */
  stays: string[]
  requirements?: ConvertRequirementsPlan & {path: string}
  /** text files written with the models */
  changes: FileChange[]
  modelWrites: ModelWrite[]
  /** diffs to apply by hand (edits not recognised with certainty, or requirements that wait for them) */
  advice: FileChange[]
  /** files the plan would replace that the plugin did not write: refused without --force */
  conflicts: string[]
  /** original model files that leave the slug through the .slugignore block */
  ignored: string[]
  notes: string[]
  onnxruntime?: string
}

function change(path: string, before: string | undefined, after: string, why: string): FileChange | undefined {
  const text = keepLineEndings(before, after)
  return text === before ? undefined : {after: text, before, diff: unifiedDiff(path, before, text), path, why}
}

function row(model: ConvertModelInput, out: ConvertedModel | undefined, names: OutputNames | undefined): ConvertedRow {
  if (!out || !out.ok || !out.onnx) {
    return {before: model.size, error: out?.error ?? 'the converter did not report this model', format: out?.format ?? model.format, ok: false, path: model.path, seconds: out?.seconds ?? 0}
  }

  const int8 = out.int8?.kept ? out.int8 : undefined
  const int8Note = out.int8 && !out.int8.kept ? out.int8.reason ?? 'int8 did not verify' : undefined
  return {
    after: int8?.bytes ?? out.onnx.bytes,
    agreement: int8?.top1Agreement ?? out.fp32?.top1Agreement,
    before: model.size,
    format: out.format,
    int8Note,
    maxAbsDiff: int8?.maxAbsDiff ?? out.fp32?.maxAbsDiff,
    maxRelDiff: int8 ? undefined : out.fp32?.maxRelDiff,
    ok: true,
    onnx: int8 ? names?.int8 : names?.onnx,
    path: model.path,
    precision: int8 ? 'int8' : 'fp32',
    seconds: out.seconds,
  }
}

/** The model files the converter wrote, to copy into the repo under their output names. */
function modelWrites(input: ConvertInput, rows: ConvertedRow[]): ModelWrite[] {
  return rows.flatMap((r, i) => {
    const out = input.conversion.models[i]
    if (!r.ok || !r.onnx || !out?.onnx) return []
    const from = r.precision === 'int8' ? out.int8!.path : out.onnx.path
    return [{bytes: r.after ?? 0, from, path: r.onnx}]
  })
}

/** Why the framework cannot leave with this run (empty: it can). */
function staysBecause(uses: AppUses | undefined, rows: ConvertedRow[]): string[] {
  if (!uses) return ['the app\'s code was not read']
  const imported = Object.entries(uses.frameworks).filter(([, f]) => f.imported)
  if (imported.length === 0) return ['the app\'s code imports none of tensorflow, keras or torch: something else may need the framework']
  const reasons: string[] = []
  for (const [name, f] of imported) {
    if (f.inferenceOnly) continue
    const where = f.otherUses.slice(0, 3).map(u => `${u.file}:${u.line} ${u.code}`).join('; ')
    reasons.push(`the app uses ${name} for more than running a model${where ? ` (${where})` : ''}`)
  }

  const failed = new Set(rows.filter(r => !r.ok).map(r => r.path))
  for (const [name, f] of imported) {
    for (const load of f.loads) {
      const model = load.model?.replace(/^\.\//, '')
      if (model && failed.has(model)) reasons.push(`${load.file}:${load.line} loads ${model} with ${name}, which did not convert`)
    }
  }

  return reasons
}

/** The runtime module: written when missing, replaced when the plugin wrote it and nobody edited it since. */
function runtimeModule(input: ConvertInput, path: string): {change?: FileChange; conflict?: string} {
  const existing = input.texts[path]
  if (existing !== undefined && !isOwnUnedited(existing) && !input.force) {
    const what = existing.includes('slug:convert-models') ? 'was written by slug:convert-models but edited since' : 'exists and was not written by slug:convert-models'
    return {conflict: `${path} ${what} (pass --force to replace it)`}
  }

  return {change: change(path, existing, withChecksum(input.template), 'loads the ONNX models with onnxruntime and numpy only')}
}

/** Where the runtime module goes: beside the code that imports it when that is one folder, else the repo root. */
function runtimePath(uses: AppUses | undefined): string {
  const dirs = new Set((uses?.addImport ?? []).map(a => (a.file.includes('/') ? a.file.slice(0, a.file.lastIndexOf('/') + 1) : '')))
  return dirs.size === 1 ? `${[...dirs][0]}${RUNTIME_MODULE}` : RUNTIME_MODULE
}

/**
 * What slug:convert-models writes: the verified ONNX models, and, when the app's code only runs inference and
 * every edit it needs is recognised with certainty, the framework out of requirements.txt (onnxruntime in), the
 * loads pointed at the runtime module, and the originals out of the slug (the .slugignore block slug:diet keeps).
 * Anything less certain is shown as a diff to apply by hand. Pure: the pipeline reads and runs, this decides.
 */
export function planConvert(input: ConvertInput): ConvertPlan {
  const rows = input.models.map((m, i) => row(m, input.conversion.models[i], input.names.get(m.path)))
  const onnxruntime = input.conversion.versions.onnxruntime ?? undefined
  const out: PlanOutput = {advice: [], changes: [], conflicts: [], notes: []}
  const writes = modelWrites(input, rows)
  for (const w of writes) {
    if (input.existing.has(w.path) && !input.force) out.conflicts.push(`${w.path} exists and would be replaced by the converted model (pass --force to replace it)`)
  }

  const frameworks = Object.entries(input.uses?.frameworks ?? {}).filter(([, f]) => f.imported).map(([name, f]) => ({inferenceOnly: f.inferenceOnly, name, otherUses: f.otherUses}))
  const stays = writes.length === 0 ? ['no model converted'] : staysBecause(input.uses, rows)
  const canLeave = stays.length === 0
  const edits = input.uses ? planCodeEdits(input.uses, input.texts, canLeave) : undefined
  const uncertain = (input.uses?.edits ?? []).some(e => !e.certain) || (edits?.stale.length ?? 0) > 0
  for (const s of edits?.stale ?? []) out.notes.push(`${s.file}:${s.line} no longer reads "${s.old.trim()}": that edit is not made.`)
  if (canLeave && uncertain) stays.push('some loads are not recognised with certainty: apply the diff below by hand, then run again')
  const requirements = canLeave ? requirementsFor(input, onnxruntime, out) : undefined
  const frameworkLeaves = canLeave && !uncertain && requirementsReady(requirements, onnxruntime, stays)

  codeChanges(input, edits, frameworkLeaves, out)
  const reqChange = requirements?.text ? change(REQUIREMENTS_PATH, input.texts[REQUIREMENTS_PATH], requirements.text, 'the framework leaves; ONNX Runtime serves the models') : undefined
  push(frameworkLeaves ? out.changes : out.advice, reqChange)
  const ignored = frameworkLeaves ? slugChanges(input, rows, out) : []
  if (!frameworkLeaves && writes.length > 0) out.notes.push('The original models stay in the slug (the framework stays): the ONNX ones are written beside them.')
  const {advice, changes, conflicts, notes} = out
  return {advice, changes, conflicts, frameworkLeaves, frameworks, ignored, modelWrites: writes, models: rows, notes, onnxruntime, requirements, stays}
}

/** What the plan writes (`changes`), shows to apply by hand (`advice`), refuses without --force, and says. */
interface PlanOutput {
  advice: FileChange[]
  changes: FileChange[]
  conflicts: string[]
  notes: string[]
}

function push(to: FileChange[], c: FileChange | undefined): void {
  if (c) to.push(c)
}

/** The code edits are written only with the framework leaving; otherwise they are advice, as are uncertain ones. */
function codeChanges(input: ConvertInput, edits: ReturnType<typeof planCodeEdits> | undefined, frameworkLeaves: boolean, out: PlanOutput): void {
  // With the framework leaving no edit is uncertain: `all` is `certain`.
  const byHand = new Map([...edits?.certain ?? [], ...edits?.all ?? []])
  for (const [file, text] of frameworkLeaves ? edits?.certain ?? [] : byHand) {
    push(frameworkLeaves ? out.changes : out.advice, change(file, input.texts[file], text, frameworkLeaves ? 'load the ONNX model through the runtime module' : 'check and apply by hand'))
  }
}

/**
 * Whether requirements.txt takes onnxruntime in place of the framework; when not, why goes into `stays`. Code pointed
 * at onnx_model without onnxruntime in requirements.txt would not start: the framework leaves with both or neither.
 */
function requirementsReady(requirements: ConvertPlan['requirements'], onnxruntime: string | undefined, stays: string[]): boolean {
  if (requirements?.text !== undefined) return true
  if (onnxruntime === undefined) stays.push('the converter did not say which onnxruntime verified the models, so requirements.txt cannot pin it')
  else if (requirements) {
    const why = requirements.kept.find(k => k.package === '*' || FRAMEWORK_NAMES.has(k.package))?.why ?? requirements.kept[0]?.why
    stays.push(`requirements.txt cannot be rewritten${why ? `: ${why}` : ''}`)
  } else stays.push('there is no requirements.txt to put onnxruntime in')
  return false
}

/** requirements.txt without the framework, with onnxruntime pinned to the version that verified the models. */
function requirementsFor(input: ConvertInput, onnxruntime: string | undefined, out: PlanOutput): ConvertPlan['requirements'] {
  const reqText = input.texts[REQUIREMENTS_PATH]
  if (reqText === undefined) {
    out.notes.push(`No requirements.txt: replace the framework with onnxruntime==${onnxruntime ?? '<version>'} in the app's dependency file by hand.`)
    return undefined
  }

  if (!onnxruntime) return undefined
  return {...planConvertRequirements({imports: input.uses?.imports, onnxruntime, path: REQUIREMENTS_PATH, text: reqText}), path: REQUIREMENTS_PATH}
}

/** The runtime module into the app, and the original models out of the slug (slug:diet's .slugignore block); the originals' paths. */
function slugChanges(input: ConvertInput, rows: ConvertedRow[], out: PlanOutput): string[] {
  const runtime = runtimeModule(input, runtimePath(input.uses))
  if (runtime.conflict) out.conflicts.push(runtime.conflict)
  push(out.changes, runtime.change)
  const ignored = rows.filter(r => r.ok).map(r => r.path)
  const rules = ignored.map(p => (input.models.find(m => m.path === p)?.kind === 'folder' ? `/${p}/` : `/${p}`))
  const slugignore = addManagedRules(input.texts[SLUGIGNORE_PATH], rules)
  push(out.changes, change(SLUGIGNORE_PATH, input.texts[SLUGIGNORE_PATH], slugignore, 'the original models leave the slug: the app loads the ONNX ones'))
  return ignored
}
