import type {Usage} from '../analysis/types.js'
import type {SlugEntry} from '../slug/types.js'
import {byBiggestChange, changeSizes, delta, sizeChange} from './rows.js'
import type {FolderChange} from './types.js'

/**
 * Bytes under every folder down to `depth` levels, like `du -d DEPTH`: a folder's usage includes its
 * subfolders'. Files at the root belong to no folder (the totals cover them).
 */
export function folderUsage(entries: SlugEntry[], depth: number): Map<string, Usage> {
  const folders = new Map<string, Usage>()
  for (const e of entries) {
    if (e.type !== 'file') continue
    const parts = e.path.split('/')
    const levels = Math.min(depth, parts.length - 1)
    for (let i = 1; i <= levels; i++) {
      const path = parts.slice(0, i).join('/')
      let usage = folders.get(path)
      if (!usage) {
        usage = {compressed: 0, files: 0, size: 0}
        folders.set(path, usage)
      }

      usage.compressed += e.compressed
      usage.files++
      usage.size += e.size
    }
  }

  return folders
}

/** Folders that appeared, disappeared, or whose size or file count changed, biggest change first. */
export function diffFolders(before: SlugEntry[], after: SlugEntry[], depth: number): FolderChange[] {
  const old = folderUsage(before, depth)
  const now = folderUsage(after, depth)
  const changes: FolderChange[] = []
  for (const path of new Set([...now.keys(), ...old.keys()])) {
    const b = old.get(path)
    const a = now.get(path)
    const change = sizeChange(b, a) ?? (b!.files === a!.files ? undefined : 'modified')
    if (change) changes.push({change, files: delta(b?.files ?? 0, a?.files ?? 0), path, ...changeSizes(b, a)})
  }

  return changes.sort(byBiggestChange(r => r.path))
}
