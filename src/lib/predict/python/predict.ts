import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {isAbsolute, join} from 'node:path'

import {lt, valid} from '@renovatebot/pep440'

import {buildpackSitePackages} from '../../analyze/paths.js'
import type {PackageRow} from '../../analyze/rows.js'
import {readRequirementsFile} from '../../source/repo-dependencies.js'
import {normalizePythonName} from '../../analyze/python/dist-info.js'
import {parseRequirements} from '../../analyze/python/requirements.js'
import {parsePipfileLock} from '../../analyze/python/lock-files.js'
import {INSTALL_FACTOR, runtimeSize, type Stack} from '../../knowledge/python-stack.js'
import {formatBytes} from '../../shared/bytes.js'
import {ChildStartError, runBounded} from '../../shared/child-process.js'
import {UserError} from '../../shared/errors.js'
import {readRegularText} from '../../shared/read-file.js'
import {IndexClient} from './index-client.js'
import {configuredIndexes, type PackageIndex, parsePipConfigList, redactUrl} from './indexes.js'
import {type PipOutcome, runPipResolve} from './pip.js'
import {choosePython, isProblem, type PythonChoice} from './python-version.js'
import {platformTags, stackNamed} from './stack.js'
import type {Resolution, Unresolvable} from './wheels.js'
import {resolveUvLock} from './uv-lock.js'

export interface StackResolveOptions {
  /** the Python whose pip resolves; "none" skips resolution (default: HEROKU_SLUG_DIET_PYTHON, else python3) */
  python?: string
  /** the environment pip runs in (default: this process's) */
  env?: NodeJS.ProcessEnv
  /** the whole resolution, pip included (default 120 s) */
  timeoutMs?: number
  /** what is being done, for a progress line */
  onProgress?: (message: string) => void
  /** called once resolution ends, however it ends */
  onDone?: () => void
}

/** Packages the build would install, with their estimated shares, or why they could not be resolved. */
export interface StackDependencies {
  /** the resolved packages and the Python runtime, sizes estimated */
  packages: PackageRow[]
  notes: string[]
  /** Python dependencies per package, for the dev-only findings */
  requires: Map<string, string[]>
  /** packages the app names itself */
  requested: string[]
}

export interface StackFallback {
  /** one line: why the prediction counts the repo's files only */
  fallback: string
  notes: string[]
}

const DEFAULT_TIMEOUT_MS = 120_000
/** top-level requirements without a wheel that are set aside, one pip run each, before giving up */
const MAX_SET_ASIDE = 4
const PIP_REPORT_FIXED = '25.3'
const MANAGER_FILES = ['requirements.txt', 'Pipfile.lock', 'poetry.lock', 'uv.lock'] as const

export function isFallback(result: StackDependencies | StackFallback): result is StackFallback {
  return 'fallback' in result
}

const fallback = (why: string, notes: string[] = []): StackFallback => ({
  fallback: `Python dependencies were not resolved: ${why}. The prediction counts the repo's own files only.`,
  notes,
})

async function readTracked(root: string, tracked: ReadonlySet<string>, path: string): Promise<string | undefined> {
  if (!tracked.has(path)) return undefined
  try {
    return await readRegularText(join(root, path))
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`Cannot read ${path}: ${error.message}.`)
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

/** The stack app.json asks for, else the default (heroku-24). */
function stackOf(appJson: string | undefined): Stack {
  try {
    const stack = appJson === undefined ? undefined : (JSON.parse(appJson) as {stack?: unknown}).stack
    return stackNamed(typeof stack === 'string' ? stack : undefined)
  } catch {
    return stackNamed()
  }
}

function unresolvableNote(u: Unresolvable, python: PythonChoice, stack: Stack): string {
  const what = `${u.name}${u.version ? ` ${u.version}` : ''}${u.requiredBy ? ` (required by ${u.requiredBy})` : ''}`
  const where = `no wheel for ${stack.name} (Linux x86_64) and CPython ${python.minor}`
  if (u.sdist === true) return `${what} has ${where}: the build would compile it from its source archive (slow, needs a compiler and headers; it may fail). Not counted.`
  if (u.sdist === false) return `${what} has ${where}, nor a source archive: the build would fail. Not counted.`
  return `${what} has ${where} on the configured indexes: the build would compile it from source or fail. Not counted.`
}

/** Why `python -m pip` cannot run, or undefined when it can. */
async function pipMissing(python: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const {code, signal, stderr, timedOut} = await runBounded({args: ['-m', 'pip', '--version'], command: python, env, timeoutMs: 15_000})
    if (code === 0) return undefined
    if (stderr.includes('No module named pip')) return `${python} has no pip`
    if (timedOut) return `${python} -m pip --version did not finish within 15 s`
    return `${python} -m pip --version failed (${stderr.trim().split('\n').at(-1) || code || signal})`
  } catch (error) {
    const code = error instanceof ChildStartError ? error.code : (error as Error).message
    if (code === 'ENOENT') return `${python} is not installed (or not on PATH)`
    return `${python} -m pip --version failed (${code})`
  }
}

/** The configured indexes, as pip sees them from the repo (pip config list reads files and PIP_* variables). */
async function pipIndexes(python: string, root: string, env: NodeJS.ProcessEnv): Promise<PackageIndex[]> {
  const stdout = await runBounded({args: ['-m', 'pip', 'config', 'list'], command: python, cwd: root, env, timeoutMs: 15_000})
  .then(r => (r.code === 0 ? r.stdout : ''), () => '')
  const requirements = await readRequirementsFile(root, 'requirements.txt')
  return configuredIndexes(parsePipConfigList(stdout), requirements)
}

/** requirements.txt without the named top-level requirements, its includes made absolute (it is written elsewhere). */
function withoutRequirements(text: string, root: string, drop: ReadonlySet<string>): string {
  return parseRequirements(text).map(line => {
    if (line.kind === 'requirement' && line.normalizedName && drop.has(line.normalizedName)) return `# set aside: ${line.normalizedName}`
    if (line.kind === 'include' && line.value && !isAbsolute(line.value)) return `${line.option} ${join(root, line.value)}`
    return line.text
  }).join('\n')
}

/**
 * The indexes to ask when pip finds no version of a project: pip without retries reads a project page
 * that timed out as a project with no files, and says nothing of the timeout.
 */
interface IndexCheck {
  client: IndexClient
  indexes: PackageIndex[]
}

interface PipResolution {
  outcome: PipOutcome
  unresolvable: Unresolvable[]
}

/**
 * pip's resolution of requirements.txt; a top-level requirement pip finds no wheel for is set aside (and
 * reported) and pip runs again without it, so one such package does not hide the size of the rest.
 */
async function resolveWithPip(root: string, target: {minor: string; python: string; stack: Stack}, options: StackResolveOptions & {deadline: number; index: IndexCheck}): Promise<PipResolution> {
  const {minor, python, stack} = target
  const text = await readTracked(root, new Set(['requirements.txt']), 'requirements.txt') ?? ''
  const topLevel = new Set(parseRequirements(text).filter(l => l.kind === 'requirement' && l.normalizedName).map(l => l.normalizedName!))
  const setAside = new Set<string>()
  const unresolvable: Unresolvable[] = []
  const work = await mkdtemp(join(tmpdir(), 'slug-diet-reqs-'))
  try {
    for (;;) {
      let requirements = join(root, 'requirements.txt')
      if (setAside.size > 0) {
        requirements = join(work, 'requirements.txt')
        await writeFile(requirements, withoutRequirements(text, root, setAside))
      }

      const outcome = await runPipResolve({
        cwd: root,
        env: options.env,
        minor,
        onLine(line) {
          const collecting = /^Collecting (\S+)/.exec(line)
          if (collecting) options.onProgress?.(`pip: collecting ${collecting[1]}`)
        },
        platforms: platformTags(stack),
        python,
        requirements,
        timeoutMs: Math.max(1000, options.deadline - Date.now()),
      })
      if (outcome.kind !== 'no-wheel') return {outcome, unresolvable}
      const down = await options.index.client.pageUnreachable(options.index.indexes, outcome.name)
      if (down) return {outcome: {detail: down, kind: 'unreachable'}, unresolvable}
      unresolvable.push({name: outcome.name, requiredBy: outcome.requiredBy, requirement: outcome.requirement})
      if (outcome.requiredBy || !topLevel.has(outcome.name) || setAside.has(outcome.name) || setAside.size >= MAX_SET_ASIDE) return {outcome, unresolvable}
      setAside.add(outcome.name)
    }
  } finally {
    await rm(work, {force: true, recursive: true})
  }
}

/** Pipfile.lock's default packages as pinned requirements (dependencies are already in the lock), with its sources. */
function pipfileRequirements(text: string): string {
  const lock = parsePipfileLock(text)
  const sources = (lock._meta?.sources ?? []).map(s => s.url).filter(u => u !== undefined)
  const lines = sources.map((url, i) => `${i === 0 ? '--index-url' : '--extra-index-url'} ${url}`)
  for (const [name, info] of Object.entries(lock.default ?? {})) {
    if (!info.version) continue
    lines.push(`${name}${info.version}${info.markers ? ` ; ${info.markers}` : ''}`)
  }

  return `${lines.join('\n')}\n`
}

function describeOutcome(outcome: Exclude<PipOutcome, {kind: 'resolved'}>): string {
  if (outcome.kind === 'no-wheel') return `pip found no wheel for ${outcome.requirement}${outcome.requiredBy ? ` (required by ${outcome.requiredBy})` : ''}`
  if (outcome.kind === 'missing' || outcome.kind === 'timeout') return outcome.detail
  if (outcome.kind === 'unreachable') return `pip could not reach a package index (${outcome.detail})`
  return `pip failed: ${outcome.detail}`
}

function packageRows(resolution: Resolution, python: PythonChoice): {rows: PackageRow[]; unsized: string[]} {
  const location = buildpackSitePackages(`python${python.minor}`)
  const unsized: string[] = []
  const rows = resolution.wheels.map(w => {
    if (w.size === undefined) unsized.push(w.name)
    const size = w.size ?? 0
    const row: PackageRow = {compressed: Math.round(size * INSTALL_FACTOR.factor), ecosystem: 'python', evidence: 'requirement', files: 0, location, name: w.name, size}
    if (w.version) row.version = w.version
    return row
  })
  const runtime = runtimeSize(python.minor)
  rows.push({compressed: runtime.compressed, ecosystem: 'runtime', evidence: 'requirement', files: 0, location: '.heroku/python', name: 'python', size: runtime.unpacked, version: python.requested})
  rows.sort((a, b) => b.compressed - a.compressed || a.name.localeCompare(b.name))
  return {rows, unsized}
}

/**
 * The Python packages a first push of the repo at `root` would install on Heroku, predicted locally:
 * the buildpack's package manager file (exactly one of requirements.txt, Pipfile.lock, poetry.lock,
 * uv.lock), its Python version rules, the stack's platform, and binary wheels only. requirements.txt and
 * Pipfile.lock are resolved by pip itself; uv.lock is read directly. Sizes come from the lock or the
 * indexes (PEP 700 sizes, else HEAD), never from downloading a wheel here. Whatever stops it (no pip, no
 * index, a deadline) becomes one line in the report, never an error: the repo's prediction stands without.
 * undefined when the repo has no Python package manager file.
 */
export async function resolveForStack(root: string, tracked: ReadonlySet<string>, options: StackResolveOptions = {}): Promise<StackDependencies | StackFallback | undefined> {
  try {
    return await resolve(root, tracked, options)
  } finally {
    options.onDone?.()
  }
}

type Manager = (typeof MANAGER_FILES)[number]

/** What one resolution knows while it runs: the repo, the Python and stack it resolves for, its bounds. */
interface ResolveContext {
  choice: PythonChoice
  client: IndexClient
  deadline: number
  env: NodeJS.ProcessEnv
  manager: Manager
  options: StackResolveOptions
  pipfileLock?: string
  python: string
  root: string
  stack: Stack
  timeoutMs: number
  tracked: ReadonlySet<string>
}

/** The packages, the indexes they came from, and what resolved them (for the notes). */
interface Resolved {
  by: string
  indexes: PackageIndex[]
  resolution: Resolution
}

async function resolve(root: string, tracked: ReadonlySet<string>, options: StackResolveOptions): Promise<StackDependencies | StackFallback | undefined> {
  const managers = MANAGER_FILES.filter(f => tracked.has(f))
  // Not a Python app for the buildpack (a Node app, say): nothing to resolve, nothing to say.
  if (managers.length === 0) return undefined
  if (managers.length > 1) return fallback(`the repo has ${managers.join(' and ')}, and the Python buildpack refuses more than one package manager file`)
  const manager = managers[0]

  const python = options.python ?? options.env?.HEROKU_SLUG_DIET_PYTHON ?? process.env.HEROKU_SLUG_DIET_PYTHON ?? 'python3'
  if (python === 'none') return fallback('HEROKU_SLUG_DIET_PYTHON is "none"')
  if (manager === 'poetry.lock') return fallback('poetry.lock is not read yet (requirements.txt, Pipfile.lock and uv.lock are)')

  const [runtimeTxt, pythonVersion, pipfileLock, appJson] = await Promise.all(['runtime.txt', '.python-version', 'Pipfile.lock', 'app.json'].map(p => readTracked(root, tracked, p)))
  const choice = choosePython({pipfileLock: manager === 'Pipfile.lock' ? pipfileLock : undefined, pythonVersion, runtimeTxt})
  if (isProblem(choice)) return fallback(`the build would fail: ${choice.problem}`)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const context: ResolveContext = {
    choice, client: new IndexClient({env: options.env ?? process.env}), deadline: Date.now() + timeoutMs, env: options.env ?? process.env, manager, options,
    pipfileLock, python, root, stack: stackOf(appJson), timeoutMs, tracked,
  }
  try {
    const resolved = manager === 'uv.lock' ? await resolveUv(context) : await resolvePip(context)
    if ('fallback' in resolved) return resolved
    await sizeWheels(context, resolved)
    return dependencies(context, resolved)
  } catch (error) {
    if (error instanceof UserError) return fallback(error.message.replace(/\.$/, ''))
    throw error
  } finally {
    await context.client.close()
  }
}

async function resolveUv({choice, options, root, stack, tracked}: ResolveContext): Promise<Resolved> {
  options.onProgress?.('reading uv.lock')
  const resolution = resolveUvLock((await readTracked(root, tracked, 'uv.lock'))!, choice.minor, stack)
  return {by: 'uv.lock (read directly: it pins every package and records wheel sizes)', indexes: [], resolution}
}

/** requirements.txt or Pipfile.lock, resolved by pip for the stack: the packages, or why not. */
async function resolvePip(context: ResolveContext): Promise<Resolved | StackFallback> {
  const {choice, client, env, manager, options, python, root, stack} = context
  const missing = await pipMissing(python, env)
  if (missing) return fallback(`${missing}, and pip is needed to resolve them`)
  let pip: PipResolution
  let indexes: PackageIndex[]
  if (manager === 'requirements.txt') {
    indexes = await pipIndexes(python, root, env)
    const primary = indexes.find(i => i.primary)!
    options.onProgress?.(`checking ${redactUrl(primary.url)}`)
    const down = await client.unreachable(primary)
    if (down) return fallback(`the package index ${down}`)
    options.onProgress?.('pip: resolving')
    pip = await resolveWithPip(root, {minor: choice.minor, python, stack}, {...options, deadline: context.deadline, env, index: {client, indexes}})
  } else {
    const requirementsText = pipfileRequirements(context.pipfileLock!)
    indexes = configuredIndexes([], [{file: 'Pipfile.lock', lines: parseRequirements(requirementsText)}])
    options.onProgress?.('pip: resolving')
    pip = await resolvePipfileLock(context, requirementsText, indexes)
  }

  const notes = pip.unresolvable.map(u => unresolvableNote(u, choice, stack))
  if (pip.outcome.kind !== 'resolved') return fallback(describeOutcome(pip.outcome), notes)
  const requires = new Map<string, string[]>()
  for (const d of pip.outcome.dists) {
    requires.set(d.name, d.requiresDist.filter(r => !r.includes('extra ==')).map(r => normalizePythonName(/^[A-Za-z0-9._-]+/.exec(r)?.[0] ?? r)))
  }

  const resolution = {
    requires,
    unresolvable: pip.unresolvable,
    wheels: pip.outcome.dists.map(d => ({name: d.name, requested: d.requested, url: d.url, version: d.version})),
  }
  return {by: pipBy(pip.outcome.pipVersion), indexes, resolution}
}

/** Pipfile.lock pins every package: pip resolves its pins without dependencies, exactly as locked. */
async function resolvePipfileLock(context: ResolveContext, requirementsText: string, indexes: PackageIndex[]): Promise<PipResolution> {
  const {choice, client, env, python, root, stack, timeoutMs} = context
  const work = await mkdtemp(join(tmpdir(), 'slug-diet-pipfile-'))
  try {
    await writeFile(join(work, 'requirements.txt'), requirementsText)
    const outcome = await runPipResolve({cwd: root, env, minor: choice.minor, noDeps: true, platforms: platformTags(stack), python, requirements: join(work, 'requirements.txt'), timeoutMs})
    // pip reads a project page that timed out as a project with no files: ask the index before saying "no wheel"
    const down = outcome.kind === 'no-wheel' ? await client.pageUnreachable(indexes, outcome.name) : undefined
    if (down) return {outcome: {detail: down, kind: 'unreachable'}, unresolvable: []}
    return {outcome, unresolvable: outcome.kind === 'no-wheel' ? [{name: outcome.name, requirement: outcome.requirement}] : []}
  } finally {
    await rm(work, {force: true, recursive: true})
  }
}

function pipBy(version: string | undefined): string {
  const by = `pip ${version ?? ''}`.trim()
  if (version && valid(version) && lt(version, PIP_REPORT_FIXED)) {
    return by + ' (which downloads each wheel into its cache during a dry run, pypa/pip#12603; sizes come from the index, not from those downloads)'
  }

  return by
}

/** Wheels whose size the lock or pip's report did not give: asked of the indexes (PEP 700, else HEAD). */
async function sizeWheels({client, options}: ResolveContext, {indexes, resolution}: Resolved): Promise<void> {
  const unsizedWheels = resolution.wheels.filter(w => w.size === undefined && w.url)
  if (unsizedWheels.length === 0) return
  options.onProgress?.(`sizing ${unsizedWheels.length} wheels`)
  const sizes = await client.wheelSizes(unsizedWheels.map(w => ({project: w.name, url: w.url!})), indexes)
  for (const [i, w] of unsizedWheels.entries()) w.size = sizes[i]
}

function dependencies({choice, manager, stack}: ResolveContext, {by, indexes, resolution}: Resolved): StackDependencies {
  const {rows, unsized} = packageRows(resolution, choice)
  const runtime = runtimeSize(choice.minor)
  const wheelBytes = resolution.wheels.reduce((sum, w) => sum + (w.size ?? 0), 0)
  const from = indexes.length > 0 ? ` from ${indexes.map(i => `${redactUrl(i.url)} (${i.origin})`).join(', ')}` : ''
  const notes = [
    `Python dependencies resolved for ${stack.name} (Linux x86_64, manylinux up to glibc ${stack.glibc.join('.')}) and CPython ${choice.minor} `
    + `(${choice.source}), binary wheels only, by ${by}${from}: ${resolution.wheels.length} packages, ${formatBytes(wheelBytes)} of wheels.`,
    `Estimates: a package's Size is its wheel and its Compressed share is the wheel x ${INSTALL_FACTOR.factor.toFixed(3)} `
    + `(what the buildpack adds on install, e.g. bytecode; ${INSTALL_FACTOR.source}).`,
    `Estimate: the Python ${choice.requested} runtime in .heroku/python (with pip) is ${formatBytes(runtime.compressed)} compressed (${runtime.source}).`,
    ...resolution.unresolvable.map(u => unresolvableNote(u, choice, stack)),
    ...(choice.note ? [choice.note] : []),
  ]
  if (unsized.length > 0) notes.push(`No size is known for ${unsized.length} wheel(s), counted as 0 B: ${unsized.join(', ')}.`)
  if (manager === 'requirements.txt') notes.push("An app's PIP_EXTRA_INDEX_URL config var also adds an index on Heroku: this machine's pip configuration stands in for it.")
  const requested = resolution.wheels.filter(w => w.requested).map(w => w.name)
  return {notes, packages: rows, requested, requires: resolution.requires}
}
