import type {ScanResult} from '../scan/entries.js'
import {categoryOf} from './categories.js'
import type {DistRequirement} from './python/dist-info.js'
import {detectModelFormat, savedModelRootsOf} from './models.js'
import {originOf} from './origin.js'
import {PackageIndex, packageKey} from './packages.js'
import {dirName} from './paths.js'
import type {FileRow, PackageRow} from './rows.js'

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

/**
 * Whether a folder is inside one of the SavedModel folders. Walking up allocates a string per level, so the
 * answer is kept for the last folder asked about: a tar lists a folder's files together.
 */
function savedModelTest(roots: Set<string>): (folder: string) => boolean {
  let lastFolder: string | undefined
  let lastAnswer = false
  return folder => {
    if (folder === lastFolder) return lastAnswer
    lastFolder = folder
    lastAnswer = false
    for (let dir = folder; dir !== ''; dir = dirName(dir)) {
      if (roots.has(dir)) {
        lastAnswer = true
        break
      }
    }

    return lastAnswer
  }
}

function * filePaths(scan: ScanResult): Iterable<string> {
  for (const entry of scan.entries) if (entry.type === 'file') yield entry.path
}

/** One pass over the scan: every file with its origin, package, model format and category; packages summed. */
export function classify(scan: ScanResult): Classified {
  const index = new PackageIndex(scan)
  // A saved_model.pb at /app itself would make every file part of one model: only folders count.
  const roots = new Set(savedModelRootsOf(filePaths(scan)).filter(r => r !== ''))
  const inSavedModel = savedModelTest(roots)
  const files: FileRow[] = []
  // One key string per package, shared by its files' rows (not one per file).
  const keys = new Map<PackageRow, string>()
  for (const entry of scan.entries) {
    if (entry.type !== 'file') continue
    const owner = index.ownerOf(entry.path)
    const modelFormat = roots.size > 0 && inSavedModel(dirName(entry.path)) ? 'savedmodel' : detectModelFormat(entry.path, entry.peek)
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
