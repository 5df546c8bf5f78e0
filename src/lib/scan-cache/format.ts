import {gunzipSync, gzipSync} from 'node:zlib'

import type {EntryType, ScanResult, SlugEntry} from '../slug/types.js'

/** Names the file format: a cache entry of another program, or of an older layout, is never read as ours. */
export const CACHE_FORMAT = 'heroku-slug-diet/scan'
/** Bumped whenever ScanResult or the scanner's meaning of a field changes: older entries are then ignored. */
export const CACHE_VERSION = 1

/** What a scan was asked to keep beyond sizes: a cached scan serves a request only if it kept at least as much. */
export interface ScanFeatures {
  contentHashes: boolean
}

/** One entry as an array, to keep the file small: [path, type, size, compressed, linkTarget, peek (base64), crc32]. */
type StoredEntry = [string, EntryType, number, number, null | string, null | string, null | number]

interface StoredScan {
  entries: StoredEntry[]
  features: ScanFeatures
  format: string
  key: string
  /** every other field of the ScanResult, as it is */
  rest: Omit<ScanResult, 'entries'>
  version: number
}

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

/** A scan as the bytes of one cache file (gzipped JSON, whose CRC also catches a torn or corrupt file). */
export function encodeScan(key: string, scan: ScanResult, features: ScanFeatures): Buffer {
  const {entries, ...rest} = scan
  const stored: StoredScan = {
    entries: entries.map(e => storeEntry(e)),
    features,
    format: CACHE_FORMAT,
    key,
    rest,
    version: CACHE_VERSION,
  }
  return gzipSync(JSON.stringify(stored), {level: 6})
}

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
    const {rest} = stored
    if (!Array.isArray(stored.entries) || typeof rest?.sha256 !== 'string' || typeof rest.captured !== 'object' || !rest.outside) return undefined
    if (typeof stored.features?.contentHashes !== 'boolean') return undefined
    return {
      features: {contentHashes: stored.features.contentHashes},
      scan: {...rest, entries: stored.entries.map(row => loadEntry(row))},
    }
  } catch {
    return undefined
  }
}
