import * as v from 'valibot'

import {parseJsonText, validated} from '../../shared/validate.js'

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

/** A field of a uv.lock package is named by the package: `package 3 (flask), field "dependencies"`. */
function packageField(path: readonly unknown[], json: unknown): string | undefined {
  if (path[0] !== 'package' || typeof path[1] !== 'number') return undefined
  const name = (json as {package: Array<{name?: unknown}>}).package[path[1]]?.name
  const rest = path.slice(2).map(String).join('.')
  return `package ${path[1] + 1}${typeof name === 'string' ? ` (${name})` : ''}${rest ? `, field "${rest}"` : ''}`
}

function parseWith<T extends v.GenericSchema>(schema: T, json: unknown, file: string): v.InferOutput<T> {
  return validated(schema, json, file, {notObject: `${file} is not a table of fields.`, where: packageField})
}

/** A Pipfile.lock's text: invalid JSON, or a field of the wrong type, is a one-line error naming the file and the field. */
export function parsePipfileLock(text: string, file = 'Pipfile.lock'): PipfileLock {
  const json = parseJsonText(text, file)
  return parseWith(PipfileLockSchema, json, file)
}

/** A uv.lock already read as TOML: a field of the wrong type is a one-line error naming the file and the field. */
export function parseUvLock(toml: unknown, file = 'uv.lock'): UvLock {
  return parseWith(UvLockSchema, toml, file)
}
