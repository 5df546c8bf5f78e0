import type {HerokuApi} from './client.js'

import {UserError} from '../shared/errors.js'
import {api, type Expected} from './errors.js'
import {type AppInfo, SDK_ACCEPT} from './slugs.js'

/** Which apps: every app the user can see, one team's, or the account's own (as `heroku apps --personal`). */
export type AppsScope = {kind: 'all'} | {kind: 'personal'} | {kind: 'team'; team: string}

/** Heroku's largest page: a listing of up to 1,000 apps is one request. */
const FIRST_PAGE = 'name ..; max=1000'
/** 1,000 pages of 1,000 apps is past any account: a server that keeps sending Next-Range does not keep us forever. */
const MAX_PAGES = 1000

export function appsPath(scope: AppsScope): string {
  if (scope.kind === 'team') return `/teams/${encodeURIComponent(scope.team)}/apps`
  return scope.kind === 'personal' ? '/users/~/apps' : '/apps'
}

/** The apps a scope names, in words: "the apps of team acme". */
export function describeScope(scope: AppsScope): string {
  if (scope.kind === 'team') return `the apps of team ${scope.team}`
  return scope.kind === 'personal' ? 'your personal apps' : 'the apps you can see'
}

/** An app list whose every item has a name: the one field the listing cannot do without. */
function anAppList(path: string): Expected<AppInfo[]> {
  const isApp = (item: unknown) => typeof item === 'object' && item !== null && typeof (item as AppInfo).name === 'string'
  return {is: (body): body is AppInfo[] => Array.isArray(body) && body.every(item => isApp(item)), noun: 'an app list', request: `GET ${path}`}
}

function nextRange(headers: Record<string, string | string[] | undefined> | undefined): string | undefined {
  const value = [headers?.['next-range']].flat()[0]?.trim()
  return value || undefined
}

/**
 * Every app of a scope, with its `slug_size`, stack and generation, in as many requests as there are pages of
 * 1,000: each answer's `Next-Range` is sent back until one has none. Paged here rather than by the API client
 * (which would follow Next-Range itself) so that a 429 on page 5 is waited out for page 5 alone, and progress can
 * be shown per page. `onPage` hears the running count of apps and pages.
 */
export async function listApps(heroku: HerokuApi, scope: AppsScope, onPage?: (apps: number, pages: number) => void): Promise<AppInfo[]> {
  const path = appsPath(scope)
  const apps = new Map<string, AppInfo>()
  const asked = new Set<string>()
  let range: string | undefined = FIRST_PAGE
  while (range !== undefined) {
    if (asked.has(range)) throw new UserError(`The Heroku API answered GET ${path} with the page "${range}" twice: stopped after ${asked.size} pages.`)
    if (asked.size === MAX_PAGES) throw new UserError(`The Heroku API answered GET ${path} with more than ${MAX_PAGES} pages: stopped there.`)

    asked.add(range)
    const call = heroku.get<AppInfo[]>(path, {headers: {Accept: SDK_ACCEPT, Range: range}, partial: true})
    // An app created or renamed while paging can come twice: it is kept once.
    for (const app of await api(call, describeScope(scope), anAppList(path))) apps.set(app.name!, app)
    range = nextRange((await call).headers)
    onPage?.(apps.size, asked.size)
  }

  return [...apps.values()]
}
