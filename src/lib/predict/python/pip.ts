import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {normalizePythonName} from '../../analyze/python/dist-info.js'
import {ChildStartError, runBounded} from '../../shared/child-process.js'

/** One distribution pip would install. */
export interface ResolvedDist {
  /** normalized (PEP 503) */
  name: string
  version: string
  /** the wheel's URL (download_info.url) */
  url: string
  /** named in the requirements (not pulled in by another package) */
  requested: boolean
  /** Requires-Dist lines of its metadata */
  requiresDist: string[]
}

/** How a pip run ended: the distributions it would install, or why it could not say. */
export type PipOutcome = PipFailure | PipNoWheel | PipResolved

export interface PipResolved {
  kind: 'resolved'
  dists: ResolvedDist[]
  pipVersion?: string
}

/** pip found no wheel for a requirement (for the stack's platform and the Python version). */
export interface PipNoWheel {
  kind: 'no-wheel'
  name: string
  requirement: string
  requiredBy?: string
}

export interface PipFailure {
  kind: 'failed' | 'missing' | 'timeout' | 'unreachable'
  detail: string
}

export interface PipResolveOptions {
  /** the Python whose pip resolves (python3 on PATH by default) */
  python: string
  /** where pip runs: relative `-r` includes are read from here */
  cwd: string
  /** the requirements file, absolute */
  requirements: string
  /** CPython major.minor the build will use */
  minor: string
  platforms: string[]
  timeoutMs: number
  env?: NodeJS.ProcessEnv
  /** install exactly what the file pins, no dependencies (a lock file turned into requirements) */
  noDeps?: boolean
  /** each line pip prints, for progress */
  onLine?: (line: string) => void
}

/** pip's own wait for a connection and between bytes, and no retries: a dead index fails fast. */
const PIP_NETWORK_TIMEOUT_S = 15

/** The arguments of a dry-run resolution for another platform (pip wants --target with --platform). */
export function pipArguments(options: Pick<PipResolveOptions, 'minor' | 'noDeps' | 'platforms' | 'requirements'>, report: string, target: string): string[] {
  return [
    '-m',
    'pip',
    'install',
    '--dry-run',
    '--report',
    report,
    '--ignore-installed',
    '--only-binary=:all:',
    ...options.platforms.flatMap(p => ['--platform', p]),
    '--python-version',
    options.minor,
    '--implementation',
    'cp',
    '--target',
    target,
    '--disable-pip-version-check',
    // pip colours its errors when FORCE_COLOR is set, even to 0, and the failure line read here became "\e[0m"
    '--no-color',
    '--no-input',
    '--progress-bar',
    'off',
    '--retries',
    '0',
    '--timeout',
    String(PIP_NETWORK_TIMEOUT_S),
    ...(options.noDeps ? ['--no-deps'] : []),
    '-r',
    options.requirements,
  ]
}

interface PipReport {
  pip_version?: string
  install?: Array<{
    download_info?: {url?: string}
    requested?: boolean
    metadata?: {name?: string; version?: string; requires_dist?: string[]}
  }>
}

/** The distributions of a `pip install --dry-run --report` file (https://pip.pypa.io/en/stable/reference/installation-report/). */
export function parsePipReport(text: string): {dists: ResolvedDist[]; pipVersion?: string} {
  const report = JSON.parse(text) as PipReport
  const dists: ResolvedDist[] = []
  for (const item of report.install ?? []) {
    const {metadata} = item
    if (!metadata?.name || !metadata.version || !item.download_info?.url) continue
    dists.push({
      name: normalizePythonName(metadata.name),
      requested: item.requested === true,
      requiresDist: metadata.requires_dist ?? [],
      url: item.download_info.url,
      version: metadata.version,
    })
  }

  return {dists, pipVersion: report.pip_version}
}

const NO_VERSION = 'ERROR: Could not find a version that satisfies the requirement '
const CONNECTION_ERRORS = [
  'NewConnectionError',
  'Connection refused',
  'ConnectTimeoutError',
  'ReadTimeoutError',
  'Name or service not known',
  'Temporary failure in name resolution',
  'Max retries exceeded',
  'Could not fetch URL',
]

/** pip masks passwords in what it prints; a URL's whole user part is masked again here, whatever pip did. */
const withoutCredentials = (line: string): string => line.replaceAll(/\/\/[^\s/@]+@/g, '//***@')

/** Why pip failed, from what it printed. */
export function pipFailure(output: string): PipOutcome {
  const lines = output.split('\n').map(l => withoutCredentials(l.trim()))
  if (lines.some(l => l.includes('No module named pip'))) return {detail: 'this Python has no pip', kind: 'missing'}
  const noVersion = lines.find(l => l.startsWith(NO_VERSION))
  const connection = lines.find(l => CONNECTION_ERRORS.some(e => l.includes(e)))
  // A dead index looks like a package without versions: the connection error says which it is.
  if (connection) return {detail: connection.replace(/^WARNING:\s*/, '').slice(0, 200), kind: 'unreachable'}
  if (noVersion) {
    const rest = noVersion.slice(NO_VERSION.length)
    const space = rest.indexOf(' ')
    const requirement = space === -1 ? rest : rest.slice(0, space)
    const from = rest.indexOf(' (from ')
    const versions = rest.lastIndexOf(' (from versions:')
    const requiredBy = from !== -1 && from < versions ? rest.slice(from + 7, rest.indexOf(')', from)) : undefined
    const nameEnd = requirement.search(/[^A-Za-z0-9._-]/)
    const name = normalizePythonName(nameEnd === -1 ? requirement : requirement.slice(0, nameEnd))
    return {kind: 'no-wheel', name, requirement, ...(requiredBy ? {requiredBy} : {})}
  }

  const error = lines.find(l => l.startsWith('ERROR:'))
  return {detail: (error ?? lines.findLast(l => l !== '') ?? 'pip failed').replace(/^ERROR:\s*/, '').slice(0, 300), kind: 'failed'}
}

/**
 * Runs pip's resolver for the Heroku stack without installing anything: `pip install --dry-run --report`
 * with the stack's platform tags, the build's CPython version and binary wheels only. pip reads the
 * user's own index configuration (pip.conf, PIP_* variables, the requirements' index lines). The process
 * is killed past `timeoutMs`.
 */
export async function runPipResolve(options: PipResolveOptions): Promise<PipOutcome> {
  const work = await mkdtemp(join(tmpdir(), 'slug-diet-pip-'))
  const report = join(work, 'report.json')
  try {
    const args = pipArguments(options, report, join(work, 'target'))
    const run = await runBounded({args, command: options.python, cwd: options.cwd, env: options.env, onLine: options.onLine, timeoutMs: options.timeoutMs})
    .catch((error: unknown) => {
      if (error instanceof ChildStartError) return error
      throw error
    })
    if (run instanceof ChildStartError) {
      return {detail: run.code === 'ENOENT' ? `${options.python} is not installed (or not on PATH)` : `${options.python} could not run (${run.code})`, kind: 'missing'}
    }

    const {code, timedOut} = run
    const output = run.stdout + run.stderr
    if (timedOut) return {detail: `pip (${options.python}) did not finish within ${Math.round(options.timeoutMs / 1000)} s`, kind: 'timeout'}
    if (code !== 0) return pipFailure(output)
    const parsed = parsePipReport(await readFile(report, 'utf8'))
    return {kind: 'resolved', ...parsed}
  } finally {
    await rm(work, {force: true, recursive: true})
  }
}
