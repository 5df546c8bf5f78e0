import type {SlugEntry} from '../../scan/entries.js'
import {byBiggestChange, byText, changeSizes, delta, sizeChange} from './rows.js'
import type {FileChange, MovedFile} from './changes.js'

export interface FileDiff {
  changes: FileChange[]
  moved: MovedFile[]
}

/** Only regular files carry bytes: directories, symlinks and hardlinks have no content of their own in a tar. */
function filesByPath(entries: SlugEntry[]): Map<string, SlugEntry> {
  const map = new Map<string, SlugEntry>()
  for (const e of entries) if (e.type === 'file') map.set(e.path, e)
  return map
}

/**
 * Whether two files of the same size hold the same bytes: by their CRC-32 (slug:diff scans with
 * content hashes), else by the first bytes that were kept.
 */
function sameContent(a: SlugEntry, b: SlugEntry): boolean {
  if (a.crc32 !== undefined && b.crc32 !== undefined) return a.crc32 === b.crc32
  if (!a.peek || !b.peek) return a.peek === b.peek
  return a.peek.equals(b.peek)
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1)

/** Files smaller than this are never matched as moved (see moveKey). */
const MOVE_MIN_SIZE = 1024

/**
 * What a removed file must share with an added one to count as moved: its name, size and contents.
 * Only files of 1 KiB and more are matched: small files with the same name and size (`__init__.py`)
 * are too often different files, and they do not move the slug's size anyway.
 */
function moveKey(e: SlugEntry): string | undefined {
  const content = e.crc32 ?? e.peek?.toString('hex')
  if (e.size < MOVE_MIN_SIZE || content === undefined) return undefined
  return `${basename(e.path)}\0${e.size}\0${content}`
}

/** Pairs removed and added files that look like the same file at a new path, in path order. */
function findMoves(removed: SlugEntry[], added: SlugEntry[]): Array<[SlugEntry, SlugEntry]> {
  const waiting = new Map<string, SlugEntry[]>()
  for (const e of added.sort((a, b) => byText(a.path, b.path))) {
    const key = moveKey(e)
    if (key === undefined) continue
    const list = waiting.get(key)
    if (list) list.push(e)
    else waiting.set(key, [e])
  }

  const pairs: Array<[SlugEntry, SlugEntry]> = []
  for (const e of removed.sort((a, b) => byText(a.path, b.path))) {
    const key = moveKey(e)
    const match = key === undefined ? undefined : waiting.get(key)?.shift()
    if (match) pairs.push([e, match])
  }

  return pairs
}

/** Files added, removed, grown, shrunk or rewritten between two slugs, and files that moved. */
export function diffFiles(before: SlugEntry[], after: SlugEntry[]): FileDiff {
  const old = filesByPath(before)
  const now = filesByPath(after)
  const changes: FileChange[] = []
  const removed: SlugEntry[] = []
  const added: SlugEntry[] = []
  for (const [path, b] of old) {
    const a = now.get(path)
    if (!a) {
      removed.push(b)
      continue
    }

    const change = sizeChange(b, a) ?? (sameContent(a, b) ? undefined : 'modified')
    if (change) changes.push({change, path, ...changeSizes(b, a)})
  }

  for (const [path, a] of now) if (!old.has(path)) added.push(a)

  const pairs = findMoves(removed, added)
  const movedFrom = new Set(pairs.map(([b]) => b))
  const movedTo = new Set(pairs.map(([, a]) => a))
  for (const b of removed) if (!movedFrom.has(b)) changes.push({change: 'removed', path: b.path, ...changeSizes(b)})
  for (const a of added) if (!movedTo.has(a)) changes.push({change: 'added', path: a.path, ...changeSizes(undefined, a)})

  const moved = pairs
  .map(([b, a]): MovedFile => ({compressed: delta(Math.round(b.compressed), Math.round(a.compressed)), from: b.path, size: a.size, to: a.path}))
  .sort((x, y) => y.compressed.after - x.compressed.after || byText(x.to, y.to))
  return {changes: changes.sort(byBiggestChange(r => r.path)), moved}
}
