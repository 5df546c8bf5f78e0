import {CONFIG_LIMIT, type ConfigVars, configSize} from '../../heroku/config-vars.js'
import type {S3Credentials} from '../../s3/store.js'
import {formatBytes} from '../../shared/bytes.js'
import {UserError} from '../../shared/errors.js'
import type {Destination} from './destination.js'

/** Names whose values are never shown, logged or put in --json. */
export const SECRET_VARS = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])

/** The config vars the loader reads; the two *_VAR ones name the add-on's key vars (names, not keys). */
export const LOADER_VARS = [
  'MODEL_S3_BUCKET',
  'MODEL_S3_PREFIX',
  'MODEL_S3_MANIFEST',
  'MODEL_S3_REGION',
  'MODEL_S3_ENDPOINT',
  'MODEL_S3_ACCESS_KEY_ID_VAR',
  'MODEL_S3_SECRET_ACCESS_KEY_VAR',
] as const

export interface ConfigVarChange {
  name: string
  /** add: new; same: already set to this; change: a different value is replaced; remove: unset */
  action: 'add' | 'change' | 'remove' | 'same'
  /** the new value; left out for secrets and for removals */
  value?: string
  secret: boolean
}

export interface ConfigVarPlan {
  changes: ConfigVarChange[]
  /** names that hold a different value today and need --force */
  conflicts: string[]
  sizeBefore: number
  sizeAfter: number
}

/** Whether MODEL_S3_MANIFEST's value names one of the plugin's manifests under `prefix` (or the single one older versions wrote). */
export function isOwnManifest(prefix: string, value: string): boolean {
  return value === `${prefix}manifest.json` || (value.startsWith(`${prefix}manifests/`) && /^[0-9a-f]{64}\.json$/.test(value.slice(prefix.length + 'manifests/'.length)))
}

/** What the app's config should hold; null unsets. Secret values live here only, never in a ConfigVarPlan. */
export function wantedConfigVars(destination: Destination, manifestKey: string, copied?: S3Credentials): Record<string, null | string> {
  const fromAddon = destination.credentials.source === 'addon' ? destination.credentials : undefined
  const wanted: Record<string, null | string> = {
    MODEL_S3_ACCESS_KEY_ID_VAR: fromAddon?.accessKeyIdVar ?? null,
    MODEL_S3_BUCKET: destination.bucket,
    MODEL_S3_ENDPOINT: destination.endpoint ?? null,
    MODEL_S3_MANIFEST: manifestKey,
    MODEL_S3_PREFIX: destination.prefix,
    MODEL_S3_REGION: destination.region,
    MODEL_S3_SECRET_ACCESS_KEY_VAR: fromAddon?.secretAccessKeyVar ?? null,
  }
  if (copied) {
    wanted.AWS_ACCESS_KEY_ID = copied.accessKeyId
    wanted.AWS_SECRET_ACCESS_KEY = copied.secretAccessKey
  }

  return wanted
}

/**
 * `ours(name, value)` says a value the plugin itself set (the manifest of an earlier run): replacing it
 * is the point of a re-run, not a conflict.
 */
export function planConfigVars(existing: ConfigVars, wanted: Record<string, null | string>, ours: (name: string, value: string) => boolean = () => false): ConfigVarPlan {
  const changes: ConfigVarChange[] = []
  const after: ConfigVars = {...existing}
  for (const [name, value] of Object.entries(wanted)) {
    const current = existing[name]
    const secret = SECRET_VARS.has(name)
    if (value === null) {
      if (current === undefined) continue
      delete after[name]
      changes.push({action: 'remove', name, secret})
      continue
    }

    after[name] = value
    const action = current === undefined ? 'add' : (current === value ? 'same' : 'change')
    changes.push({action, name, secret, ...(secret ? {} : {value})})
  }

  return {
    changes,
    conflicts: changes.filter(c => (c.action === 'change' || c.action === 'remove') && !ours(c.name, existing[c.name])).map(c => c.name),
    sizeAfter: configSize(after),
    sizeBefore: configSize(existing),
  }
}

/** Refuses a plan that would replace vars without --force, or outgrow Heroku's config limit. */
export function checkConfigVarPlan(plan: ConfigVarPlan, force: boolean): void {
  if (plan.conflicts.length > 0 && !force) {
    throw new UserError(`These config vars already hold other values: ${plan.conflicts.join(', ')}. Run again with --force to replace them.`)
  }

  if (plan.sizeAfter > CONFIG_LIMIT) {
    throw new UserError(`The app's config vars would take ${formatBytes(plan.sizeAfter)}, over Heroku's ${formatBytes(CONFIG_LIMIT)} limit (they take ${formatBytes(plan.sizeBefore)} now).`)
  }
}

/** The PATCH body: only what changes, so an unchanged config makes no release. */
export function configPatch(plan: ConfigVarPlan, wanted: Record<string, null | string>): Record<string, null | string> {
  const patch: Record<string, null | string> = {}
  for (const change of plan.changes) {
    if (change.action !== 'same') patch[change.name] = wanted[change.name] ?? null
  }

  return patch
}
