import {lstat, readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import type {PackageRow} from '../model/analysis.js'
import {mapLimit} from '../util/map-limit.js'
import {UserError} from '../util/errors.js'
import {type DistRequirement, parseDistFolder, parseMetadata, recordPaths} from './dist-info.js'
import {normalizePackageName} from './requirements.js'

const STAT_CONCURRENCY = 32

export interface InstalledDistribution {
  /** PEP 503 normalized */
  name: string
  version?: string
  /** the `*.dist-info` folder, relative to site-packages */
  distInfo: string
  /** RECORD paths, relative to site-packages (scripts as `../../../bin/x`) */
  paths: string[]
  requires: DistRequirement[]
}

/** The distributions installed in a site-packages folder (those with a RECORD), by dist-info folder name. */
export async function readDistributions(sitePackages: string): Promise<InstalledDistribution[]> {
  const entries = await readdir(sitePackages).catch((error: Error) => {
    throw new UserError(`Cannot read the site-packages folder ${sitePackages}: ${error.message}`)
  })
  const distInfos = entries.filter(e => e.endsWith('.dist-info')).sort()
  const dists = await mapLimit(distInfos, 8, async distInfo => {
    const record = await readFile(join(sitePackages, distInfo, 'RECORD'), 'utf8').catch(() => {})
    if (record === undefined) return
    const metadata = (await readFile(join(sitePackages, distInfo, 'METADATA'), 'utf8').catch(() => '')) ?? ''
    const folder = parseDistFolder(distInfo.replace(/\.dist-info$/, ''))
    const meta = parseMetadata(metadata)
    const dist: InstalledDistribution = {
      distInfo,
      name: meta.name ?? folder.name,
      paths: [...new Set(recordPaths(record))],
      requires: meta.dependencies,
    }
    const version = meta.version ?? folder.version
    if (version) dist.version = version
    return dist
  })
  return dists.filter(d => d !== undefined)
}

/**
 * Names of the installed distributions a build would install for `roots` (declared requirements with
 * their extras): the roots and, transitively, what their `Requires-Dist` pulls in. Markers other than
 * `extra` are not evaluated (a dependency is kept when in doubt).
 */
export function requiredClosure(dists: InstalledDistribution[], roots: Array<{name: string; extras?: string[]}>): Set<string> {
  const byName = new Map(dists.map(d => [d.name, d]))
  const needed = new Set<string>()
  const queue = roots.map(r => ({extras: r.extras ?? [], name: normalizePackageName(r.name)}))
  const seenExtras = new Set<string>()
  while (queue.length > 0) {
    const {extras, name} = queue.pop()!
    const fresh = extras.filter(e => !seenExtras.has(`${name}[${e}]`))
    if (needed.has(name) && fresh.length === 0) continue
    needed.add(name)
    for (const e of extras) seenExtras.add(`${name}[${e}]`)
    const dist = byName.get(name)
    if (!dist) continue
    for (const r of dist.requires) {
      if (r.forExtra === undefined || extras.includes(r.forExtra)) queue.push({extras: r.extras, name: r.name})
    }
  }

  return needed
}

/**
 * Installed Python distributions in a site-packages folder, each with the real on-disk size of the files
 * its `*.dist-info/RECORD` lists (files listed but absent are skipped; scripts outside site-packages,
 * `../../../bin/x`, are counted since the buildpack installs them into the slug too).
 */
export async function readInstalledPackages(sitePackages: string, location = sitePackages): Promise<PackageRow[]> {
  const dists = await readDistributions(sitePackages)
  return mapLimit(dists, 4, async dist => {
    const sizes = await mapLimit(dist.paths, STAT_CONCURRENCY, async p => {
      const info = await lstat(join(sitePackages, p)).catch(() => {})
      return info && !info.isDirectory() ? (info.isSymbolicLink() ? 0 : info.size) : -1
    })
    const present = sizes.filter(s => s >= 0)
    const row: PackageRow = {
      compressed: 0,
      ecosystem: 'python',
      evidence: 'installed',
      files: present.length,
      location,
      name: dist.name,
      size: present.reduce((a, b) => a + b, 0),
    }
    if (dist.version) row.version = dist.version
    return row
  })
}

/** A `lib/` folder's Python: `python3` or `python3.12` (a virtualenv's, or the buildpack's in a slug). */
export const PYTHON_FOLDER = /^python3(?:\.\d+)?$/

/**
 * A virtual environment's site-packages inside `root` (by default `.venv`, `venv` or `env`; POSIX or
 * Windows layout), undefined when there is none.
 */
export async function findSitePackages(root: string, venvs: readonly string[] = ['.venv', 'venv', 'env']): Promise<string | undefined> {
  for (const venv of venvs) {
    const lib = join(root, venv, 'lib')
    const pythons = (await readdir(lib).catch(() => [] as string[])).filter(d => PYTHON_FOLDER.test(d)).sort()
    for (const python of pythons.reverse()) {
      const candidate = join(lib, python, 'site-packages')
      if ((await stat(candidate).catch(() => {}))?.isDirectory()) return candidate
    }

    const windows = join(root, venv, 'Lib', 'site-packages')
    if ((await stat(windows).catch(() => {}))?.isDirectory()) return windows
  }

  return undefined
}
