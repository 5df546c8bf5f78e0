import * as v from 'valibot'

import {parseJsonText, validated} from '../../shared/validate.js'

/** `"name": "range"` maps, as npm writes them. */
const DependencyMap = v.record(v.string(), v.string())
/** `os`, `cpu` and `libc` restrictions: npm accepts one string or a list. */
const Platforms = v.union([v.string(), v.array(v.string())])

/**
 * The fields of a package.json the plugin reads, from the app's own or from an installed package's. Unknown
 * fields are ignored (npm allows any); a field the plugin reads must have the type npm gives it.
 */
const PackageJsonSchema = v.object({
  /** one command named after the package, or command -> file */
  bin: v.optional(v.union([v.string(), v.record(v.string(), v.string())])),
  bundleDependencies: v.optional(v.union([v.boolean(), v.array(v.string())])),
  bundledDependencies: v.optional(v.union([v.boolean(), v.array(v.string())])),
  cpu: v.optional(Platforms),
  dependencies: v.optional(DependencyMap),
  devDependencies: v.optional(DependencyMap),
  engines: v.optional(v.record(v.string(), v.string())),
  libc: v.optional(Platforms),
  main: v.optional(v.string()),
  name: v.optional(v.string()),
  optionalDependencies: v.optional(DependencyMap),
  os: v.optional(Platforms),
  peerDependencies: v.optional(DependencyMap),
  scripts: v.optional(v.record(v.string(), v.string())),
  type: v.optional(v.string()),
  version: v.optional(v.string()),
})

export type PackageJson = v.InferOutput<typeof PackageJsonSchema>

/**
 * Parses a package.json's text. `file` names it in the one-line error a user sees (`package.json`,
 * `node_modules/sharp/package.json`): invalid JSON, or a field of the wrong type, named by its path.
 */
export function parsePackageJson(text: string, file = 'package.json'): PackageJson {
  const json = parseJsonText(text, file)
  return validated(PackageJsonSchema, json, file)
}

/** The same, for a file the plugin only reads for what it can (an installed package's): undefined when unusable. */
export function readPackageJson(text?: string): PackageJson | undefined {
  if (text === undefined) return undefined
  try {
    return parsePackageJson(text)
  } catch {
    return undefined
  }
}
