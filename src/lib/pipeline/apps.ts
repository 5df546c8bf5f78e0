import type {HerokuApi} from '../heroku/client.js'
import type {AppsProgress} from '../render/progress/apps.js'

import {type AppsBudget, type AppSlug, appSlug, type AppsReport, appsReport} from '../analyze/apps.js'
import {type AppsScope, listApps} from '../heroku/apps.js'
import {ApiStatusError} from '../heroku/errors.js'
import type {SlugSizeCache} from '../heroku/slug-sizes.js'
import {listReleases} from '../heroku/slugs.js'
import {formatBytes, formatSignedBytes} from '../shared/bytes.js'
import {UserError} from '../shared/errors.js'
import {mapLimit} from '../shared/map-limit.js'
import {releaseGrowth} from './growth.js'

/** Apps whose histories are read at once: polite to the API's rate limit (4,500 requests an hour), still quick. */
const HISTORY_CONCURRENCY = 4

export interface AppsOptions {
  scope: AppsScope
  /** with --history N: read each app's N newest releases and the sizes of their slugs */
  history?: number
  /** slug sizes read before (a slug never changes size) */
  sizes: SlugSizeCache
  budget?: AppsBudget
  progress?: AppsProgress
}

/**
 * `slug:apps`: the apps of a scope from the paged app list (their current slug sizes come with it), and with
 * --history, for each app with a slug, one request for its newest releases plus one per slug not in the cache.
 */
export async function collectApps(heroku: HerokuApi, options: AppsOptions): Promise<AppsReport> {
  const {budget, history, progress, scope, sizes} = options
  try {
    const listed = (await listApps(heroku, scope, progress && ((apps, pages) => progress.listed(apps, pages)))).map(app => appSlug(app))
    const apps = history === undefined ? listed : await withHistories(heroku, listed, {progress, sizes, window: history})
    return appsReport(scope, apps, {budget, historyWindow: history})
  } finally {
    progress?.stop()
  }
}

interface HistoryOptions {
  /** how many of each app's newest releases */
  window: number
  sizes: SlugSizeCache
  progress?: AppsProgress
}

async function withHistories(heroku: HerokuApi, apps: AppSlug[], {progress, sizes, window}: HistoryOptions): Promise<AppSlug[]> {
  const total = apps.filter(a => a.slugSize !== null).length
  let done = 0
  progress?.history(done, total)
  try {
    return await mapLimit(apps, HISTORY_CONCURRENCY, async app => {
      if (app.slugSize === null) return app
      const read = await withHistory(heroku, app, window, sizes)
      progress?.history(++done, total)
      return read
    })
  } finally {
    // Sizes learnt before a failure (a long 429) still spare the next run their requests.
    await sizes.save()
  }
}

/** An app with its history, or with why it could not be read: a refused or vanished app is a row, not the end. */
async function withHistory(heroku: HerokuApi, app: AppSlug, window: number, cache: SlugSizeCache): Promise<AppSlug> {
  try {
    const history = await releaseGrowth(heroku, app.name, await listReleases(heroku, app.name, window), cache)
    return history ? {...app, history} : app
  } catch (error) {
    if (error instanceof ApiStatusError && (error.status === 403 || error.status === 404)) return {...app, historyError: {message: error.message, status: error.status}}
    throw error
  }
}

/** How many apps are named in a budget failure before "and N more": the line stays one line. */
const NAMED_APPS = 10

function nameApps(report: AppsReport, names: string[], value: (app: AppSlug) => string): string {
  const byName = new Map(report.apps.map(a => [a.name, a]))
  const named = names.slice(0, NAMED_APPS).map(name => `${name} (${value(byName.get(name)!)})`)
  const more = names.length > NAMED_APPS ? `, and ${names.length - NAMED_APPS} more (--json lists them)` : ''
  return `${named.join(', ')}${more}`
}

const apps = (n: number, verb: [string, string]) => `${n} ${n === 1 ? 'app' : 'apps'} ${n === 1 ? verb[0] : verb[1]}`

/** Fails, naming the apps, when any is over `--max-size` or grew past `--max-growth`: slug:apps as a CI or cron gate. */
export function checkAppsBudget(report: AppsReport): void {
  const {budget} = report
  if (!budget) return
  const failures: string[] = []
  if (budget.maxSize !== undefined && budget.overSize.length > 0) {
    const list = nameApps(report, budget.overSize, a => formatBytes(a.slugSize ?? 0))
    failures.push(`${apps(budget.overSize.length, ['is', 'are'])} over the --max-size budget of ${formatBytes(budget.maxSize)}: ${list}.`)
  }

  if (budget.maxGrowth !== undefined && budget.overGrowth.length > 0) {
    const list = nameApps(report, budget.overGrowth, a => formatSignedBytes(a.history?.growth ?? 0))
    const window = report.historyWindow === undefined ? '' : ` over the last ${report.historyWindow} releases`
    failures.push(`${apps(budget.overGrowth.length, ['grew', 'grew'])} more than the --max-growth budget of ${formatBytes(budget.maxGrowth)}${window}: ${list}.`)
  }

  if (failures.length > 0) throw new UserError(failures.join(' '))
}
