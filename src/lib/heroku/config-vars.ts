import type {HerokuApi} from './client.js'

import {api} from './errors.js'

/** Heroku's limit on an app's config: all keys and values together. */
export const CONFIG_LIMIT = 32 * 1024

export type ConfigVars = Record<string, string>

export async function getConfigVars(heroku: HerokuApi, app: string): Promise<ConfigVars> {
  return api(heroku.get<ConfigVars>(`/apps/${encodeURIComponent(app)}/config-vars`), `the config vars of ${app}`)
}

/**
 * Sets and unsets (null) config vars in one request, so the app gets one release and one restart.
 * The response holds every var of the app, secrets included: it is dropped, never returned.
 */
export async function patchConfigVars(heroku: HerokuApi, app: string, changes: Record<string, null | string>): Promise<void> {
  await api(heroku.patch<ConfigVars>(`/apps/${encodeURIComponent(app)}/config-vars`, {body: changes}), `the config vars of ${app}`)
}

/** Bytes the config takes against CONFIG_LIMIT. */
export function configSize(vars: ConfigVars): number {
  let size = 0
  for (const [key, value] of Object.entries(vars)) size += Buffer.byteLength(key) + Buffer.byteLength(value)
  return size
}
