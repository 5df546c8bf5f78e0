import {lstat, mkdir, rm} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import * as v from 'valibot'

import type {HerokuApi} from './client.js'

import {writeFileAtomic} from '../shared/atomic-write.js'
import {readRegularText} from '../shared/read-file.js'
import {ApiStatusError} from './errors.js'
import {getSlug} from './slugs.js'

/** Names the file: another program's file, or an older layout of ours, is never read as sizes. */
const FORMAT = 'heroku-slug-diet/slug-sizes'
const VERSION = 1
/** ~60 bytes an entry: the file stays under 3 MB, and the least recently used sizes go first. */
const MAX_ENTRIES = 50_000
/** A file past this is not one we wrote: it is not read at all. */
const MAX_FILE_BYTES = 8 * 1024 * 1024
/** No slug is a terabyte: a size past this is a tampered entry. */
const MAX_SLUG_BYTES = 1e12

const SizeFile = v.object({
  format: v.literal(FORMAT),
  sizes: v.record(v.string(), v.unknown()),
  version: v.literal(VERSION),
})
/** One entry: a slug id (Heroku's are UUIDs) and its compressed size in bytes. */
const SizeEntry = v.tuple([
  v.pipe(v.string(), v.uuid()),
  v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_SLUG_BYTES)),
])

/** The cache of slug sizes in the plugin's cache folder (beside the scan cache). */
export function slugSizeCacheFor(pluginCacheDir: string): SlugSizeCache {
  return new SlugSizeCache(join(pluginCacheDir, 'slug-sizes.json'))
}

const isEntry = (id: string, size: unknown): size is number => v.is(SizeEntry, [id, size])

/**
 * Compressed slug sizes by slug id, in one JSON file of the CLI's cache folder. A slug never changes (its id
 * names one immutable blob), so a size read once is true for ever: a second `slug:apps --history` asks the API
 * for the slugs of new releases only. What is read back is checked entry by entry (a wrong entry is a miss, the
 * rest still count); any failure to read or write is a miss, never an error the user sees.
 */
export class SlugSizeCache {
  private known?: Map<string, number>
  /** sizes read or learnt by this run, in the order they were last used */
  private readonly used = new Map<string, number>()

  constructor(readonly path: string, readonly maxEntries = MAX_ENTRIES) {}

  async get(slugId: string): Promise<number | undefined> {
    this.known ??= await readSizes(this.path)
    const size = this.used.get(slugId) ?? this.known.get(slugId)
    if (size !== undefined) this.use(slugId, size)
    return size
  }

  set(slugId: string, size: number): void {
    if (isEntry(slugId, size)) this.use(slugId, size)
  }

  /**
   * Writes the sizes back, atomically: merged with the file as it is now (another run may have added to it),
   * the ones this run used last, trimmed to the `maxEntries` used most recently.
   */
  async save(): Promise<void> {
    if (this.used.size === 0) return
    const sizes = await readSizes(this.path)
    for (const [id, size] of this.used) {
      sizes.delete(id)
      sizes.set(id, size)
    }

    const kept = [...sizes].slice(-this.maxEntries)
    try {
      await mkdir(dirname(this.path), {recursive: true})
      await clearStrangeFile(this.path)
      await writeFileAtomic(this.path, JSON.stringify({format: FORMAT, sizes: Object.fromEntries(kept), version: VERSION}), {mode: 0o600})
    } catch {
      // An unwritable cache folder or a full disk costs the next run a few requests, nothing more.
    }
  }

  private use(slugId: string, size: number): void {
    this.used.delete(slugId)
    this.used.set(slugId, size)
  }
}

/**
 * Removes what stands at the cache file's path when it is not a file we could have written (a FIFO, a link, a
 * huge file): the atomic write would read it first, to restore it on failure, and wait or read for ever.
 */
async function clearStrangeFile(path: string): Promise<void> {
  const info = await lstat(path).catch(() => {})
  if (!info || (info.isFile() && info.size <= MAX_FILE_BYTES)) return
  // A folder is not removed (it may hold anything): the write fails, and the cache stays a miss.
  if (!info.isDirectory()) await rm(path, {force: true})
}

/** The file's entries that pass the check, in their order (least recently used first); none when the file is not ours. */
async function readSizes(path: string): Promise<Map<string, number>> {
  const text = await readSmallFile(path)
  if (text === undefined) return new Map()
  let parsed: v.InferOutput<typeof SizeFile>
  try {
    parsed = v.parse(SizeFile, JSON.parse(text))
  } catch {
    return new Map()
  }

  return new Map(Object.entries(parsed.sizes).filter((entry): entry is [string, number] => isEntry(...entry)))
}

/**
 * The text of a regular file of at most MAX_FILE_BYTES; undefined for anything else. Opened without blocking,
 * so a FIFO in its place does not wait for a writer, and a link to a device is refused before a read.
 */
async function readSmallFile(path: string): Promise<string | undefined> {
  try {
    return await readRegularText(path, MAX_FILE_BYTES)
  } catch {
    return undefined
  }
}

/**
 * The compressed size of each slug id (of `app`), from the cache, else from the API (then cached): the slugs of
 * one app are asked for one after the other. A slug the API no longer has (404) has no size: it is left out.
 */
export async function slugSizes(heroku: HerokuApi, app: string, slugIds: Iterable<string>, cache: SlugSizeCache): Promise<Map<string, number>> {
  const sizes = new Map<string, number>()
  for (const id of new Set(slugIds)) {
    const cached = await cache.get(id)
    if (cached !== undefined) {
      sizes.set(id, cached)
      continue
    }

    const size = await fetchSize(heroku, app, id)
    if (size === undefined) continue
    sizes.set(id, size)
    cache.set(id, size)
  }

  return sizes
}

async function fetchSize(heroku: HerokuApi, app: string, slugId: string): Promise<number | undefined> {
  try {
    const {size} = await getSlug(heroku, app, slugId)
    return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : undefined
  } catch (error) {
    if (error instanceof ApiStatusError && error.status === 404) return undefined
    throw error
  }
}
