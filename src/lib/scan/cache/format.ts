import {gunzipSync} from 'node:zlib'
import * as v from 'valibot'

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

/** Entries per piece of the encoded text. */
const ENTRIES_PER_PIECE = 1000

const ENTRY_TYPES = new Set<EntryType>(['directory', 'file', 'hardlink', 'other', 'symlink'])

function storeEntry(e: SlugEntry): StoredEntry {
  return [e.path, e.type, e.size, e.compressed, e.linkTarget ?? null, e.peek ? e.peek.toString('base64') : null, e.crc32 ?? null]
}

/** No slug, nor a file in one, is a terabyte: a size past this is a tampered entry. */
const MAX_BYTES = 1e12
/** The inflated text of one entry (a 50,000-file slug's is ~20 MB): past this it is not one we wrote. */
const MAX_TEXT_BYTES = 512 * 1024 * 1024

/** bytes, or an entry's share of the compressed bytes (a fraction) */
const Bytes = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(MAX_BYTES))
const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
const Examples = v.array(v.string())

const StoredEntrySchema = v.tuple([
  v.string(),
  v.picklist([...ENTRY_TYPES]),
  Bytes,
  Bytes,
  v.nullable(v.string()),
  v.nullable(v.string()),
  v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(0xFF_FF_FF_FF))),
])

/** A cache file, checked whole: a field of a wrong type or out of range makes the entry a miss. */
const StoredScanSchema = v.object({
  captured: v.record(v.string(), v.string()),
  entries: v.array(StoredEntrySchema),
  features: v.object({contentHashes: v.boolean()}),
  format: v.literal(CACHE_FORMAT),
  key: v.string(),
  // strict: the scan is rebuilt from the file's own objects (their key order is the report's), so no other key may ride along
  rest: v.strictObject({
    compressedSize: Bytes,
    escaping: v.optional(v.strictObject({count: Count, examples: Examples})),
    fileCount: Count,
    outside: v.strictObject({compressed: Bytes, count: Count, examples: Examples, size: Bytes}),
    sha256: v.pipe(v.string(), v.regex(/^[\da-f]{64}$/)),
    uncompressedSize: Bytes,
  }),
  version: v.literal(CACHE_VERSION),
})

function loadEntry([path, type, size, compressed, linkTarget, peek, crc32]: StoredEntry): SlugEntry {
  const entry: SlugEntry = {compressed, path, size, type}
  if (linkTarget !== null) entry.linkTarget = linkTarget
  if (peek !== null) entry.peek = Buffer.from(peek, 'base64')
  if (crc32 !== null) entry.crc32 = crc32
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
  let json: unknown
  try {
    json = JSON.parse(gunzipSync(bytes, {maxOutputLength: MAX_TEXT_BYTES}).toString('utf8'))
  } catch {
    return undefined
  }

  if (!v.is(StoredScanSchema, json) || json.key !== key) return undefined
  const {captured, entries, features, rest} = json
  return {
    features: {contentHashes: features.contentHashes},
    scan: {...rest, captured, entries: entries.map(row => loadEntry(row))},
  }
}
