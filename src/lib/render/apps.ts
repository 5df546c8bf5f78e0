// The subpath modules: the package root also loads its Postgres and SSH helpers.
import * as color from '@heroku/heroku-cli-util/color'
import * as hux from '@heroku/heroku-cli-util/hux'

import {type AppSlug, type AppsReport, isNearLimit, type NoSlug} from '../analyze/apps.js'
import {formatBytes, formatPercent, formatSignedBytes} from '../shared/bytes.js'
import {terminalSafeDeep} from '../shared/terminal-safe.js'

type Print = (line: string) => void

function title(report: AppsReport): string {
  const {scope} = report
  const apps = `${report.apps.length.toLocaleString('en-US')} ${report.apps.length === 1 ? 'app' : 'apps'}`
  const window = report.historyWindow === undefined ? '' : `; growth over each one's last ${report.historyWindow} releases`
  const what = scope.kind === 'team' ? `team ${color.team(scope.team)}` : (scope.kind === 'personal' ? 'your personal apps' : 'the apps you can see')
  return `Slugs of ${what} (${apps}${window})`
}

function noApps(report: AppsReport): string {
  const {scope} = report
  if (scope.kind === 'team') return `There are no apps in team ${color.team(scope.team)}.`
  return scope.kind === 'personal' ? 'You have no personal apps.' : 'You have no apps.'
}

/** "3 apps over the 300 MB warning, 1 within 10% of the 500 MB limit; fastest growing: ml-api (+120 MB over 20 releases)" */
export function headline(report: AppsReport): string {
  const {limit, summary, warning} = report
  const parts = [summary.overWarning === 0
    ? `No app is over the ${formatBytes(warning)} warning`
    : `${summary.overWarning} ${summary.overWarning === 1 ? 'app' : 'apps'} over the ${formatBytes(warning)} warning`]
  if (summary.nearLimit > 0) parts.push(`${summary.nearLimit} within 10% of the ${formatBytes(limit)} limit`)
  if (summary.overLimit > 0) parts.push(`${summary.overLimit} over the ${formatBytes(limit)} limit`)
  const fastest = summary.fastestGrowing
  const growing = fastest ? `; fastest growing: ${fastest.app} (${formatSignedBytes(fastest.growth)} over ${fastest.releases} releases)` : ''
  return `${parts.join(', ')}${growing}.`
}

/** Where a slug stands, from the 300 MB warning on; nothing under it. */
function status(app: AppSlug, report: AppsReport): string {
  if (app.slugSize === null) return ''
  if (app.slugSize > report.limit) return 'OVER LIMIT'
  if (isNearLimit(app.slugSize, report.limit)) return 'near limit'
  return app.slugSize > report.warning ? 'warning' : ''
}

const NO_SLUG: Record<NoSlug, string> = {
  container: 'container app: runs a Docker image, no slug',
  fir: 'Fir app: runs an OCI image, no slug',
  'not-built': 'never built: no slug yet',
}

function note(app: AppSlug): string {
  if (app.noSlug) return NO_SLUG[app.noSlug]
  const error = app.historyError
  if (error) return error.status === 403 ? 'releases: access refused (403)' : `releases: not found (${error.status})`
  return ''
}

function row(app: AppSlug, report: AppsReport): Record<string, string> {
  const {history} = app
  const jump = history?.biggestJump
  return {
    name: app.name,
    generation: app.generation ?? '',
    stack: app.stack ?? '',
    slug: app.slugSize === null ? 'none' : formatBytes(app.slugSize),
    share: app.slugSize === null ? '' : formatPercent(app.slugSize, report.limit),
    status: status(app, report),
    growth: history ? formatSignedBytes(history.growth) : '',
    perRelease: history && history.releases.length > 1 ? formatSignedBytes(history.perRelease) : '',
    jump: jump ? `v${jump.version}: ${formatSignedBytes(jump.bytes)}` : '',
    note: note(app),
  }
}

/** The terminal view of slug:apps: a headline, then one row per app, largest slug first, in a table that fits the terminal. */
export function renderApps(unsafe: AppsReport, print: Print): void {
  // App, team and stack names come from the API: control characters in them are shown, never sent raw.
  const report = terminalSafeDeep(unsafe)
  hux.styledHeader(title(report))
  if (report.apps.length === 0) {
    print(noApps(report))
    return
  }

  print(headline(report))
  print('')
  const columns: Record<string, {header: string}> = {
    name: {header: 'App'},
    generation: {header: 'Generation'},
    stack: {header: 'Stack'},
    slug: {header: 'Slug'},
    share: {header: `% of ${formatBytes(report.limit)}`},
    status: {header: 'Status'},
  }
  if (report.historyWindow !== undefined) {
    columns.growth = {header: 'Growth'}
    columns.perRelease = {header: 'Per release'}
    columns.jump = {header: 'Biggest jump'}
  }

  columns.note = {header: 'Note'}
  hux.table(report.apps.map(app => row(app, report)), columns, {printLine: (s: unknown) => print(String(s))})
}
