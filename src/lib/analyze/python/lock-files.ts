import * as v from 'valibot'

import {UserError} from '../../shared/errors.js'

/**
 * No wheel is 100 GB (PyPI's default limit is 100 MB a file, raised on request to a few GB): a size past this
 * is not a size, whoever wrote it (a tampered lock, an index's JSON), and is not shown or added up.
 */
export const MAX_WHEEL_BYTES = 1e11

/** A wheel's size in bytes, bounded. */
export const WheelSize = v.pipe(
  v.number(),
  v.safeInteger('Expected a size in whole bytes'),
  v.minValue(0, 'Expected a size in bytes'),
  v.maxValue(MAX_WHEEL_BYTES, 'Expected a wheel size under 100 GB'),
)

/** A size read from an index or a lock: the number when it is a plausible wheel size, else undefined (unknown). */
export function wheelSize(value: unknown): number | undefined {
  return v.is(WheelSize, value) ? value : undefined
}

const PipfilePackage = v.object({
  markers: v.optional(v.string()),
  version: v.optional(v.string()),
})

/** The fields of a Pipfile.lock the plugin reads (https://pipenv.pypa.io/en/latest/pipfile.html). */
const PipfileLockSchema = v.object({
  _meta: v.optional(v.object({
    requires: v.optional(v.object({python_full_version: v.optional(v.string()), python_version: v.optional(v.string())})),
    sources: v.optional(v.array(v.object({url: v.optional(v.string())}))),
  })),
  default: v.optional(v.record(v.string(), PipfilePackage)),
  develop: v.optional(v.record(v.string(), v.unknown())),
})

export type PipfileLock = v.InferOutput<typeof PipfileLockSchema>

const UvDependency = v.object({
  extra: v.optional(v.array(v.string())),
  marker: v.optional(v.string()),
  name: v.string(),
  version: v.optional(v.string()),
})

const UvFile = v.object({
  filename: v.optional(v.string()),
  path: v.optional(v.string()),
  size: v.optional(WheelSize),
  url: v.optional(v.string()),
})

const UvPackage = v.object({
  dependencies: v.optional(v.array(UvDependency)),
  name: v.string(),
  'optional-dependencies': v.optional(v.record(v.string(), v.array(UvDependency))),
  sdist: v.optional(UvFile),
  source: v.optional(v.record(v.string(), v.unknown())),
  version: v.optional(v.string()),
  wheels: v.optional(v.array(UvFile)),
})

/** The fields of a uv.lock the plugin reads (https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile). */
const UvLockSchema = v.object({
  package: v.optional(v.array(UvPackage)),
})

export type UvLock = v.InferOutput<typeof UvLockSchema>
export type UvLockPackage = v.InferOutput<typeof UvPackage>
export type UvLockDependency = v.InferOutput<typeof UvDependency>

/**
 * The one-line error for a field of the wrong type: the file, the field's path (with the package's name when
 * it is in a list of packages), and what was expected.
 */
function fieldError(file: string, json: unknown, issue: v.BaseIssue<unknown>): UserError {
  const path = issue.path?.map(p => p.key) ?? []
  const stripped = issue.message.replace(/^Invalid [\w ]+: /, '')
  const message = /received/i.test(stripped) ? stripped : `${stripped} but received ${issue.received}`
  let where = path.map(String).join('.') || '(root)'
  if (path[0] === 'package' && typeof path[1] === 'number') {
    const name = (json as {package: Array<{name?: unknown}>}).package[path[1]]?.name
    const rest = path.slice(2).map(String).join('.')
    where = `package ${path[1] + 1}${typeof name === 'string' ? ` (${name})` : ''}${rest ? `, field "${rest}"` : ''}`
    return new UserError(`${file}: ${where}: ${message}.`)
  }

  return new UserError(`${file}: "${where}" ${message}.`)
}

function parseWith<T extends v.GenericSchema>(schema: T, json: unknown, file: string): v.InferOutput<T> {
  // valibot's object() takes an array as an object
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserError(`${file} is not a table of fields.`)
  const result = v.safeParse(schema, json)
  if (result.success) return result.output
  throw fieldError(file, json, result.issues[0])
}

/** A Pipfile.lock's text: invalid JSON, or a field of the wrong type, is a one-line error naming the file and the field. */
export function parsePipfileLock(text: string, file = 'Pipfile.lock'): PipfileLock {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UserError(`${file} is not valid JSON (${(error as Error).message}).`)
  }

  return parseWith(PipfileLockSchema, json, file)
}

/** A uv.lock already read as TOML: a field of the wrong type is a one-line error naming the file and the field. */
export function parseUvLock(toml: unknown, file = 'uv.lock'): UvLock {
  return parseWith(UvLockSchema, toml, file)
}
