import {parse as parseToml} from 'smol-toml'

import {evaluateMarker} from '../../analyze/python/markers.js'
import type {Stack} from '../../knowledge/python-stack.js'
import {normalizePythonName} from '../../analyze/python/dist-info.js'
import {parseUvLock, type UvLockDependency, type UvLockPackage} from '../../analyze/python/lock-files.js'
import {UserError} from '../../shared/errors.js'
import {parseWheelName, wheelRank} from './stack.js'
import type {Resolution} from './wheels.js'

type LockPackage = UvLockPackage
type LockDependency = UvLockDependency
type LockFile = NonNullable<UvLockPackage['wheels']>[number]

const isRoot = (p: LockPackage): boolean => p.source !== undefined && ('editable' in p.source || 'virtual' in p.source)

/** A wheel's file name, from its `url` (or `path`/`filename` for a local or direct one). */
function wheelFile(w: LockFile): string | undefined {
  const where = w.filename ?? w.url ?? w.path
  return where === undefined ? undefined : decodeURIComponent(where.slice(where.lastIndexOf('/') + 1).split('#')[0])
}

/**
 * What `uv sync --locked --no-default-groups` (the buildpack's command) installs from a uv.lock, for the
 * stack and CPython `minor`: the root project's dependencies, followed through each package's, with the
 * markers evaluated for a dyno (development groups and optional extras of the root left out), each with the
 * best wheel for the stack and the size uv.lock records for it. Nothing is downloaded.
 */
export function resolveUvLock(text: string, minor: string, stack: Stack): Resolution {
  let toml: unknown
  try {
    toml = parseToml(text)
  } catch (error) {
    throw new UserError(`uv.lock is not valid TOML (${(error as Error).message.split('\n')[0]}).`)
  }

  const packages = parseUvLock(toml).package ?? []
  // A marker that cannot be read counts as holding: a package too many is safer than one left out of a prediction.
  const holds = (marker: string) => evaluateMarker(marker, {extras: new Set(), pythonVersion: minor}) !== false
  const byName = new Map<string, LockPackage[]>()
  for (const p of packages) {
    const name = normalizePythonName(p.name)
    byName.set(name, [...(byName.get(name) ?? []), p])
  }

  const roots = packages.filter(p => isRoot(p))
  const chosen = new Map<string, {pkg: LockPackage; requested: boolean}>()
  const requires = new Map<string, string[]>()
  const queue: Array<{dep: LockDependency; requested: boolean}> = roots.flatMap(r => (r.dependencies ?? []).map(dep => ({dep, requested: true})))
  const seenExtras = new Set<string>()
  while (queue.length > 0) {
    const {dep, requested} = queue.shift()!
    if (dep.marker && !holds(dep.marker)) continue
    const name = normalizePythonName(dep.name)
    const candidates = byName.get(name) ?? []
    const pkg = candidates.find(c => dep.version === undefined || c.version === dep.version) ?? candidates[0]
    if (!pkg || isRoot(pkg)) continue
    const extras = (dep.extra ?? []).filter(e => !seenExtras.has(`${name}[${e}]`))
    for (const e of extras) seenExtras.add(`${name}[${e}]`)
    const previous = chosen.get(name)
    if (previous) {
      previous.requested ||= requested
      if (extras.length === 0) continue
    } else {
      chosen.set(name, {pkg, requested})
    }

    const edges = [...(previous ? [] : pkg.dependencies ?? []), ...extras.flatMap(e => pkg['optional-dependencies']?.[e] ?? [])]
    requires.set(name, [...(requires.get(name) ?? []), ...edges.map(d => normalizePythonName(d.name))])
    for (const edge of edges) queue.push({dep: edge, requested: false})
  }

  const resolution: Resolution = {requires, unresolvable: [], wheels: []}
  for (const [name, {pkg, requested}] of chosen) {
    const ranked = (pkg.wheels ?? [])
    .map(w => {
      const file = wheelFile(w)
      const parsed = file ? parseWheelName(file) : undefined
      return {file, rank: parsed ? wheelRank(parsed, minor, stack) : undefined, wheel: w}
    })
    .filter(w => w.rank !== undefined)
    .sort((a, b) => a.rank! - b.rank!)
    const best = ranked[0]
    if (!best) {
      resolution.unresolvable.push({name, sdist: pkg.sdist !== undefined, version: pkg.version})
      continue
    }

    resolution.wheels.push({filename: best.file, name, requested, size: best.wheel.size, url: best.wheel.url, version: pkg.version ?? ''})
  }

  return resolution
}
