import {DEV_PACKAGES} from '../knowledge/dev-packages.js'
import {CUDA_PACKAGES, HEAVY_PACKAGES, type HeavyPackage} from '../knowledge/heavy-packages.js'
import {BOOT_FIGURES, FRAMEWORK_SLUG_PACKAGES, ONNX_RUNTIME} from '../knowledge/inference-runtime.js'
import type {FileRow, Finding, PackageRow} from './rows.js'
import {formatBytes} from '../shared/bytes.js'
import {exclusiveDependencies} from './python/dependencies.js'
import {COMMANDS, finalizeFindings, severityOf} from './findings.js'
import {matchPostCompileRules} from './prunable.js'
import {isCpuBuild} from './versions.js'

/*
 * Findings about installed packages: heavy packages with a lighter alternative, CUDA wheels, dev-only
 * packages (from the knowledge tables), and files inside packages that bin/post_compile can delete.
 * Repo files and models are in file-findings.ts; what all findings share is in findings.ts.
 */

function describe(p: PackageRow): string {
  const name = p.version ? `${p.name} ${p.version}` : p.name
  if (p.evidence === 'requirement' && p.compressed === 0) return `${name} is required (no size known)`
  if (p.evidence === 'build-log') return `${name}: ${formatBytes(p.compressed)} wheel in the build log`
  return `${name}: ${formatBytes(p.compressed)} compressed (${formatBytes(p.size)} unpacked, ${p.files} files)`
}

function isCuda(name: string) {
  return CUDA_PACKAGES.find(c => c.pattern.test(name))
}

export interface KnowledgeOptions {
  /** the app really runs on GPUs: do not suggest CPU-only builds */
  gpu?: boolean
  /** the slug's files, to measure GPU-only libraries inside a package */
  files?: FileRow[]
  /** Python dependencies from METADATA (normalized names), to find packages only dev packages need */
  requires?: ReadonlyMap<string, readonly string[]>
  /** names requirements.txt asks for: production roots, never dev-only */
  requested?: string[]
  /** for each package, the installed packages that require it on a dyno (dependentsOf, or a build log's edges) */
  dependents?: ReadonlyMap<string, readonly string[]>
}

interface PackageGroup {
  name: string
  rows: PackageRow[]
  compressed: number
}

/** Python packages by normalized name (a package installed in two places counts once, summed). */
function groupPython(packages: PackageRow[]): Map<string, PackageGroup> {
  const groups = new Map<string, PackageGroup>()
  for (const p of packages) {
    if (p.ecosystem !== 'python') continue
    const group = groups.get(p.name) ?? {compressed: 0, name: p.name, rows: []}
    group.rows.push(p)
    group.compressed += p.compressed
    groups.set(p.name, group)
  }

  return groups
}

function gpuFileBytes(heavy: HeavyPackage, files: FileRow[] | undefined): {bytes: number; paths: string[]} {
  const found = {bytes: 0, paths: [] as string[]}
  if (!heavy.gpuFiles || !files) return found
  const key = `python:${heavy.name}`
  for (const f of files) {
    if (f.package === key && heavy.gpuFiles.test(f.path)) {
      found.bytes += f.compressed
      found.paths.push(f.path)
    }
  }

  return found
}

interface Context {
  groups: Map<string, PackageGroup>
  claimed: Set<string>
  options: KnowledgeOptions
}

/**
 * The packages that keep `heavy.name` installed after it is swapped for another project: installed
 * distributions whose Requires-Dist names it (or, without METADATA, the ones the table knows do).
 */
function swapBlockers(heavy: HeavyPackage, {groups, options}: Context): string[] {
  if (!heavy.swapTo) return []
  const known = (heavy.knownDependents ?? []).filter(name => groups.has(name))
  const found = options.dependents?.get(heavy.name) ?? []
  return [...new Set([...found, ...known])].filter(name => name !== heavy.name && name !== heavy.swapTo).sort()
}

function names(list: string[]): string {
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`
}

/** A swap other packages block: listed with what it would save, but it saves nothing and has no command. */
function blockedFinding(heavy: HeavyPackage, finding: Finding, blockers: string[]): Finding {
  const them = names(blockers)
  const verb = blockers.length === 1 ? 'requires' : 'require'
  return {
    ...finding,
    blockedBy: blockers,
    command: undefined,
    evidence: [
      ...finding.evidence,
      `${them} ${verb} ${heavy.name}: with ${heavy.swapTo} in requirements.txt, pip would install ${heavy.name} as well as ${heavy.swapTo} and the slug would grow`,
      `once nothing requires ${heavy.name}, the swap saves about ${formatBytes(finding.savings)}`,
    ],
    packages: [heavy.name],
    remedy:
      `Do not swap ${heavy.name} for ${heavy.swapTo} yet: first replace ${them} with a build that does not require ${heavy.name}, `
      + `or drop ${blockers.length === 1 ? 'it' : 'them'} if the app does not import ${blockers.length === 1 ? 'it' : 'them'}; then the swap applies (heroku slug:diet --fix-requirements).`,
    savings: 0,
    severity: 'low',
    title: `${heavy.name} -> ${heavy.swapTo} is blocked: ${them} ${verb} ${heavy.name}`,
  }
}

/**
 * The CUDA packages installed only because of `heavy` (a GPU extra such as `tensorflow[and-cuda]`): every
 * package that requires them is `heavy` or another of them. They leave with the swap to the CPU build, so
 * they count in its saving. Needs the dependency edges (a slug's METADATA, a build log's "from" lines).
 */
function pulledCuda(heavy: HeavyPackage, {claimed, groups, options}: Context): PackageGroup[] {
  if (!heavy.gpuOnly || !heavy.swapTo || !options.dependents) return []
  const cuda = [...groups.values()].filter(g => isCuda(g.name) && !claimed.has(g.name))
  const pulled = new Set<string>()
  for (let changed = true; changed;) {
    changed = false
    for (const g of cuda) {
      const by = options.dependents.get(g.name) ?? []
      if (pulled.has(g.name) || by.length === 0 || !by.every(d => d === heavy.name || pulled.has(d))) continue
      pulled.add(g.name)
      changed = true
    }
  }

  return cuda.filter(g => pulled.has(g.name))
}

function heavyFinding(heavy: HeavyPackage, group: PackageGroup, context: Context): Finding | undefined {
  const {claimed, groups, options} = context
  const {rows} = group
  if (rows.some(r => isCpuBuild(r.version))) return undefined
  const installed = rows.some(r => r.evidence === 'installed')
  const gpu = gpuFileBytes(heavy, options.files)
  const cuda = heavy.gpuDependencyBytes ? [...groups.values()].filter(g => isCuda(g.name) && !claimed.has(g.name)) : pulledCuda(heavy, context)
  // An installed CPU build has neither CUDA libraries inside nor CUDA wheels beside it.
  if (heavy.gpuFiles && installed && gpu.bytes === 0 && cuda.length === 0) return undefined

  const ratio = 1 - (heavy.alternativeWheelBytes / heavy.wheelBytes)
  const evidence = rows.map(r => describe(r))
  let savings: number
  let estimated = true
  if (gpu.bytes > 0) {
    savings = gpu.bytes
    estimated = false
    evidence.push(`GPU-only libraries inside ${heavy.name}: ${formatBytes(gpu.bytes)} compressed (${gpu.paths.length} files)`)
  } else if (group.compressed > 0) {
    savings = group.compressed * ratio
    const wheels = `${heavy.alternative} ~${formatBytes(heavy.alternativeWheelBytes)} vs ${heavy.name} ~${formatBytes(heavy.wheelBytes)}`
    evidence.push(`${wheels} (${heavy.version} wheels): about ${Math.round(ratio * 100)}% smaller`)
  } else {
    savings = heavy.wheelBytes - heavy.alternativeWheelBytes
    evidence.push(`${heavy.name} ${heavy.version} wheel ~${formatBytes(heavy.wheelBytes)}, ${heavy.alternative} ~${formatBytes(heavy.alternativeWheelBytes)}`)
  }

  const cudaBytes = cuda.reduce((sum, g) => sum + g.compressed, 0)
  if (cuda.length > 0) {
    savings += cudaBytes
    evidence.push(`${cuda.length} CUDA packages it pulls: ${formatBytes(cudaBytes)} (${cuda
    .sort((a, b) => b.compressed - a.compressed)
    .map(g => g.name)
    .join(', ')})`)
  } else if (heavy.gpuDependencyBytes && !installed) {
    savings += heavy.gpuDependencyBytes
    estimated = true
    evidence.push(`from PyPI it also pulls CUDA wheels (nvidia-*, triton): ~${formatBytes(heavy.gpuDependencyBytes)} for ${heavy.version}`)
  }

  const blockers = swapBlockers(heavy, context)
  const finding: Finding = {
    command: COMMANDS.fixRequirements,
    estimated,
    evidence,
    id: `heavy-package:${heavy.name}`,
    kind: 'heavy-package',
    packages: [heavy.name, ...cuda.map(g => g.name)],
    remedy: heavy.remedy,
    savings,
    severity: severityOf(savings),
    source: heavy.source,
    title: `${heavy.name} can be replaced by ${heavy.alternative}`,
  }
  if (blockers.length > 0) return blockedFinding(heavy, finding, blockers)
  for (const g of cuda) claimed.add(g.name)
  claimed.add(heavy.name)
  return finding
}

function cudaFinding(groups: Map<string, PackageGroup>, claimed: Set<string>): Finding | undefined {
  const cuda = [...groups.values()].filter(g => isCuda(g.name) && !claimed.has(g.name))
  if (cuda.length === 0) return undefined
  cuda.sort((a, b) => b.compressed - a.compressed || a.name.localeCompare(b.name))
  for (const g of cuda) claimed.add(g.name)
  const savings = cuda.reduce((sum, g) => sum + g.compressed, 0)
  return {
    command: COMMANDS.fixRequirements,
    estimated: false,
    evidence: cuda.flatMap(g => g.rows.map(r => `${describe(r)} (${isCuda(g.name)!.what})`)),
    id: 'cuda-on-dyno',
    kind: 'cuda-on-dyno',
    packages: cuda.map(g => g.name),
    remedy:
      'Dynos have no GPU, so CUDA libraries are never loaded. Drop the GPU extra or build that pulls them '
      + '(`tensorflow[and-cuda]` -> `tensorflow-cpu`, `jax[cuda12]` -> `jax`, `cupy-cuda12x` -> `numpy`/CPU code).',
    savings,
    severity: severityOf(savings),
    source: isCuda(cuda[0].name)!.source,
    title: `${cuda.length} CUDA package${cuda.length === 1 ? '' : 's'} installed on a dyno without GPU`,
  }
}

function devFindings({claimed, groups, options}: Context): Finding[] {
  const present = DEV_PACKAGES.filter(d => groups.has(d.name) && !claimed.has(d.name)).map(d => d.name)
  const exclusive = options.requires
    ? exclusiveDependencies(present, new Set(groups.keys()), options.requires, options.requested ?? [])
    : new Map<string, string[]>()
  const findings: Finding[] = []
  for (const dev of DEV_PACKAGES) {
    const group = groups.get(dev.name)
    if (!group || claimed.has(dev.name)) continue
    claimed.add(dev.name)
    const known = group.compressed > 0
    const only = (exclusive.get(dev.name) ?? []).filter(name => !claimed.has(name))
    for (const name of only) claimed.add(name)
    const onlyBytes = only.reduce((sum, name) => sum + groups.get(name)!.compressed, 0)
    const savings = (known ? group.compressed : dev.typicalBytes) + onlyBytes
    const requiredBy = dev.requiredBy?.filter(name => groups.has(name)) ?? []
    const evidence = group.rows.map(r => describe(r))
    if (!known) evidence.push(`a ${dev.name} wheel is ~${formatBytes(dev.typicalBytes)}`)
    if (only.length > 0) {
      const names = only.length > 8 ? `${only.slice(0, 8).join(', ')}...` : only.join(', ')
      evidence.push(`${only.length} more package${only.length === 1 ? '' : 's'} installed only for it: ${formatBytes(onlyBytes)} (${names})`)
    }

    if (requiredBy.length > 0) evidence.push(`required by ${requiredBy.join(', ')}: pip installs it even when requirements.txt does not list it`)
    findings.push({
      command: requiredBy.length > 0 ? COMMANDS.postCompile : COMMANDS.fixRequirements,
      estimated: !known,
      evidence,
      id: `dev-package:${dev.name}`,
      kind: 'dev-package',
      packages: [dev.name, ...only],
      remedy:
        requiredBy.length > 0
          ? `${dev.name} (${dev.purpose}) comes with ${requiredBy.join(', ')} but the app does not use it: uninstall it after the build in bin/post_compile.`
          : `${dev.name} (${dev.purpose}) is for development: move it out of requirements.txt (e.g. to requirements-dev.txt).`,
      savings,
      severity: severityOf(savings),
      source: dev.source,
      title: `${dev.name} (${dev.purpose}) is installed in production`,
    })
  }

  return findings
}

/** Below this, moving to ONNX Runtime is not worth a finding. */
const INFERENCE_MIN_SAVINGS = 50e6

/**
 * What leaves with a framework: its own packages (and CUDA wheels for torch), plus packages whose every installed
 * dependent leaves too and that requirements.txt does not name (when the evidence knows who requires what).
 */
function frameworkPackages(framework: {label: string; packages: string[]}, {groups, options}: Context): PackageGroup[] {
  const leaving = new Set(framework.packages.filter(n => groups.has(n)))
  if (leaving.size === 0 || ![...leaving].some(n => !['keras', 'tensorboard', 'tensorboard-data-server', 'triton'].includes(n))) return []
  if (framework.label === 'PyTorch') for (const name of groups.keys()) if (isCuda(name)) leaving.add(name)
  const requested = new Set(options.requested ?? [])
  for (let changed = options.dependents !== undefined; changed;) {
    changed = false
    for (const [name, by] of options.dependents ?? []) {
      if (leaving.has(name) || !groups.has(name) || requested.has(name) || by.length === 0 || !by.every(d => leaving.has(d))) continue
      leaving.add(name)
      changed = true
    }
  }

  return [...leaving].map(n => groups.get(n)!).sort((a, b) => b.compressed - a.compressed)
}

/**
 * The framework out of the slug for ONNX Runtime (slug:convert-models): a finding whenever TensorFlow or PyTorch
 * is installed, under its condition (the app only runs inference), which only the app's code can tell.
 */
function inferenceFindings(context: Context): Finding[] {
  const findings: Finding[] = []
  for (const framework of FRAMEWORK_SLUG_PACKAGES) {
    const leaving = frameworkPackages(framework, context)
    const bytes = leaving.reduce((n, g) => n + g.compressed, 0)
    const savings = bytes - ONNX_RUNTIME.compressedBytes
    if (savings < INFERENCE_MIN_SAVINGS) continue
    const remedy = [
      `If the app only loads its models and calls them (predict), ONNX Runtime can serve them without ${framework.label}:`,
      'slug:convert-models checks the code, converts and verifies every model, and replaces the framework in requirements.txt.',
    ].join(' ')
    const shown = leaving.slice(0, 4).map(g => `${g.name} ${formatBytes(g.compressed)}`).join(', ')
    findings.push({
      command: COMMANDS.convertModels,
      condition: 'if the app only runs inference',
      estimated: true,
      evidence: [
        `${framework.label} and what only it needs: ${formatBytes(bytes)} compressed (${shown}${leaving.length > 4 ? `, and ${leaving.length - 4} more` : ''})`,
        `onnxruntime ${ONNX_RUNTIME.version}: ~${formatBytes(ONNX_RUNTIME.compressedBytes)} compressed`,
        ...(framework.label === 'TensorFlow' ? [`at boot, ${BOOT_FIGURES.framework}; ${BOOT_FIGURES.onnxruntime}`] : []),
      ],
      id: `inference-runtime:${framework.label.toLowerCase()}`,
      kind: 'inference-runtime',
      packages: leaving.map(g => g.name),
      remedy,
      savings,
      severity: severityOf(savings),
      source: ONNX_RUNTIME.source,
      title: `If the app only runs inference with ${framework.label}: ONNX Runtime would save ~${formatBytes(savings)}`,
    })
  }

  return findings
}

/**
 * Findings that need only a package list: heavy packages with lighter alternatives, CUDA wheels, dev-only
 * packages. Sizes are the packages' compressed bytes when known (a slug's measured shares, a build log's
 * wheel sizes), else the knowledge tables' figures (flagged `estimated`). `claimed` receives the
 * normalized names of the packages these findings cover.
 */
export function knowledgeFindings(packages: PackageRow[], options: KnowledgeOptions = {}, claimed = new Set<string>()): Finding[] {
  const groups = groupPython(packages)
  const findings: Finding[] = []
  for (const heavy of HEAVY_PACKAGES) {
    const group = groups.get(heavy.name)
    if (!group || claimed.has(heavy.name) || (heavy.gpuOnly && options.gpu)) continue
    const finding = heavyFinding(heavy, group, {claimed, groups, options})
    if (finding) findings.push(finding)
  }

  if (!options.gpu) {
    const cuda = cudaFinding(groups, claimed)
    if (cuda) findings.push(cuda)
  }

  findings.push(...devFindings({claimed, groups, options}), ...(options.gpu ? [] : inferenceFindings({claimed, groups, options})))
  return finalizeFindings(findings)
}

/** Knowledge-table findings from a package list alone (a slug, a failed build's log, a repo's requirements). */
export function packageFindings(packages: PackageRow[], options: Pick<KnowledgeOptions, 'dependents' | 'gpu'> = {}): Finding[] {
  return knowledgeFindings(packages, {dependents: options.dependents, gpu: options.gpu})
}

/** A package key's name: `python:numpy` -> `numpy`. */
function packageName(key: string): string {
  return key.slice(key.indexOf(':') + 1)
}

/**
 * One finding per bin/post_compile rule that saves bytes on this slug (test folders, C headers, static
 * libraries, docs inside installed packages), measured by the same function slug:diet plans the hook with.
 * Files of packages another finding removes are left out: they go with that package.
 */
export function postCompileFindings(files: FileRow[], claimed: Set<string>): Finding[] {
  const kept = files.filter(f => !f.package || !claimed.has(packageName(f.package)))
  const findings: Finding[] = []
  for (const {byTarget, rule} of matchPostCompileRules(kept).matches) {
    const byPackage = new Map<string, {bytes: number; targets: number}>()
    let savings = 0
    for (const rows of byTarget.values()) {
      const bytes = rows.reduce((n, f) => n + f.compressed, 0)
      const name = rows[0].package ? packageName(rows[0].package) : '?'
      const entry = byPackage.get(name) ?? {bytes: 0, targets: 0}
      entry.bytes += bytes
      entry.targets++
      byPackage.set(name, entry)
      savings += bytes
    }

    if (savings <= 0) continue
    const ranked = [...byPackage.entries()].sort((a, b) => b[1].bytes - a[1].bytes || a[0].localeCompare(b[0]))
    const unit = rule.type === 'd' ? 'folder' : 'file'
    const title = `${rule.title[0].toUpperCase()}${rule.title.slice(1)}`
    findings.push({
      command: COMMANDS.postCompile,
      estimated: false,
      evidence: ranked
      .slice(0, 8)
      .map(([name, p]) => `${name}: ${formatBytes(p.bytes)} compressed in ${p.targets} ${unit}${p.targets === 1 ? '' : 's'}`),
      id: rule.id,
      kind: rule.id === 'package-tests' ? 'package-tests' : 'installed-files',
      packages: ranked.map(([name]) => name),
      paths: [...byTarget.keys()].map(t => (rule.type === 'd' ? `${t}/` : t)).sort(),
      remedy:
        `${title} are not needed on a dyno: ${rule.why}. .slugignore cannot reach them `
        + '(the buildpack installs them after it applies): bin/post_compile deletes them after pip.',
      savings,
      severity: severityOf(savings),
      source: rule.source,
      title: `${title}: ${ranked.length} package${ranked.length === 1 ? '' : 's'}`,
    })
  }

  return findings
}
