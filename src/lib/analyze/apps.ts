import type {AppsScope} from '../heroku/apps.js'

import {appGeneration, type AppInfo, type ImageKind, imageKind} from '../heroku/slugs.js'
import {type LimitBand, limitBand, SLUG_LIMIT, SLUG_WARNING, type SlugGrowth} from './report.js'

/** Why an app has no slug: it runs an image (container, Fir), or it was never built. */
export type NoSlug = 'not-built' | ImageKind

/** One app of `slug:apps`: its current slug against the limit, and with --history how the slug grew. */
export interface AppSlug {
  name: string
  /** the team that owns it; null for a personal app */
  team: null | string
  stack: null | string
  /** `cedar` (slugs) or `fir` (Cloud Native Buildpacks images) */
  generation: null | string
  /** compressed size of the current slug, what the 500 MB limit counts; null when there is none (see noSlug) */
  slugSize: null | number
  noSlug?: NoSlug
  /** where slugSize stands against the 300 MB warning and the 500 MB limit */
  band?: LimitBand
  history?: SlugGrowth
  /** why the history could not be read: the API refused this app's releases (403) or no longer has it (404) */
  historyError?: {status: number; message: string}
}

/** A slug this close to the limit (within 10% of it) is one deploy from being rejected. */
export const NEAR_LIMIT_SHARE = 0.9

/** What the headline says: how many apps stand where, and which slug grows fastest. */
export interface AppsSummary {
  apps: number
  /** over the 300 MB warning, including those near or over the limit */
  overWarning: number
  /** within 10% of the limit, not over it */
  nearLimit: number
  overLimit: number
  withoutSlug: number
  /** the app whose slug grew the most over the history window, when one grew */
  fastestGrowing?: {app: string; growth: number; releases: number}
}

/** Sizes a scheduled job holds the apps to: `--max-size` and `--max-growth`. */
export interface AppsBudget {
  maxSize?: number
  maxGrowth?: number
}

/** Everything `slug:apps` knows: the terminal view and --json render this one object. */
export interface AppsReport {
  scope: AppsScope
  limit: number
  warning: number
  /** with --history N: how many of each app's newest releases were read */
  historyWindow?: number
  /** largest slug first, then the apps without one */
  apps: AppSlug[]
  summary: AppsSummary
  /** the budgets given, with the names of the apps over each */
  budget?: AppsBudget & {overSize: string[]; overGrowth: string[]}
}

/** The report over the apps of a scope: ranked, summed up, and held to the budget when one is given. */
export function appsReport(scope: AppsScope, apps: readonly AppSlug[], options: {budget?: AppsBudget; historyWindow?: number} = {}): AppsReport {
  const ranked = rankApps(apps)
  const report: AppsReport = {apps: ranked, limit: SLUG_LIMIT, scope, summary: summarizeApps(ranked), warning: SLUG_WARNING}
  if (options.historyWindow !== undefined) report.historyWindow = options.historyWindow
  const {budget} = options
  if (budget && (budget.maxSize !== undefined || budget.maxGrowth !== undefined)) {
    const over = appsOverBudget(ranked, budget)
    report.budget = {...budget, overGrowth: over.overGrowth.map(a => a.name), overSize: over.overSize.map(a => a.name)}
  }

  return report
}

/** An app as the listing returned it, with what it means for its slug. */
export function appSlug(app: AppInfo): AppSlug {
  const image = imageKind(app)
  const size = image === undefined && typeof app.slug_size === 'number' && app.slug_size >= 0 ? app.slug_size : null
  const row: AppSlug = {
    generation: appGeneration(app) ?? null,
    name: app.name!,
    slugSize: size,
    stack: app.build_stack?.name ?? app.stack?.name ?? null,
    team: app.team?.name ?? null,
  }
  if (size === null) row.noSlug = image ?? 'not-built'
  else row.band = limitBand(size)
  return row
}

const NO_SLUG_ORDER: Record<NoSlug, number> = {container: 3, fir: 2, 'not-built': 1}

/** Largest slug first; apps without a slug after them (never built, then Fir, then container); ties by name. */
export function rankApps(apps: readonly AppSlug[]): AppSlug[] {
  const rank = (a: AppSlug) => (a.noSlug ? NO_SLUG_ORDER[a.noSlug] : 0)
  return [...apps].sort((a, b) => rank(a) - rank(b) || (b.slugSize ?? 0) - (a.slugSize ?? 0) || a.name.localeCompare(b.name))
}

export function isNearLimit(size: number, limit = SLUG_LIMIT): boolean {
  return size > limit * NEAR_LIMIT_SHARE && size <= limit
}

/** The counts of the headline, and the fastest growing slug (most bytes over the window; then per release). */
export function summarizeApps(apps: readonly AppSlug[], limit = SLUG_LIMIT, warning = SLUG_WARNING): AppsSummary {
  const sizes = apps.flatMap(a => (a.slugSize === null ? [] : [a.slugSize]))
  const growing = apps
  .filter(a => (a.history?.growth ?? 0) > 0)
  .sort((a, b) => b.history!.growth - a.history!.growth || b.history!.perRelease - a.history!.perRelease || a.name.localeCompare(b.name))
  const fastest = growing[0]
  return {
    apps: apps.length,
    ...(fastest ? {fastestGrowing: {app: fastest.name, growth: fastest.history!.growth, releases: fastest.history!.releases.length}} : {}),
    nearLimit: sizes.filter(s => isNearLimit(s, limit)).length,
    overLimit: sizes.filter(s => s > limit).length,
    overWarning: sizes.filter(s => s > warning).length,
    withoutSlug: apps.length - sizes.length,
  }
}

/** The apps over a budget: current slug over `maxSize`, or grown more than `maxGrowth` over the history window. */
export function appsOverBudget(apps: readonly AppSlug[], budget: AppsBudget): {overGrowth: AppSlug[]; overSize: AppSlug[]} {
  const {maxGrowth, maxSize} = budget
  return {
    overGrowth: maxGrowth === undefined ? [] : apps.filter(a => (a.history?.growth ?? 0) > maxGrowth),
    overSize: maxSize === undefined ? [] : apps.filter(a => (a.slugSize ?? 0) > maxSize),
  }
}
