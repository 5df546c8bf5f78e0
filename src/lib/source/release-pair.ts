import type {HerokuApi} from '../heroku/client.js'
import type * as Heroku from '@heroku-cli/schema'

import {currentRelease, getApp, getRelease, listReleases, noSlugReason} from '../heroku/slugs.js'
import {UserError} from '../shared/errors.js'

/** How many of the newest releases are searched for the previous slug: config-only releases come in runs. */
export const DIFF_RELEASE_WINDOW = 100

export interface ReleasePair {
  from: Heroku.Release
  to: Heroku.Release
}

/**
 * The newest succeeded release older than `to` whose slug is not `to`'s: config-var and add-on
 * releases reuse the slug of the release before them, so the release just before is often the same slug.
 */
export function previousSlugRelease(releases: Heroku.Release[], to: Heroku.Release): Heroku.Release | undefined {
  return releases
  .filter(r => r.status === 'succeeded' && r.slug?.id && r.slug.id !== to.slug?.id && (r.version ?? 0) < (to.version ?? 0))
  .sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0]
}

function requireSlug(release: Heroku.Release, app: string): Heroku.Release {
  if (!release.slug?.id) throw new UserError(`Release v${release.version} of ${app} has no slug to compare (a Docker release, or an app that was never built).`)
  return release
}

/**
 * The two releases to compare: FROM and TO when given (42 or v42), else the previous release with a
 * different slug and the current release. Each "nothing to compare" case is a UserError that says why.
 */
export async function resolveReleasePair(heroku: HerokuApi, app: string, choice: {from?: number; to?: number}): Promise<ReleasePair> {
  const [info, releases] = await Promise.all([getApp(heroku, app), listReleases(heroku, app, DIFF_RELEASE_WINDOW)])
  const reason = noSlugReason(info)
  if (reason) throw new UserError(reason)
  const find = async (version: number) => releases.find(r => r.version === version) ?? getRelease(heroku, app, version)

  let to: Heroku.Release | undefined
  if (choice.to === undefined) {
    to = currentRelease(releases)
    if (!to) {
      throw new UserError(releases.length === 0
        ? `${app} has no releases yet: nothing to compare.`
        : `${app} has no current successful release: name the two releases to compare, e.g. heroku slug:diff -a ${app} v41 v42.`)
    }
  } else {
    to = await find(choice.to)
  }

  requireSlug(to, app)
  if (choice.from !== undefined) return {from: requireSlug(await find(choice.from), app), to}

  const from = previousSlugRelease(releases, to)
  if (!from) {
    const seen = releases.length < DIFF_RELEASE_WINDOW ? '' : ` in its last ${releases.length} releases`
    throw new UserError(`${app} has only one slug (v${to.version}'s)${seen}: nothing to compare. Name an older release to compare with: heroku slug:diff -a ${app} vN v${to.version}.`)
  }

  return {from, to}
}
