import {
  BUILD_OUTPUT_FOLDERS, buildOutputFolderOf, DYNO_PLATFORM, dynoCanLoad, KEEP_DEV_SETTINGS, NODE_SOURCES, PLATFORM_PACKAGE_FAMILIES,
} from '../../knowledge/node-facts.js'
import {formatBytes} from '../../shared/bytes.js'
import {COMMANDS, severityOf} from '../findings.js'
import type {FileRow, Finding, PackageRow} from '../rows.js'
import {type PackageJson, readPackageJson} from './package-json.js'

/*
 * Findings about a Node.js slug (Heroku's Node.js buildpack): what the build wrote that the dyno does not need
 * (browser downloads, build caches, other platforms' binaries, source maps), devDependencies left unpruned, the same
 * package installed in several versions, and the Node runtime. Everything here is build output: a .slugignore rule
 * cannot reach it (the build runs after .slugignore is applied); the remedies are install settings and the
 * buildpack's `heroku-cleanup` script, which `heroku slug:diet` writes. No byte is counted by two findings: a package
 * folder claimed by one (foreign binaries, dev packages) is skipped by the next.
 */

export interface NodeSlugInput {
  files: FileRow[]
  packages: PackageRow[]
  /** the scan's captured texts: the app's package.json, each installed package's package.json */
  captured: Record<string, string>
}

/** Findings smaller than this (compressed bytes) are noise. */
const MIN_SAVINGS = 100_000

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

function sum(files: FileRow[]): number {
  return files.reduce((n, f) => n + f.compressed, 0)
}

/** The files of each folder (by the path a rule removes), largest first. */
function groupBy(files: FileRow[], keyOf: (f: FileRow) => string | undefined): Map<string, FileRow[]> {
  const groups = new Map<string, FileRow[]>()
  for (const f of files) {
    const key = keyOf(f)
    if (key === undefined) continue
    const list = groups.get(key)
    if (list) list.push(f)
    else groups.set(key, [f])
  }

  return new Map([...groups].sort((a, b) => sum(b[1]) - sum(a[1])))
}

function nodePackages(packages: PackageRow[]): PackageRow[] {
  return packages.filter(p => p.ecosystem === 'node' && p.location !== undefined)
}

/**
 * The folder of one browser build: Puppeteer's are two levels below its cache (`chrome/linux-158.0.8127.88/`),
 * Playwright's one (`chromium-1148/`).
 */
function browserBuild(path: string, at: string): string {
  const levels = at.includes('puppeteer') ? 2 : 1
  const parts = path.slice(at.length).split('/')
  return parts.length > levels ? `${at}${parts.slice(0, levels).join('/')}/` : at
}

const BROWSER_REMEDY = {
  '.cache/ms-playwright/':
    'Build output: .slugignore cannot reach it. If the app drives a browser at run time it needs one: keep it (install only the '
    + 'browser it uses: `npx playwright install chromium`). If it does not (Playwright is for tests or the build), set '
    + 'PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 or delete the folder in heroku-cleanup (`heroku slug:diet`).',
  '.cache/puppeteer/':
    'Build output: .slugignore cannot reach it. If the app launches a browser at run time it needs one: either keep this one, or '
    + 'set PUPPETEER_SKIP_DOWNLOAD=true, depend on puppeteer-core instead of puppeteer and add the Chrome for Testing buildpack '
    + '(launch the `chrome` it puts on PATH): that Chrome is ~158 MB compressed too, so the slug does not shrink; it only moves the '
    + 'download out of npm install. If the app does not launch a browser on the dyno (it renders at build time, or connects to a '
    + 'remote browser with puppeteer.connect), set PUPPETEER_SKIP_DOWNLOAD=true, or delete the folder in heroku-cleanup '
    + '(`heroku slug:diet`, which keeps it when the app\'s code requires puppeteer).',
} as const

function browserFindings(files: FileRow[]): Finding[] {
  const findings: Finding[] = []
  for (const folder of BUILD_OUTPUT_FOLDERS.filter(b => b.kind === 'browser')) {
    const inside = files.filter(f => buildOutputFolderOf(f.path)?.folder === folder)
    const savings = sum(inside)
    if (savings < MIN_SAVINGS) continue
    const builds = groupBy(inside, f => browserBuild(f.path, buildOutputFolderOf(f.path)!.at))
    const tool = folder.prefix.includes('playwright') ? 'Playwright' : 'Puppeteer'
    findings.push({
      command: COMMANDS.diet,
      estimated: false,
      evidence: [...[...builds].map(([path, rows]) => `${path}: ${formatBytes(sum(rows))} compressed (${plural(rows.length, 'file')})`), `written by ${folder.writer}`],
      id: `browser-download:${folder.prefix}`,
      kind: 'browser-download',
      paths: [...new Set([...builds.keys()].map(p => buildOutputFolderOf(p)!.at))].sort(),
      remedy: BROWSER_REMEDY[folder.prefix as keyof typeof BROWSER_REMEDY] ?? BROWSER_REMEDY['.cache/puppeteer/'],
      savings,
      severity: severityOf(savings),
      source: folder.source,
      title: `${tool}'s browser download is in the slug`,
    })
  }

  return findings
}

/** Puppeteer installed without a browser in the slug: on Heroku it downloaded to /app/.cache outside the build. */
function missingBrowserFinding(files: FileRow[], packages: PackageRow[]): Finding | undefined {
  const puppeteer = nodePackages(packages).find(p => p.name === 'puppeteer' && p.location === 'node_modules/puppeteer')
  if (!puppeteer || files.some(f => f.path.startsWith('.cache/puppeteer/'))) return undefined
  return {
    estimated: false,
    evidence: [`puppeteer ${puppeteer.version ?? ''} is installed; no browser is in .cache/puppeteer/ or elsewhere in the slug`.replace('  ', ' ')],
    id: 'browser-download:missing',
    kind: 'browser-download',
    remedy:
      'During a Heroku build HOME is /app, not the build folder, so Puppeteer\'s default download to ~/.cache/puppeteer is left '
      + 'out of the slug and puppeteer.launch() fails with "Could not find Chrome". Either add a .puppeteerrc.cjs with '
      + "cacheDirectory: join(__dirname, '.cache', 'puppeteer') (the browser then adds ~150 MB compressed to the slug), or use "
      + 'puppeteer-core with the Chrome for Testing buildpack (~158 MB compressed too).',
    savings: 0,
    severity: 'low',
    source: NODE_SOURCES.puppeteerHeroku,
    title: 'Puppeteer is installed but its browser is not in the slug',
  }
}

function buildCacheFindings(files: FileRow[]): Finding[] {
  const caches = groupBy(files, f => {
    const hit = buildOutputFolderOf(f.path)
    return hit?.folder.kind === 'build-cache' ? hit.at : undefined
  })
  const savings = [...caches.values()].reduce((n, rows) => n + sum(rows), 0)
  if (savings < MIN_SAVINGS) return []
  const writers = [...new Set([...caches.keys()].map(at => buildOutputFolderOf(at)!.folder))]
  return [{
    command: COMMANDS.diet,
    estimated: false,
    evidence: [...caches].map(([at, rows]) => `${at}: ${formatBytes(sum(rows))} compressed (${plural(rows.length, 'file')}, ${buildOutputFolderOf(at)!.folder.writer})`),
    id: 'build-cache',
    kind: 'build-cache',
    paths: [...caches.keys()].sort(),
    remedy:
      'Caches the build wrote and the app never reads at run time. Build output: .slugignore cannot reach them. Delete them in '
      + 'the heroku-cleanup script of package.json, which the Node.js buildpack runs after pruning (`heroku slug:diet` writes it).',
    savings,
    severity: severityOf(savings),
    source: writers.length === 1 ? writers[0].source : NODE_SOURCES.buildpack,
    title: `Build caches in the slug (${[...caches.keys()].join(', ')})`,
  }]
}

/** npm's rule for `os`, `cpu` and `libc` lists: `!x` blocks x; any plain entry makes the list an allow-list. */
function allows(values: string | string[] | undefined, mine: string): boolean {
  const list = values === undefined ? [] : (Array.isArray(values) ? values : [values])
  if (list.includes(`!${mine}`)) return false
  const allowed = list.filter(v => !v.startsWith('!'))
  return allowed.length === 0 || allowed.includes(mine)
}

/** The platform of a package a dyno cannot load: from its package.json's os/cpu/libc, else from its name. */
function foreignPlatform(p: PackageRow, meta: PackageJson | undefined): string | undefined {
  if (meta && (!allows(meta.os, DYNO_PLATFORM.os) || !allows(meta.cpu, DYNO_PLATFORM.cpu) || !allows(meta.libc, DYNO_PLATFORM.libc))) {
    return [meta.os, meta.cpu, meta.libc].flat().filter(v => v !== undefined).join('-')
  }

  for (const family of PLATFORM_PACKAGE_FAMILIES) {
    const m = family.pattern.exec(p.name)
    if (m && !dynoCanLoad(m[1])) return m[1]
  }

  return undefined
}

function foreignBinaryFinding(input: NodeSlugInput, claimed: Set<string>): Finding | undefined {
  const foreign = nodePackages(input.packages)
  .map(p => ({p, platform: foreignPlatform(p, readPackageJson(input.captured[`${p.location}/package.json`]))}))
  .filter((x): x is {p: PackageRow; platform: string} => x.platform !== undefined && !claimed.has(x.p.location!))
  const savings = foreign.reduce((n, x) => n + x.p.compressed, 0)
  if (savings < MIN_SAVINGS) return undefined
  for (const x of foreign) claimed.add(x.p.location!)
  foreign.sort((a, b) => b.p.compressed - a.p.compressed)
  return {
    command: COMMANDS.diet,
    estimated: false,
    evidence: foreign.slice(0, 10).map(x => `${x.p.location} (${x.platform}): ${formatBytes(x.p.compressed)} compressed`),
    id: 'foreign-binaries',
    kind: 'foreign-binaries',
    packages: foreign.map(x => x.p.name),
    paths: foreign.map(x => `${x.p.location}/`).sort(),
    remedy:
      'Native binaries for other platforms: a dyno is linux x64 with glibc and cannot load them (npm installs a platform package '
      + 'only where its os, cpu and libc fields match, but a node_modules built elsewhere or an npm that ignores `libc` keeps them). '
      + 'Delete them in heroku-cleanup (`heroku slug:diet`), and do not commit node_modules.',
    savings,
    severity: severityOf(savings),
    source: NODE_SOURCES.packageJsonOs,
    title: `${plural(foreign.length, 'package')} of native binaries for other platforms`,
  }
}

/**
 * Installed packages only devDependencies need: npm's hidden lock file (node_modules/.package-lock.json) marks them
 * `dev: true`; without it, the app's devDependencies found at the top of node_modules.
 */
function devPackageLocations(input: NodeSlugInput, app: PackageJson): Set<string> {
  const hidden = input.captured['node_modules/.package-lock.json']
  if (hidden !== undefined) {
    try {
      const lock = JSON.parse(hidden) as {packages?: Record<string, {dev?: unknown}>}
      return new Set(Object.entries(lock.packages ?? {}).filter(([, p]) => p.dev === true).map(([location]) => location))
    } catch {
      // an unreadable hidden lock file: fall back to the top-level names
    }
  }

  const prod = new Set(Object.keys(app.dependencies ?? {}))
  return new Set(Object.keys(app.devDependencies ?? {}).filter(n => !prod.has(n)).map(n => `node_modules/${n}`))
}

function devDependencyFinding(input: NodeSlugInput, app: PackageJson | undefined, claimed: Set<string>): Finding | undefined {
  if (!app?.devDependencies) return undefined
  const locations = devPackageLocations(input, app)
  const dev = nodePackages(input.packages).filter(p => locations.has(p.location!) && !claimed.has(p.location!))
  const savings = dev.reduce((n, p) => n + p.compressed, 0)
  const both = Object.keys(app.devDependencies).filter(n => app.dependencies?.[n] !== undefined)
  if (savings < MIN_SAVINGS && both.length === 0) return undefined
  for (const p of dev) claimed.add(p.location!)
  const declared = Object.keys(app.devDependencies)
  const top = dev.filter(p => declared.includes(p.name) && p.location === `node_modules/${p.name}`).sort((a, b) => b.compressed - a.compressed)
  const settings = KEEP_DEV_SETTINGS.map(s => `${s.name}=${s.value}`).join(' or ')
  const evidence = [
    ...(dev.length > 0 ? [`${plural(dev.length, 'installed package')} only devDependencies need: ${formatBytes(savings)} compressed`] : []),
    ...top.slice(0, 6).map(p => `${p.name}${p.version ? ` ${p.version}` : ''} (devDependencies): ${formatBytes(p.compressed)} compressed`),
  ]
  if (both.length > 0) evidence.push(`listed in both dependencies and devDependencies (npm marks it dev in package-lock.json and prunes it with them): ${both.join(', ')}`)
  const remedies: string[] = []
  if (dev.length > 0) {
    remedies.push(`The buildpack prunes devDependencies after the build unless ${settings} is set: \`heroku config:unset\` it (see \`heroku config\`). The build still installs them first.`)
  }

  if (both.length > 0) {
    const once = `List ${both.join(', ')} once: in dependencies if the app loads it at run time (it is pruned from the slug today),`
    remedies.push(`${once} else in devDependencies only (\`heroku slug:diet --fix-package-json\`).`)
  }

  return {
    // slug:diet fixes the double listing; the pruning is a config var of the app
    command: both.length > 0 ? COMMANDS.fixPackageJson : undefined,
    estimated: false,
    evidence,
    id: 'dev-dependencies',
    kind: 'dev-dependencies',
    packages: dev.map(p => p.name),
    paths: dev.map(p => `${p.location}/`).sort(),
    remedy: remedies.join(' '),
    savings,
    severity: severityOf(savings),
    source: NODE_SOURCES.buildpack,
    title: dev.length > 0 ? 'devDependencies are installed in the slug' : 'A package is listed in both dependencies and devDependencies',
  }
}

/** `x.js.map` (any map), and `x.ts` next to a compiled `x.js` (not `.d.ts`). */
function sourceMapOrSource(path: string, all: Set<string>): boolean {
  if (path.endsWith('.map')) return /\.(?:[cm]?js|css)\.map$/.test(path)
  if (path.endsWith('.ts') && !path.endsWith('.d.ts')) return all.has(`${path.slice(0, -3)}.js`)
  if (path.endsWith('.tsx')) return all.has(`${path.slice(0, -4)}.js`)
  return false
}

function sourceMapFinding(files: FileRow[], claimed: Set<string>): Finding | undefined {
  const all = new Set(files.map(f => f.path))
  const claimedFolders = [...claimed].map(location => `${location}/`)
  const inClaimed = (f: FileRow) => f.origin === 'buildpack' && claimedFolders.some(folder => f.path.startsWith(folder))
  const matched = files.filter(f => sourceMapOrSource(f.path, all) && !inClaimed(f))
  const packaged = matched.filter(f => f.path.startsWith('node_modules/') || f.path.includes('/node_modules/'))
  const own = matched.filter(f => !packaged.includes(f))
  const savings = sum(packaged)
  if (savings + sum(own) < MIN_SAVINGS) return undefined
  const maps = (rows: FileRow[]) => rows.filter(f => f.path.endsWith('.map')).length
  const sources = packaged.length - maps(packaged)
  const evidence = [`in node_modules: ${plural(maps(packaged), 'source map')} and ${plural(sources, 'TypeScript source')} next to compiled .js: ${formatBytes(savings)} compressed`]
  if (own.length > 0) {
    const largestOwn = own.sort((a, b) => b.compressed - a.compressed)[0].path
    evidence.push(`in the app's own files: ${plural(own.length, 'file')}, ${formatBytes(sum(own))} compressed (e.g. ${largestOwn})`)
  }

  return {
    command: COMMANDS.diet,
    estimated: false,
    evidence,
    id: 'source-maps',
    kind: 'source-maps',
    remedy:
      'Source maps and TypeScript sources are read only by debuggers and by stack traces under --enable-source-maps. Those in '
      + 'node_modules can be deleted in heroku-cleanup (`heroku slug:diet`); for the app\'s own, turn source maps off in the production '
      + 'build (or keep them only when the app runs with --enable-source-maps).',
    savings,
    severity: severityOf(savings),
    source: NODE_SOURCES.sourceMaps,
    title: 'Source maps and TypeScript sources next to compiled code',
  }
}

function duplicateFinding(packages: PackageRow[], claimed: Set<string>): Finding | undefined {
  const byName = new Map<string, PackageRow[]>()
  for (const p of nodePackages(packages)) {
    if (claimed.has(p.location!)) continue
    const list = byName.get(p.name) ?? []
    list.push(p)
    byName.set(p.name, list)
  }

  const duplicated = [...byName].filter(([, rows]) => rows.length > 1)
  // npm dedupe keeps one copy where the ranges allow: the copies beyond the largest are what it can save, at most.
  const extra = (rows: PackageRow[]) => rows.reduce((n, r) => n + r.compressed, 0) - Math.max(...rows.map(r => r.compressed))
  const savings = duplicated.reduce((n, [, rows]) => n + extra(rows), 0)
  if (savings < MIN_SAVINGS) return undefined
  duplicated.sort((a, b) => extra(b[1]) - extra(a[1]))
  return {
    estimated: true,
    evidence: duplicated.slice(0, 8).map(([name, rows]) => {
      const versions = [...new Set(rows.map(r => r.version ?? '?'))].join(', ')
      return `${name}: ${rows.length} copies (${versions}), ${formatBytes(extra(rows))} compressed beyond one`
    }),
    id: 'duplicate-versions',
    kind: 'duplicate-versions',
    remedy:
      'The same package installed more than once. `npm dedupe` (then commit package-lock.json) merges copies whose version ranges '
      + 'allow one version; for the others, upgrade the packages that pin old versions or set `overrides` in package.json. '
      + 'The saving is an upper bound: copies whose ranges do not overlap stay.',
    savings,
    severity: severityOf(savings),
    source: NODE_SOURCES.dedupe,
    title: `${plural(duplicated.length, 'package')} installed in several copies`,
  }
}

function runtimeFinding(packages: PackageRow[]): Finding | undefined {
  const node = packages.find(p => p.ecosystem === 'runtime' && p.name === 'node')
  if (!node) return undefined
  return {
    estimated: false,
    evidence: [`${node.location}: ${formatBytes(node.compressed)} compressed (${formatBytes(node.size)} unpacked, ${plural(node.files, 'file')})`],
    id: 'node-runtime',
    kind: 'node-runtime',
    remedy:
      'The Node.js runtime (node, npm, corepack, headers) the buildpack installs from engines.node: the dyno needs it and its size '
      + 'is the same whatever the app. Nothing to remove; counted here so the rest of the slug reads against it.',
    savings: 0,
    severity: 'low',
    source: NODE_SOURCES.buildpack,
    title: `Node.js runtime${node.version ? ` ${node.version}` : ''}: ${formatBytes(node.compressed)} compressed`,
  }
}

/** Every Node.js finding of a slug; `claimed` receives the package folders they cover (e.g. `node_modules/@swc/core-linux-x64-musl`). */
export function nodeSlugFindings(input: NodeSlugInput, claimed = new Set<string>()): Finding[] {
  const hasNode = input.packages.some(p => p.ecosystem === 'node') || input.files.some(f => buildOutputFolderOf(f.path))
  if (!hasNode) return []
  const app = readPackageJson(input.captured['package.json'])
  const findings: Array<Finding | undefined> = [
    ...browserFindings(input.files),
    missingBrowserFinding(input.files, input.packages),
    ...buildCacheFindings(input.files),
    foreignBinaryFinding(input, claimed),
    devDependencyFinding(input, app, claimed),
    sourceMapFinding(input.files, claimed),
    duplicateFinding(input.packages, claimed),
    runtimeFinding(input.packages),
  ]
  return findings.filter((f): f is Finding => f !== undefined)
}
