import type {ScanResult} from '../slug/types.js'
import {categoryOf} from './categories.js'
import type {DistRequirement} from '../deps/dist-info.js'
import {detectModelFormat, savedModelRootsOf} from './models.js'
import {originOf} from './origin.js'
import {PackageIndex, packageKey} from './packages.js'
import {dirName} from './paths.js'
import type {FileRow, PackageRow} from '../model/analysis.js'

export interface Classified {
  files: FileRow[]
  packages: PackageRow[]
  /** each Python distribution's dependencies (normalized names), from METADATA */
  requires: Map<string, string[]>
  /** each Python distribution's Requires-Dist with extras and markers */
  dependencies: Map<string, DistRequirement[]>
  /** the slug's Python version, when it says */
  pythonVersion?: string
}

/** Whether a path is inside one of the SavedModel folders (walks up the path: O(depth)). */
function inSavedModel(path: string, roots: Set<string>): boolean {
  for (let dir = dirName(path); dir !== ''; dir = dirName(dir)) if (roots.has(dir)) return true
  return false
}

/** One pass over the scan: every file with its origin, package, model format and category; packages summed. */
export function classify(scan: ScanResult): Classified {
  const index = new PackageIndex(scan)
  // A saved_model.pb at /app itself would make every file part of one model: only folders count.
  const roots = new Set(savedModelRootsOf(scan.entries.filter(e => e.type === 'file').map(e => e.path)).filter(r => r !== ''))
  const files: FileRow[] = []
  // One key string per package, shared by its files' rows (not one per file).
  const keys = new Map<PackageRow, string>()
  for (const entry of scan.entries) {
    if (entry.type !== 'file') continue
    const owner = index.ownerOf(entry.path)
    const modelFormat = roots.size > 0 && inSavedModel(entry.path, roots) ? 'savedmodel' : detectModelFormat(entry.path, entry.peek)
    const row: FileRow = {
      category: categoryOf(entry.path, entry.size, owner, modelFormat),
      compressed: entry.compressed,
      files: 1,
      origin: originOf(entry.path),
      path: entry.path,
      size: entry.size,
    }
    if (owner) {
      let key = keys.get(owner)
      if (key === undefined) {
        key = packageKey(owner)
        keys.set(owner, key)
      }

      row.package = key
      index.add(owner, entry.size, entry.compressed)
    }

    if (modelFormat) row.modelFormat = modelFormat
    files.push(row)
  }

  const packages = index.packages().sort((a, b) => b.compressed - a.compressed || a.name.localeCompare(b.name))
  return {dependencies: index.dependencies, files, packages, pythonVersion: index.pythonVersion(), requires: index.requires}
}

/** Every file of the slug (entries of type 'file'), classified. */
export function classifyFiles(scan: ScanResult): FileRow[] {
  return classify(scan).files
}

/** Installed packages found in the slug, largest compressed share first. */
export function findPackages(scan: ScanResult): PackageRow[] {
  return classify(scan).packages
}
