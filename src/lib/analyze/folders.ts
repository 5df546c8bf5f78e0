import type {FileRow, FolderRow} from './rows.js'

/** How many folder rows a report shows: enough to see where the bytes go, few enough to read. */
export const FOLDER_ROWS = 30

/**
 * Folder totals down to `depth` levels (like `du -d`): each file counts toward each of its folders at
 * depth 1..depth. The largest `limit` folders by compressed share, biggest first.
 */
export function folderRollup(files: FileRow[], depth: number, limit = FOLDER_ROWS): FolderRow[] {
  const folders = new Map<string, FolderRow>()
  if (depth < 1) return []
  for (const file of files) {
    let end = file.path.indexOf('/')
    for (let level = 1; level <= depth && end !== -1; level++) {
      const path = file.path.slice(0, end)
      let row = folders.get(path)
      if (!row) {
        row = {compressed: 0, files: 0, path, size: 0}
        folders.set(path, row)
      }

      row.compressed += file.compressed
      row.size += file.size
      row.files++
      end = file.path.indexOf('/', end + 1)
    }
  }

  return [...folders.values()]
  .sort((a, b) => b.compressed - a.compressed || b.size - a.size || a.path.localeCompare(b.path))
  .slice(0, limit)
}
