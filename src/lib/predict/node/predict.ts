import {join} from 'node:path'

import {installedPackages, installsOnDyno, type LockGraph, type LockNode} from '../../analyze/node/lock.js'
import {readNpmLock} from '../../analyze/node/lock-npm.js'
import {readPnpmLock} from '../../analyze/node/lock-pnpm.js'
import {readYarnLock} from '../../analyze/node/lock-yarn.js'
import {type PackageJson, parsePackageJson} from '../../analyze/node/package-json.js'
import type {PackageRow} from '../../analyze/rows.js'
import {nodeRuntimeSize} from '../../knowledge/node-runtime.js'
import {formatBytes} from '../../shared/bytes.js'
import {UserError} from '../../shared/errors.js'
import {readRegularText} from '../../shared/read-file.js'
import {redactUrlCredentials} from '../../shared/redact.js'
import {chooseNode} from './node-version.js'
import {browserDownloads} from './browsers.js'
import {configuredRegistries, type NpmRegistries, NpmRegistryClient, type PackageFacts, type RegistryTimeouts} from './registry.js'

export interface NodePredictOptions {
  /** devDependencies stay in the slug (the app sets NPM_CONFIG_PRODUCTION=false or YARN_PRODUCTION=false) */
  dev?: boolean
  /** where registry answers are kept between runs (the plugin's cache folder) */
  cacheDir?: string
  /** the environment npm and the requests see (default: this process's) */
  env?: NodeJS.ProcessEnv
  /** the registries to read instead of asking npm (tests) */
  registries?: NpmRegistries
  timeouts?: RegistryTimeouts
  /** the registry requests together, at most (default 120 s): past it, the packages not sized yet count 0 B */
  timeoutMs?: number
  onProgress?: (message: string) => void
  onDone?: () => void
}

/** node_modules and the Node runtime a build would leave in the slug, sizes estimated. */
export interface NodeDependencies {
  packages: PackageRow[]
  notes: string[]
}

export interface NodeFallback {
  fallback: string
  notes: string[]
}

export function isNodeFallback(result: NodeDependencies | NodeFallback): result is NodeFallback {
  return 'fallback' in result
}

const fallback = (why: string, notes: string[] = []): NodeFallback => ({
  fallback: `node_modules was not predicted: ${why}.`,
  notes,
})

const DEFAULT_TIMEOUT_MS = 120_000

/** npm-shrinkwrap.json wins over package-lock.json (npm's rule); the buildpack refuses two managers' locks. */
const LOCK_FILES = ['npm-shrinkwrap.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml'] as const

async function readTracked(root: string, tracked: ReadonlySet<string>, path: string): Promise<string | undefined> {
  if (!tracked.has(path)) return undefined
  try {
    return await readRegularText(join(root, path))
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`Cannot read ${path}: ${error.message}`)
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

function readLock(file: (typeof LOCK_FILES)[number], text: string, pkg: PackageJson): LockGraph {
  if (file === 'yarn.lock') return readYarnLock(text, file, pkg)
  if (file === 'pnpm-lock.yaml') return readPnpmLock(text, file)
  return readNpmLock(text, file)
}

/** The platform fields a package installs by: the lock's where it has them, else the registry's manifest. */
function platformOf(node: LockNode, facts: PackageFacts | undefined): Pick<LockNode, 'cpu' | 'libc' | 'os'> {
  return {cpu: node.cpu ?? facts?.cpu, libc: node.libc ?? facts?.libc, os: node.os ?? facts?.os}
}

/** Whether yarn berry's .yarnrc.yml asks for a node_modules folder (else it installs Plug'n'Play). */
async function usesNodeModules(root: string, tracked: ReadonlySet<string>): Promise<boolean> {
  const text = await readTracked(root, tracked, '.yarnrc.yml')
  return text !== undefined && /^nodeLinker:\s*["']?node-modules\b/m.test(text)
}

/** Where a package lands in the slug: npm's lock says; yarn hoists to the top; pnpm keeps it in its virtual store. */
function locationOf(graph: LockGraph, node: LockNode): string {
  if (node.location) return node.location
  if (graph.manager === 'pnpm') return `node_modules/.pnpm/${node.name.replace('/', '+')}@${node.version}/node_modules/${node.name}`
  return `node_modules/${node.name}`
}

const id = (p: {name: string; version: string}): string => `${p.name}@${p.version}`
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * The node_modules a first push of the repo at `root` would leave in the slug, predicted from its lock file
 * (package-lock.json v2/v3, npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml) without installing anything: the
 * packages the app's dependencies reach, devDependencies pruned (unless `dev`), optional packages for other
 * platforms than a dyno's left out, each sized from the registry the user's npm reads; plus the Node runtime
 * engines.node selects and the browsers install scripts download into the app. Whatever stops it becomes one line
 * in the report, never an error. undefined when the repo is not a Node.js app (no package.json).
 */
export async function predictNodeModules(root: string, tracked: ReadonlySet<string>, options: NodePredictOptions = {}): Promise<NodeDependencies | NodeFallback | undefined> {
  try {
    return await predict(root, tracked, options)
  } catch (error) {
    if (error instanceof UserError) return fallback(error.message.replace(/\.$/, ''))
    throw error
  } finally {
    options.onDone?.()
  }
}

async function predict(root: string, tracked: ReadonlySet<string>, options: NodePredictOptions): Promise<NodeDependencies | NodeFallback | undefined> {
  const packageText = await readTracked(root, tracked, 'package.json')
  if (packageText === undefined) return undefined
  const pkg = parsePackageJson(packageText)
  const locks = LOCK_FILES.filter(f => tracked.has(f))
  const managers = new Set(locks.map(f => ({'pnpm-lock.yaml': 'pnpm', 'yarn.lock': 'yarn'} as Record<string, string>)[f] ?? 'npm'))
  if (managers.size > 1) return fallback(`the repo has ${locks.join(' and ')}, and the Node.js buildpack refuses lock files of two package managers`)
  if (locks.length === 0) {
    const hasDependencies = Object.keys({...pkg.dependencies, ...pkg.optionalDependencies}).length > 0
    return hasDependencies ? fallback('the repo has no lock file (package-lock.json, yarn.lock or pnpm-lock.yaml), so what npm resolves at build time is not known here') : runtimeOnly(pkg)
  }

  const file = locks[0]
  options.onProgress?.(`reading ${file}`)
  const graph = readLock(file, (await readTracked(root, tracked, file))!, pkg)
  const dev = options.dev ?? false
  const env = options.env ?? process.env
  const registries = options.registries ?? await configuredRegistries(root, env)
  const facts = await sizePackages(graph, dev, registries, options)
  const {nodes, skipped} = installedPackages(graph, {dev, fits: node => installsOnDyno(platformOf(node, facts.get(id(node))?.facts))})
  const {packages, unsized} = packageRows(graph, nodes, facts)
  const notes = graph.notes.map(n => `${file}: ${n}`)
  if (graph.format === 'yarn-berry' && !await usesNodeModules(root, tracked)) {
    notes.push("yarn berry without `nodeLinker: node-modules` in .yarnrc.yml installs Plug'n'Play: the packages stay zipped in .yarn/cache (about their tarballs' size), counted here as node_modules.")
  }

  notes.push(
    ...predictionNotes({dev, facts, file, nodes, packages, registries}),
    ...leftOutNotes(graph, skipped, dev),
    ...unsizedNotes(facts, unsized),
    ...buildScriptNotes(pkg),
  )
  const runtime = runtimeOnly(pkg)
  const browsers = await browserDownloads(root, tracked, env, nodes.filter(n => !n.local))
  return {notes: [...notes, ...runtime.notes, ...browsers.notes], packages: [...packages, ...runtime.packages, ...browsers.packages]}
}

type Sized = Map<string, Awaited<ReturnType<NpmRegistryClient['factsOf']>>[number]>

/** Every package the lock could install (whatever its platform), sized once each from the registry. */
async function sizePackages(graph: LockGraph, dev: boolean, registries: NpmRegistries, options: NodePredictOptions): Promise<Sized> {
  const candidates = installedPackages(graph, {dev, fits: () => true}).nodes.filter(n => !n.local)
  const unique = [...new Map(candidates.map(n => [id(n), n])).values()]
  const env = options.env ?? process.env
  const client = new NpmRegistryClient(registries, {cacheFile: options.cacheDir ? join(options.cacheDir, 'npm-packages.json') : undefined, env, timeouts: options.timeouts})
  try {
    options.onProgress?.(`sizing ${plural(unique.length, 'package')} from ${redactUrlCredentials(registries.url)}`)
    const results = await client.factsOf(unique, {
      deadline: Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      onEach: done => options.onProgress?.(`sizing packages: ${done} of ${unique.length}`),
    })
    return new Map(unique.map((n, i) => [id(n), results[i]]))
  } finally {
    await client.close()
  }
}

/** One row per copy in node_modules: npm's nested copies are files of their own; pnpm's peer variants and yarn's entries of one version are one copy. */
function packageRows(graph: LockGraph, nodes: LockNode[], facts: Sized): {packages: PackageRow[]; unsized: string[]} {
  const rows = new Map<string, PackageRow>()
  const unsized: string[] = []
  for (const node of nodes) {
    if (node.local) continue
    const known = facts.get(id(node))?.facts
    const key = graph.manager === 'npm' ? node.key : id(node)
    if (rows.has(key)) continue
    if (known?.unpacked === undefined) unsized.push(id(node))
    rows.set(key, {
      compressed: known?.tarball ?? 0,
      ecosystem: 'node',
      evidence: 'requirement',
      files: known?.files ?? 0,
      location: locationOf(graph, node),
      name: node.name,
      size: known?.unpacked ?? 0,
      version: node.version,
    })
  }

  return {packages: [...rows.values()].sort((a, b) => b.compressed - a.compressed || a.name.localeCompare(b.name)), unsized}
}

function predictionNotes(of: {dev: boolean; facts: Sized; file: string; nodes: LockNode[]; packages: PackageRow[]; registries: NpmRegistries}): string[] {
  const {dev, facts, file, nodes, packages, registries} = of
  const sizedBy = nodes.some(n => facts.get(id(n))?.facts?.source === 'tarball') ? ' (dist.unpackedSize where the registry gives it, else the tarball read as it downloads)' : ''
  const total = packages.reduce((sum, p) => sum + p.size, 0)
  const compressed = packages.reduce((sum, p) => sum + p.compressed, 0)
  return [
    `node_modules predicted from ${file}: ${plural(packages.length, 'package')}, ${formatBytes(total)} unpacked, `
    + `${dev ? 'devDependencies kept (as with NPM_CONFIG_PRODUCTION=false / YARN_PRODUCTION=false)' : 'devDependencies pruned as the buildpack does after the build'}; `
    + `sizes from ${redactUrlCredentials(registries.url)} (${registries.origin})${sizedBy}.`,
    `Estimate: a package's Compressed share is its registry tarball's size (${formatBytes(compressed)} in all); `
    + 'on the tested apps the sum came within 10% of the real gzipped node_modules (README, Node.js: before the first push).',
  ]
}

/** What the buildpack's install leaves out: other platforms' optional packages, and (unless kept) devDependencies. */
function leftOutNotes(graph: LockGraph, skipped: LockNode[], dev: boolean): string[] {
  const notes: string[] = []
  const otherPlatforms = skipped.filter(n => !n.local)
  if (otherPlatforms.length > 0) {
    const names = [...new Set(otherPlatforms.map(n => n.name))].sort()
    const shown = `${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}`
    notes.push(`${plural(names.length, 'optional package')} for other platforms than a dyno (Linux x64, glibc) ${names.length === 1 ? 'is' : 'are'} not installed: ${shown}.`)
  }

  const devRoots = graph.roots.devDependencies.length
  if (!dev && devRoots > 0) {
    notes.push([
      `${devRoots} devDependenc${devRoots === 1 ? 'y' : 'ies'} (and what only they need) ${devRoots === 1 ? 'is' : 'are'} pruned; an app with NPM_CONFIG_PRODUCTION=false `,
      'or YARN_PRODUCTION=false keeps them: --node-dev-dependencies predicts that.',
    ].join(''))
  }

  return notes
}

function unsizedNotes(facts: Sized, unsized: string[]): string[] {
  const failures = [...facts.values()].filter(r => r.error).map(r => r.error!)
  if (failures.length > 0) return [`No size is known for ${plural(failures.length, 'package')}, counted as 0 B: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? '; ...' : ''}.`]
  if (unsized.length > 0) return [`No size is known for ${plural(unsized.length, 'package')}, counted as 0 B: ${unsized.slice(0, 5).join(', ')}.`]
  return []
}

function buildScriptNotes(pkg: PackageJson): string[] {
  const name = pkg.scripts?.['heroku-postbuild'] ? 'heroku-postbuild' : 'build'
  const build = pkg.scripts?.[name]
  if (!build) return []
  return [`package.json's ${name} script (${build.length > 60 ? `${build.slice(0, 60)}...` : build}) runs during the build: what it writes (e.g. .next/ and its cache) is not predicted.`]
}

function runtimeOnly(pkg: PackageJson): NodeDependencies {
  const choice = chooseNode(pkg.engines?.node)
  if (typeof choice === 'string') return {notes: [`The Node.js runtime is not counted: ${choice}.`], packages: []}
  const size = nodeRuntimeSize(choice.major)
  return {
    notes: [`Estimate: the Node.js ${choice.version} runtime in .heroku/node (${choice.source}) is ${formatBytes(size.compressed)} compressed (${size.source}).`],
    packages: [{compressed: size.compressed, ecosystem: 'runtime', evidence: 'requirement', files: 0, location: '.heroku/node', name: 'node', size: size.unpacked, version: choice.version}],
  }
}
