import {COMMANDS} from '../../analyze/findings.js'
import type {Finding, PackageRow} from '../../analyze/rows.js'
import {isCpuBuild, withoutLocal} from '../../analyze/versions.js'
import {normalizePythonName} from '../../analyze/python/dist-info.js'
import {parseRequirements, type RequirementLine} from '../../analyze/python/requirements.js'
import {DEV_PACKAGES} from '../../knowledge/dev-packages.js'
import {CUDA_PACKAGES, HEAVY_PACKAGES} from '../../knowledge/heavy-packages.js'
import {UserError} from '../../shared/errors.js'

export const TORCH_CPU_INDEX = 'https://download.pytorch.org/whl/cpu'
const TORCH_FAMILY = new Set(['torch', 'torchaudio', 'torchvision'])
/** Same API, no GPU or GUI libraries, another project name: the version numbers are the same for both projects. */
const SWAPS = new Map(HEAVY_PACKAGES.filter(h => h.swapTo).map(h => [h.name, {finding: `heavy-package:${h.name}`, heavy: h, to: h.swapTo!}]))

type Swap = NonNullable<ReturnType<typeof SWAPS.get>>

/** A swap that is not made: packages that stay installed require the package, so pip would install both. */
export interface RefusedSwap {
  /** 1-based line in the requirements file */
  line: number
  package: string
  to: string
  /** the packages that require it (normalized names) */
  requiredBy: string[]
  why: string
}

function listNames(list: string[]): string {
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`
}

/** Why a swap is refused, in one sentence (with `where` as its prefix). */
function refusal(where: string, name: string, to: string, requiredBy: string[]): string {
  const them = listNames(requiredBy)
  return `${where}: ${name} is not swapped for ${to}: ${them} require${requiredBy.length === 1 ? 's' : ''} ${name}, so pip would install both and the slug would grow. Replace or drop ${them} first`
}

/**
 * What keeps `name` installed after a swap: the evidence's finding names installed packages whose
 * Requires-Dist needs it; the knowledge table names projects known to, when the file lists them.
 */
function swapBlockers(name: string, finding: Finding | undefined, listed: ReadonlySet<string>): string[] {
  const known = SWAPS.get(name)?.heavy.knownDependents?.filter(d => listed.has(d)) ?? []
  return [...new Set([...(finding?.blockedBy ?? []), ...known])].sort()
}

export type RequirementChangeKind = 'cpu-index' | 'drop-cuda' | 'move-dev' | 'pin' | 'swap'

export interface RequirementChange {
  kind: RequirementChangeKind
  /** 1-based line in the requirements file (0 for a line added at the top) */
  line: number
  package: string
  before?: string
  /** the new line; undefined when the line leaves the file */
  after?: string
  why: string
  /** compressed bytes saved; 0 when another change of the same finding already counts them */
  savings: number
  estimated: boolean
  source?: string
}

export interface RequirementsPlanInput {
  /** repo-relative path of the requirements file */
  path: string
  text: string
  /** the dev requirements file, when it exists */
  devText?: string
  devPath?: string
  /** installed packages (the slug's dist-info): their versions pin unpinned requirements */
  packages: PackageRow[]
  /** the evidence's package findings: the savings of each change */
  findings: Finding[]
  /** the app runs on GPUs: keep GPU builds */
  gpu?: boolean
}

export interface RequirementsPlan {
  path: string
  devPath: string
  changes: RequirementChange[]
  /** the rewritten file; undefined when nothing changes or the file must not be rewritten */
  text?: string
  /** the dev file after dev packages moved in (created with `-r` to the main file when new) */
  devText?: string
  /** why the file is not rewritten although changes are advised */
  blocked?: string
  /** swaps not made because other packages require the package (absent when none) */
  refused?: RefusedSwap[]
  savings: number
}

function installedVersions(packages: PackageRow[]): Map<string, string> {
  const versions = new Map<string, string>()
  for (const p of packages) {
    if (p.ecosystem === 'python' && p.evidence === 'installed' && p.version) versions.set(normalizePythonName(p.name), p.version)
  }

  return versions
}

/** Extras that only pull GPU libraries (`tensorflow[and-cuda]`): the CPU build has none. */
const GPU_EXTRA = /cuda|gpu/i

/** `name[extras]==version ; marker  # comment`, the way pip reads it. */
function renderRequirement(line: RequirementLine, name: string, specifier: string | undefined, dropGpuExtras = false): string {
  const indent = /^\s*/.exec(line.text)![0]
  const kept = (line.extras ?? []).filter(e => !(dropGpuExtras && GPU_EXTRA.test(e)))
  const extras = kept.length > 0 ? `[${kept.join(',')}]` : ''
  const marker = line.marker ? `; ${line.marker}` : ''
  const comment = line.comment ? `  # ${line.comment}` : ''
  return `${indent}${name}${extras}${specifier ?? ''}${marker}${comment}`
}

function findingFor(findings: Finding[], id: string): Finding | undefined {
  return findings.find(f => f.id === id)
}

/** A line pip reads as more than one physical line, or with per-requirement options: left as written. */
function rewritable(line: RequirementLine): boolean {
  return !line.text.includes('\n') && !/\s--?[A-Za-z]/.test(` ${line.text.replace(/#.*$/, '')}`)
}

/**
 * Changes to a pip requirements file that keep the app working and make the slug smaller: heavy packages
 * swapped for their CPU or headless builds at the same version, the CPU wheel index for PyTorch with
 * `+cpu` versions (and CUDA wheels dropped), dev-only packages moved to the dev file, and unpinned
 * requirements pinned to the version the slug runs today. Comments, markers and option lines stay as
 * they are. A file with `--hash` lines is never rewritten: the hashes would no longer match.
 */
export function planRequirements(input: RequirementsPlanInput): RequirementsPlan {
  const devPath = input.devPath ?? input.path.replace(/requirements(\.txt)$/, 'requirements-dev$1')
  const lines = parseRequirements(input.text)
  const invalid = lines.find(l => l.kind === 'invalid')
  if (invalid) throw new UserError(`${input.path} line ${invalid.line}: pip cannot read "${invalid.text.trim()}" as a requirement.`)

  const context = planContext(input, lines, devPath)
  for (const line of context.requirements) planLine(context, line)
  const {changes, refused} = context
  const hasIndex = lines.some(l => (l.option === '--extra-index-url' || l.option === '--index-url' || l.option === '-i') && l.value?.replace(/\/$/, '') === TORCH_CPU_INDEX)
  if (changes.some(c => c.kind === 'swap' && TORCH_FAMILY.has(normalizePythonName(c.package))) && !hasIndex) {
    changes.unshift({
      after: `--extra-index-url ${TORCH_CPU_INDEX}`,
      estimated: false,
      kind: 'cpu-index',
      line: 0,
      package: 'torch',
      savings: 0,
      source: 'https://pytorch.org/get-started/locally/',
      why: 'where pip finds the +cpu builds of torch, torchvision and torchaudio',
    })
  }

  const plan: RequirementsPlan = {changes, devPath, path: input.path, savings: changes.reduce((n, c) => n + c.savings, 0)}
  if (refused.length > 0) plan.refused = refused
  if (changes.length === 0) return plan
  const blocked = blockedRewrite(input.path, lines, changes)
  if (blocked) {
    plan.blocked = blocked
    return plan
  }

  plan.text = rewrite(input.text, changes)
  const moved = changes.filter(c => c.kind === 'move-dev')
  if (moved.length > 0) plan.devText = withDevRequirements(input.devText, moved.map(c => c.before!), input.path)
  return plan
}

/** What planning each line needs: the input, the installed versions, the names listed, the changes so far. */
interface PlanContext {
  input: RequirementsPlanInput
  devPath: string
  requirements: RequirementLine[]
  names: Set<string>
  versions: Map<string, string>
  /** torch is to move to its CPU build (no GPU, not a CPU build today) */
  torchOnCpu: boolean
  changes: RequirementChange[]
  refused: RefusedSwap[]
  /** the savings of a finding, counted by its first change only */
  savingsOf(id: string): Pick<RequirementChange, 'estimated' | 'savings' | 'source'>
}

function planContext(input: RequirementsPlanInput, lines: RequirementLine[], devPath: string): PlanContext {
  const versions = installedVersions(input.packages)
  const requirements = lines.filter(l => l.kind === 'requirement' && l.normalizedName)
  const names = new Set(requirements.map(l => l.normalizedName!))
  const counted = new Set<string>()
  const savingsOf = (id: string): Pick<RequirementChange, 'estimated' | 'savings' | 'source'> => {
    const finding = findingFor(input.findings, id)
    if (!finding || counted.has(id)) return {estimated: finding?.estimated ?? false, savings: 0, source: finding?.source}
    counted.add(id)
    return {estimated: finding.estimated, savings: finding.savings, source: finding.source}
  }

  const cpuTorch = isCpuBuild(versions.get('torch')) || requirements.some(l => l.normalizedName === 'torch' && isCpuBuild(l.pinned))
  const torchOnCpu = !input.gpu && names.has('torch') && !cpuTorch
  return {changes: [], devPath, input, names, refused: [], requirements, savingsOf, torchOnCpu, versions}
}

/** The swap a line gets, if any: none for a GPU app's GPU package, none (refused, with why) while others require it. */
function swapFor(context: PlanContext, line: RequirementLine): Swap | undefined {
  const {input, names} = context
  const name = line.normalizedName!
  const swap = SWAPS.get(name)
  if (!swap || (swap.heavy.gpuOnly && input.gpu)) return undefined
  const blockers = swapBlockers(name, findingFor(input.findings, swap.finding), names)
  if (blockers.length === 0) return swap
  context.refused.push({
    line: line.line, package: line.name!, requiredBy: blockers, to: swap.to, why: `${refusal(`${input.path} line ${line.line}`, line.name!, swap.to, blockers)}, then run slug:diet again.`,
  })
  return undefined
}

/** The change one requirement line gets: a swap, the CPU build of torch, a CUDA line dropped, a dev package moved, a pin. */
function planLine(context: PlanContext, line: RequirementLine): void {
  const {changes, savingsOf, torchOnCpu, versions} = context
  const name = line.normalizedName!
  const exact = versions.get(name)
  const installed = exact === undefined ? undefined : withoutLocal(exact)
  const pin = line.pinned === undefined && line.url === undefined && exact ? `==${exact}` : undefined
  const swap = swapFor(context, line)
  if (swap) {
    const specifier = line.pinned === undefined && line.url === undefined && installed ? `==${installed}` : line.specifier
    changes.push({
      ...savingsOf(swap.finding),
      after: renderRequirement(line, swap.to, specifier, swap.heavy.gpuOnly),
      before: line.text,
      kind: 'swap',
      line: line.line,
      package: line.name!,
      why: `${swap.to} is the same package without GPU/GUI libraries, at the same version${pin ? ` (pinned to ${installed}, installed today)` : ''}`,
    })
  } else if (torchOnCpu && TORCH_FAMILY.has(name)) {
    const version = (line.pinned === undefined ? undefined : withoutLocal(line.pinned)) ?? installed
    changes.push({
      ...savingsOf('heavy-package:torch'),
      after: version ? renderRequirement(line, line.name!, `==${version}+cpu`, true) : line.text,
      before: line.text,
      kind: 'swap',
      line: line.line,
      package: line.name!,
      why: version
        ? `the CPU build ${version}+cpu from the PyTorch CPU index: no CUDA libraries`
        : 'no version to pin: pip takes the newest CPU build from the PyTorch CPU index',
    })
  } else if (torchOnCpu && CUDA_PACKAGES.some(c => c.pattern.test(name))) {
    changes.push({
      ...savingsOf('heavy-package:torch'),
      before: line.text,
      kind: 'drop-cuda',
      line: line.line,
      package: line.name!,
      why: 'a CUDA library only the GPU build of PyTorch loads (counted with the torch swap)',
    })
  } else if (!planDevLine(context, line) && pin) {
    changes.push({
      after: renderRequirement(line, line.name!, pin),
      before: line.text,
      estimated: false,
      kind: 'pin',
      line: line.line,
      package: line.name!,
      savings: 0,
      why: `pinned to ${exact}, the version the slug runs: the next build installs the same`,
    })
  }
}

/**
 * A dev-only package moves to the dev file, unless a production package depends on it (pip installs it
 * anyway). True when the line is a dev package's, moved or not: it is then never pinned.
 */
function planDevLine(context: PlanContext, line: RequirementLine): boolean {
  const {devPath, input, names} = context
  const name = line.normalizedName!
  const dev = DEV_PACKAGES.find(d => d.name === name)
  if (!dev) return false
  const finding = findingFor(input.findings, `dev-package:${name}`)
  const requiredBy = dev.requiredBy?.filter(n => names.has(n)) ?? []
  if (requiredBy.length > 0 || finding?.command === COMMANDS.postCompile) return true
  const row = input.packages.find(p => p.ecosystem === 'python' && normalizePythonName(p.name) === name && p.evidence === 'installed')
  // The finding counts the packages only this one pulls in; without it, the package itself.
  const measured = finding ?? (row ? {estimated: false, savings: row.compressed} : {estimated: true, savings: dev.typicalBytes})
  context.changes.push({
    after: undefined,
    before: line.text,
    estimated: measured.estimated,
    kind: 'move-dev',
    line: line.line,
    package: line.name!,
    savings: measured.savings,
    source: dev.source,
    why: `${dev.purpose}: moved to ${devPath}`,
  })
  return true
}

/** Why the file must not be rewritten (hash-checking mode, a line pip reads as several): undefined when it may. */
function blockedRewrite(path: string, lines: RequirementLine[], changes: RequirementChange[]): string | undefined {
  if (lines.some(l => (l.hashes?.length ?? 0) > 0)) {
    const why = 'a changed requirement needs new hashes, so it is not rewritten. Make the changes listed, then regenerate the hashes (e.g. pip-compile --generate-hashes).'
    return `${path} uses --hash (pip's hash-checking mode): ${why}`
  }

  const stuck = changes.filter(c => c.line > 0 && !rewritable(lines.find(l => l.line === c.line)!))
  if (stuck.length > 0) {
    return `${path} line ${stuck[0].line} spans several lines or carries per-requirement options: it is not rewritten. Make the changes listed by hand.`
  }

  return undefined
}

function rewrite(text: string, changes: RequirementChange[]): string {
  const physical = text.split('\n')
  const trailing = physical.at(-1) === ''
  if (trailing) physical.pop()
  const byLine = new Map(changes.filter(c => c.line > 0).map(c => [c.line, c]))
  const out: string[] = []
  for (const [i, line] of physical.entries()) {
    const change = byLine.get(i + 1)
    if (!change) out.push(line)
    else if (change.after !== undefined) out.push(change.after)
  }

  const added = changes.filter(c => c.line === 0).map(c => c.after!)
  if (added.length > 0) {
    // after the leading comment block, before the first requirement or option
    let at = 0
    while (at < out.length && (out[at].trim() === '' || out[at].trimStart().startsWith('#'))) at++
    out.splice(at, 0, ...added)
  }

  return `${out.join('\n')}${trailing || out.length > 0 ? '\n' : ''}`
}

/** The dev file with the moved lines appended (skipping packages it already lists). */
function withDevRequirements(existing: string | undefined, moved: string[], mainPath: string): string {
  if (existing === undefined) return `-r ${mainPath.slice(mainPath.lastIndexOf('/') + 1)}\n${moved.join('\n')}\n`
  const listed = new Set(parseRequirements(existing).filter(l => l.normalizedName).map(l => l.normalizedName))
  const fresh = moved.filter(m => !listed.has(parseRequirements(m)[0]?.normalizedName))
  if (fresh.length === 0) return existing
  const base = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`
  return `${base}${fresh.join('\n')}\n`
}

/**
 * Advice (never a rewrite) for pyproject.toml, Pipfile.lock and uv.lock: their formats carry groups,
 * sources and lock hashes that only their own tools should change.
 */
export function adviseDeclared(declared: {file: string; manager: string; packages: PackageRow[]}[], gpu = false, findings: Finding[] = []): string[] {
  const advice: string[] = []
  for (const {file, manager, packages} of declared) {
    if (manager === 'pip' || manager === 'npm') continue
    const relock = manager === 'pep621' ? '' : `, then relock with ${manager}`
    const listed = new Set(packages.map(p => normalizePythonName(p.name)))
    for (const p of packages) {
      const name = normalizePythonName(p.name)
      const swap = SWAPS.get(name)
      const blockers = swap ? swapBlockers(name, findingFor(findings, swap.finding), listed) : []
      if (swap && !(swap.heavy.gpuOnly && gpu) && blockers.length > 0) {
        advice.push(`${refusal(file, p.name, swap.to, blockers)}.`)
      } else if (swap && !(swap.heavy.gpuOnly && gpu)) {
        advice.push(`${file}: replace ${p.name} with ${swap.to} (same version)${relock}.`)
      } else if (name === 'torch' && !gpu && !isCpuBuild(p.version)) {
        advice.push(`${file}: take torch from the CPU index ${TORCH_CPU_INDEX} (a package source for torch)${relock}.`)
      } else if (DEV_PACKAGES.some(d => d.name === name && !d.requiredBy)) {
        advice.push(`${file}: move ${p.name} to a development group or optional extra, which a Heroku build does not install${relock}.`)
      }
    }
  }

  return advice
}
