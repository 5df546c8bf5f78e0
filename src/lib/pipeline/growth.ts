import type {HerokuApi} from '../heroku/client.js'

import {type ReleaseRecord, slugGrowth, slugReleases} from '../analyze/growth.js'
import {type SlugSizeCache, slugSizes} from '../heroku/slug-sizes.js'
import {limitBand, type SlugGrowth, type SlugReport} from '../analyze/report.js'
import {UserError} from '../shared/errors.js'

/**
 * How an app's slug grew over the releases given (newest first, as the API lists them): the sizes of their slugs
 * come from the cache, and only the slugs it has not seen are asked for, one request each.
 */
export async function releaseGrowth(heroku: HerokuApi, app: string, releases: readonly ReleaseRecord[], cache: SlugSizeCache): Promise<SlugGrowth | undefined> {
  const ran = slugReleases(releases)
  const sizes = await slugSizes(heroku, app, ran.map(r => r.slugId), cache)
  return slugGrowth(ran.flatMap(r => {
    const size = sizes.get(r.slugId)
    return size === undefined ? [] : [{...r, size}]
  }))
}

/** How many of an app's newest releases slug:inspect's growth line reads: a few slug requests the first time, none after. */
export const INSPECT_GROWTH_RELEASES = 10

/**
 * For the slug of an app over the 300 MB warning, how it grew over the app's last releases: from the releases
 * slug:inspect listed already (no request more) and the slug sizes cache. The line is an extra: when the API
 * refuses a slug, a note says so and the report stands.
 */
export async function addGrowth(heroku: HerokuApi, report: SlugReport, releases: readonly ReleaseRecord[], cache: SlugSizeCache): Promise<void> {
  const {app, slugId} = report.source
  if (!app || limitBand(report.totals.compressed, report.totals.limit, report.totals.warning) === 'under-warning') return
  // The slug just read is the current one: its size is known.
  if (slugId) cache.set(slugId, report.totals.compressed)
  const newest = [...releases].sort((a, b) => (b.version ?? 0) - (a.version ?? 0)).slice(0, INSPECT_GROWTH_RELEASES)
  try {
    const growth = await releaseGrowth(heroku, app, newest, cache)
    if (growth && growth.releases.length > 1) report.growth = growth
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    report.notes.push(`How the slug grew over its last releases is not shown: ${error.message}`)
  } finally {
    await cache.save()
  }
}
