import type {PackageRow, Usage} from '../rows.js'
import {normalizePythonName} from '../python/dist-info.js'
import {compareVersions} from '../versions.js'
import {byBiggestChange, changeSizes, delta, sizeChange} from './rows.js'
import type {PackageChange, PackageChangeKind} from './changes.js'

interface PackageTotal extends Usage {
  ecosystem: PackageRow['ecosystem']
  name: string
  versions: string[]
}

/** Python names compare case-, dash- and underscore-insensitively (PEP 503); others as written. */
function packageKey(row: PackageRow): string {
  const name = row.ecosystem === 'python' ? normalizePythonName(row.name) : row.name
  return `${row.ecosystem}:${name}`
}

/** One row per package name: copies installed in several places (nested node_modules) add up. */
function packageTotals(rows: PackageRow[]): Map<string, PackageTotal> {
  const totals = new Map<string, PackageTotal>()
  for (const row of rows) {
    const key = packageKey(row)
    let total = totals.get(key)
    if (!total) {
      total = {compressed: 0, ecosystem: row.ecosystem, files: 0, name: row.name, size: 0, versions: []}
      totals.set(key, total)
    }

    total.compressed += row.compressed
    total.files += row.files
    total.size += row.size
    if (row.version && !total.versions.includes(row.version)) total.versions.push(row.version)
  }

  for (const total of totals.values()) total.versions.sort((x, y) => compareVersions(x, y, total.ecosystem))
  return totals
}

const versionText = (t: PackageTotal | undefined) => (t && t.versions.length > 0 ? t.versions.join(', ') : undefined)

function packageChange(b: PackageTotal | undefined, a: PackageTotal | undefined): PackageChangeKind | undefined {
  const was = versionText(b)
  const now = versionText(a)
  if (b && a && was && now && was !== now) {
    const order = compareVersions(a.versions.at(-1)!, b.versions.at(-1)!, a.ecosystem)
    if (order !== 0) return order > 0 ? 'upgraded' : 'downgraded'
    return 'modified'
  }

  return sizeChange(b, a) ?? (b!.files === a!.files ? undefined : 'modified')
}

/** Installed packages added, removed, upgraded or resized between two slugs, biggest change first. */
export function diffPackages(before: PackageRow[], after: PackageRow[]): PackageChange[] {
  const old = packageTotals(before)
  const now = packageTotals(after)
  const changes: PackageChange[] = []
  for (const key of new Set([...now.keys(), ...old.keys()])) {
    const b = old.get(key)
    const a = now.get(key)
    const change = packageChange(b, a)
    if (!change) continue
    changes.push({
      change,
      ecosystem: (a ?? b)!.ecosystem,
      files: delta(b?.files ?? 0, a?.files ?? 0),
      name: (a ?? b)!.name,
      versionAfter: versionText(a),
      versionBefore: versionText(b),
      ...changeSizes(b, a),
    })
  }

  return changes.sort(byBiggestChange(r => `${r.ecosystem}:${r.name}`))
}
