import * as v from 'valibot'
import {parse as parseYaml} from 'yaml'

import {UserError} from '../../shared/errors.js'
import {type LockGraph, type LockNode, platformList, Platforms, validated} from './lock.js'

const VersionMap = v.record(v.string(), v.string())
const ImporterDeps = v.record(v.string(), v.object({specifier: v.optional(v.string()), version: v.string()}))

/** pnpm-lock.yaml, lockfileVersion 9 (pnpm 9 and 10): importers, packages (metadata) and snapshots (graph). */
const PnpmLock = v.object({
  importers: v.optional(v.record(v.string(), v.object({
    dependencies: v.optional(ImporterDeps),
    devDependencies: v.optional(ImporterDeps),
    optionalDependencies: v.optional(ImporterDeps),
  }))),
  lockfileVersion: v.union([v.string(), v.number()]),
  packages: v.optional(v.record(v.string(), v.nullish(v.object({
    cpu: v.optional(Platforms),
    libc: v.optional(Platforms),
    os: v.optional(Platforms),
    resolution: v.optional(v.object({tarball: v.optional(v.string())})),
    version: v.optional(v.string()),
  })))),
  snapshots: v.optional(v.record(v.string(), v.nullish(v.object({
    dependencies: v.optional(VersionMap),
    optionalDependencies: v.optional(VersionMap),
  })))),
})

/** `name@1.2.3(peer@4.5.6)` -> `name@1.2.3`: a snapshot's package, without the peers it was resolved with. */
const withoutPeers = (key: string): string => key.replace(/\(.*$/, '')

function splitKey(key: string): {name: string; version: string} {
  const at = key.indexOf('@', 1)
  return {name: key.slice(0, at), version: key.slice(at + 1)}
}

/**
 * A dependency's snapshot key: `name@version`, or the alias's own key when the version names one
 * (`npm:real@1.0.0` is recorded as `real@1.0.0`); a `link:` points into the repo.
 */
function snapshotKey(name: string, version: string): string {
  if (version.startsWith('link:') || version.startsWith('file:')) return `${name}@${version}`
  return /^@?[^@(]+@\d/.test(version) ? version : `${name}@${version}`
}

/**
 * pnpm-lock.yaml (lockfileVersion 9): `snapshots` carry each installed package's dependencies (per set of
 * peers), `packages` its platform fields. Only the root importer (the app) is followed: the buildpack
 * installs the repo's root. Older versions (pnpm 8's 6.0) are refused in one line.
 */
export function readPnpmLock(text: string, file: string): LockGraph {
  let json: unknown
  try {
    // The file is the user's: aliases are bounded so a crafted one cannot expand without end.
    json = parseYaml(text, {maxAliasCount: 100})
  } catch (error) {
    throw new UserError(`${file} is not valid YAML (${(error as Error).message.split('\n')[0]}).`)
  }

  const lock = validated(PnpmLock, json, file)
  const major = Number.parseInt(String(lock.lockfileVersion), 10)
  if (major < 9) throw new UserError(`${file} is lockfileVersion ${lock.lockfileVersion}: the prediction reads version 9 (pnpm 9 and later); run pnpm install with pnpm 9 to upgrade it.`)
  const packages = lock.packages ?? {}
  const snapshots = lock.snapshots ?? {}
  const nodes = new Map<string, LockNode>()
  const edges = (deps: Record<string, string> | undefined) => Object.entries(deps ?? {}).map(([name, version]) => snapshotKey(name, version))
  for (const [key, snapshot] of Object.entries(snapshots)) {
    const {name, version} = splitKey(withoutPeers(key))
    const meta = packages[withoutPeers(key)] ?? {}
    const node: LockNode = {
      dependencies: edges(snapshot?.dependencies),
      key,
      name,
      optionalDependencies: edges(snapshot?.optionalDependencies),
      version: meta.version ?? version,
    }
    const [os, cpu, libc] = [platformList(meta.os), platformList(meta.cpu), platformList(meta.libc)]
    if (os) node.os = os
    if (cpu) node.cpu = cpu
    if (libc) node.libc = libc
    if (meta.resolution?.tarball) node.resolved = meta.resolution.tarball
    nodes.set(key, node)
  }

  const importer = lock.importers?.['.'] ?? {}
  const roots = (deps: Record<string, {version: string}> | undefined) => Object.entries(deps ?? {}).map(([name, d]) => {
    const key = snapshotKey(name, d.version)
    if (!nodes.has(key) && (d.version.startsWith('link:') || d.version.startsWith('file:'))) {
      nodes.set(key, {dependencies: [], key, local: true, name, optionalDependencies: [], version: d.version})
    }

    return key
  })
  const notes = Object.keys(lock.importers ?? {}).length > 1 ? [`${file} has workspace importers besides the root: only the root's dependencies are counted`] : []
  return {
    file,
    format: 'pnpm',
    manager: 'pnpm',
    nodes,
    notes,
    roots: {dependencies: roots(importer.dependencies), devDependencies: roots(importer.devDependencies), optionalDependencies: roots(importer.optionalDependencies)},
  }
}
