import type {HerokuApi} from '../heroku/client.js'

import {type AnalyzeOptions, classify} from '../analysis/index.js'
import type {FileRow} from '../analysis/types.js'
import {checkNewestBuild, reportFromBuild, reportFromLogFile} from '../buildlog/inspect.js'
import {reportFromScan} from '../report/from-scan.js'
import type {ReportSource, SlugReport} from '../report/types.js'
import {predictRepo, type RepoReportOptions} from '../repo/report.js'
import {type ScanProgress, scanSlugFile} from '../slug/sources.js'
import type {ScanResult} from '../slug/types.js'
import {UserError} from '../util/errors.js'
import {scanAppSlug} from './app-slug.js'

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

export interface EvidenceOptions {
  analyze: AnalyzeOptions
  progress?: ScanProgress
  /** keep a downloaded or read slug at this path */
  savePath?: string
  /** for --dir: what the caller already read of the repo */
  known?: RepoReportOptions['known']
  /** for --dir: resolve the Python dependencies for the Heroku stack */
  resolve?: RepoReportOptions['resolve']
}

/** A report, with every file's row when there are files (a build log has none). */
export interface Evidence {
  report: SlugReport
  files?: FileRow[]
}

/** Classifies the slug once, for the report and for the full file list. */
function fromScan(scan: ScanResult, source: ReportSource, analyze: AnalyzeOptions): Evidence {
  const classified = classify(scan)
  return {files: classified.files, report: reportFromScan(scan, source, analyze, classified)}
}

/**
 * The one place that decides where a report's evidence comes from: a saved build log, a slug file, a
 * repository's prediction, a build's log, or an app's slug. For an app with nothing else named, a push
 * that failed after the running release left no slug, so its log is the evidence.
 */
export async function loadEvidence(heroku: HerokuApi, choice: EvidenceChoice, options: EvidenceOptions): Promise<Evidence> {
  const {analyze, known, progress, resolve, savePath} = options
  if (choice.log) return {report: await reportFromLogFile(choice.log)}

  if (choice.file) {
    const scan = await scanSlugFile(choice.file, {progress, savePath})
    return fromScan(scan, {file: choice.file}, analyze)
  }

  if (choice.dir) {
    const {files, report} = await predictRepo(choice.dir, {...analyze, known, resolve, sitePackages: choice.sitePackages})
    return {files, report}
  }

  if (choice.build) return {report: await reportFromBuild(heroku, choice.app, choice.build)}

  if (!choice.app) throw new UserError('Say what to read: --app APP (or a heroku git remote), --file SLUG.tgz, --log BUILD.log, or --dir REPO.')

  const named = choice.release !== undefined || choice.slugId !== undefined
  const newest = named ? {} : await checkNewestBuild(heroku, choice.app)
  if (newest.report) return {report: newest.report}
  const {scan, source} = await scanAppSlug(
    heroku,
    {app: choice.app, appInfo: newest.app, release: choice.release, slugId: choice.slugId},
    {progress, savePath},
  )
  const evidence = fromScan(scan, source, analyze)
  if (newest.note) evidence.report.notes.unshift(newest.note)
  return evidence
}
