import type {HerokuApi} from './client.js'

import {createRequire} from 'node:module'
import {format} from 'node:util'

import {api} from './errors.js'

/** Heroku's limit on an app's config: all keys and values together. */
export const CONFIG_LIMIT = 32 * 1024

export type ConfigVars = Record<string, string>

const MASK = '[masked]'
const MASKED_NOTE = '  (config var values masked by heroku-slug-diet)'

interface DebugModule {
  log: (...args: unknown[]) => void
}

/** Masked request bodies of the PATCHes in flight, by app: what the debug output shows instead of the body. */
const maskedPatches = new Map<string, string>()
let filtering = false

/**
 * With HEROKU_DEBUG=1, http-call (under @heroku-cli/command) prints every request and response body
 * through the `debug` package: for config vars that is every secret of the app (DATABASE_URL, keys).
 * Its lines about config vars are rewritten here: the request line stays, a PATCH shows the plugin's
 * own changes with its secrets masked, and every other body is replaced by a note. The `debug`
 * instance is the one http-call itself loads, found the way Node resolves it from there.
 */
function maskConfigVarDebug(): void {
  if (filtering) return
  filtering = true
  let debug: DebugModule
  try {
    const httpCall = createRequire(import.meta.resolve('@heroku-cli/command')).resolve('@heroku/http-call')
    debug = createRequire(httpCall)('debug') as DebugModule
  } catch {
    return
  }

  const write = debug.log
  debug.log = function (this: unknown, ...args: unknown[]) {
    const text = format(...args)
    if (!text.includes('/config-vars')) return write.apply(this, args)
    const [first] = text.split('\n')
    const app = /\/apps\/([^/\s]+)\/config-vars/.exec(first)?.[1]
    const patch = first.includes('→') && first.includes('PATCH') && app ? maskedPatches.get(decodeURIComponent(app)) : undefined
    return write.call(this, `${first}\n${patch ?? MASKED_NOTE}`)
  }
}

export async function getConfigVars(heroku: HerokuApi, app: string): Promise<ConfigVars> {
  maskConfigVarDebug()
  return api(heroku.get<ConfigVars>(`/apps/${encodeURIComponent(app)}/config-vars`), `the config vars of ${app}`)
}

/**
 * Sets and unsets (null) config vars in one request, so the app gets one release and one restart.
 * The response holds every var of the app, secrets included: it is dropped, never returned. Debug
 * output shows the values of `shown` only (what the plugin sets and is not a secret).
 */
export async function patchConfigVars(heroku: HerokuApi, app: string, changes: Record<string, null | string>, shown: ReadonlySet<string> = new Set()): Promise<void> {
  maskConfigVarDebug()
  const masked = Object.fromEntries(Object.entries(changes).map(([name, value]) => [name, value === null || shown.has(name) ? value : MASK]))
  maskedPatches.set(app, `${JSON.stringify(masked)}\n${MASKED_NOTE}`)
  try {
    await api(heroku.patch<ConfigVars>(`/apps/${encodeURIComponent(app)}/config-vars`, {body: changes}), `the config vars of ${app}`)
  } finally {
    maskedPatches.delete(app)
  }
}

/** Bytes the config takes against CONFIG_LIMIT. */
export function configSize(vars: ConfigVars): number {
  let size = 0
  for (const [key, value] of Object.entries(vars)) size += Buffer.byteLength(key) + Buffer.byteLength(value)
  return size
}
