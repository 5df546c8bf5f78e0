import {lstat, readdir, readFile} from 'node:fs/promises'
import {join} from 'node:path'

/** One package of an installed tree, as npm's lock file of the folder records it. */
interface LockPackage {
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

export interface InstalledTree {
  /** bytes on disk of node_modules */
  bytes: number
  packages: number
  /** each direct dependency of the root package: the bytes that only it brings in (gone if it were dropped) */
  costs: {name: string; bytes: number; packages: number}[]
}

/** Disk bytes of a package's own files: its folder without the node_modules nested in it (those are packages too). */
async function ownBytes(dir: string): Promise<number> {
  let total = (await lstat(dir)).blocks * 512
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    if (entry.name === 'node_modules' && entry.isDirectory()) continue
    const path = join(dir, entry.name)
    total += entry.isDirectory() ? await ownBytes(path) : (await lstat(path)).blocks * 512
  }

  return total
}

/** Where Node finds `name` from the package at `from` (a lock key such as node_modules/a/node_modules/b). */
function resolveFrom(packages: Record<string, LockPackage>, from: string, name: string): string | undefined {
  let base = from
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`
    if (packages[candidate]) return candidate
    if (!base) return undefined
    const cut = base.lastIndexOf('/node_modules/')
    base = cut === -1 ? '' : base.slice(0, cut)
  }
}

/** Every package reachable from `start`, never entering `without`. */
function reachable(packages: Record<string, LockPackage>, start: string, without?: string): Set<string> {
  const seen = new Set<string>()
  const stack = [start]
  while (stack.length > 0) {
    const key = stack.pop()!
    if (seen.has(key) || key === without) continue
    seen.add(key)
    const pkg = packages[key]
    for (const name of Object.keys({...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies})) {
      const found = resolveFrom(packages, key, name)
      if (found) stack.push(found)
    }
  }

  return seen
}

/**
 * What a plugin installed into `dir` (the CLI's data dir: package.json, node_modules) weighs, and what each of
 * its direct dependencies costs on its own, from npm's record of the tree (node_modules/.package-lock.json).
 */
export async function installedTree(dir: string, plugin: string): Promise<InstalledTree> {
  const lock = JSON.parse(await readFile(join(dir, 'node_modules/.package-lock.json'), 'utf8')) as {packages: Record<string, LockPackage>}
  const {packages} = lock
  const root = `node_modules/${plugin}`
  const sizes = new Map<string, number>()
  for (const key of Object.keys(packages)) sizes.set(key, await ownBytes(join(dir, key)))
  const sum = (keys: Iterable<string>) => [...keys].reduce((total, key) => total + (sizes.get(key) ?? 0), 0)
  const all = reachable(packages, root)
  const direct = Object.keys({...packages[root].dependencies, ...packages[root].optionalDependencies})
  const costs = direct.map(name => {
    const key = resolveFrom(packages, root, name)!
    const rest = reachable(packages, root, key)
    return {bytes: sum(all) - sum(rest), name, packages: all.size - rest.size}
  })
  return {bytes: sum(sizes.keys()), costs: costs.sort((a, b) => b.bytes - a.bytes), packages: Object.keys(packages).length}
}
