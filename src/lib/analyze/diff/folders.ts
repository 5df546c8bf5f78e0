import {type FileRow, type FolderRow} from '../rows.js'
import {folderRollup} from '../folders.js'
import {byBiggestChange, changeSizes, delta, sizeChange} from './rows.js'
import type {FolderChange} from './changes.js'

function foldersByPath(files: FileRow[], depth: number): Map<string, FolderRow> {
  return new Map(folderRollup(files, depth, Number.POSITIVE_INFINITY).map(f => [f.path, f]))
}

/**
 * Folders (rolled up like `du -d DEPTH`, as slug:inspect does) that appeared, disappeared, or whose
 * size or file count changed, biggest change first.
 */
export function diffFolders(before: FileRow[], after: FileRow[], depth: number): FolderChange[] {
  const old = foldersByPath(before, depth)
  const now = foldersByPath(after, depth)
  const changes: FolderChange[] = []
  for (const path of new Set([...now.keys(), ...old.keys()])) {
    const b = old.get(path)
    const a = now.get(path)
    const change = sizeChange(b, a) ?? (b!.files === a!.files ? undefined : 'modified')
    if (change) changes.push({change, files: delta(b?.files ?? 0, a?.files ?? 0), path, ...changeSizes(b, a)})
  }

  return changes.sort(byBiggestChange(r => r.path))
}
