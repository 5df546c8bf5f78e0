// classify gives files and packages in one pass; the index's classifyFiles and findPackages would run it twice.
import {classify} from '../classify.js'
import {limitBand, type ReportSource, SLUG_LIMIT, SLUG_WARNING} from '../report.js'
import type {ScanResult} from '../../scan/entries.js'
import {diffFiles, type FileDiff} from './files.js'
import {diffFolders} from './folders.js'
import {diffPackages} from './packages.js'
import {delta} from './rows.js'
import type {FileChangeKind, FolderChange, LimitLevel, PackageChange, SlugDiff} from './changes.js'

/** One slug to compare: what the scanner found, and where it came from. */
export interface DiffSide {
  source: ReportSource
  scan: ScanResult
}

export interface DiffOptions {
  /** folder levels rolled up */
  depth: number
  /** rows kept per table */
  top: number
}

/** limitBand, with slug:diff's JSON label for under the warning ('ok'). */
export function limitLevel(compressed: number): LimitLevel {
  const band = limitBand(compressed)
  return band === 'under-warning' ? 'ok' : band
}

interface Changes {
  files: FileDiff
  folders: FolderChange[]
  packages: PackageChange[]
}

const NO_CHANGES: Changes = {files: {changes: [], moved: []}, folders: [], packages: []}

function changesBetween(before: ScanResult, after: ScanResult, depth: number): Changes {
  const old = classify(before)
  const now = classify(after)
  return {
    files: diffFiles(before.entries, after.entries),
    folders: diffFolders(old.files, now.files, depth),
    packages: diffPackages(old.packages, now.packages),
  }
}

/**
 * What changed from one slug to another: files, folders and packages added, removed, grown or shrunk,
 * biggest change of compressed bytes first. Two slugs with the same sha256 are identical: no rows.
 */
export function diffSlugs(before: DiffSide, after: DiffSide, options: DiffOptions): SlugDiff {
  const identical = before.scan.sha256 === after.scan.sha256
  const {files, folders, packages} = identical ? NO_CHANGES : changesBetween(before.scan, after.scan, options.depth)
  const byKind: Record<FileChangeKind, number> = {added: 0, grew: 0, modified: 0, removed: 0, shrank: 0}
  for (const f of files.changes) byKind[f.change]++
  return {
    counts: {files: byKind, folders: folders.length, moved: files.moved.length, packages: packages.length},
    depth: options.depth,
    files: files.changes.slice(0, options.top),
    folders: folders.slice(0, options.top),
    from: {...before.source, sha256: before.scan.sha256},
    identical,
    moved: files.moved.slice(0, options.top),
    packages: packages.slice(0, options.top),
    to: {...after.source, sha256: after.scan.sha256},
    top: options.top,
    totals: {
      compressed: delta(before.scan.compressedSize, after.scan.compressedSize),
      files: delta(before.scan.fileCount, after.scan.fileCount),
      level: {after: limitLevel(after.scan.compressedSize), before: limitLevel(before.scan.compressedSize)},
      limit: SLUG_LIMIT,
      uncompressed: delta(before.scan.uncompressedSize, after.scan.uncompressedSize),
      warning: SLUG_WARNING,
    },
  }
}
