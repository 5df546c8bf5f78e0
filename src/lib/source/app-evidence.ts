import type * as Heroku from '@heroku-cli/schema'

import {buildTime, latestBuild} from '../heroku/builds.js'

/** The running slug; `buildInProgress` when a newer build has not finished yet. */
export interface RunningSlug {
  kind: 'slug'
  buildInProgress?: Heroku.Build
}

/** The newest build failed after the current release: its log; `previous` is the release still running, if any. */
export interface FailedBuild {
  kind: 'build'
  build: Heroku.Build
  previous?: Heroku.Release
}

/** What `slug:inspect -a APP` should look at when the user named no release, slug or build. */
export type AppEvidence = FailedBuild | RunningSlug

export interface AppEvidenceInput {
  /** the app's builds, in any order */
  builds: Heroku.Build[]
  /** the release the app runs (current and succeeded), if any */
  currentRelease?: Heroku.Release
}

/**
 * A failed push leaves no slug: when the newest build failed and is newer than the release the app
 * runs, that build's log is what the user needs to see. A build older than the current release was
 * superseded (a later push, a rollback, a pipeline promotion), so the running slug is the answer then.
 */
export function chooseAppEvidence({builds, currentRelease}: AppEvidenceInput): AppEvidence {
  const newest = latestBuild(builds)
  if (!newest) return {kind: 'slug'}
  const newerThanRelease = !currentRelease || buildTime(newest) > Date.parse(currentRelease.created_at ?? '')
  if (!newerThanRelease) return {kind: 'slug'}
  if (newest.status === 'failed') return {build: newest, kind: 'build', previous: currentRelease}
  if (newest.status === 'pending') return {buildInProgress: newest, kind: 'slug'}
  return {kind: 'slug'}
}
