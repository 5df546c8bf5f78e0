import type {PackageRow} from '../analysis/types.js'
import {SLUG_LIMIT, SLUG_WARNING} from '../report/types.js'
import type {SlugEntry} from '../slug/types.js'
import {diffFiles} from './files.js'
import {diffFolders} from './folders.js'
import {diffPackages} from './packages.js'
import {delta} from './rows.js'
import type {DiffCounts, DiffSource, FileChangeKind, LimitLevel, SlugDiff} from './types.js'

/** What the diff needs of one slug: its entries and installed packages, its totals, where it came from. */
export interface DiffSide {
  source: DiffSource
  entries: SlugEntry[]
  packages: PackageRow[]
  compressedSize: number
  uncompressedSize: number
  fileCount: number
}

export interface DiffOptions {
  /** folder levels rolled up */
  depth: number
  /** rows kept per table */
  top: number
}

export function limitLevel(compressed: number): LimitLevel {
  if (compressed > SLUG_LIMIT) return 'over-limit'
  if (compressed > SLUG_WARNING) return 'over-warning'
  return 'ok'
}

/**
 * What changed from one slug to another: files, folders and packages added, removed, grown or shrunk,
 * biggest change of compressed bytes first. Two slugs with the same sha256 are identical: no rows.
 */
export function diffSlugs(before: DiffSide, after: DiffSide, options: DiffOptions): SlugDiff {
  const identical = before.source.sha256 === after.source.sha256
  const files = identical ? {changes: [], moved: []} : diffFiles(before.entries, after.entries)
  const folders = identical ? [] : diffFolders(before.entries, after.entries, options.depth)
  const packages = identical ? [] : diffPackages(before.packages, after.packages)
  const byKind: Record<FileChangeKind, number> = {added: 0, grew: 0, modified: 0, removed: 0, shrank: 0}
  for (const f of files.changes) byKind[f.change]++
  const counts: DiffCounts = {files: byKind, folders: folders.length, moved: files.moved.length, packages: packages.length}
  return {
    counts,
    depth: options.depth,
    files: files.changes.slice(0, options.top),
    folders: folders.slice(0, options.top),
    from: before.source,
    identical,
    moved: files.moved.slice(0, options.top),
    packages: packages.slice(0, options.top),
    to: after.source,
    top: options.top,
    totals: {
      compressed: delta(before.compressedSize, after.compressedSize),
      files: delta(before.fileCount, after.fileCount),
      level: {after: limitLevel(after.compressedSize), before: limitLevel(before.compressedSize)},
      limit: SLUG_LIMIT,
      uncompressed: delta(before.uncompressedSize, after.uncompressedSize),
      warning: SLUG_WARNING,
    },
  }
}
