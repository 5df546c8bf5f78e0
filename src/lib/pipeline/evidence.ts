import type {HerokuApi} from '../heroku/client.js'

import {stat} from 'node:fs/promises'
import {dirname} from 'node:path'

import {type AnalyzeOptions} from '../analyze/analyze.js'
import {classify} from '../analyze/classify.js'
import type {FileRow} from '../analyze/rows.js'
import {reportFromScan} from '../analyze/from-scan.js'
import type {ReportSource, SlugReport} from '../analyze/report.js'
import type {RepoReportOptions} from '../predict/repo/report.js'
import {cachedScan, localSlugKey} from '../source/cached-scan.js'
import type {ScanCache} from '../scan/cache/store.js'
import type {ScanProgress} from '../source/slug-reader.js'
import {scanSlugPath, slugPathName} from '../source/slug-stream.js'
import type {ScanResult} from '../scan/entries.js'
import {UserError} from '../shared/errors.js'
import {scanAppSlug} from '../source/app-slug.js'

/** What to read, from the flags slug:inspect and slug:diet share. The first one given wins, in this order. */
export interface EvidenceChoice {
  log?: string
  file?: string
  dir?: string
  sitePackages?: string
  build?: string
  app?: string
  release?: number
  slugId?: string
}

export interface InspectionOptions {
  analyze: AnalyzeOptions
  progress?: ScanProgress
  /** keep a downloaded or read slug at this path */
  savePath?: string
  /** for --dir: what the caller already read of the repo */
  known?: RepoReportOptions['known']
  /** for --dir: resolve the Python dependencies for the Heroku stack */
  resolve?: RepoReportOptions['resolve']
  /** for --dir: predict node_modules and the Node runtime */
  node?: RepoReportOptions['node']
  /** scans of slugs read before (none: read every slug) */
  cache?: ScanCache
  /** connections for a slug download */
  connections?: number
  /** the plugin's cache folder: with it, an app's slug over the warning says how it grew over its last releases */
  slugSizesIn?: string
}

/** A report, with every file's row when there are files (a build log has none). */
export interface Inspection {
  report: SlugReport
  files?: FileRow[]
  /** a slug's captured texts (package metadata, the app's package.json): slug:diet reads what a Node.js app loads from them */
  captured?: Record<string, string>
}

/** `--save PATH` must name a file in a folder that exists: found out before a download, not after it. */
async function checkSavePath(path: string): Promise<void> {
  const info = await stat(path).catch(() => {})
  if (info?.isDirectory()) throw new UserError(`--save ${path} is a directory: give the file to write, e.g. ${path.replace(/\/$/, '')}/slug.tgz.`)
  const folder = await stat(dirname(path)).catch(() => {})
  if (!folder?.isDirectory()) throw new UserError(`--save ${path}: the folder ${dirname(path)} does not exist.`)
}

/** Classifies the slug once, for the report and for the full file list. */
function fromScan(scan: ScanResult, source: ReportSource, analyze: AnalyzeOptions): Inspection {
  const classified = classify(scan)
  return {captured: scan.captured, files: classified.files, report: reportFromScan(scan, source, analyze, classified)}
}

/**
 * The build-log and repository readers (and what they use: a TOML parser, .slugignore matching, pip) are
 * imported only for the evidence that needs them: a slug's scan then loads less (~4 MB at its peak).
 */
const buildLogs = () => import('./build-log.js')

/**
 * The one place that decides where a report's evidence comes from: a saved build log, a slug file, a
 * repository's prediction, a build's log, or an app's slug. For an app with nothing else named, a push
 * that failed after the running release left no slug, so its log is the evidence.
 */
export async function inspectEvidence(heroku: HerokuApi, choice: EvidenceChoice, options: InspectionOptions): Promise<Inspection> {
  const {analyze, cache, connections, known, node, progress, resolve, savePath, slugSizesIn} = options
  if (savePath !== undefined) await checkSavePath(savePath)
  if (choice.log) return {report: await (await buildLogs()).reportFromLogFile(choice.log)}

  if (choice.file) {
    const key = savePath === undefined ? await localSlugKey(choice.file) : undefined
    const scan = await cachedScan(cache, key, {contentHashes: false}, () => scanSlugPath(choice.file!, {progress, savePath}))
    return fromScan(scan, {file: slugPathName(choice.file)}, analyze)
  }

  if (choice.dir) {
    const {predictRepo} = await import('../predict/repo/report.js')
    const {files, report} = await predictRepo(choice.dir, {...analyze, known, node, resolve, sitePackages: choice.sitePackages})
    const {checkInference} = await import('./inference-check.js')
    return {files, report: await checkInference(report, choice.dir, resolve?.python ?? process.env.HEROKU_SLUG_DIET_PYTHON)}
  }

  if (choice.build) return {report: await (await buildLogs()).reportFromBuild(heroku, choice.app, choice.build)}

  if (!choice.app) throw new UserError('Say what to read: --app APP (or a heroku git remote), --file SLUG.tgz, --log BUILD.log, or --dir REPO.')

  const named = choice.release !== undefined || choice.slugId !== undefined
  const newest = named ? {} : await (await buildLogs()).checkNewestBuild(heroku, choice.app)
  if (newest.report) return {report: newest.report}
  const {releases, scan, source} = await scanAppSlug(
    heroku,
    {app: choice.app, appInfo: newest.app, release: choice.release ?? newest.release, slugId: choice.slugId},
    {cache, connections, progress, savePath},
  )
  const evidence = fromScan(scan, source, analyze)
  if (newest.note) evidence.report.notes.unshift(newest.note)
  if (slugSizesIn && releases) {
    // Only an app's slug needs them (the size cache loads a schema validator): a --file or --dir run never does.
    const [{addGrowth}, {slugSizeCacheFor}] = await Promise.all([import('./growth.js'), import('../heroku/slug-sizes.js')])
    await addGrowth(heroku, evidence.report, releases, slugSizeCacheFor(slugSizesIn))
  }

  return evidence
}
