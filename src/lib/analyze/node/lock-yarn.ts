import {parseSyml} from '@yarnpkg/parsers'
import * as v from 'valibot'

import {UserError} from '../../shared/errors.js'
import type {PackageJson} from './package-json.js'
import {type LockGraph, type LockNode, validated} from './lock.js'

const DependencyMap = v.record(v.string(), v.string())

/** An entry of yarn.lock, classic (v1) or berry (2+): the fields the prediction reads. */
const YarnEntry = v.object({
  conditions: v.optional(v.string()),
  dependencies: v.optional(DependencyMap),
  dependenciesMeta: v.optional(v.record(v.string(), v.object({optional: v.optional(v.union([v.boolean(), v.string()]))}))),
  languageName: v.optional(v.string()),
  linkType: v.optional(v.string()),
  optionalDependencies: v.optional(DependencyMap),
  resolution: v.optional(v.string()),
  resolved: v.optional(v.string()),
  version: v.string(),
})

// parseSyml gives every scalar as a string (SYML has no other type): `optional: true` is "true".
const YarnLock = v.record(v.string(), v.unknown())

/** `name@range` -> name (scoped names start with @). */
function descriptorName(descriptor: string): string {
  const at = descriptor.indexOf('@', 1)
  return at === -1 ? descriptor : descriptor.slice(0, at)
}

/** Berry's `os=linux & cpu=x64 & libc=glibc` as npm-style lists. */
function conditionsOf(text: string): Pick<LockNode, 'cpu' | 'libc' | 'os'> {
  const out: Pick<LockNode, 'cpu' | 'libc' | 'os'> = {}
  for (const term of text.split('&')) {
    const [key, value] = term.split('=').map(s => s.trim())
    if ((key === 'os' || key === 'cpu' || key === 'libc') && value) out[key] = [...(out[key] ?? []), value]
  }

  return out
}

/**
 * A dependency's descriptor as the lock's keys spell it: classic keeps the range as written (`a@^1.0.0`),
 * berry adds the protocol (`a@npm:^1.0.0`) unless the range has one.
 */
function descriptor(name: string, range: string, berry: boolean): string {
  if (!berry || /^[a-z][\w+.-]*:/i.test(range)) return `${name}@${range}`
  return `${name}@npm:${range}`
}

type YarnEntryRow = {entry: v.InferOutput<typeof YarnEntry>; key: string}

/** The lock's entries, each checked, keyed by its first descriptor; and every descriptor (`a@^1, a@~1.2`) to that key. */
function yarnEntries(lock: Record<string, unknown>, file: string): {entries: YarnEntryRow[]; keys: Map<string, string>} {
  const keys = new Map<string, string>()
  const entries: YarnEntryRow[] = []
  for (const [joined, raw] of Object.entries(lock)) {
    if (joined === '__metadata') continue
    const entry = validated(YarnEntry, raw, `${file} entry "${joined}"`)
    const descriptors = joined.split(',').map(d => d.trim().replaceAll(/^"|"$/g, ''))
    const key = descriptors[0]
    for (const d of descriptors) keys.set(d, key)
    entries.push({entry, key})
  }

  return {entries, keys}
}

/**
 * yarn.lock, classic or berry (both read by @yarnpkg/parsers, the parser yarn itself uses): one entry per
 * resolved package, keyed by every descriptor that resolved to it. The lock does not say which packages are
 * devDependencies: the app's package.json does, and the graph is walked from it. Classic records no platform
 * fields (the registry's manifests do); berry records them as `conditions`.
 */
export function readYarnLock(text: string, file: string, pkg: PackageJson): LockGraph {
  let parsed: unknown
  try {
    parsed = parseSyml(text)
  } catch (error) {
    throw new UserError(`${file} cannot be read as a yarn lock file (${(error as Error).message.split('\n')[0]}).`)
  }

  const lock = validated(YarnLock, parsed, file)
  const berry = '__metadata' in lock
  const nodes = new Map<string, LockNode>()
  const {entries, keys} = yarnEntries(lock, file)
  for (const {entry, key} of entries) {
    const name = descriptorName(key)
    const edges = (deps: Record<string, string> | undefined, optional: boolean) =>
      Object.entries(deps ?? {})
      .filter(([dep]) => (String(entry.dependenciesMeta?.[dep]?.optional) === 'true') === optional)
      .map(([dep, range]) => keys.get(descriptor(dep, range, berry)))
      .filter(k => k !== undefined)
    const local = key.includes('@workspace:') || key.includes('@link:') || key.includes('@portal:') || key.includes('@file:') || entry.linkType === 'soft'
    const node: LockNode = {
      dependencies: edges(entry.dependencies, false),
      key,
      local,
      name,
      optionalDependencies: [...edges(entry.dependencies, true), ...(berry ? [] : edges(entry.optionalDependencies, false))],
      version: entry.version,
    }
    if (entry.conditions) Object.assign(node, conditionsOf(entry.conditions))
    if (entry.resolved) node.resolved = entry.resolved.split('#')[0]
    nodes.set(key, node)
  }

  const root = (deps: Record<string, string> | undefined, skip: Record<string, string> = {}) =>
    Object.entries(deps ?? {}).filter(([name]) => !(name in skip)).map(([name, range]) => keys.get(descriptor(name, range, berry))).filter(k => k !== undefined)
  const notes: string[] = []
  const missing = Object.entries({...pkg.dependencies, ...pkg.optionalDependencies}).filter(([name, range]) => !keys.has(descriptor(name, range, berry)))
  if (missing.length > 0) {
    const list = missing.map(([name, range]) => `${name}@${range}`).slice(0, 5).join(', ')
    notes.push(`${file} has no entry for ${list}: it is out of date with package.json (the build's frozen install would fail)`)
  }

  return {
    file,
    format: berry ? 'yarn-berry' : 'yarn-classic',
    manager: 'yarn',
    nodes,
    notes,
    roots: {
      dependencies: root(pkg.dependencies),
      devDependencies: root(pkg.devDependencies, {...pkg.dependencies, ...pkg.optionalDependencies}),
      optionalDependencies: root(pkg.optionalDependencies),
    },
  }
}
