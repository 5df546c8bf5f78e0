import type {HerokuApi} from '../heroku/client.js'
import type * as Heroku from '@heroku-cli/schema'

import {fetchBuildOutput, latestBuild, listBuilds, resolveBuild} from '../heroku/builds.js'
import {type AppInfo, currentRelease, getApp, listReleases, noSlugReason} from '../heroku/slugs.js'
import type {SlugReport} from '../analyze/report.js'
import {UserError} from '../shared/errors.js'
import {chooseAppEvidence} from '../source/app-evidence.js'
import {parseBuildLogOrThrow} from '../predict/build-log/parse.js'
import {readBuildLogText} from '../source/build-log.js'
import {reportFromBuildLog} from '../predict/build-log/report.js'

/** `slug:inspect --log FILE` (or `-`): a saved build output, no app or network needed. */
export async function reportFromLogFile(path: string): Promise<SlugReport> {
  const {name, text} = await readBuildLogText(path)
  return reportFromBuildLog(parseBuildLogOrThrow(text, name), {file: name})
}

function reportFromBuildText(app: string, build: Heroku.Build, text: string): SlugReport {
  const log = parseBuildLogOrThrow(text, `the log of build ${build.id}`)
  return reportFromBuildLog(log, {app, buildId: build.id, stack: build.stack})
}

async function reportFromBuildOutput(app: string, build: Heroku.Build): Promise<SlugReport> {
  return reportFromBuildText(app, build, await fetchBuildOutput(build.output_stream_url!))
}

/** `slug:inspect --app APP --build ID|latest` */
export async function reportFromBuild(heroku: HerokuApi, app: string | undefined, choice: string): Promise<SlugReport> {
  if (!app) throw new UserError('--build reads a build of an app: add --app APP (or run it where a heroku git remote is set).')
  return reportFromBuildOutput(app, await resolveBuild(heroku, app, choice))
}

export interface NewestBuildCheck {
  /** the app, as fetched for the check: the slug lookup reuses it */
  app?: AppInfo
  /** the failed build's report, when it replaces the slug */
  report?: SlugReport
  /** the release whose slug to inspect, when the check already knows it */
  release?: number
  /** something to tell the reader of the slug report */
  note?: string
}

/**
 * `slug:inspect --app APP` with nothing else: a push that failed after the running release left no slug,
 * so its log is the evidence; the release still running is offered with --release.
 */
export async function checkNewestBuild(heroku: HerokuApi, app: string): Promise<NewestBuildCheck> {
  // Container and Fir apps build images, not slugs: their build logs are no evidence of a slug.
  const info = await getApp(heroku, app)
  const reason = noSlugReason(info)
  if (reason) throw new UserError(reason)
  const builds = await listBuilds(heroku, app)
  // Only a failed newest build needs the release it is compared with: the common case costs one call.
  const releases = latestBuild(builds)?.status === 'failed' ? await listReleases(heroku, app) : []
  const evidence = chooseAppEvidence({builds, currentRelease: currentRelease(releases)})
  if (evidence.kind === 'slug') {
    const running = evidence.buildInProgress
    return running ? {app: info, note: `Build ${running.id} is still running: this is the slug of the release before it.`} : {app: info}
  }

  if (!evidence.build.output_stream_url) return {app: info, note: `The newest build, ${evidence.build.id}, failed and has no output log.`}
  const {previous} = evidence
  let report: SlugReport
  try {
    report = reportFromBuildText(app, evidence.build, await fetchBuildOutput(evidence.build.output_stream_url))
  } catch (error) {
    // Heroku keeps build output for a limited time: an expired log (403), or one that is no build log at all
    // (nothing the parser recognises), leaves the running slug as the evidence.
    if (!(error instanceof UserError) || previous?.version === undefined) throw error
    const unreadable = `The newest build (${evidence.build.id}) failed and its log cannot be read (${error.message.replace(/\.$/, '')})`
    return {app: info, note: `${unreadable}: this is the slug of v${previous.version}, the release ${app} still runs.`, release: previous.version}
  }

  const failed = `The newest build (${evidence.build.id}) failed, so it left no slug: this report reads its log.`
  const offer = previous ? ` ${app} still runs v${previous.version} from an earlier successful build: inspect that slug with --release v${previous.version}.` : ''
  report.notes.unshift(failed + offer)
  return {report}
}
