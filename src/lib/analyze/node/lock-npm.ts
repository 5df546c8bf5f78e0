import * as v from 'valibot'

import {UserError} from '../../shared/errors.js'
import {parseJsonText} from '../../shared/validate.js'
import {type LockGraph, type LockNode, platformList, Platforms, validated} from './lock.js'

const DependencyMap = v.record(v.string(), v.string())

/** An entry of `packages` in package-lock.json v2/v3 (npm 7+): the fields the prediction reads. */
const NpmLockEntry = v.object({
  cpu: v.optional(Platforms),
  dependencies: v.optional(DependencyMap),
  devDependencies: v.optional(DependencyMap),
  inBundle: v.optional(v.boolean()),
  libc: v.optional(Platforms),
  link: v.optional(v.boolean()),
  name: v.optional(v.string()),
  optionalDependencies: v.optional(DependencyMap),
  os: v.optional(Platforms),
  resolved: v.optional(v.string()),
  version: v.optional(v.string()),
})

const NpmLock = v.object({
  lockfileVersion: v.number(),
  packages: v.optional(v.record(v.string(), NpmLockEntry)),
})

type Entry = v.InferOutput<typeof NpmLockEntry>

const MARKER = 'node_modules/'

/** The folder a location's own node_modules hangs from: `node_modules/a/node_modules/b` -> `node_modules/a`. */
function parentOf(location: string): string | undefined {
  if (location === '') return undefined
  const at = location.lastIndexOf(`/${MARKER}`)
  return at === -1 ? '' : location.slice(0, at)
}

/** The package `name` that code at `from` gets: Node's lookup, up the nested node_modules folders. */
function lookup(entries: Record<string, Entry>, from: string, name: string): string | undefined {
  for (let base: string | undefined = from; base !== undefined; base = parentOf(base)) {
    const candidate = base === '' ? `${MARKER}${name}` : `${base}/${MARKER}${name}`
    if (entries[candidate]) return candidate
  }

  return undefined
}

/**
 * package-lock.json (v2 or v3) or npm-shrinkwrap.json: `packages` maps each install location to the
 * package there, with its platform fields. Version 1 (npm 6) has no locations and is refused in one line.
 */
export function readNpmLock(text: string, file: string): LockGraph {
  const json = parseJsonText(text, file)
  const lock = validated(NpmLock, json, file)
  if (lock.lockfileVersion < 2 || !lock.packages) {
    throw new UserError(`${file} is lockfileVersion ${lock.lockfileVersion} (npm 6): it lists no install locations; run npm install with npm 7 or later to upgrade it.`)
  }

  const entries = lock.packages
  const nodes = new Map<string, LockNode>()
  const edges = (from: string, deps: Record<string, string> | undefined): string[] =>
    Object.keys(deps ?? {}).map(name => lookup(entries, from, name)).filter(k => k !== undefined)
  for (const [location, entry] of Object.entries(entries)) {
    // A bundled package ships inside its parent's tarball, whose size already holds it.
    if (location === '' || entry.inBundle) continue
    const at = location.lastIndexOf(MARKER)
    const installedAs = at === -1 ? location : location.slice(at + MARKER.length)
    const local = entry.link === true || (!location.startsWith(MARKER) && !location.includes(`/${MARKER}`))
    // A link points at its target's location (a workspace folder), whose entry carries the dependencies.
    const dependencies = entry.link && entry.resolved && entries[entry.resolved] ? [entry.resolved] : edges(location, entry.dependencies)
    const node: LockNode = {
      dependencies,
      key: location,
      local,
      location,
      name: entry.name ?? installedAs,
      optionalDependencies: edges(location, entry.optionalDependencies),
      version: entry.version ?? '',
    }
    const [os, cpu, libc] = [platformList(entry.os), platformList(entry.cpu), platformList(entry.libc)]
    if (os) node.os = os
    if (cpu) node.cpu = cpu
    if (libc) node.libc = libc
    if (entry.resolved && !local) node.resolved = entry.resolved
    nodes.set(location, node)
  }

  const root = entries[''] ?? {}
  return {
    file,
    format: 'npm',
    manager: 'npm',
    nodes,
    notes: [],
    roots: {
      dependencies: edges('', root.dependencies),
      devDependencies: edges('', root.devDependencies),
      optionalDependencies: edges('', root.optionalDependencies),
    },
  }
}
