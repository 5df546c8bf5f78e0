import * as v from 'valibot'

import {UserError} from './errors.js'

export interface ValidateOptions {
  /** the one line for a value that is not an object at all (default: "FILE is not a JSON object.") */
  notObject?: string
  /** names the place of a wrong field better than its dotted path (e.g. a package by its name); undefined: the path */
  where?: (path: readonly unknown[], value: unknown) => string | undefined
}

/**
 * `value`, read from `file` (a lock file, a package.json, a cache), checked against `schema` at the border: a
 * field of the wrong type is one line naming the file, the field's path and what was expected, never a TypeError
 * later on. The top level must be an object (valibot's object() takes an array as one).
 */
export function validated<S extends v.GenericSchema>(schema: S, value: unknown, file: string, options: ValidateOptions = {}): v.InferOutput<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError(options.notObject ?? `${file} is not a JSON object.`)
  const result = v.safeParse(schema, value)
  if (result.success) return result.output
  const issue = result.issues[0]
  const path = issue.path?.map(p => p.key) ?? []
  const stripped = issue.message.replace(/^Invalid [\w ]+: /, '')
  const expected = /received/i.test(stripped) ? stripped : `${stripped} but received ${issue.received}`
  const where = options.where?.(path, value)
  if (where !== undefined) return fail(`${file}: ${where}: ${expected}.`)
  return fail(`${file}: "${path.map(String).join('.') || '(root)'}" ${expected}.`)
}

function fail(message: string): never {
  throw new UserError(message)
}

/** A file's text read as JSON: a file that is not JSON is one line naming it and where the parser stopped. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new UserError(`${file} is not valid JSON (${(error as Error).message}).`)
  }
}
