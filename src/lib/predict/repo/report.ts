import {readdir, stat} from 'node:fs/promises'
import {basename, join, resolve} from 'node:path'

import {analyzeScan} from '../../analyze/analyze.js'
import {classify} from '../../analyze/classify.js'
import {finalizeFindings} from '../../analyze/findings.js'
import {packageFindings} from '../../analyze/package-findings.js'
import {buildpackSitePackages} from '../../analyze/paths.js'
import type {FileRow, PackageRow} from '../../analyze/rows.js'
import {type DeclaredDependencies, readDeclaredDependencies} from '../../source/repo-dependencies.js'
import {findSitePackages, type InstalledDistribution, PYTHON_FOLDER, readDistributions, requiredClosure} from '../../source/site-packages.js'
import {SLUG_LIMIT, SLUG_WARNING, type SlugReport} from '../../analyze/report.js'
import {CAPTURE_MAX_BYTES, isCapturedPath} from '../../scan/scanner.js'
import type {ScanResult, SlugEntry} from '../../scan/entries.js'
import {applySlugignore, parseSlugignore} from '../../analyze/slugignore/match.js'
import {formatBytes} from '../../shared/bytes.js'
import {UserError} from '../../shared/errors.js'
import {readRegularText} from '../../shared/read-file.js'
import type {NodePredictOptions} from '../node/predict.js'
import type {StackResolveOptions} from '../python/predict.js'
import {estimateCompressedSizes} from './estimate.js'
import {describeFile, listRepo, type RepoFile, type RepoListing, walkFiles} from '../../source/repo-files.js'
import {mapLimit} from '../../shared/map-limit.js'

export interface RepoReportOptions {
  /** an installed environment to measure packages from (a site-packages folder or a virtualenv) */
  sitePackages?: string
  top: number
  depth: number
  /** what the caller already read of the repo holding `dir`, so it is not read again */
  known?: {listing: RepoListing; declared: DeclaredDependencies[]}
  /** without an installed environment: resolve the Python dependencies for the Heroku stack (repo files only without it) */
  resolve?: StackResolveOptions
  /** predict node_modules and the Node runtime from the repo's lock file (without it, package.json's packages are listed unsized) */
  node?: NodePredictOptions
}

/** How close the estimator came to real slugs (test/unit/lib/repo/estimate.test.ts; numpy, typescript and a whole site-packages). */
export const ESTIMATE_PRECISION = [
  'compressed sizes are estimates (small files deflated together as in a slug, large files sampled):',
  'on test trees (fixtures, numpy, a 574 MB site-packages) they came within 1.5% of a real slug in total and within 6% for files of 1 MiB and more',
].join(' ')

/** A site-packages folder, given as itself or as the virtualenv holding it. */
async function resolveSitePackages(path: string): Promise<string> {
  const absolute = resolve(path)
  const info = await stat(absolute).catch(() => {})
  if (!info?.isDirectory()) throw new UserError(`--site-packages ${path} is not a directory.`)
  if (basename(absolute) === 'site-packages') return absolute
  const entries = await readdir(absolute)
  if (entries.some(e => e.endsWith('.dist-info'))) return absolute
  const inside = await findSitePackages(join(absolute, '..'), [basename(absolute)])
  if (inside) return inside
  throw new UserError(`--site-packages ${path} holds no installed packages (no *.dist-info folders, no lib/python3*/site-packages).`)
}

async function readText(root: string, path: string, what: string): Promise<string> {
  try {
    return await readRegularText(join(root, path))
  } catch (error) {
    throw new UserError(`Cannot read ${what}: ${(error as Error).message}`)
  }
}

interface SiteFiles {
  root: string
  /** `python3.12`: where the buildpack installs packages in the slug */
  python: string
  files: RepoFile[]
  dropped: InstalledDistribution[]
}

/** Top-level names under site-packages that only the given distributions own. */
function ownedOnlyBy(dists: InstalledDistribution[], dropped: Set<string>): Set<string> {
  const owners = new Map<string, boolean>()
  for (const d of dists) {
    for (const p of d.paths) {
      if (p.startsWith('../')) continue
      const top = p.split('/')[0]
      owners.set(top, (owners.get(top) ?? true) && dropped.has(d.name))
    }
  }

  return new Set([...owners].filter(([, only]) => only).map(([top]) => top))
}

/**
 * The files of an installed environment that a build would install: the closure of the declared
 * requirements when there are any (a local environment also holds dev tools the build never installs).
 */
async function siteFiles(site: string, declared: DeclaredDependencies[]): Promise<SiteFiles> {
  const dists = await readDistributions(site)
  const python = site.replaceAll('\\', '/').split('/').find(p => PYTHON_FOLDER.test(p)) ?? 'python3'
  const roots = declared
  .filter(d => d.manager !== 'npm')
  .flatMap(d => d.packages.map(p => ({extras: d.extras[p.name] ?? [], name: p.name})))
  const needed = roots.length > 0 ? requiredClosure(dists, roots) : new Set(dists.map(d => d.name))
  const dropped = dists.filter(d => !needed.has(d.name))
  const droppedNames = new Set(dropped.map(d => d.name))
  const excluded = new Set(dropped.flatMap(d => d.paths.filter(p => !p.startsWith('../'))))
  const excludedTops = ownedOnlyBy(dists, droppedNames)
  const paths = (await walkFiles(site)).filter(p => !excluded.has(p) && !excludedTops.has(p.split('/')[0]))
  const described = await mapLimit(paths, 32, p => describeFile(site, p))
  return {dropped, files: described.filter(f => f !== undefined), python, root: site}
}

function entryOf(file: RepoFile, path: string, compressed: number): SlugEntry {
  const entry: SlugEntry = {compressed, path, size: file.size, type: file.type}
  if (file.linkTarget !== undefined) entry.linkTarget = file.linkTarget
  if (file.peek) entry.peek = file.peek
  return entry
}

/** Declared packages, one row per name (a name declared in two files is listed once). */
function declaredRows(declared: DeclaredDependencies[]): PackageRow[] {
  const rows = new Map<string, PackageRow>()
  for (const d of declared) for (const p of d.packages) if (!rows.has(`${p.ecosystem}:${p.name}`)) rows.set(`${p.ecosystem}:${p.name}`, p)
  return [...rows.values()]
}

export const UNMEASURED_PACKAGES = [
  "Python packages are listed as declared, without sizes, so the compressed total counts the repo's files only:",
  'pass --site-packages PATH (or keep a .venv in the repo) to measure them.',
].join(' ')

export const RUNTIME_NOT_INCLUDED = 'The Python runtime the buildpack installs (.heroku/python) is not included.'

export const NODE_MODULES_NOT_INCLUDED = 'node_modules, installed by the Node.js buildpack, is not included.'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
const isAre = (n: number): string => (n === 1 ? 'is' : 'are')

function repoNotes(listing: RepoListing, removedCount: number, removedBytes: number): string[] {
  const notes = [
    `Predicted from the git repository at ${listing.root}: ${plural(listing.files.length, 'file')} committed or staged `
    + `(untracked and .gitignored files are not pushed); ${ESTIMATE_PRECISION}.`,
  ]
  const {missing} = listing
  if (missing.length > 0) notes.push(`${plural(missing.length, 'tracked file')} missing from the working tree ${isAre(missing.length)} not counted (e.g. ${missing[0]}).`)
  const unreadable = listing.unreadable ?? []
  if (unreadable.length > 0) {
    const shown = unreadable.length > 10 ? `${unreadable.slice(0, 10).join(', ')}, ...` : unreadable.join(', ')
    notes.push(`${plural(unreadable.length, 'tracked file')} could not be read (permission denied) and ${isAre(unreadable.length)} not counted: ${shown}.`)
  }

  if (removedCount > 0) notes.push(`.slugignore removes ${plural(removedCount, 'file')} (${formatBytes(removedBytes)} unpacked) before the build.`)
  return notes
}

function packageNotes(declared: DeclaredDependencies[], site: SiteFiles | undefined, missing: PackageRow[]): string[] {
  const notes: string[] = []
  const python = declared.filter(d => d.manager !== 'npm' && d.packages.length > 0)
  if (site) {
    notes.push(`Python packages measured from ${site.root} (a local environment: wheels for another OS or Python version differ in size from what Heroku installs).`)
    if (python.length === 0) notes.push('No declared Python dependencies: every installed package is counted.')
    const dropped = site.dropped.map(d => d.name).sort()
    if (dropped.length > 0) {
      const list = `${dropped.slice(0, 12).join(', ')}${dropped.length > 12 ? ', ...' : ''}`
      notes.push(`${plural(dropped.length, 'installed package')} that the declared dependencies do not require ${isAre(dropped.length)} left out: ${list}.`)
    }
  }

  const undeclared = missing.filter(p => p.ecosystem === 'python')
  if (undeclared.length > 0 && site) {
    notes.push(`${plural(undeclared.length, 'declared package')} ${isAre(undeclared.length)} not installed in ${site.root}, so without size: ${undeclared.map(p => p.name).join(', ')}.`)
  } else if (undeclared.length > 0) {
    notes.push(UNMEASURED_PACKAGES)
  }

  if (python.length > 0) notes.push(RUNTIME_NOT_INCLUDED)
  if (declared.some(d => d.manager === 'npm' && d.packages.length > 0)) notes.push(NODE_MODULES_NOT_INCLUDED)
  for (const d of declared) for (const note of d.notes) notes.push(`${d.file}: ${note}`)
  return notes
}

/** A predicted slug: the report, and the slug-shaped scan it was analysed from (every file, for the HTML treemap). */
export interface RepoPrediction {
  report: SlugReport
  scan: ScanResult
  /** every predicted file's row (the report lists only the largest) */
  files: FileRow[]
}

/**
 * The repo's files (and an installed site-packages, at the buildpack's path) as a scan would list them: each with
 * its share estimated by compressing it, and the small files the analysis reads captured.
 */
async function scanOfFiles(root: string, repoFiles: RepoFile[], site: SiteFiles | undefined): Promise<ScanResult> {
  const repoShares = await estimateCompressedSizes(root, repoFiles)
  const siteShares = site ? await estimateCompressedSizes(site.root, site.files) : []
  const sitePrefix = site ? `${buildpackSitePackages(site.python)}/` : ''
  const sources = [
    ...repoFiles.map((f, i) => ({entry: entryOf(f, f.path, repoShares[i]), file: f.path, root})),
    ...(site?.files ?? []).map((f, i) => ({entry: entryOf(f, sitePrefix + f.path, siteShares[i]), file: f.path, root: site!.root})),
  ]

  const captured: Record<string, string> = {}
  const toCapture = sources.filter(s => s.entry.type === 'file' && s.entry.size > 0 && s.entry.size <= CAPTURE_MAX_BYTES && isCapturedPath(s.entry.path))
  await mapLimit(toCapture, 16, async s => {
    captured[s.entry.path] = await readText(s.root, s.file, s.file)
  })

  const entries = sources.map(s => s.entry)
  const files = entries.filter(e => e.type === 'file')
  return {
    captured,
    compressedSize: Math.round(entries.reduce((sum, e) => sum + e.compressed, 0)),
    entries,
    fileCount: files.length,
    outside: {compressed: 0, count: 0, examples: [], size: 0},
    sha256: '',
    uncompressedSize: files.reduce((sum, e) => sum + e.size, 0),
  }
}

/**
 * The packages a build would install, predicted: Python's resolved for the stack (when no installed
 * site-packages was measured) and node_modules from the lock file. Loaded only for a prediction: the resolvers
 * bring undici and pip's plumbing, which a slug's scan never needs.
 */
async function withPredictedDependencies(report: SlugReport, root: string, tracked: ReadonlySet<string>, of: {options: RepoReportOptions; site?: SiteFiles}): Promise<SlugReport> {
  const {options, site} = of
  let predicted = report
  if (!site && options.resolve) {
    const [{resolveForStack}, {withStackDependencies}] = await Promise.all([import('../python/predict.js'), import('../python/merge.js')])
    const resolved = await resolveForStack(root, tracked, options.resolve)
    predicted = withStackDependencies(predicted, resolved, [UNMEASURED_PACKAGES, RUNTIME_NOT_INCLUDED])
  }

  if (options.node) {
    const [{predictNodeModules}, {withNodeDependencies}] = await Promise.all([import('../node/predict.js'), import('../node/merge.js')])
    predicted = withNodeDependencies(predicted, await predictNodeModules(root, tracked, options.node), [NODE_MODULES_NOT_INCLUDED])
  }

  return predicted
}

/**
 * What a `git push` of the repo holding `dir` would put in the slug: the committed files that survive
 * .slugignore, each with an estimated compressed share, and the packages (measured from an installed
 * environment when one is known, else as declared), analysed like a real slug and marked as a prediction.
 */
export async function predictRepoReport(dir: string, options: RepoReportOptions): Promise<SlugReport> {
  return (await predictRepo(dir, options)).report
}

/** predictRepoReport, with the scan-shaped entry list it analysed. */
export async function predictRepo(dir: string, options: RepoReportOptions): Promise<RepoPrediction> {
  const listing = options.known?.listing ?? await listRepo(dir)
  const {root} = listing

  const slugignore = listing.files.find(f => f.path === '.slugignore' && f.type === 'file')
  const slugignoreText = slugignore ? await readText(root, '.slugignore', '.slugignore') : ''
  const {kept, removed} = applySlugignore(listing.files.map(f => f.path), slugignoreText)
  const keptSet = new Set(kept)
  const repoFiles = listing.files.filter(f => keptSet.has(f.path))

  const declared = options.known?.declared ?? await readDeclaredDependencies(root)
  const sitePath = options.sitePackages ? await resolveSitePackages(options.sitePackages) : await findSitePackages(root)
  const site = sitePath ? await siteFiles(sitePath, declared) : undefined

  const scan = await scanOfFiles(root, repoFiles, site)
  const classified = classify(scan)
  const analysis = analyzeScan(scan, {depth: options.depth, top: options.top}, classified)

  // Declared packages the analysis did not find installed: listed as requirements, with knowledge findings.
  const installed = new Set(analysis.packages.map(p => `${p.ecosystem}:${p.name}`))
  const missing = declaredRows(declared).filter(p => !installed.has(`${p.ecosystem}:${p.name}`))
  const packages = [...analysis.packages, ...missing]
  const known = new Set(analysis.findings.map(f => f.id))
  const findings = finalizeFindings([...analysis.findings, ...packageFindings(missing).filter(f => !known.has(f.id))])

  const notes = [
    ...repoNotes(listing, removed.length, listing.files.filter(f => !keptSet.has(f.path)).reduce((sum, f) => sum + f.size, 0)),
    ...(slugignore ? parseSlugignore(slugignoreText).warnings : []),
    ...packageNotes(declared, site, missing),
  ]

  const report: SlugReport = {
    ...analysis,
    findings,
    kind: 'repo',
    notes,
    packages,
    prediction: true,
    source: {dir: root},
    totals: {
      compressed: scan.compressedSize,
      files: scan.fileCount,
      limit: SLUG_LIMIT,
      uncompressed: scan.uncompressedSize,
      warning: SLUG_WARNING,
    },
  }
  const predicted = await withPredictedDependencies(report, root, new Set(listing.files.map(f => f.path)), {options, site})
  return {files: classified.files, report: predicted, scan}
}
