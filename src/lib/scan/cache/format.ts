import {gunzipSync} from 'node:zlib'

import type {EntryType, ScanResult, SlugEntry} from '../entries.js'

/** Names the file format: a cache entry of another program, or of an older layout, is never read as ours. */
export const CACHE_FORMAT = 'heroku-slug-diet/scan'
/** Bumped whenever ScanResult, the scanner's meaning of a field or the file's layout changes: older entries are then ignored. */
export const CACHE_VERSION = 2

/** What a scan was asked to keep beyond sizes: a cached scan serves a request only if it kept at least as much. */
export interface ScanFeatures {
  contentHashes: boolean
}

/** One entry as an array, to keep the file small: [path, type, size, compressed, linkTarget, peek (base64), crc32]. */
type StoredEntry = [string, EntryType, number, number, null | string, null | string, null | number]

interface StoredScan {
  captured: ScanResult['captured']
  entries: StoredEntry[]
  features: ScanFeatures
  format: string
  key: string
  /** every other field of the ScanResult, as it is */
  rest: Omit<ScanResult, 'captured' | 'entries'>
  version: number
}

/** Entries per piece of the encoded text. */
const ENTRIES_PER_PIECE = 1000

const ENTRY_TYPES = new Set<EntryType>(['directory', 'file', 'hardlink', 'other', 'symlink'])

function storeEntry(e: SlugEntry): StoredEntry {
  return [e.path, e.type, e.size, e.compressed, e.linkTarget ?? null, e.peek ? e.peek.toString('base64') : null, e.crc32 ?? null]
}

function loadEntry(row: unknown): SlugEntry {
  if (!Array.isArray(row) || row.length !== 7) throw new Error('bad entry')
  const [path, type, size, compressed, linkTarget, peek, crc32] = row as StoredEntry
  if (typeof path !== 'string' || !ENTRY_TYPES.has(type) || !Number.isFinite(size) || !Number.isFinite(compressed)) throw new Error('bad entry')
  const entry: SlugEntry = {compressed, path, size, type}
  if (typeof linkTarget === 'string') entry.linkTarget = linkTarget
  if (typeof peek === 'string') entry.peek = Buffer.from(peek, 'base64')
  if (typeof crc32 === 'number') entry.crc32 = crc32
  return entry
}

/**
 * A scan as the JSON text of one cache file, in pieces: a few hundred kB each (a captured text, ~1,000 entries),
 * so that a writer can gzip them as they come. The whole text at once (a 50,000-file slug's is ~20 MB, then as
 * many bytes again to gzip it) raised the peak memory of a first, cached `slug:inspect` by ~30 MB.
 */
export function * scanJsonPieces(key: string, scan: ScanResult, features: ScanFeatures): Generator<string> {
  const {captured, entries, ...rest} = scan
  const head = {features, format: CACHE_FORMAT, key, rest, version: CACHE_VERSION}
  yield `${JSON.stringify(head).slice(0, -1)},"captured":{`
  let first = true
  for (const [path, text] of Object.entries(captured)) {
    yield `${first ? '' : ','}${JSON.stringify(path)}:${JSON.stringify(text)}`
    first = false
  }

  yield '},"entries":['
  for (let i = 0; i < entries.length; i += ENTRIES_PER_PIECE) {
    const rows = entries.slice(i, i + ENTRIES_PER_PIECE).map(e => JSON.stringify(storeEntry(e)))
    yield `${i === 0 ? '' : ','}${rows.join(',')}`
  }

  yield ']}'
}

/** The cache file is this JSON gzipped at this level (its CRC also catches a torn or corrupt file). */
export const CACHE_GZIP_LEVEL = 6

export interface DecodedScan {
  features: ScanFeatures
  scan: ScanResult
}

/**
 * The scan stored in a cache file, or undefined when the file is not a complete entry of this format and
 * version for this key: a corrupt, partial, foreign or old entry is a miss, never an error.
 */
export function decodeScan(key: string, bytes: Buffer): DecodedScan | undefined {
  try {
    const stored = JSON.parse(gunzipSync(bytes).toString('utf8')) as Partial<StoredScan>
    if (stored.format !== CACHE_FORMAT || stored.version !== CACHE_VERSION || stored.key !== key) return undefined
    const {captured, rest} = stored
    if (!Array.isArray(stored.entries) || typeof rest?.sha256 !== 'string' || typeof captured !== 'object' || captured === null || !rest.outside) return undefined
    if (typeof stored.features?.contentHashes !== 'boolean') return undefined
    return {
      features: {contentHashes: stored.features.contentHashes},
      scan: {...rest, captured, entries: stored.entries.map(row => loadEntry(row))},
    }
  } catch {
    return undefined
  }
}
