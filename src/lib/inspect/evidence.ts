import type {APIClient} from '@heroku-cli/command'

import type {AnalyzeOptions} from '../analysis/index.js'
import {checkNewestBuild, reportFromBuild, reportFromLogFile} from '../buildlog/inspect.js'
import {reportFromScan} from '../report/from-scan.js'
import type {SlugReport} from '../report/types.js'
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
}

/** A report, with the scan behind it when there is one (a build log has no files). */
export interface Evidence {
  report: SlugReport
  scan?: ScanResult
}

/**
 * The one place that decides where a report's evidence comes from: a saved build log, a slug file, a
 * repository's prediction, a build's log, or an app's slug. For an app with nothing else named, a push
 * that failed after the running release left no slug, so its log is the evidence.
 */
export async function loadEvidence(heroku: APIClient, choice: EvidenceChoice, options: EvidenceOptions): Promise<Evidence> {
  const {analyze, known, progress, savePath} = options
  if (choice.log) return {report: await reportFromLogFile(choice.log)}

  if (choice.file) {
    const scan = await scanSlugFile(choice.file, {progress, savePath})
    return {report: reportFromScan(scan, {file: choice.file}, analyze), scan}
  }

  if (choice.dir) return predictRepo(choice.dir, {...analyze, known, sitePackages: choice.sitePackages})

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
  const report = reportFromScan(scan, source, analyze)
  if (newest.note) report.notes.unshift(newest.note)
  return {report, scan}
}
