import {type DistRequirement, normalizePythonName, PROJECT_NAME} from './dist-info.js'
import {evaluateMarker} from './markers.js'

/** A project a requirements file asks for, with the extras it asks for (`uvicorn[standard]`). */
export interface RequestedRequirement {
  /** PEP 503 normalized */
  name: string
  extras: string[]
}

/** The projects a requirements.txt asks for, with their extras (options, URLs and `-r` includes left out). */
export function requestedRequirements(text: string | undefined): RequestedRequirement[] {
  if (!text) return []
  const requested: RequestedRequirement[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (line === '' || line.startsWith('-') || line.includes('://')) continue
    const name = PROJECT_NAME.exec(line)?.[1]
    if (!name) continue
    const rest = line.slice(line.indexOf(name) + name.length).trimStart()
    const close = rest.startsWith('[') ? rest.indexOf(']') : -1
    const extras = close === -1 ? [] : rest.slice(1, close).split(',').map(e => normalizePythonName(e)).filter(Boolean)
    requested.push({extras, name: normalizePythonName(name)})
  }

  return requested
}

/** Project names a requirements.txt asks for (options, URLs and `-r` includes left out). */
export function requirementNames(text: string | undefined): string[] {
  return requestedRequirements(text).map(r => r.name)
}

export interface DependencyGraph {
  /** the installed distributions (normalized names) */
  installed: ReadonlySet<string>
  /** each installed distribution's Requires-Dist, with extras and markers */
  dependencies: ReadonlyMap<string, readonly DistRequirement[]>
  /** what requirements.txt asks for: the extras a build installs */
  requested: readonly RequestedRequirement[]
  /** the slug's Python (`3.12` or `3.12.4`), for `python_version` markers */
  pythonVersion?: string
}

/**
 * For each package, the installed distributions that require it on a dyno: their Requires-Dist names it and
 * its marker holds (a requirement behind `extra == "x"` counts only when something installs that extra; a
 * marker that cannot be evaluated counts, so the answer errs toward "required"). Each list is sorted.
 */
export function dependentsOf(graph: DependencyGraph): Map<string, string[]> {
  const extras = new Map<string, Set<string>>()
  const addExtras = (name: string, more: readonly string[]): boolean => {
    const set = extras.get(name) ?? new Set<string>()
    extras.set(name, set)
    const before = set.size
    for (const e of more) set.add(e)
    return set.size > before
  }

  const applies = (owner: string, r: DistRequirement) =>
    r.marker === undefined || evaluateMarker(r.marker, {extras: extras.get(owner) ?? new Set(), pythonVersion: graph.pythonVersion}) !== false

  for (const r of graph.requested) addExtras(r.name, r.extras)
  // Extras pull requirements that may ask for more extras: repeat until nothing new (each round adds one at least).
  for (let changed = true; changed;) {
    changed = false
    for (const [owner, requirements] of graph.dependencies) {
      if (!graph.installed.has(owner)) continue
      for (const r of requirements) if (r.extras.length > 0 && applies(owner, r) && addExtras(r.name, r.extras)) changed = true
    }
  }

  const dependents = new Map<string, string[]>()
  for (const [owner, requirements] of graph.dependencies) {
    if (!graph.installed.has(owner)) continue
    for (const r of requirements) {
      if (r.name === owner || !applies(owner, r)) continue
      const list = dependents.get(r.name) ?? []
      if (!list.includes(owner)) list.push(owner)
      dependents.set(r.name, list)
    }
  }

  for (const list of dependents.values()) list.sort()
  return dependents
}

/**
 * For each dev package, the installed packages that only it needs: reachable from it, not reachable from
 * any production package. Production roots are installed packages nothing depends on, plus what
 * requirements.txt names; walks never pass through dev packages (each has its own finding). A package
 * needed by two dev packages goes to the first in `dev` order. Unknown dependencies (no METADATA) make
 * a package a root, so the guess errs toward keeping packages.
 */
export function exclusiveDependencies(
  dev: string[],
  installed: ReadonlySet<string>,
  requires: ReadonlyMap<string, readonly string[]>,
  requested: string[],
): Map<string, string[]> {
  const devSet = new Set(dev)
  const needed = new Set<string>()
  for (const deps of requires.values()) for (const d of deps) needed.add(d)
  const roots = [...installed].filter(n => !devSet.has(n) && !needed.has(n))
  for (const name of requested) if (!devSet.has(name) && installed.has(name)) roots.push(name)

  const walk = (start: string[], seen: Set<string>) => {
    const stack = [...start]
    while (stack.length > 0) {
      const name = stack.pop()!
      if (seen.has(name) || !installed.has(name)) continue
      seen.add(name)
      for (const d of requires.get(name) ?? []) if (!devSet.has(d) && !seen.has(d)) stack.push(d)
    }
  }

  const production = new Set<string>()
  walk(roots, production)
  const taken = new Set<string>(production)
  const result = new Map<string, string[]>()
  for (const name of dev) {
    const reach = new Set<string>()
    walk((requires.get(name) ?? []).filter(d => !devSet.has(d) && !taken.has(d)), reach)
    const only = [...reach].filter(d => !taken.has(d))
    for (const d of only) taken.add(d)
    if (only.length > 0) result.set(name, only.sort())
  }

  return result
}

/** The same map from a build log's "who required what" edges (pip followed each, so each applies). */
export function dependentsFromEdges(edges: ReadonlyArray<{name: string; requiredBy: string}>): Map<string, string[]> {
  const dependents = new Map<string, string[]>()
  for (const {name, requiredBy} of edges) {
    const list = dependents.get(name) ?? []
    if (!list.includes(requiredBy)) list.push(requiredBy)
    dependents.set(name, list)
  }

  for (const list of dependents.values()) list.sort()
  return dependents
}
