import {parseRequirements, type RequirementLine} from '../../analyze/python/requirements.js'
import {COMPANIONS, FRAMEWORK_DEPENDENTS, FRAMEWORK_REQUIREMENTS, ONNX_RUNTIME} from '../../knowledge/inference-runtime.js'
import {HEAVY_PACKAGES} from '../../knowledge/heavy-packages.js'
import {UserError} from '../../shared/errors.js'

export interface RequirementEdit {
  /** 1-based line; 0 for a line added at the end */
  line: number
  package: string
  before?: string
  after?: string
  why: string
}

export interface KeptRequirement {
  package: string
  line: number
  why: string
}

export interface ConvertRequirementsPlan {
  edits: RequirementEdit[]
  /** framework lines (or companions) that stay, and why */
  kept: KeptRequirement[]
  /** the new file text; undefined when nothing changes */
  text?: string
}

export interface ConvertRequirementsInput {
  path: string
  text: string
  /** the onnxruntime version that verified the conversion */
  onnxruntime: string
  /** top-level modules the app imports, when known: a companion it imports stays */
  imports?: readonly string[]
  /** installed packages' dependents, when a resolution says (normalized names); else the knowledge tables */
  dependents?: ReadonlyMap<string, readonly string[]>
}

export const FRAMEWORK_NAMES = new Set(FRAMEWORK_REQUIREMENTS.map(f => f.name))

function knownDependents(name: string): string[] {
  return [...(FRAMEWORK_DEPENDENTS[name] ?? []), ...(HEAVY_PACKAGES.find(h => h.name === name)?.knownDependents ?? [])]
}

/** The lines the framework leaves by: its own, then the companions nothing else needs. */
function leaving(lines: RequirementLine[], input: ConvertRequirementsInput): {kept: KeptRequirement[]; leave: Set<string>} {
  const listed = new Map(lines.filter(l => l.kind === 'requirement' && l.normalizedName).map(l => [l.normalizedName!, l]))
  const imports = input.imports === undefined ? undefined : new Set(input.imports)
  const leave = new Set<string>()
  const kept: KeptRequirement[] = []
  for (const name of listed.keys()) {
    if (FRAMEWORK_NAMES.has(name)) {
      leave.add(name)
      continue
    }

    const companion = COMPANIONS.find(c => c.name === name)
    if (!companion) continue
    if (imports === undefined) kept.push({line: listed.get(name)!.line, package: name, why: 'it may be imported by the app (python/app_uses.py did not list the app\'s imports)'})
    else if (imports.has(companion.module)) kept.push({line: listed.get(name)!.line, package: name, why: `the app imports ${companion.module}`})
    else leave.add(name)
  }

  // What stays and requires a leaving package keeps it, and whatever it requires in turn: repeat until stable.
  for (let changed = true; changed;) {
    changed = false
    for (const name of leave) {
      const by = [...new Set([...(input.dependents?.get(name) ?? []), ...knownDependents(name)])].filter(d => listed.has(d) && !leave.has(d)).sort()
      if (by.length === 0) continue
      leave.delete(name)
      kept.push({line: listed.get(name)!.line, package: name, why: `${by.join(', ')} ${by.length === 1 ? 'requires' : 'require'} it and stay${by.length === 1 ? 's' : ''}`})
      changed = true
    }
  }

  return {kept: kept.sort((a, b) => a.line - b.line), leave}
}

/**
 * requirements.txt once the framework leaves: its lines (and the companions no one else needs) removed, and
 * `onnxruntime==<the version that verified the conversion>` and numpy added where missing. Comments, options
 * and the other requirements stay as written. A framework line that cannot leave (a package that stays
 * requires it) keeps every framework line: half a framework is no saving.
 */
export function planConvertRequirements(input: ConvertRequirementsInput): ConvertRequirementsPlan {
  const lines = parseRequirements(input.text)
  const invalid = lines.find(l => l.kind === 'invalid')
  if (invalid) throw new UserError(`${input.path} line ${invalid.line}: pip cannot read "${invalid.text.trim()}" as a requirement.`)
  if (lines.some(l => (l.hashes?.length ?? 0) > 0)) {
    return {edits: [], kept: [{line: 0, package: '*', why: `${input.path} has --hash lines: a new requirement needs its hashes, which slug:convert-models cannot compute; edit it by hand`}]}
  }

  const {kept, leave} = leaving(lines, input)
  if (kept.some(k => FRAMEWORK_NAMES.has(k.package))) return {edits: [], kept}
  const edits: RequirementEdit[] = []
  const out: string[] = []
  const physical = input.text.split('\n')
  let next = 0
  for (const l of lines) {
    out.push(...physical.slice(next, l.line - 1))
    next = l.endLine
    if (l.kind === 'requirement' && l.normalizedName && leave.has(l.normalizedName)) {
      const framework = FRAMEWORK_NAMES.has(l.normalizedName)
      const why = framework ? 'the app only runs inference: ONNX Runtime serves the converted models' : 'installed with the framework; the app does not import it'
      edits.push({before: l.text, line: l.line, package: l.normalizedName, why})
      continue
    }

    out.push(...physical.slice(l.line - 1, l.endLine))
  }

  out.push(...physical.slice(next))
  if (edits.length === 0) return {edits, kept}
  const names = new Set(lines.map(l => l.normalizedName))
  while (out.length > 0 && out.at(-1)!.trim() === '') out.pop()
  const add = (name: string, line: string, why: string) => {
    if (names.has(name)) return
    out.push(line)
    edits.push({after: line, line: 0, package: name, why})
  }

  add(ONNX_RUNTIME.name, `${ONNX_RUNTIME.name}==${input.onnxruntime}`, 'the version that verified the conversion')
  add('numpy', 'numpy', 'onnx_model.py passes numpy arrays (the framework brought it before)')
  return {edits, kept, text: `${out.join('\n')}\n`}
}
